// Split-horizon DNS for HAProxy's host names. Behind the upstream router the
// public DNS answers them with the router's address, which clients inside
// reach only through the router's NAT hairpin. The firewall's resolver
// (Unbound) answers them instead with an address HAProxy listens on: the
// frontend's bind address, or, when it binds every address, the WAN's own,
// which every internal network routes to through the firewall (its default
// gateway) and which a pass to wan or self covers. One override answers
// every client, so it cannot be an internal interface's address, which only
// that interface's network would route straight to.
// With the public address on OPNsense's WAN none is needed: the public
// answer already is the firewall's own address.
// A wildcard host name is left out: OPNsense writes a wildcard override as a
// redirect zone of its whole domain (unbound.inc unbound_add_host_entries():
// hostname "*" gives local-zone "<domain>" redirect), which would also answer
// the domain itself and every other name in it (a mail server's) with the
// firewall's address.
import type { HaproxyFrontend, Site } from '../model.js';

export interface SplitDnsOverride {
  /** The host name, and its first label and the rest (Unbound's hostname and domain). */
  name: string;
  hostname: string;
  domain: string;
  address: string;
  frontend: HaproxyFrontend;
}

/** Host names behind the router that gen does not answer inside, and why. */
export interface SplitDnsLeft {
  frontend: HaproxyFrontend;
  names: string[];
  /** The address to answer them with, when there is one (a static WAN address or a bind address). */
  address?: string;
  reason: 'wildcard' | 'opted out' | 'no address';
}

/** A host name a later frontend also serves, on another address than the override answers: the override is the first's. */
export interface SplitDnsConflict {
  name: string;
  /** The later frontend, the address it listens on, and where it names the host. */
  frontend: HaproxyFrontend;
  address: string;
  path: HaproxyFrontend['hosts'][number]['path'];
  first: SplitDnsOverride;
}

/**
 * A host name a later frontend also serves on the answered address, on another port than the override's frontend
 * (it binds that address, or every address): clients inside that use the name on its port connect to it there.
 */
export interface SplitDnsAlsoServed {
  name: string;
  /** The override's address, which the later frontend listens on too. */
  address: string;
  frontend: HaproxyFrontend;
}

export interface SplitDnsPlan {
  overrides: SplitDnsOverride[];
  left: SplitDnsLeft[];
  conflicts: SplitDnsConflict[];
  alsoServed: SplitDnsAlsoServed[];
}

/** The host overrides the firewall's resolver gets for a site's HAProxy frontends, and the names it does not answer. */
export function splitDns(site: Site): SplitDnsPlan {
  const plan: SplitDnsPlan = { overrides: [], left: [], conflicts: [], alsoServed: [] };
  const wan = site.firewall?.interfaces.find((i) => i.isWan);
  if (!site.upstream || !wan) return plan;
  const seen = new Map<string, SplitDnsOverride>();
  // Each name's ports on its answered address: a third frontend on a port already counted adds nothing.
  const ports = new Set<string>();
  for (const frontend of site.haproxy.frontends) {
    if (frontend.interface !== wan.name || frontend.hosts.length === 0) continue;
    const address = frontend.address !== '0.0.0.0' ? frontend.address : wan.address;
    // Each name's first host entry, where a conflict points.
    const byName = new Map<string, HaproxyFrontend['hosts'][number]>();
    for (const h of frontend.hosts) if (!byName.has(h.name.toLowerCase())) byName.set(h.name.toLowerCase(), h);
    const names = [...byName.keys()];
    const wildcards = names.filter((n) => n.includes('*'));
    const exact = names.filter((n) => !n.includes('*') && n.includes('.'));
    if (wildcards.length > 0) plan.left.push({ frontend, names: wildcards, address, reason: 'wildcard' });
    if (exact.length === 0) continue;
    if (!frontend.splitDns) plan.left.push({ frontend, names: exact, address, reason: 'opted out' });
    else if (address === undefined) plan.left.push({ frontend, names: exact, reason: 'no address' });
    else {
      for (const name of exact) {
        // The same name on two frontends (443 and 8443, both on every address): one override, the first frontend's;
        // on another address, one of the two cannot be reached by the name inside, which the conflict says. A later
        // frontend on every address on another port listens on the answered address too, and serves the name there.
        const first = seen.get(name);
        if (first) {
          const heard = frontend.address === '0.0.0.0' && frontend.port !== first.frontend.port;
          if (first.address !== address && !heard) plan.conflicts.push({ name, frontend, address, path: byName.get(name)!.path, first });
          else if (!ports.has(`${name} ${frontend.port}`)) {
            ports.add(`${name} ${frontend.port}`);
            plan.alsoServed.push({ name, address: first.address, frontend });
          }
          continue;
        }
        const dot = name.indexOf('.');
        const override = { name, hostname: name.slice(0, dot), domain: name.slice(dot + 1), address, frontend };
        seen.set(name, override);
        ports.add(`${name} ${frontend.port}`);
        plan.overrides.push(override);
      }
    }
  }
  return plan;
}
