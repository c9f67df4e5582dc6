// A box whose Unbound does not run, where gen relies on it: nothing answers
// gen's Unbound host overrides (clients inside still reach HAProxy's host
// names only through the upstream router's NAT hairpin), nor the DNS queries
// of the clients its dnsmasq DHCP sends to the firewall. OPNsense starts Unbound only
// when general.enabled is set (opnsense/core plugins.inc.d/unbound.inc
// unbound_enabled(), 25.7 to 26.7; the model's default is 0). A root the box
// has not migrated past 1.0.5 (none, or gen's unversioned one) takes that
// switch from the legacy <unbound><enable> instead (Unbound/Migrations/M1_0_5.php).
import { type XmlElement, attr, child } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { boxUnbound, genHostItems, hostAnswer, hostName } from './unbound-items.js';
import { dnsmasqAnswers, familyOf, genNamesOnPort53, passedOnWarning, wrongAnswerWarning } from './dnsmasq-answer.js';
import { nameKey } from './dnsmasq-hosts.js';
import { dnsmasqEnabled } from './dnsmasq-enabled.js';
import { firewallDnsRanges } from './dnsmasq-firewall-dns.js';

/** The first model version whose root holds Unbound's switch (and its port) itself. */
const SWITCH_IN_MODEL = [1, 0, 5];

export function migratedPastSwitch(version: string | undefined): boolean {
  if (version === undefined) return false;
  const parts = version.split('.').map(Number);
  for (let i = 0; i < SWITCH_IN_MODEL.length; i++) {
    const have = parts[i] ?? 0;
    if (have !== SWITCH_IN_MODEL[i]) return have > SWITCH_IN_MODEL[i]!;
  }
  return true;
}

/**
 * The box's Unbound general settings after the merged config's migrations:
 * the model's general once its root is past 1.0.5, else the legacy
 * <unbound>, which M1_0_5 moves into the model (`legacy` says which).
 */
export function unboundGeneral(root: XmlElement): { settings: XmlElement | undefined; legacy: boolean } {
  const model = boxUnbound(root);
  return model && migratedPastSwitch(attr(model, 'version')) ? { settings: child(model, 'general'), legacy: false } : { settings: child(root, 'unbound'), legacy: true };
}

/** Whether the box's Unbound runs after the merged config's migrations. */
export function unboundEnabled(root: XmlElement): boolean {
  const { settings, legacy } = unboundGeneral(root);
  if (legacy) return child(settings, 'enable') !== undefined;
  const enabled = fieldText(settings, 'enabled');
  return enabled !== '' && enabled !== '0';
}

/** What answers DNS on the box instead, and what to do. */
function otherResolver(root: XmlElement): string {
  if (dnsmasqAnswers(root)) {
    return "dnsmasq answers DNS on the box: enable Unbound (and move dnsmasq off port 53), or add the names in Services › Dnsmasq DNS & DHCP › Hosts with the addresses gen's overrides answer";
  }
  return 'enable it in Services › Unbound DNS › General';
}

/**
 * Where the merged config's dnsmasq (`root`) hands out the firewall as DNS server at addresses it answers no DNS at
 * (firewallDnsRanges(): the ranges its dnsmasq.conf serves whose DNS option line is the firewall, the template's own
 * or one valued 0.0.0.0 or [::], or the box's addresses written out; the template writes option6:23,[::] only where
 * `firewallDns6`): each interface its clients are on (its IPv6 ranges' as
 * `<interface> (IPv6)`: the links dnsmasq serves it on by DHCPv6 and advertises it on), and each IPv4 range of no
 * interface by its addresses (named only where it hands out the firewall on every interface).
 */
function firewallAsDns(root: XmlElement, firewallDns6: boolean): string[] {
  if (!dnsmasqEnabled(child(root, 'dnsmasq'))) return [];
  return [
    ...new Set(
      firewallDnsRanges(root, firewallDns6).flatMap(({ range, on }) => {
        if (on.length === 0) return [`the range ${fieldText(range, 'start_addr')}-${fieldText(range, 'end_addr')} of no interface (on every interface it serves)`];
        return fieldText(range, 'start_addr').includes(':') ? on.map((name) => `${name} (IPv6)`) : on;
      }),
    ),
  ];
}

/**
 * Warnings when the box (the base) does not run Unbound and gen relies on it: its Unbound host overrides (gen's
 * sections) go unanswered, except the names the box's dnsmasq answers on port 53 from its Hosts with exactly gen's
 * addresses (those it answers with others get a warning each, and so does one whose other record type dnsmasq passes
 * on to other servers; a domain override to Unbound reaches nothing, as Unbound does not run), and the DHCP it
 * serves with dnsmasq hands out the firewall as DNS server where nothing answers: dnsmasq's DNS off too, or, with its
 * Strict interface binding, at addresses of interfaces it does not listen on. `root`
 * is the merged config; `dnsmasqVersion`: the version of the box's dnsmasq (its release's); `firewallDns6`: whether its
 * release's dnsmasq.conf hands out the firewall as IPv6 DNS server by default.
 */
export function unansweredOverrides(root: XmlElement, sections: readonly XmlElement[], dnsmasqVersion: string, firewallDns6: boolean): string[] {
  if (unboundEnabled(root)) return [];
  const out: string[] = [];
  const { unreached, wrong, passedOn } = genNamesOnPort53(root, sections, undefined, dnsmasqVersion);
  const hosts = genHostItems(sections).filter((h) => unreached.has(`${nameKey(hostName(h))} ${familyOf(fieldText(h, 'server'))}`));
  if (hosts.length > 0) {
    const names = hosts.map((h) => `${hostName(h)} (${hostAnswer(h)})`);
    out.push(
      `the box's Unbound DNS is disabled, so nothing answers gen's Unbound host overrides ${names.join(', ')}: clients inside still reach these names through the upstream router; ${otherResolver(root)}`,
    );
  }
  for (const w of wrong) out.push(wrongAnswerWarning(w, "the box's Unbound DNS is disabled"));
  const enable = 'enable Unbound in Services › Unbound DNS › General and forward its domain to it in Services › Dnsmasq DNS & DHCP › Domains, so that Unbound answers these queries';
  for (const p of passedOn) out.push(passedOnWarning(p, "the box's Unbound DNS is disabled", enable));
  const served = firewallAsDns(root, firewallDns6);
  if (served.length > 0 && !dnsmasqAnswers(root)) {
    out.push(
      `the box's Unbound DNS is disabled and dnsmasq answers no DNS on port 53, but dnsmasq's DHCP hands out the firewall's address as DNS server on ${served.join(', ')}: ` +
        'clients there resolve no name; enable Unbound in Services › Unbound DNS › General, or name the DNS servers in the interface\'s dhcp.dns ' +
        "(a range of the box's own: in a DHCP option 6 for it, an IPv6 range: a DHCPv6 option 23, Services › Dnsmasq DNS & DHCP › DHCP options)",
    );
  } else if (served.length > 0) {
    out.push(
      "the box's Unbound DNS is disabled and dnsmasq, with Strict interface binding, answers DNS only at the addresses of the interfaces it listens on, " +
        `but dnsmasq's DHCP hands out the firewall's address as DNS server on ${served.join(', ')}: clients there resolve no name, as it hands out addresses of other interfaces; ` +
        'hand out an address of their own interface (0.0.0.0 or [::], the default, in the DHCP option) in Services › Dnsmasq DNS & DHCP › DHCP options, add those interfaces to ' +
        'Interface or turn off Strict interface binding in Services › Dnsmasq DNS & DHCP › General, or enable Unbound in Services › Unbound DNS › General',
    );
  }
  return out;
}
