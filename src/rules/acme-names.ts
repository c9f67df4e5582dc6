// How many names one ACME certificate may carry: what Let's Encrypt issues
// in one certificate, and what the ACME client's model stores in altNames.
import type { HaproxyCertificate } from '../model.js';
import { ACME_ALT_NAMES_MAX, LETS_ENCRYPT_NAMES_MAX, altNamesValue } from '../targets/opnsense/acme.js';
import type { Rule } from './rule.js';

/** The names the CA counts: lowercased, each once (a name written twice, or in two cases, is one name). */
function distinctNames(cert: HaproxyCertificate): number {
  return new Set([cert.domain, ...cert.altNames].map((name) => name.toLowerCase())).size;
}

/** A certificate of 101 names, for the docs: www.example.org and host1 to host100. */
const MANY_NAMES = Array.from({ length: LETS_ENCRYPT_NAMES_MAX }, (_, i) => `host${i + 1}.example.org`).join(', ');

export const acmeNameRules: Rule[] = [
  {
    id: 'opnsense/acme-name-count',
    severity: 'error',
    summary: "An ACME certificate has more names than Let's Encrypt puts in one certificate (100).",
    why:
      "The ACME client hands the certificate's name and each alt name to acme.sh, which puts all of them in one order; Let's Encrypt counts the order's names (each once, without case) and refuses an order of more than 100, " +
      'so the certificate is never issued or renewed and HAProxy keeps serving the self-signed stand-in.',
    hint: 'Split the names over certificates of at most 100 names each, or set per_host: true (a certificate per name).',
    examples: [
      {
        topology: 'homelab-family',
        where: 'sites[].haproxy.certificates[+]',
        bad: `{ name: many, domain: www.example.org, alt_names: [${MANY_NAMES}], challenge: dns-01, dns_provider: cloudflare }`,
        good: `{ name: many, domain: www.example.org, alt_names: [${MANY_NAMES}], per_host: true, challenge: dns-01, dns_provider: cloudflare }`,
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        if (!site.firewall) continue;
        for (const cert of site.haproxy.certificates) {
          const count = distinctNames(cert);
          if (count <= LETS_ENCRYPT_NAMES_MAX) continue;
          report({
            path: cert.path,
            message: `certificate ${cert.name} has ${count} names; Let's Encrypt refuses an order of more than ${LETS_ENCRYPT_NAMES_MAX}, so the certificate is never issued`,
            hint: `Split the names of certificate ${cert.name} over certificates of at most ${LETS_ENCRYPT_NAMES_MAX} names, or set per_host: true on it (a certificate per name).`,
          });
        }
      }
    },
  },
  {
    id: 'opnsense/acme-alt-names-length',
    severity: 'error',
    summary: `An ACME certificate's alt names are longer than the ACME client's model stores (${ACME_ALT_NAMES_MAX} characters, joined by ",").`,
    why:
      `The ACME client keeps a certificate's alt names in one value, joined by ",", and its model takes at most ${ACME_ALT_NAMES_MAX} characters there: OPNsense's validation (pluginctl -v) reports a longer value, ` +
      "and the certificate's dialog saves no change of its names until they fit.",
    hint: 'Split the names over several certificates, or set per_host: true (a certificate per name).',
    noExample: `Alt names of more than ${ACME_ALT_NAMES_MAX} characters are no snippet to read; they are far more than the 100 names opnsense/acme-name-count allows.`,
    check(model, report) {
      for (const site of model.sites) {
        if (!site.firewall) continue;
        for (const cert of site.haproxy.certificates) {
          const length = [...altNamesValue(cert.altNames)].length;
          if (length <= ACME_ALT_NAMES_MAX) continue;
          report({
            path: cert.path,
            message: `certificate ${cert.name}: its ${cert.altNames.length} alt names take ${length} characters as the ACME client stores them (joined by ","), more than the ${ACME_ALT_NAMES_MAX} its model takes`,
            hint: `Split the names of certificate ${cert.name} over several certificates, or set per_host: true on it (a certificate per name).`,
          });
        }
      }
    },
  },
];
