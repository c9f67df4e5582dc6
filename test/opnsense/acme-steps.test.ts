// The operator's ACME steps: for a DNS-01 certificate, gen writes the
// challenge type (validation) with its DNS service and the service's
// credential fields empty, so steps.md (and gen build) must have the
// operator fill them in at Services › ACME Client › Challenge Types before
// it says to issue the certificate. The step is read from steps.md and
// checked against the acme.xml gen writes and OPNsense's own model and
// dialog form files (the labels the operator sees).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { dnsServiceDialog, dnsServiceFields, KNOWN_DNS_PROVIDERS, dnsService } from '../../src/targets/opnsense/acme.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { SNAPSHOTS } from '../../src/targets/opnsense/fields/index.js';
import { edit, modelOf, readExample, render, root } from '../helpers.js';
import { type Xml, doc, withRelease } from './support.js';

const HAPROXY = ['sites', 0, 'haproxy'];
const CREDENTIALS = /^\d+\. On the firewall, once the configuration is restored and before any certificate is issued: Services › ACME Client › Challenge Types, edit (.*)$/;
const ISSUE = /^\d+\. On the firewall, once the configuration is restored: Services › ACME Client › Certificates: issue each certificate once \(Issue\/Renew\), or wait for the ACME client's daily renewal job \(System › Settings › Cron, at (\d\d):(\d\d) firewall time\), .*$/;

/** The numbered steps of a site's steps.md, in order, as Markdown shows them (its backslash escapes undone). */
function steps(files: Map<string, string>, site: string): string[] {
  const lines = (files.get(`${site}/steps.md`) ?? '').split('\n').filter((line) => /^\d+\. /.test(line));
  return lines.map((line) => line.replace(/\\([\\`*_[\]<>|])/g, '$1'));
}

/** The model file of a snapshot, as OPNsense ships it. */
const acmeModel = (snapshot: string) => readFileSync(join(root, 'test/opnsense/models', snapshot, 'AcmeClient/AcmeClient.xml'), 'utf8');

interface FormSection {
  header: string;
  fields: { id: string; label: string }[];
}

/**
 * The sections the Challenge Types dialog of a snapshot shows for a DNS
 * service, read here from the verbatim form file as OPNsense builds the
 * dialog: a header field starts a section (core's base_dialog) with its
 * style as classes, the fields after it are its rows, and the view shows
 * the sections with the class "table_" + the service
 * (validations.volt). Info rows have no id and take no input. A field
 * element with a part twice (25.7's has one: a field and the next header
 * run together) counts its first, as PHP's SimpleXML reads it.
 */
function formSections(snapshot: string, service: string): FormSection[] {
  const xml = readFileSync(join(root, 'test/opnsense/models', snapshot, 'AcmeClient/forms/dialogValidation.xml'), 'utf8');
  const form = new XMLParser({ isArray: (name) => name === 'field', parseTagValue: false }).parse(xml).form;
  const first = (value: unknown) => (Array.isArray(value) ? value[0] : value) as string | undefined;
  const out: FormSection[] = [];
  let current: FormSection | undefined;
  for (const raw of form.field as Record<string, unknown>[]) {
    const field = { id: first(raw.id), label: String(first(raw.label)), type: first(raw.type), style: first(raw.style) };
    if (field.type === 'header') {
      current = { header: String(field.label), fields: [] };
      if (String(field.style ?? '').split(' ').includes(`table_${service}`)) out.push(current);
    } else if (field.id !== undefined) {
      current?.fields.push({ id: field.id.replace(/^validation\./, ''), label: String(field.label) });
    }
  }
  return out;
}

describe('DNS-01 (scenario A: *.example.com through Cloudflare)', async () => {
  const files = await render(readExample('homelab'));
  const lines = steps(files, 'home');

  it('steps.md has the operator enter the credentials before it says to issue', () => {
    const credentials = lines.findIndex((l) => CREDENTIALS.test(l));
    const issue = lines.findIndex((l) => ISSUE.test(l));
    expect(credentials).toBeGreaterThanOrEqual(0);
    expect(issue).toBe(credentials + 1);
    expect(lines[credentials]).toBe(
      '1. On the firewall, once the configuration is restored and before any certificate is issued: Services › ACME Client › Challenge Types, ' +
        'edit challenge type wildcard_dns01 (DNS Service CloudFlare.com, dns_cf; for certificate wildcard) and enter the DNS provider\'s API credentials, ' +
        'which gen leaves empty (no secret is in the topology or its output): of the fields the dialog shows under Cloudflare, those that its API access needs ' +
        '(“Global API Key”: E-Mail, Key; “Restricted API Token”: CF Account ID, CF API Token, CF Zone ID (Optional)); Save. ' +
        'Without them the DNS-01 challenge fails, no certificate is issued, and HAProxy keeps serving its self-signed stand-in.',
    );
  });

  it("names the challenge type acme.xml writes, and exactly the fields its dialog shows for the service, which acme.xml leaves empty", () => {
    const validations: Xml[] = doc(new Map([...files].map(([p, t]) => [p.replace('home/opnsense/', ''), t])), 'acme.xml').OPNsense.AcmeClient.validations.validation;
    expect(validations).toHaveLength(1);
    const [validation] = validations;
    expect([validation.name, validation.method, validation.dns_service]).toEqual(['wildcard_dns01', 'dns01', 'dns_cf']);
    const step = lines.find((l) => CREDENTIALS.test(l))!;
    expect(step).toContain(`edit challenge type ${validation.name} (`);
    // The dialog as the release's form file builds it: the sections the view shows for dns_cf.
    const sections = formSections('26.7', 'dns_cf');
    expect(step).toContain(`under ${sections[0]!.header}, those`);
    const named = /those that its API access needs \((.*)\); Save\./.exec(step)![1]!;
    expect(named).toBe(sections.filter((s) => s.fields.length > 0).map((s) => `“${s.header}”: ${s.fields.map((f) => f.label).join(', ')}`).join('; '));
    // Every one of them is a field of the challenge type acme.xml writes, left empty there.
    const ids = sections.flatMap((s) => s.fields.map((f) => f.id));
    expect([...ids].sort()).toEqual(Object.keys(validation).filter((k) => k.startsWith('dns_cf_')).sort());
    for (const field of ids) expect(validation[field], field).toBe('');
    // The label is the one OPNsense's model gives the option (the dialog's DNS Service list).
    expect(acmeModel('26.1')).toContain('<dns_cf>CloudFlare.com</dns_cf>');
  });

  it('gen build prints the step among its manual steps, before the issuing one', async () => {
    const site = (await modelOf(readExample('homelab'))).sites[0]!;
    const acme = site.manualSteps.filter((s) => s.includes('ACME Client'));
    expect(acme).toEqual([expect.stringMatching(/Challenge Types, edit challenge type wildcard_dns01 /), expect.stringMatching(/daily renewal job/)]);
  });

  it('the issuing step waits for the renewal job acme.xml writes, at the time it runs, and needs no Apply', () => {
    const acme = doc(new Map([...files].map(([p, t]) => [p.replace('home/opnsense/', ''), t])), 'acme.xml').OPNsense;
    const job = acme.cron.jobs.job;
    expect(job.origin).toBe('AcmeClient');
    expect(acme.AcmeClient.settings.UpdateCron).toBe(job['@uuid']);
    const [, hours, minutes] = ISSUE.exec(lines.find((l) => ISSUE.test(l))!)!;
    expect([Number(hours), Number(minutes)]).toEqual([Number(job.hours), Number(job.minutes)]);
    expect(lines.join('\n')).not.toContain('Settings › Apply');
  });
});

describe('which certificates get the step', () => {
  it('HTTP-01 needs no credentials: no Challenge Types step (homelab-family)', async () => {
    const lines = steps(await render(readExample('homelab-family')), 'home');
    expect(lines.some((l) => ISSUE.test(l))).toBe(true);
    expect(lines.join('\n')).not.toContain('Challenge Types');
  });

  it('one step per DNS service, naming each challenge type that uses it', async () => {
    const yaml = edit(readExample('homelab'), [...HAPROXY, 'certificates'], [
      { name: 'wildcard', domain: '*.example.com', challenge: 'dns-01', dns_provider: 'cloudflare' },
      { name: 'apex', domain: 'example.com', challenge: 'dns-01', dns_provider: 'cloudflare' },
      { name: 'zone2', domain: '*.example.net', challenge: 'dns-01', dns_provider: 'route53' },
    ]);
    const lines = steps(await render(yaml), 'home').filter((l) => CREDENTIALS.test(l));
    expect(lines.map((l) => CREDENTIALS.exec(l)![1]!.replace(/ and enter .*: of the fields the dialog shows under /, ' → ').replace(/; Save\..*$/, ''))).toEqual([
      'each of the challenge types wildcard_dns01, apex_dns01 (DNS Service CloudFlare.com, dns_cf; for certificates wildcard, apex) → Cloudflare, those that its API access needs (“Global API Key”: E-Mail, Key; “Restricted API Token”: CF Account ID, CF API Token, CF Zone ID (Optional))',
      'challenge type zone2_dns01 (DNS Service AWS Route 53, dns_aws; for certificate zone2) → AWS Route53, those that its API access needs (AWS ID, AWS Secret)',
    ]);
  });
});

describe("a DNS service's fields, from the release's ACME client model", () => {
  const acme = (release: string) => releaseFacts(release)!.fields('acme');

  it('a service whose name begins a longer one keeps only its own fields', () => {
    // 26.1 has both Hurricane Electric services; dns_he_ddns_key is the DDNS one's.
    expect(acmeModel('26.1')).toContain('<dns_he_ddns>Hurricane Electric DDNS</dns_he_ddns>');
    expect(dnsServiceFields(acme('26.1'), 'dns_he')).toEqual({ label: 'Hurricane Electric', fields: ['dns_he_user', 'dns_he_password'] });
    expect(dnsServiceFields(acme('26.1'), 'dns_he_ddns')).toEqual({ label: 'Hurricane Electric DDNS', fields: ['dns_he_ddns_key'] });
    expect(dnsServiceFields(acme('26.1'), 'dns_linode')).toEqual({ label: expect.any(String), fields: ['dns_linode_key'] });
    expect(dnsServiceFields(acme('26.1'), 'dns_linode_v4')).toEqual({ label: expect.any(String), fields: ['dns_linode_v4_key'] });
  });

  it("a service whose model fields are named otherwise (dns_azure's are dns_azuredns_…): the dialog still labels them", async () => {
    expect(dnsServiceFields(acme('26.1'), 'dns_azure').fields).toEqual([]);
    const yaml = edit(readExample('homelab'), [...HAPROXY, 'certificates', 0, 'dns_provider'], 'dns_azure');
    const [step] = steps(await render(yaml), 'home').filter((l) => CREDENTIALS.test(l));
    const labels = formSections('26.7', 'dns_azure').flatMap((s) => s.fields.map((f) => f.label));
    expect(labels).toEqual(['Subscription ID', 'Tenant ID', 'APP ID', 'Client Secret', 'Use System Assigned Managed Identity']);
    expect(step).toContain(
      `edit challenge type wildcard_dns01 (DNS Service Azure DNS, dns_azure; for certificate wildcard) and enter the DNS provider's API credentials, which gen leaves empty (no secret is in the topology or its output): of the fields the dialog shows under Azure DNS, those that its API access needs (${labels.join(', ')}); Save.`,
    );
    expect(acmeModel('26.1')).toContain('<dns_azure>Azure DNS</dns_azure>');
    expect(dnsServiceFields(acme('26.1'), 'dns_nosuchservice')).toEqual({ label: undefined, fields: [] });
    expect(dnsServiceDialog(acme('26.1'), 'dns_nosuchservice')).toEqual([]);
  });

  // 25.7's form runs the mijn.host field and the scaleway header together in one <field> (read as SimpleXML reads it:
  // the first of each part), so scaleway has no section there: the step names the model's fields instead.
  it("a service the release's dialog has no section for (scaleway on 25.7): the model's fields", async () => {
    expect(formSections('25.7', 'dns_scaleway')).toEqual([]);
    const yaml = withRelease(edit(readExample('homelab'), [...HAPROXY, 'certificates', 0, 'dns_provider'], 'dns_scaleway'), '25.7');
    const [step] = steps(await render(yaml), 'home').filter((l) => CREDENTIALS.test(l));
    expect(step).toContain("and enter the DNS provider's API credentials, which gen leaves empty (no secret is in the topology or its output): those of the service's fields that its API access needs (in the ACME client's model: dns_scaleway_token); Save.");
  });

  it("has every DNS service's sections exactly as each release's form file builds them", () => {
    for (const snapshot of SNAPSHOTS) {
      const model = snapshot.fields.acme;
      if (!model) continue;
      const services = model.choices!['validations.validation.dns_service']!.map(([value]) => value);
      let shown = 0;
      for (const service of services) {
        const sections = formSections(snapshot.name, service);
        expect(dnsServiceDialog(model, service), `${snapshot.name} ${service}`).toEqual(sections.map((s) => [s.header, s.fields.map((f) => f.label)]));
        if (sections.length > 0) shown++;
      }
      // Every service but the odd one has a section of its own.
      expect(shown, snapshot.name).toBeGreaterThan(services.length * 0.9);
    }
  });

  it("every provider gen knows by name has its label and fields in every release's model", () => {
    for (const snapshot of SNAPSHOTS) {
      const model = snapshot.fields.acme;
      if (!model) continue;
      for (const provider of KNOWN_DNS_PROVIDERS) {
        const service = dnsService(provider)!;
        const { label, fields } = dnsServiceFields(model, service);
        expect(label, `${snapshot.name} ${service}`).toBeTruthy();
        expect(acmeModel(snapshot.name), `${snapshot.name} ${service}`).toContain(`<${service}>${label}</${service}>`);
        expect(fields.length, `${snapshot.name} ${service}`).toBeGreaterThan(0);
        for (const field of fields) expect(acmeModel(snapshot.name), field).toMatch(new RegExp(`<${field} type="`));
      }
    }
  });

  it("follows the firewall's release (25.7's ACME client 4.3.0 asks Active24 for a token, 26.1's for a key and secret)", async () => {
    const active24 = edit(readExample('homelab'), [...HAPROXY, 'certificates', 0, 'dns_provider'], 'dns_active24');
    const fieldsOn = async (release: string) => {
      const [step] = steps(await render(withRelease(active24, release)), 'home').filter((l) => CREDENTIALS.test(l));
      return /those that its API access needs \((.*)\); Save\./.exec(step!)![1];
    };
    expect(await fieldsOn('25.7')).toBe(formSections('25.7', 'dns_active24')[0]!.fields.map((f) => f.label).join(', '));
    expect(await fieldsOn('25.7')).toBe('Token');
    expect(await fieldsOn('26.7')).toBe('API Key, API Secret');
  });
});
