// The ACME client (os-acme-client): its DNS-01 validation methods (the
// `dns_service` values, which are acme.sh DNS API names: what the lint rule
// accepts and what the ACME fragment writes come from this one table), and
// the local port its HTTP-01 server listens on.

/** The ACME client's local web server for HTTP-01 challenges: settings.challengePort, whose model default gen writes. */
export const ACME_CHALLENGE_PORT = '43580';

/** acme.sh DNS API names for the providers the topology may name. */
const DNS_SERVICES: Record<string, string> = {
  cloudflare: 'dns_cf',
  route53: 'dns_aws',
  aws: 'dns_aws',
  hetzner: 'dns_hetzner',
  digitalocean: 'dns_dgon',
  gandi: 'dns_gandi_livedns',
  ovh: 'dns_ovh',
  godaddy: 'dns_gd',
  duckdns: 'dns_duckdns',
  namecheap: 'dns_namecheap',
  porkbun: 'dns_porkbun',
  desec: 'dns_desec',
  rfc2136: 'dns_nsupdate',
};

/**
 * The ACME client's dns_service for a topology provider: a known name, or
 * an acme.sh API name given as such (dns_…). Anything else is the lint
 * error opnsense/acme-challenge, never a silent guess.
 */
export function dnsService(provider: string | undefined): string | undefined {
  if (provider === undefined) return undefined;
  return DNS_SERVICES[provider] ?? (provider.startsWith('dns_') ? provider : undefined);
}

export const KNOWN_DNS_PROVIDERS = Object.keys(DNS_SERVICES);

/**
 * Top-level names no public CA issues for: special-use names (RFC 6761:
 * local via RFC 6762, localhost, test, invalid, example), home.arpa (RFC
 * 8375), internal (reserved for private use by ICANN, 2024) and names that
 * are common on private networks but not delegated (lan, home, corp,
 * localdomain). Let's Encrypt, the ACME client's CA here, refuses them.
 */
const PRIVATE_SUFFIXES = ['local', 'localhost', 'test', 'invalid', 'example', 'home.arpa', 'internal', 'lan', 'home', 'corp', 'localdomain'];

/** The private suffix a certificate name ends in, if it has one ("*.ikscloud.local" → "local"). */
export function privateSuffix(name: string): string | undefined {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  return PRIVATE_SUFFIXES.find((suffix) => {
    const parts = suffix.split('.');
    return labels.length >= parts.length && labels.slice(-parts.length).join('.') === suffix;
  });
}
