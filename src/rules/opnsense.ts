// OPNsense rules: what the generated config.xml could not carry.
import type { Path } from '../load.js';
import { modelVersion } from '../render/opnsense/versions.js';
import { forbiddenCharacter } from '../render/opnsense/xml.js';
import type { Rule, RuleReport } from './rule.js';

/** Reports every string under `value` that XML 1.0 cannot hold, at the nearest located path. */
function checkStrings(value: unknown, path: Path, report: RuleReport, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  const own = (value as { path?: unknown }).path;
  const base = !Array.isArray(value) && Array.isArray(own) ? (own as Path) : path;
  // Paths are built only where needed: this walks every value of the model.
  const at = (key: string): Path => [...base, Array.isArray(value) ? Number(key) : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
  for (const [key, v] of Object.entries(value)) {
    if (key === 'path') continue;
    // Model keys are the topology's keys in camelCase.
    if (typeof v === 'string') {
      const bad = forbiddenCharacter(v);
      if (bad) report({ path: at(key), message: `a value contains ${bad}, which an XML document cannot hold` });
    } else if (v !== null && typeof v === 'object') {
      checkStrings(v, at(key), report, seen);
    }
  }
}

export const opnsenseRules: Rule[] = [
  {
    id: 'opnsense/xml-text',
    severity: 'error',
    summary: 'A value written to the OPNsense configuration contains a character XML cannot hold.',
    why: 'XML 1.0 has no way to write control characters, unpaired surrogates or U+FFFE/U+FFFF, not even escaped; OPNsense would refuse the file.',
    hint: 'Remove the character (descriptions are free text on one line).',
    check(model, report) {
      for (const site of model.sites) {
        if (!site.firewall) continue;
        const seen = new Set<unknown>();
        for (const part of [site.firewall, site.policy, site.haproxy, site.wireguard]) checkStrings(part, site.path, report, seen);
      }
    },
  },
  {
    id: 'opnsense/dhcp-server-release',
    severity: 'error',
    summary: 'dnsmasq is chosen as DHCP server for an OPNsense release that does not have it.',
    why: 'OPNsense has the dnsmasq DHCP model from 25.1.2 on; older releases would ignore the ranges and serve no DHCP.',
    hint: 'Use dhcp_server: isc, or target release 25.7 or later.',
    check(model, report) {
      for (const site of model.sites) {
        const fw = site.firewall;
        if (fw?.dhcpServer === 'dnsmasq' && fw.interfaces.some((i) => i.dhcp) && modelVersion('dnsmasq', fw.series, fw.release) === undefined) {
          report({ path: [...fw.path, 'dhcp_server'], message: `OPNsense ${fw.release} has no dnsmasq DHCP server; use dhcp_server: isc` });
        }
      }
    },
  },
  {
    id: 'opnsense/peer-without-key',
    severity: 'warning',
    summary: 'An enabled WireGuard peer has no public key, so the firewall cannot list it.',
    why: 'OPNsense requires a public key for every peer; gen leaves a peer without one disabled and unlinked from its instance.',
    hint: 'Add the peer with gen wg add-peer (it makes the key pair), or write its public_key.',
    check(model, report) {
      for (const site of model.sites) {
        if (!site.firewall) continue;
        for (const wg of site.wireguard) {
          for (const peer of wg.peers) {
            if (peer.enabled && peer.publicKey === undefined) report({ path: peer.path, message: `peer ${peer.name} of ${wg.name} has no public_key; the firewall will not accept it` });
          }
        }
      }
    },
  },
];
