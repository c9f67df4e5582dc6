// Backup wiring on the Proxmox side (seed 001 §4): PBS s3.cfg and
// datastore.cfg, the PVE storage.cfg entry, parsed as Proxmox section
// config ("<type>: <id>", then tab-indented "<key> <value>" lines).
import { describe, expect, it } from 'vitest';
import { edit, readExample, render } from '../helpers.js';

type Section = { type: string; id: string; props: Record<string, string> };

/** Proxmox section-config reader, strict: unknown line shapes fail the test. */
function parseSectionConfig(text: string): Section[] {
  expect(text.endsWith('\n')).toBe(true);
  const sections: Section[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const header = /^([a-z0-9-]+): ([A-Za-z0-9][A-Za-z0-9_.-]*)$/.exec(line);
    if (header) {
      sections.push({ type: header[1]!, id: header[2]!, props: {} });
      continue;
    }
    const prop = /^\t([a-z][a-z0-9-]*) (\S+)$/.exec(line);
    if (!prop || !sections.length) throw new Error(`not section config: ${JSON.stringify(line)}`);
    const props = sections.at(-1)!.props;
    expect(props[prop[1]!], `duplicate ${prop[1]}`).toBeUndefined();
    props[prop[1]!] = prop[2]!;
  }
  return sections;
}

// Value formats of the PBS S3 client config (pbs-api-types: S3_ENDPOINT_REGEX, S3_REGION_REGEX, S3_CLIENT_ID_SCHEMA).
const DNS_LABEL = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)';
const PBS_S3_ENDPOINT = new RegExp(`^(?:(?:${DNS_LABEL}|\\{\\{bucket\\}\\}|\\{\\{region\\}\\})\\.)*${DNS_LABEL}$`);
const PBS_S3_REGION = /(^auto$)|(^[a-z]{2,}(?:-[a-z\d]+)+$)/;
const PBS_SAFE_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{2,31}$/;

/** A Proxmox property string: key=value,key=value. */
const propertyString = (text: string) => Object.fromEntries(text.split(',').map((kv) => kv.split('=') as [string, string]));

describe('scenario A backup wiring', async () => {
  const files = await render(readExample('homelab'));

  it('PBS S3 endpoint aws-s3-storage on the bucket region, secrets as placeholders', () => {
    const [endpoint, ...rest] = parseSectionConfig(files.get('home/pbs/s3.cfg')!);
    expect(rest).toEqual([]);
    expect(endpoint).toEqual({
      type: 's3-endpoint',
      id: 'aws-s3-storage',
      props: {
        'access-key': 'REPLACE-WITH-ACCESS-KEY-ID',
        // PBS fills {{bucket}} in: virtual-hosted style on the regional endpoint of seed 001.
        endpoint: '{{bucket}}.s3.ap-northeast-2.amazonaws.com',
        region: 'ap-northeast-2',
        'secret-key': 'REPLACE-WITH-SECRET-ACCESS-KEY',
      },
    });
    expect(endpoint!.props.endpoint).toMatch(PBS_S3_ENDPOINT);
    expect(endpoint!.props.region).toMatch(PBS_S3_REGION);
    expect(endpoint!.id).toMatch(PBS_SAFE_ID);
    expect('https://s3.ap-northeast-2.amazonaws.com').not.toMatch(PBS_S3_ENDPOINT);
  });

  it('datastore vm-backup-s3 backed by the bucket through that endpoint, with a local cache path', () => {
    const [store] = parseSectionConfig(files.get('home/pbs/datastore.cfg')!);
    expect(store!.type).toBe('datastore');
    expect(store!.id).toBe('vm-backup-s3');
    expect(propertyString(store!.props.backend!)).toEqual({ type: 's3', client: 'aws-s3-storage', bucket: 'iksan-cloud-backup-20251129' });
    expect(store!.props.path).toBe('/mnt/datastore/vm-backup-s3');
  });

  it('PVE storage pbs-main points at the datastore; the password is not in storage.cfg', () => {
    const [storage] = parseSectionConfig(files.get('home/proxmox/storage.cfg')!);
    expect(storage).toEqual({
      type: 'pbs',
      id: 'pbs-main',
      props: { datastore: 'vm-backup-s3', server: '10.0.0.20', content: 'backup', username: 'pve-backup@pbs!pve' },
    });
    const s3 = parseSectionConfig(files.get('home/pbs/s3.cfg')!)[0]!;
    const store = parseSectionConfig(files.get('home/pbs/datastore.cfg')!)[0]!;
    // The three files agree with each other.
    expect(propertyString(store.props.backend!).client).toBe(s3.id);
    expect(storage!.props.datastore).toBe(store.id);
  });

  it('the PBS address, remote and storage names come from the topology', async () => {
    let text = edit(readExample('homelab'), ['sites', 0, 'backup', 'pbs', 'address'], '10.0.0.30');
    text = edit(text, ['sites', 0, 'backup', 'pbs', 's3_remote'], 'offsite');
    text = edit(text, ['sites', 0, 'backup', 'pbs', 'pve_storage'], 'pbs-offsite');
    const changed = await render(text);
    expect(parseSectionConfig(changed.get('home/proxmox/storage.cfg')!)[0]).toMatchObject({ id: 'pbs-offsite', props: { server: '10.0.0.30' } });
    expect(parseSectionConfig(changed.get('home/pbs/s3.cfg')!)[0]!.id).toBe('offsite');
    expect(propertyString(parseSectionConfig(changed.get('home/pbs/datastore.cfg')!)[0]!.props.backend!).client).toBe('offsite');
  });

  it('without an address the server is a placeholder that the steps name', async () => {
    const pbs = ['sites', 0, 'backup', 'pbs'];
    const text = edit(edit(readExample('homelab'), [...pbs, 'address'], undefined), [...pbs, 'vm'], undefined);
    const changed = await render(text);
    expect(parseSectionConfig(changed.get('home/proxmox/storage.cfg')!)[0]!.props.server).toBe('REPLACE-WITH-PBS-ADDRESS');
    expect(changed.get('home/pbs/steps.md')).toContain('The topology gives no address for the backup server (backup.pbs.address): replace REPLACE-WITH-PBS-ADDRESS.');
  });

  it('no site without backup gets backup files', async () => {
    const vlan = await render(readExample('vlan-hosting'));
    expect([...vlan.keys()].filter((p) => p.includes('/pbs/') || p.endsWith('storage.cfg'))).toEqual([]);
  });
});

describe('the backup steps note', () => {
  it('gives the commands that replace the placeholders, with every value and no secret', async () => {
    const note = (await render(readExample('homelab'))).get('home/pbs/steps.md')!;
    expect(note).toContain(
      "proxmox-backup-manager s3 endpoint create aws-s3-storage --endpoint '{{bucket}}.s3.ap-northeast-2.amazonaws.com' --region ap-northeast-2 --access-key \"$ACCESS_KEY_ID\" --secret-key \"$SECRET_ACCESS_KEY\"",
    );
    expect(note).toContain('proxmox-backup-manager datastore create vm-backup-s3 /mnt/datastore/vm-backup-s3 --backend type=s3,client=aws-s3-storage,bucket=iksan-cloud-backup-20251129');
    expect(note).toContain("pvesm add pbs pbs-main --server 10.0.0.20 --datastore vm-backup-s3 --username 'pve-backup@pbs!pve' --content backup --password");
    expect(note).toContain('IAM user `proxmox-backup-user`');
  });

  it('names the Terraform outputs when the topology asks for the access key', async () => {
    const text = edit(readExample('homelab'), ['aws', 'iam', 'users', 0, 'access_key'], true);
    const files = await render(text);
    const note = files.get('home/pbs/steps.md')!;
    expect(note).toContain('`terraform output -raw proxmox-backup-user_secret_access_key`');
    expect(files.get('aws/terraform/outputs.tf')).toContain('output "proxmox-backup-user_secret_access_key" {');
  });
});
