// One host name with an HTTP-01 certificate at two sites: the CA asks the
// address the name's DNS record gives, which is one site's WAN, so the
// other site's certificate is never issued. DNS-01 at both is fine: each
// ACME client proves the name through the DNS provider, not through its WAN.
import type { HaproxyCertificate, Site } from '../model.js';
import type { Rule } from './rule.js';

interface Holder {
  site: Site;
  cert: HaproxyCertificate;
}

export const acmeSiteRules: Rule[] = [
  {
    id: 'opnsense/acme-http-01-across-sites',
    severity: 'warning',
    summary: 'A host name is in an HTTP-01 certificate at two sites.',
    why:
      "For HTTP-01 the CA fetches http://NAME/.well-known/acme-challenge/TOKEN from the address the DNS gives for the name (RFC 8555 §8.3). That is one site's WAN: the other site's ACME client never sees the request, its order fails at every renewal, and its HAProxy frontend keeps serving the self-signed stand-in. " +
      "With DNS-01 each site proves the name through its DNS provider's TXT record, wherever the name points.",
    hint: 'Validate the name with challenge: dns-01 (and a dns_provider) at both sites, or serve it at one site only.',
    examples: [
      {
        topology: 'homelab-family',
        where: 'sites[+]',
        bad: cabinSite('challenge: http-01'),
        good: cabinSite('challenge: dns-01, dns_provider: cloudflare'),
      },
    ],
    check(model, report) {
      if (model.sites.length < 2) return;
      const first = new Map<string, Holder>();
      for (const site of model.sites) {
        if (!site.firewall) continue;
        for (const cert of site.haproxy.certificates) {
          if (cert.challenge !== 'http-01') continue;
          // DNS names compare without case (RFC 4343).
          const names = [cert.domain].concat(cert.altNames).map((name) => name.toLowerCase());
          const shared = names.filter((name) => first.has(name) && first.get(name)!.site !== site);
          for (const name of names) if (!first.has(name)) first.set(name, { site, cert });
          if (shared.length === 0) continue;
          const earlier = first.get(shared[0]!)!;
          report({
            path: cert.path.concat('challenge'),
            message: `certificate ${cert.name} at site ${site.name} validates ${shared.join(', ')} by HTTP-01, as certificate ${earlier.cert.name} at site ${earlier.site.name} does: the CA asks only the site the name's DNS record points to, so the other's certificate is never issued`,
            hint: `Use challenge: dns-01 with a dns_provider for ${shared.join(', ')} at sites ${earlier.site.name} and ${site.name}, or serve ${shared.length > 1 ? 'them' : 'it'} at one site only.`,
            related: [{ message: `certificate ${earlier.cert.name} at site ${earlier.site.name}`, path: earlier.cert.path.concat('challenge') }],
          });
        }
      }
    },
  },
];

/** The docs example's second site: a cabin whose firewall serves cloud.example.org, as the family's home does, validated by `challenge`. */
function cabinSite(challenge: string): string {
  return [
    'name: cabin',
    'firewall:',
    '  name: cabin-fw',
    '  interfaces:',
    '    - { name: wan, device: vtnet0, address: 192.168.1.2/24, gateway: 192.168.1.1 }',
    '    - { name: lan, device: vtnet1, address: 10.30.0.1/24 }',
    'haproxy:',
    `  certificates: [{ name: web, domain: cloud.example.org, ${challenge} }]`,
    '  frontends: [{ name: https, bind: 0.0.0.0:443, interface: wan, certificate: web, http_redirect: true, default_backend: nas }]',
    '  backends: [{ name: nas, servers: [{ name: nas, address: 10.30.0.10, port: 80 }] }]',
  ].join('\n');
}
