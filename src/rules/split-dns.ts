// A host name that two HAProxy frontends on the WAN serve on different
// addresses, behind the upstream router. The firewall's resolver answers a
// name with one address (resolve/split-dns.ts: the first frontend's), and so
// does any DNS: every client inside connects to that address. On the same
// port the second frontend's route for the name is never used inside (and
// the router forwards the port to one place, so outside may reach the other
// frontend: the name serves different backends inside and out); on another
// port, nothing listens there on the answered address, and the name fails
// (unless the second binds every address: it listens on the answered one too).
import { splitDns } from '../resolve/split-dns.js';
import type { Rule } from './rule.js';

export const splitDnsRules: Rule[] = [
  {
    id: 'upstream/split-dns-address',
    severity: 'error',
    summary: "A host name on two HAProxy frontends of the WAN that listen on different addresses, behind the upstream router: the firewall's resolver can answer it with one of them only.",
    why:
      "gen answers HAProxy's host names inside with an Unbound host override of the address HAProxy listens on, and a name has one answer: the first frontend's. " +
      "HAProxy routes a name only on the frontend that accepts the connection, so clients inside reach the other frontend's route for the name never: on the same port they get the first frontend (its backend), " +
      'while the upstream router forwards the port to one place only; on another port they connect to an address where nothing listens on that port.',
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
        for (const conflict of splitDns(site).conflicts) {
          const { first, frontend, name } = conflict;
          const same = first.frontend.port === frontend.port;
          report({
            path: conflict.path.concat('name'),
            message:
              `HAProxy frontends ${first.frontend.name} (${first.address}:${first.frontend.port}) and ${frontend.name} (${conflict.address}:${frontend.port}) both serve ${name}, but the firewall's resolver answers it inside with ${first.address} only: ` +
              (same ? `clients inside always reach frontend ${first.frontend.name}, never ${frontend.name}` : `clients inside that use ${name}:${frontend.port} connect to ${first.address}:${frontend.port}, where no frontend listens`),
            hint: `Remove ${name} from frontend ${frontend.name} or ${first.frontend.name}, bind both to the same address, or set split_dns: false on frontend ${frontend.name} if its names are for outside only.`,
            related: [{ message: `frontend ${first.frontend.name} serves ${name} first`, path: first.frontend.path.concat('hosts') }],
          });
        }
      }
    },
  },
];
