// The ACME client (os-acme-client): its DNS-01 validation methods (the
// `dns_service` values, which are acme.sh DNS API names: what the lint rule
// accepts and what the ACME fragment writes come from this one table), and
// the local port its HTTP-01 server listens on, its daily renewal job;
// and, from the release's models, the fields where each DNS service's
// credentials go and when the renewal job runs.
import { type ModelFields, fieldNode } from './field-types.js';
import { fitName } from './fit-name.js';

/**
 * The characters the name of a challenge type takes: the model's mask of
 * validations.validation.name is /^.{1,255}$/u (AcmeClient.xml, plugins
 * 25.7.11 to 26.7.2): a longer one fails a full validation (pluginctl -v) and any save that changes it.
 */
export const ACME_VALIDATION_NAME_MAX = 255;

/**
 * The name of a certificate's validation method, the challenge type the
 * Challenge Types page lists. A certificate per host is named after its
 * certificate and its host (up to 63 and 253 characters), so the name is
 * cut to what the model takes.
 */
export function validationName(certificate: string, challenge: 'dns-01' | 'http-01'): string {
  return fitName(`${certificate}_${challenge === 'http-01' ? 'http01' : 'dns01'}`, ACME_VALIDATION_NAME_MAX);
}

/**
 * A certificate's other names as certificates.certificate.altNames stores
 * them: one value, the names joined by ",", lowercased as the model's
 * ChangeCase lower keeps them (AcmeClient.xml, plugins 25.7.11 to 26.7.2).
 */
export function altNamesValue(names: readonly string[]): string {
  return names.join(',').toLowerCase();
}

/**
 * The characters the model takes in that one value: altNames is a
 * CSVListField without MaskPerItem, so its mask /^[^\s…]{1,65535}$/u
 * matches the whole stored value, not each name (core's
 * CSVListField::getValidators, 25.7.11 to 26.7.2). A longer value fails
 * validation where the model checks it: a full check (pluginctl -v), and a
 * save that changes the field (BaseModel::performValidation checks changed
 * fields only), so the dialog saves no change of the names until they fit.
 */
export const ACME_ALT_NAMES_MAX = 65535;

/**
 * The names one Let's Encrypt certificate may have: the CA counts an
 * order's names lowercased and each once (Boulder's
 * RegistrationAuthorityImpl.NewOrder: core.UniqueLowerNames against
 * maxNames) and refuses a larger order; Let's Encrypt documents the limit
 * as 100 names per certificate. The ACME client hands the first name and
 * each alt name to acme.sh as a --domain (LeValidation/Base.php setNames),
 * and acme.sh puts every one in the order.
 */
export const LETS_ENCRYPT_NAMES_MAX = 100;

/** The ACME client's local web server for HTTP-01 challenges: settings.challengePort, whose model default gen writes. */
export const ACME_CHALLENGE_PORT = '43580';

/**
 * After how many days from its start of validity the ACME client renews a
 * certificate (certificates.certificate.renewInterval). The plugin runs
 * acme.sh only once LeCertificate::needsRenewal() finds the validity start
 * plus this many days past, and passes it on as acme.sh's --days. Its
 * default, 60, fits only 90-day certificates: Let's Encrypt's default
 * profile issues 64-day ones from 10 February 2027 (renewed 4 days before
 * they expire) and 45-day ones from 16 February 2028 (expired 15 days
 * before renewal). 30 is two thirds of 45 days, when Let's Encrypt asks
 * clients to renew, and a 90-day certificate is then renewed every month,
 * far within its limits.
 */
export const ACME_RENEW_DAYS = '30';

/**
 * The ACME client's daily renewal job, as its settings page's Apply makes it
 * (SettingsController::fetchCronIntegrationAction: Cron::newDailyJob with
 * these values and weekdays "*", the model's default; the schedule is the cron model's
 * default, 00:00) and finds it again: by the UUID in settings/UpdateCron,
 * else by its origin. Its configd action runs `lecert.php --mode issue --all
 * --cron` (actions_acmeclient.conf), which also issues a certificate never
 * issued (LeCertificate::issue).
 */
export const ACME_RENEWAL_JOB = {
  origin: 'AcmeClient',
  command: 'acmeclient cron-auto-renew',
  description: 'AcmeClient Cronjob for Certificate AutoRenewal',
  enabled: '1',
} as const;

/**
 * When the renewal job runs, as gen writes it (the cron model's default
 * minutes and hours, which newDailyJob leaves): "00:00". Undefined when the
 * release's table has no cron model.
 */
export function renewalJobTime(cron: ModelFields | undefined): string | undefined {
  const node = cron ? fieldNode(cron, 'jobs.job') : undefined;
  const fields = node !== undefined && typeof node === 'object' && 'item' in node ? new Map(node.item) : undefined;
  const [minutes, hours] = [fields?.get('minutes'), fields?.get('hours')];
  if (typeof minutes !== 'string' || typeof hours !== 'string' || !/^\d+$/.test(minutes) || !/^\d+$/.test(hours)) return undefined;
  return `${hours.padStart(2, '0')}:${minutes.padStart(2, '0')}`;
}

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
 * What the ACME client's model (the release's field table) says of a DNS
 * service: the label its Challenge Types dialog shows for it, and the
 * validation fields that are its own, where the operator enters its API
 * credentials (gen leaves them empty). A field is the service's when its
 * name starts with the service's name and "_", and not with a longer
 * service's (dns_he_ddns_key belongs to dns_he_ddns, not dns_he). Empty
 * fields when the model names none so (dns_azure's are dns_azuredns_…), or
 * the release does not know the service.
 */
export function dnsServiceFields(acme: ModelFields | undefined, service: string): { label?: string; fields: string[] } {
  const services = acme?.choices?.['validations.validation.dns_service'] ?? [];
  const label = services.find(([value]) => value === service)?.[1];
  const longer = services.map(([value]) => value).filter((value) => value.startsWith(`${service}_`));
  const node = acme ? fieldNode(acme, 'validations.validation') : undefined;
  const names = node !== undefined && typeof node === 'object' && 'item' in node ? node.item.map(([name]) => name) : [];
  const fields = names.filter((name) => name.startsWith(`${service}_`) && !longer.some((other) => name.startsWith(`${other}_`)));
  return { label, fields };
}

/**
 * Whether the release's ACME client offers a DNS service (its model's
 * OptionField refuses any other value on save); undefined when the table
 * has no option list to ask.
 */
export function offersDnsService(acme: ModelFields | undefined, service: string): boolean | undefined {
  const services = acme?.choices?.['validations.validation.dns_service'];
  return services === undefined || services.length === 0 ? undefined : services.some(([value]) => value === service);
}

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

/** One section of a dialog: its header, and the labels of its fields. */
export type DialogSection = readonly [string, readonly string[]];

/**
 * The sections the Challenge Types dialog shows for a DNS service, as the
 * release's form file has them: the first is headed with the service's
 * name, and further ones group its fields ("Global API Key", "Restricted
 * API Token"). Empty when the table has no form or the form no section for
 * the service.
 */
export function dnsServiceDialog(acme: ModelFields | undefined, service: string): readonly DialogSection[] {
  return acme?.dialog?.['validations.validation.dns_service']?.[service] ?? [];
}
