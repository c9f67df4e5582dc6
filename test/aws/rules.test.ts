// The AWS lint rules: each fires on its mistake at the offending line, and
// stays quiet on the passing case.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import type { Model } from '../../src/model.js';
import { ruleById } from '../../src/rules/index.js';
import { edit, lint, readExample } from '../helpers.js';

const C = () => readExample('aws-vpc');

function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`"${needle}" not in the topology`);
  return text.slice(0, index).split('\n').length;
}

const only = (diagnostics: Diagnostic[], rule: string) => diagnostics.filter((d) => d.rule === rule);

describe("'aws/open-admin-port'", () => {
  it('SSH from 0.0.0.0/0 is an error at the rule, naming the port', async () => {
    const text = C().replace('ports: [8080, 22], from: 198.51.100.7/32', 'ports: [8080, 22], from: 0.0.0.0/0');
    const hits = only(await lint(text), 'aws/open-admin-port');
    expect(hits).toHaveLength(1);
    expect(hits[0]!.severity).toBe('error');
    expect(hits[0]!.message).toBe('security group jenkins opens 22 (SSH) to 0.0.0.0/0, the whole internet');
    expect(hits[0]!.location.line).toBe(lineOf(text, 'ports: [8080, 22], from: 0.0.0.0/0'));
    expect(hits[0]!.hint).toBeTruthy();
  });

  it('database ports and "all" protocols count; a written public reason allows them', async () => {
    const db = C().replace('ports: [5432], from_group: api', 'ports: [5000-5500], from: 0.0.0.0/0');
    expect(only(await lint(db), 'aws/open-admin-port').map((d) => d.message)).toEqual(['security group db opens 5432 (PostgreSQL) to 0.0.0.0/0, the whole internet']);
    const all = C().replace('{ proto: tcp, ports: [5432], from_group: api', '{ proto: all, from: 0.0.0.0/0');
    expect(only(await lint(all), 'aws/open-admin-port')[0]!.message).toMatch(/opens 22 \(SSH\), .*3306 \(MySQL\), 3389 \(RDP\), 5432 \(PostgreSQL\), .*6379 \(Redis\/Valkey\)/);
    const reasoned = db.replace('from: 0.0.0.0/0, description: PostgreSQL from the API tier', 'from: 0.0.0.0/0, public: managed database for a public BI tool');
    expect(only(await lint(reasoned), 'aws/open-admin-port')).toEqual([]);
  });

  it('web ports from anywhere and admin ports from a /32 pass', async () => {
    expect(only(await lint(C()), 'aws/open-admin-port')).toEqual([]);
    const web = C().replace('{ proto: tcp, ports: [80, 443], from: 0.0.0.0/0, public: Public web API }', '{ proto: tcp, ports: [80, 443], from: 0.0.0.0/0 }');
    expect(only(await lint(web), 'aws/open-admin-port')).toEqual([]);
  });
});

describe("'aws/description-charset'", () => {
  it('a quote in a security group description is refused by AWS: error at the description', async () => {
    const text = C().replace('description: SSH jump host', 'description: \'SSH "jump" host\'');
    const hits = only(await lint(text), 'aws/description-charset');
    expect(hits.map((d) => [d.severity, d.location.line])).toEqual([['error', lineOf(text, 'SSH "jump" host')]]);
  });

  it('a non-Latin-1 IAM policy description is refused; AWS-allowed characters like ${} pass', async () => {
    const korean = edit(readExample('homelab'), ['aws', 'iam', 'users', 0, 'description'], '백업 사용자');
    expect(only(await lint(korean), 'aws/description-charset')).toHaveLength(1);
    const braces = C().replace('description: SSH jump host', 'description: SSH ${jump} host');
    expect(only(await lint(braces), 'aws/description-charset')).toEqual([]);
  });
});

describe("'aws/route-target'", () => {
  it('a route to a NAT gateway the VPC does not have', async () => {
    const text = edit(C(), ['aws', 'vpc', 'route_tables'], [{ tier: 'private', routes: [{ destination: '0.0.0.0/0', target: 'nat-gateway' }] }]);
    const hits = only(await lint(text), 'aws/route-target');
    expect(hits.map((d) => d.message)).toEqual(['tier private: route 0.0.0.0/0 goes to a NAT gateway, but the VPC has none']);
    expect(hits[0]!.location.line).toBe(lineOf(text, 'route_tables:'));
  });

  it('a route to the VPN gateway without site_to_site', async () => {
    const text = edit(C(), ['aws', 'vpc', 'route_tables'], [{ tier: 'private', routes: [{ destination: '192.168.0.0/16', target: 'vpn-gateway' }] }]);
    expect(only(await lint(text), 'aws/route-target').map((d) => d.message)).toEqual(['tier private: route 192.168.0.0/16 goes to the VPN gateway, but the VPC has no site_to_site']);
  });
});

describe("'backup/no-writer'", () => {
  it('warns when no IAM user may write the backup bucket', async () => {
    const text = readExample('homelab').replace('intent: backup-writer', 'intent: reader');
    const hits = only(await lint(text), 'backup/no-writer');
    expect(hits.map((d) => [d.severity, d.message])).toEqual([['warning', 'site home: no IAM user has a backup-writer intent on bucket iksan-cloud-backup-20251129']]);
    expect(hits[0]!.location.line).toBe(lineOf(text, 'bucket: iksan-cloud-backup-20251129\n        pve_storage') );
  });
});

describe("'aws/iam-wildcard'", () => {
  // The schema keeps '*' out of bucket names and prefixes, so the rule is driven with a model directly.
  const model = (bucket: string, prefix?: string) =>
    ({
      sites: [],
      aws: {
        region: 'ap-northeast-2',
        buckets: [],
        users: [{ name: 'u', policy: 'p', accessKey: false, intents: [{ intent: 'reader', bucket, prefix, path: [] }], path: ['aws', 'iam', 'users', 0] }],
        path: ['aws'],
      },
    }) as unknown as Model;
  const run = (m: Model) => {
    const found: { path: readonly (string | number)[]; message: string }[] = [];
    ruleById.get('aws/iam-wildcard')!.check!(m, (f) => found.push(f));
    return found;
  };

  it('an intent on every bucket would need a wildcard resource: error at the intents', () => {
    expect(run(model('*'))).toEqual([
      { path: ['aws', 'iam', 'users', 0, 'intents'], message: 'the policy of IAM user u would grant too much: resource arn:aws:s3:::*/* is not limited to one bucket; resource arn:aws:s3:::* is not limited to one bucket' },
    ]);
    expect(run(model('logs', 'a*b/'))).toHaveLength(1);
  });

  it('one bucket, with or without a prefix, passes', () => {
    expect(run(model('logs'))).toEqual([]);
    expect(run(model('logs', 'pbs/'))).toEqual([]);
  });
});

describe("'aws/customer-gateway-public'", () => {
  it('the WAN address behind a NAT router is not a customer gateway', async () => {
    const { siteToSite } = await import('./fixtures.js');
    const text = siteToSite().replace('public_address: 203.0.113.2', 'public_address: 192.168.0.2');
    const hits = only(await lint(text), 'aws/customer-gateway-public');
    expect(hits.map((d) => [d.severity, d.message])).toEqual([['error', 'customer gateway address 192.168.0.2 of site home is not reachable from the internet']]);
    expect(hits[0]!.location.line).toBe(lineOf(text, 'site_to_site:'));
    expect(only(await lint(siteToSite()), 'aws/customer-gateway-public')).toEqual([]);
  });
});

describe('what counts as the whole internet and as an administrative port', async () => {
  const { adminPortsOpened, isWholeInternet } = await import('../../src/rules/aws.js');
  it('0.0.0.0/0 and ::/0, not a /32', () => {
    expect(['0.0.0.0/0', '::/0', '203.0.113.10/32', '10.0.0.0/8', undefined].map(isWholeInternet)).toEqual([true, true, false, false, false]);
  });
  it('ranges, "all" and missing ports open every admin port in them; ICMP opens none', () => {
    const rule = (proto: 'tcp' | 'all' | 'icmp', ports: { from: number; to: number }[]) => ({ proto, ports, path: [] });
    expect(adminPortsOpened(rule('tcp', [{ from: 3000, to: 3400 }]))).toEqual([3306, 3389]);
    expect(adminPortsOpened(rule('tcp', [{ from: 80, to: 80 }, { from: 443, to: 443 }]))).toEqual([]);
    expect(adminPortsOpened(rule('all', []))).toHaveLength(19);
    expect(adminPortsOpened(rule('tcp', []))).toHaveLength(19);
    expect(adminPortsOpened(rule('icmp', []))).toEqual([]);
  });
});

describe("'backup/pbs-names'", () => {
  it('a dotted bucket, a two-letter datastore and a storage id starting with a digit are refused, each at its key', async () => {
    let text = readExample('homelab').replaceAll('iksan-cloud-backup-20251129', 'iksan.cloud.backup');
    text = text.replace('datastore: vm-backup-s3', 'datastore: vm').replace('pve_storage: pbs-main', 'pve_storage: 1pbs');
    const hits = only(await lint(text), 'backup/pbs-names');
    expect(hits.map((d) => [d.message, d.location.line])).toEqual([
      ['datastore vm: Proxmox Backup Server ids are 3-32 characters', lineOf(text, 'datastore: vm')],
      ['bucket iksan.cloud.backup: Proxmox Backup Server accepts only a-z, 0-9 and "-" in bucket names', lineOf(text, 'bucket: iksan.cloud.backup\n        pve_storage')],
      ['pve_storage 1pbs: a Proxmox VE storage id starts with a letter and ends with a letter or digit', lineOf(text, 'pve_storage: 1pbs')],
    ]);
    expect(only(await lint(readExample('homelab')), 'backup/pbs-names')).toEqual([]);
  });
});
