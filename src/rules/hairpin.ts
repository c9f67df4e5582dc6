// HAProxy's host names as clients inside see them. Behind the upstream
// router the public DNS answers the router's address; a client on one of the
// firewall's networks then sends its connection out of the WAN to the router,
// which brings it back only if it does NAT hairpin (gen assumes it does not,
// as for WireGuard's -lan files). The firewall's own reflection cannot help:
// the packet is addressed to the router, not to the firewall, so a port
// forward's reflection serves only clients that use the WAN's own address.
// gen answers a frontend's exact names on the firewall's resolver
// (resolve/split-dns.ts); this rule reports what that leaves: the names it
// does not answer, and answers no internal network may connect to.
import { sourcesFlowVerdicts } from '../flows.js';
import { blockRange } from '../intervals.js';
import type { HaproxyFrontend, Site, WireguardInstance } from '../model.js';
import { parseIPv4 } from '../net.js';
import { type SplitDnsLeft, type SplitDnsPlan, splitDns } from '../resolve/split-dns.js';
import { firewallAddresses } from './dns-servers.js';
import type { Rule } from './rule.js';

const LEFT_BECAUSE: Record<SplitDnsLeft['reason'], string> = {
  wildcard: "gen writes no override for a wildcard name: OPNsense makes one a redirect zone that answers every name of its domain",
  'opted out': 'split_dns is false',
  'no address': "the WAN takes its address by DHCP, so gen knows no address to answer with",
};

/** The names one frontend serves on one answered address, which clients inside connect to on the frontend's port. */
interface Served {
  frontend: HaproxyFrontend;
  address: string;
  names: string[];
}

/**
 * Every address and port a name is served on at its answer, grouped by frontend and address (by push: a copy per
 * name grew with the square of the names): the override's frontend, and a later one that serves the name on
 * another port and listens on the answered address too (both bind every address, on 443 and 8443).
 */
function servedAt(plan: SplitDnsPlan): Served[] {
  const groups = new Map<HaproxyFrontend, Map<string, Served>>();
  for (const { frontend, address, name } of [...plan.overrides, ...plan.alsoServed]) {
    let byAddress = groups.get(frontend);
    if (!byAddress) groups.set(frontend, (byAddress = new Map()));
    const group = byAddress.get(address);
    if (group) group.names.push(name);
    else byAddress.set(address, { frontend, address, names: [name] });
  }
  return [...groups.values()].flatMap((byAddress) => [...byAddress.values()]);
}

/** The firewall's own addresses: its interfaces' and its WireGuard instances' (a client that asks one asks its Unbound). */
function ownAddresses(site: Site): Set<string> {
  const own = firewallAddresses(site);
  for (const instance of site.wireguard) own.add(instance.address);
  return own;
}

/** What the policy does not let connect to a served address and port: every internal network (none may), and the tunnels denied. */
interface Unreachable extends Served {
  internal: boolean;
  instances: WireguardInstance[];
}

/**
 * The served addresses and ports clients inside may not connect to: those of no internal network of the firewall
 * (the names then fail inside as they did through the router), and, for full-tunnel WireGuard instances whose client
 * files name the firewall as DNS server (so their clients get the overrides' answer), those the policy does not let
 * (all of) an instance's clients reach: their connection goes through the tunnel to the firewall, whose filter on the
 * instance decides, as for a policy test from the instance's network. One verdict call per frontend and address.
 */
function unreachable(site: Site, served: readonly Served[]): Unreachable[] {
  // By id: a find per interface grew with the square of the VLANs.
  const networks = new Map(site.networks.map((n) => [n.id, n]));
  const internal = site.firewall!.interfaces.flatMap((i) => {
    const network = i.isWan || i.network === undefined ? undefined : networks.get(i.network);
    return network ? [blockRange(network.block)] : [];
  });
  const own = ownAddresses(site);
  const asking = site.wireguard.filter((w) => w.tunnel === 'full' && w.clientDns.some((d) => own.has(d)));
  const sources = internal.concat(asking.map((w) => blockRange(w.block)));
  if (sources.length === 0) return [];
  const out: Unreachable[] = [];
  for (const group of served) {
    const to = parseIPv4(group.address)!;
    const verdicts = sourcesFlowVerdicts(site, sources.map((range) => ({ from: [range], to })), 'tcp', group.frontend.port);
    const denied = (i: number) => verdicts[i]!.verdict === 'deny';
    const none = internal.length > 0 && internal.every((_, i) => denied(i));
    const instances = asking.filter((_, i) => denied(internal.length + i));
    if (none || instances.length > 0) out.push(Object.assign({}, group, { internal: none, instances }));
  }
  return out;
}

/**
 * Where clients are told to ask another resolver than the firewall: an interface whose DHCP hands out DNS servers,
 * or a full-tunnel WireGuard instance whose client files name them, none of them an address of the firewall. Those clients never
 * see gen's overrides.
 */
function otherResolvers(site: Site): string[] {
  const firewall = site.firewall!;
  const own = ownAddresses(site);
  const elsewhere = (dns: readonly string[]) => dns.length > 0 && !dns.some((d) => own.has(d));
  return firewall.interfaces
    .filter((i) => !i.isWan && i.dhcp && elsewhere(i.dhcp.dns))
    .map((i) => `${i.name} (DHCP hands out ${i.dhcp!.dns.join(', ')})`)
    // What the client files name (clientDns: a full tunnel's dns). A split tunnel's clients keep their own resolver, whose
    // public answer reaches the router from outside as any client's on the internet does; a full tunnel's without a DNS
    // line keep theirs too, and their connection to the router's address goes through the tunnel, out of the WAN, to it.
    .concat(site.wireguard.filter((w) => elsewhere(w.clientDns)).map((w) => `${w.name} (its client files name ${w.clientDns.join(', ')})`))
    .concat(site.wireguard.filter((w) => w.tunnel === 'full' && w.clientDns.length === 0).map((w) => `${w.name} (its full-tunnel client files name no DNS server, so the devices keep their own)`));
}

export const hairpinRules: Rule[] = [
  {
    id: 'upstream/hairpin',
    severity: 'warning',
    summary: "HAProxy host names, or a port forward with reflection, on a WAN behind the upstream router that clients inside still resolve to the router's address (which a router without NAT hairpin does not bring back), or that the firewall's resolver answers with an address the policy lets no internal network reach.",
    why:
      "The public DNS answers a site's host names with the upstream router's public address. A client on the firewall's networks (or a VPN peer) that looks one up sends its connection to that address: out of the firewall's WAN to the router, " +
      'which forwards to the firewall only what comes in on its WAN side unless it does NAT hairpin (NAT loopback). The site works from the internet and times out from inside. ' +
      "gen therefore writes Unbound host overrides on the firewall that answer a frontend's exact host names with the address HAProxy listens on (its bind address, or the WAN's own when it binds every address), " +
      'but not for a wildcard name (OPNsense writes a wildcard override as a redirect zone of the whole domain), nor with split_dns: false, nor when the WAN takes its address by DHCP; and an override helps only clients that ask the firewall\'s resolver (not those whose DHCP or full-tunnel WireGuard client file names another DNS server, nor full-tunnel clients whose file names none and who keep their own) and that the policy lets connect to that address on each port a frontend serves the name there (a later frontend on another port that listens on the answered address too, e.g. both on every address, on 443 and 9443; full-tunnel WireGuard clients that ask the firewall included: their connection goes through the tunnel to it). ' +
      "OPNsense's reflection (a port forward's reflection) does not help either: it redirects connections to the firewall's own WAN address, not to the router's.",
    hint:
      "Answer the names gen leaves out inside with an address of the firewall where HAProxy listens, on the resolver those clients use: on the firewall, Services › Unbound DNS › Overrides › Hosts, or the router's DNS for its own LAN; " +
      'the policy must pass those zones to the firewall on the frontend\'s port (a rule to wan or self). Then silence this finding on the frontend\'s hosts with \'# gen-ignore upstream/hairpin: <where the names are answered>\'; ' +
      'a router that does hairpin, or names meant for outside only (split_dns: false), take the same comment with that reason.',
    examples: [
      {
        topology: 'homelab-family',
        where: 'sites[].haproxy.frontends[https]',
        text: true,
        bad: 'name: https\nbind: 0.0.0.0:443\ncertificate: web\nhttp_redirect: true\nhosts:\n  - { name: cloud.example.org, backend: nextcloud }',
        good: 'name: https\nbind: 0.0.0.0:443\ncertificate: web\nhttp_redirect: true\nsplit_dns: false\n# gen-ignore upstream/hairpin: the names are for outside only\nhosts:\n  - { name: cloud.example.org, backend: nextcloud }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const wan = site.firewall?.interfaces.find((i) => i.isWan);
        if (!site.upstream || !wan) continue;
        const plan = splitDns(site);
        for (const left of plan.left) {
          const { frontend } = left;
          const names = left.names.join(', ');
          const at = left.address ? `${left.address} (an address HAProxy listens on)` : "the WAN's address (HAProxy listens on every address)";
          report({
            path: frontend.path.concat('hosts'),
            message: `HAProxy frontend ${frontend.name}: clients inside that resolve ${names} get the upstream router's public address, and reach TCP ${frontend.port} only if the router does NAT hairpin (${LEFT_BECAUSE[left.reason]})`,
            hint: `Answer ${names} with ${at} on the resolver the clients inside use (on the firewall: Services › Unbound DNS › Overrides › Hosts) and let their zones reach TCP ${frontend.port} there, then silence this with '# gen-ignore upstream/hairpin: <where the names are answered>' on the frontend's hosts.`,
          });
        }
        // The policy names an instance's clients by the interface that assigns it, or by its roles (wg0/<role>).
        const assigned = new Map(site.firewall!.interfaces.flatMap((i) => (i.wireguard ? [[i.wireguard, i.name] as const] : [])));
        for (const u of unreachable(site, servedAt(plan))) {
          const { frontend, address } = u;
          const at = `${address}:${frontend.port}`;
          if (u.internal) {
            report({
              path: frontend.path.concat('hosts'),
              message: `HAProxy frontend ${frontend.name}: the firewall's resolver answers ${u.names.join(', ')} inside with ${address}, but the policy passes no internal network to ${at} (TCP)`,
              hint: `Pass the zones that use these names to wan or self on TCP ${frontend.port}, or set split_dns: false on the frontend when the names are for outside only.`,
            });
          }
          for (const instance of u.instances) {
            const zone = assigned.has(instance.name) ? `${assigned.get(instance.name)} (the interface of ${instance.name})` : `the roles of ${instance.name} (${instance.name}/<role>)`;
            report({
              path: frontend.path.concat('hosts'),
              message:
                `HAProxy frontend ${frontend.name}: the full-tunnel clients of WireGuard instance ${instance.name} ask the firewall's resolver, which answers ${u.names.join(', ')} with ${address}, ` +
                `but the policy does not pass ${instance.name} (${instance.network}) to ${at} (TCP)`,
              hint: `Add a policy rule that passes ${zone} to wan or self on TCP ${frontend.port}, or set split_dns: false on frontend ${frontend.name} when the names are for outside only.`,
              related: [{ message: `WireGuard instance ${instance.name}`, path: instance.path }],
            });
          }
        }
        const elsewhere = plan.overrides.length > 0 ? otherResolvers(site) : [];
        if (elsewhere.length > 0) {
          const frontend = plan.overrides[0]!.frontend;
          report({
            path: frontend.path.concat('hosts'),
            message: `the firewall's resolver answers ${plan.overrides.map((o) => o.name).join(', ')} inside, but clients on ${elsewhere.join('; ')} ask other resolvers, which answer the upstream router's address`,
            hint: "Hand out the firewall's address as DNS server there (dhcp.dns, or the instance's dns), or answer the names on those resolvers too and silence this with '# gen-ignore upstream/hairpin: <where the names are answered>' on the frontend's hosts.",
          });
        }
        for (const pf of site.firewall!.nat.portForwards) {
          if (!pf.reflection || pf.interface !== wan.name) continue;
          const at = wan.address ?? "the WAN's address";
          report({
            path: pf.path.concat('reflection'),
            message: `port forward ${pf.name} reflects connections to ${at}, but clients inside that use the site's public name get the upstream router's address, which the reflection does not match: they reach ${pf.proto.toUpperCase()} ${pf.port} only if the router does NAT hairpin`,
            hint: `Answer the forward's public name with ${at} on the resolver the clients inside use (on the firewall: Services › Unbound DNS › Overrides › Hosts), then silence this with '# gen-ignore upstream/hairpin: <where the name is answered>' on reflection.`,
          });
        }
      }
    },
  },
];
