// The AWS lint rules: each fires on its mistake at the offending line, and
// stays quiet on the passing case.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import type { Model } from '../../src/model.js';
import { ruleById } from '../../src/rules/index.js';
import { edit, lint, readExample, lineOfText, render } from '../helpers.js';
import { lintText } from '../../src/pipeline.js';

const C = () => readExample('aws-vpc');

const lineOf = (text: string, needle: string): number => lineOfText(text, needle);

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
    expect(hits[0]!.location.line).toBe(lineOf(text, 'target: nat-gateway'));
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

  it('a user id or token id longer than Proxmox Backup Server takes is refused at its key, not when pbs/access.sh runs', async () => {
    // proxmox-auth-api Userid::API_SCHEMA and Authid::API_SCHEMA: at most 64 characters; acl update --auth-id is an Authid.
    const pbs = ['sites', 0, 'backup', 'pbs'];
    const user = `${'u'.repeat(40)}@pbs`;
    const longToken = edit(edit(readExample('homelab'), [...pbs, 'pve_user'], user), [...pbs, 'pve_token'], 't'.repeat(20));
    expect(only(await lint(longToken), 'backup/pbs-names').map((d) => [d.message, d.location.line])).toEqual([
      [`pve_token ${'t'.repeat(20)}: the token id ${user}!${'t'.repeat(20)} is 65 characters, and Proxmox Backup Server takes at most 64 (pbs/access.sh would stop at its acl update)`, lineOf(longToken, `pve_token: ${'t'.repeat(20)}`)],
    ]);
    // 64 characters exactly: taken, and written as it is.
    const fits = edit(longToken, [...pbs, 'pve_token'], 't'.repeat(19));
    expect(only(await lint(fits), 'backup/pbs-names')).toEqual([]);
    expect((await render(fits)).get('home/proxmox/storage.cfg')).toContain(`\tusername ${user}!${'t'.repeat(19)}\n`);
    const longUser = edit(readExample('homelab'), [...pbs, 'pve_user'], `${'u'.repeat(51)}@${'r'.repeat(20)}`);
    expect(only(await lint(longUser), 'backup/pbs-names').map((d) => [d.message, d.location.line])).toEqual([
      [`pve_user ${'u'.repeat(51)}@${'r'.repeat(20)}: the user id is 72 characters, and Proxmox Backup Server takes at most 64`, lineOf(longUser, `pve_user: ${'u'.repeat(51)}@`)],
    ]);
  });
});

describe("'aws/refused-value'", () => {
  const hitsOf = async (text: string) => only(await lint(text), 'aws/refused-value').map((d) => [d.message, d.location.line]);

  it('bucket names S3 reserves, each at its name', async () => {
    for (const [name, why] of [
      ['backup..store', 'a dot next to a dot or a dash'],
      ['backup.-store', 'a dot next to a dot or a dash'],
      ['192.168.10.5', 'the form of an IP address'],
      ['xn--backup', 'the reserved prefix xn--'],
      ['backups-s3alias', 'the reserved suffix -s3alias'],
      ['backups--x-s3', 'the reserved suffix --x-s3'],
    ]) {
      const text = edit(C(), ['aws', 'buckets'], [{ name }]);
      expect(await hitsOf(text), name).toEqual([[`S3 refuses bucket name ${name}: it has ${why}`, lineOf(text, `name: ${name}`)]]);
    }
    expect(await hitsOf(edit(C(), ['aws', 'buckets'], [{ name: 'backup.store-2' }]))).toEqual([]);
  });

  it('the security group names AWS reserves: "default" and "sg-..."', async () => {
    for (const name of ['default', 'sg-jump']) {
      const text = C().replaceAll('bastion', name);
      expect(await hitsOf(text), name).toEqual([[`security group ${name}: AWS reserves the name "default" and names starting with "sg-"`, lineOf(text, `name: ${name}`)]]);
    }
    expect(await hitsOf(C().replaceAll('bastion', 'default-jump'))).toEqual([]);
  });

  it('an ICMP type above 255', async () => {
    const ssh = '{ proto: tcp, ports: [22], from: 203.0.113.10/32, description: admin address }';
    const icmp = (ports: string) => C().replace(ssh, `${ssh}\n          - { proto: icmp, ports: [${ports}], from: 10.0.0.0/8 }`);
    const text = icmp("8, '250-300'");
    expect(await hitsOf(text)).toEqual([['a rule of security group bastion: ICMP types go up to 255 (for ICMP, ports lists types)', lineOf(text, 'proto: icmp')]]);
    expect(await hitsOf(icmp("8, '3-4'"))).toEqual([]);
    // Every type the fix names can be written; type 0 cannot (ports start at 1), so the fix does not offer it.
    const hint = only(await lint(text), 'aws/refused-value')[0]!.hint!;
    const offered = [...hint.matchAll(/(\d+): /g)].map((m) => m[1]!);
    expect(offered.length).toBeGreaterThan(0);
    for (const type of offered) expect((await lint(icmp(type))).filter((d) => d.severity === 'error'), type).toEqual([]);
    expect((await lint(icmp('0'))).some((d) => d.rule === 'schema' && d.severity === 'error')).toBe(true);
  });

  it('a port list on proto all, which AWS ignores (every port would be open)', async () => {
    const text = C().replace('{ proto: tcp, ports: [5432], from_group: api', '{ proto: all, ports: [5432], from_group: api');
    expect(await hitsOf(text)).toEqual([['a rule of security group db: proto all opens every protocol and port, so AWS ignores this port list', lineOf(text, 'proto: all')]]);
    expect(await hitsOf(C().replace('{ proto: tcp, ports: [5432], from_group: api', '{ proto: all, from_group: api'))).toEqual([]);
  });

  it('a permission a group already has: AWS refuses it, and both resources would have one name', async () => {
    const db = '{ proto: tcp, ports: [5432], from_group: api, description: PostgreSQL from the API tier }';
    // The same port twice in one rule, written two ways (AWS compares protocol, ports and peer).
    for (const ports of ['5432, 5432', "5432, '5432-5432'"]) {
      const text = C().replace(db, db.replace('ports: [5432]', `ports: [${ports}]`));
      expect(await hitsOf(text), ports).toEqual([['security group db: ingress tcp 5432 from group api is already allowed by this rule; AWS refuses the same permission twice', lineOf(text, `ports: [${ports}]`)]]);
    }
    // Two rules of one group with the same permission; the description does not count.
    const ssh = '{ proto: tcp, ports: [22], from: 203.0.113.10/32, description: admin address }';
    const twice = C().replace(ssh, `${ssh}\n          - { proto: tcp, ports: ['20-22', 22], from: 203.0.113.10/32, description: again }`);
    expect(await hitsOf(twice)).toEqual([['security group bastion: ingress tcp 22 from 203.0.113.10/32 is already allowed by ingress rule 1; AWS refuses the same permission twice', lineOf(twice, 'description: again')]]);
    // ICMP types are permissions one by one: type 8 inside a range of types repeats it.
    const icmp = C().replace(ssh, `${ssh}\n          - { proto: icmp, ports: [8, '7-9'], from: 10.0.0.0/8 }`);
    expect(await hitsOf(icmp)).toEqual([['security group bastion: ingress ICMP type 8 from 10.0.0.0/8 is already allowed by this rule; AWS refuses the same permission twice', lineOf(icmp, 'proto: icmp')]]);
    // Overlapping but different ranges, another peer, another protocol or another direction are other permissions.
    for (const rule of [
      "{ proto: tcp, ports: ['20-22'], from: 203.0.113.10/32 }",
      '{ proto: tcp, ports: [22], from: 203.0.113.11/32 }',
      '{ proto: udp, ports: [22], from: 203.0.113.10/32 }',
      '{ proto: tcp, ports: [22], from_group: api }',
    ]) {
      expect(await hitsOf(C().replace(ssh, `${ssh}\n          - ${rule}`)), rule).toEqual([]);
    }
    expect(await hitsOf(C())).toEqual([]);
  });

  it('a VPC or subnet block outside /16-/28, the sizes AWS takes', async () => {
    const vpc = edit(edit(C(), ['aws', 'vpc', 'cidr'], '10.0.0.0/8'), ['aws', 'vpc', 'subnets'], [{ name: 'tiny', az: 'ap-northeast-2a', cidr: '10.30.1.0/29', tier: 'public' }]);
    expect(await hitsOf(vpc)).toEqual([
      ['VPC main: AWS takes IPv4 blocks from /16 (65,536 addresses) to /28 (16) for a VPC, not /8', lineOf(vpc, 'cidr: 10.0.0.0/8')],
      ['subnet tiny: AWS takes IPv4 blocks from /16 (65,536 addresses) to /28 (16) for a subnet, not /29', lineOf(vpc, 'cidr: 10.30.1.0/29')],
    ]);
    const edges = edit(edit(C(), ['aws', 'vpc', 'cidr'], '10.30.0.0/16'), ['aws', 'vpc', 'subnets'], [{ name: 'tiny', az: 'ap-northeast-2a', cidr: '10.30.1.0/28', tier: 'public' }]);
    expect(await hitsOf(edges)).toEqual([]);
  });

  it('a second route to the same destination in a tier, and a route into the VPC itself', async () => {
    const text = edit(C(), ['aws', 'vpc', 'route_tables'], [
      { tier: 'public', routes: [{ destination: '0.0.0.0/0', target: 'internet-gateway' }] },
      { tier: 'public', routes: [{ destination: '10.30.5.0/24', target: 'internet-gateway' }] },
    ]);
    expect(await hitsOf(text)).toEqual([
      ['tier public already has a route to 0.0.0.0/0', lineOf(text, 'destination: 0.0.0.0/0')],
      ['tier public: 10.30.5.0/24 is inside VPC main (10.30.0.0/16), which AWS routes locally', lineOf(text, 'destination: 10.30.5.0/24')],
    ]);
    // A wider network than the VPC, and the same destination in another tier, are fine.
    const fine = edit(C(), ['aws', 'vpc', 'route_tables'], [
      { tier: 'public', routes: [{ destination: '10.0.0.0/8', target: 'internet-gateway' }] },
      { tier: 'private', routes: [{ destination: '10.0.0.0/8', target: 'internet-gateway' }] },
    ]);
    expect(await hitsOf(fine)).toEqual([]);
    expect(await hitsOf(C())).toEqual([]);
  });
});

describe("'backup/no-writer' with a named iam_user", () => {
  it('warns at iam_user when the named user may not write the bucket', async () => {
    let text = edit(readExample('homelab'), ['aws', 'iam', 'users', 1], { name: 'auditor', intents: [{ intent: 'reader', bucket: 'iksan-cloud-backup-20251129' }] });
    text = edit(text, ['sites', 0, 'backup', 'pbs', 'iam_user'], 'auditor');
    const hits = only(await lint(text), 'backup/no-writer');
    expect(hits.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      [
        'warning',
        'site home: IAM user auditor has no backup-writer intent on bucket iksan-cloud-backup-20251129, so Proxmox Backup Server could not write its datastore',
        lineOf(text, 'iam_user: auditor'),
      ],
    ]);
    expect(only(await lint(edit(text, ['sites', 0, 'backup', 'pbs', 'iam_user'], 'proxmox-backup-user')), 'backup/no-writer')).toEqual([]);
  });
});

describe("'aws/refused-value': IAM names that differ only in case", () => {
  it('a second user or policy named like the first in another case is an error at its name', async () => {
    const second = (name: string, policy?: string) =>
      edit(readExample('homelab'), ['aws', 'iam', 'users', 1], { name, ...(policy ? { policy } : {}), intents: [{ intent: 'reader', bucket: 'iksan-cloud-backup-20251129' }] });
    const users = second('Proxmox-Backup-User');
    expect(only(await lint(users), 'aws/refused-value').map((d) => [d.message, d.location.line])).toEqual([
      ['IAM user Proxmox-Backup-User: AWS takes it for proxmox-backup-user, as IAM names ignore case', lineOf(users, 'name: Proxmox-Backup-User')],
    ]);
    const policies = second('auditor', 'proxmox-s3-backup-policy');
    expect(only(await lint(policies), 'aws/refused-value').map((d) => [d.message, d.location.line])).toEqual([
      ['IAM policy proxmox-s3-backup-policy: AWS takes it for Proxmox-S3-Backup-Policy, as IAM names ignore case', lineOf(policies, 'policy: proxmox-s3-backup-policy')],
    ]);
    expect(only(await lint(second('auditor')), 'aws/refused-value')).toEqual([]);
  });
});

describe("'backup/no-writer': the datastore's key prefix", () => {
  it('a backup-writer prefix that leaves out "<datastore>/" (where PBS keeps the datastore) warns at the prefix', async () => {
    const withPrefix = (prefix: string) => edit(readExample('homelab'), ['aws', 'iam', 'users', 0, 'intents', 0, 'prefix'], prefix);
    const text = withPrefix('pbs/');
    const hits = only(await lint(text), 'backup/no-writer');
    expect(hits.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      [
        'warning',
        'site home: Proxmox Backup Server keeps datastore vm-backup-s3 under vm-backup-s3/ in bucket iksan-cloud-backup-20251129, outside the prefix pbs/ IAM user proxmox-backup-user may write',
        lineOf(text, 'prefix: pbs/'),
      ],
    ]);
    expect(only(await lint(withPrefix('vm-backup-s3/')), 'backup/no-writer')).toEqual([]);
    expect(only(await lint(withPrefix('vm-')), 'backup/no-writer')).toEqual([]);
  });
});

describe("'aws/iam-policy-size'", () => {
  // IAM and AWS STS quotas: a customer managed policy holds at most 6,144 characters, white space not counted.
  const AWS_MANAGED_POLICY_LIMIT = 6144;
  const H = () => readExample('homelab');
  const WRITER = '          - { intent: backup-writer, bucket: iksan-cloud-backup-20251129 }';
  const reader = (i: number) => `          - { intent: reader, bucket: iksan-cloud-backup-20251129, prefix: restore/site-${String(i).padStart(2, '0')}/ }`;
  const withReaders = (n: number) => H().replace(WRITER, [WRITER, ...Array.from({ length: n }, (_, i) => reader(i + 1))].join('\n'));
  /** The policy file gen writes for the topology, measured as IAM measures it. */
  const writtenSize = async (text: string) => {
    const { model } = await lintText(text);
    const { renderAll } = await import('../../src/render/index.js');
    const policy = renderAll(model!).get('aws/iam/Proxmox-S3-Backup-Policy.json')!;
    JSON.parse(policy);
    return policy.replace(/\s/g, '').length;
  };

  it('reports the intent at which the written policy passes the managed-policy limit, and nothing below it', async () => {
    const sizes: number[] = [];
    for (let n = 0; n <= 14; n++) sizes.push(await writtenSize(withReaders(n)));
    // The first reader whose statements take the written document past the limit carries the error.
    const first = sizes.findIndex((size) => size > AWS_MANAGED_POLICY_LIMIT);
    for (const [n, size] of sizes.entries()) {
      const text = withReaders(n);
      const hits = only(await lint(text), 'aws/iam-policy-size');
      if (n < first) {
        expect(hits, `${n} readers, ${size} characters`).toEqual([]);
        continue;
      }
      expect(hits).toHaveLength(1);
      expect(hits[0]!.severity).toBe('error');
      expect(hits[0]!.location.line).toBe(lineOf(text, reader(first).trim()));
      expect(hits[0]!.message).toContain(`would be ${size} characters`);
    }
    // A dozen prefixes is enough: the limit is reached by a plausible topology, not only by a contrived one.
    expect(first).toBeGreaterThan(0);
  });
});
