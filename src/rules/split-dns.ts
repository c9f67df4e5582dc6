// A host name that two HAProxy frontends on the WAN serve on different
// addresses, behind the upstream router. The firewall's resolver answers a
// name with one address (resolve/split-dns.ts: the first frontend's), and so
// does any DNS: every client inside connects to that address. On the same
// port the second frontend's route for the name is never used inside (and
// the router forwards the port to one place, so outside may reach the other
// frontend: the name serves different backends inside and out); on another
// port, nothing listens there on the answered address, and the name fails
// (unless the second binds every address: it listens on the answered one too).
import type { HaproxyFrontend, Site } from '../model.js';
import { splitDns } from '../resolve/split-dns.js';
import type { Rule } from './rule.js';

/**
 * The frontend a connection to an address and port reaches: one bound to
 * that address (the WAN's own standing for 0.0.0.0 too), else one bound to
 * every address; looked up by map, once per conflict.
 */
function listeners(site: Site): (address: string, port: number) => HaproxyFrontend | undefined {
  const bound = new Map<string, HaproxyFrontend>();
  for (const f of site.haproxy.frontends) if (!bound.has(`${f.address}:${f.port}`)) bound.set(`${f.address}:${f.port}`, f);
  return (address, port) => bound.get(`${address}:${port}`) ?? bound.get(`0.0.0.0:${port}`);
}

/** Whether a host entry routes a name: the same name, or a wildcard whose domain ends it (HAProxy's hdr_end, render/opnsense/haproxy.ts). */
function routesName(host: string, name: string): boolean {
  return host === name || (host.startsWith('*.') && name.endsWith(host.slice(1)));
}

export const splitDnsRules: Rule[] = [
  {
    id: 'upstream/split-dns-address',
    severity: 'error',
    summary: "A host name on two HAProxy frontends of the WAN that listen on different addresses, behind the upstream router: the firewall's resolver can answer it with one of them only.",
    why:
      "gen answers HAProxy's host names inside with an Unbound host override of the address HAProxy listens on, and a name has one answer: the first frontend's. " +
      "HAProxy routes a name only on the frontend that accepts the connection, so clients inside reach the other frontend's route for the name never: on the same port they get the first frontend (its backend), " +
      'while the upstream router forwards the port to one place only; on another port they connect to an address where nothing listens on that port, or another frontend does (the message names it).',
    hint:
      'Serve the name from one frontend only, or bind both frontends to the same address (0.0.0.0 on different ports), or set split_dns: false on the frontend whose names are for outside only.',
    examples: [
      {
        topology: 'homelab-family',
        context: [{ where: 'sites[].haproxy.frontends[https]', snippet: 'bind: 192.168.1.2:443\nsplit_dns: true' }],
        where: 'sites[].haproxy.frontends[+]',
        bad: '{ name: alt, bind: 192.168.1.3:443, certificate: web, hosts: [{ name: cloud.example.org, backend: nextcloud }] }',
        good: '{ name: alt, bind: 192.168.1.3:443, certificate: web, split_dns: false, hosts: [{ name: cloud.example.org, backend: nextcloud }] }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const { conflicts } = splitDns(site);
        if (conflicts.length === 0) continue;
        const reaching = listeners(site);
        for (const conflict of conflicts) {
          const { first, frontend, name } = conflict;
          // Where clients inside connect with the answer: the first frontend on its port, else whatever listens there.
          const reached = first.frontend.port === frontend.port ? first.frontend : reaching(first.address, frontend.port);
          const routes = reached !== undefined && reached.hosts.some((h) => routesName(h.name.toLowerCase(), name));
          report({
            path: conflict.path.concat('name'),
            message:
              `HAProxy frontends ${first.frontend.name} (${first.address}:${first.frontend.port}) and ${frontend.name} (${conflict.address}:${frontend.port}) both serve ${name}, but the firewall's resolver answers it inside with ${first.address} only: ` +
              (routes
                ? `clients inside always reach frontend ${reached!.name}, never ${frontend.name}`
                : `clients inside that use ${name}:${frontend.port} connect to ${first.address}:${frontend.port}, ` +
                  (reached ? `where frontend ${reached.name} listens, which does not serve ${name}` : 'where no frontend listens')),
            hint: `Remove ${name} from frontend ${frontend.name} or ${first.frontend.name}, bind both to the same address, or set split_dns: false on frontend ${frontend.name} if its names are for outside only.`,
            related: [{ message: `frontend ${first.frontend.name} serves ${name} first`, path: first.frontend.path.concat('hosts') }],
          });
        }
      }
    },
  },
];
