// The IAM policy of a Proxmox Backup Server datastore on S3, evaluated with
// an IAM policy simulator (@cloud-copilot/iam-simulate) for every request the
// PBS S3 client makes, with the context AWS gives each one; and the list of
// those requests checked against the client's own source when its git
// mirror is at hand (PROXMOX_RS_GIT=<git dir of the proxmox repository>).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { PBS_S3_REQUESTS } from '../../src/targets/aws/iam.js';
import { edit, lint, readExample, render } from '../helpers.js';

const B = 'iksan-cloud-backup-20251129';
const D = 'vm-backup-s3';
const ACCOUNT = '123456789012';

type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

async function decide(identity: object, bucketPolicy: object, action: string, resource: string, context: Record<string, string> = {}): Promise<Decision> {
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'pbs', policy: identity }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: bucketPolicy,
      request: {
        action,
        principal: `arn:aws:iam::${ACCOUNT}:user/proxmox-backup-user`,
        resource: { accountId: ACCOUNT, resource },
        // PBS speaks HTTPS only.
        contextVariables: { 'aws:SecureTransport': 'true', ...context },
      },
    } as Parameters<typeof runSimulation>[0],
    {},
  );
  return (result as unknown as { overallResult: Decision }).overallResult;
}

/** The requests PBS sends during datastore create, backup, restore, prune and garbage collection, as IAM sees them. */
const requests: { what: string; action: string; resource: string; context?: Record<string, string> }[] = [
  { what: 'HeadBucket (datastore create, every GC, s3 check)', action: 's3:ListBucket', resource: `arn:aws:s3:::${B}` },
  { what: 'ListObjectsV2 of the chunks (GC)', action: 's3:ListBucket', resource: `arn:aws:s3:::${B}`, context: { 's3:prefix': `${D}/.chunks/` } },
  { what: 'ListObjectsV2 of a snapshot (prune)', action: 's3:ListBucket', resource: `arn:aws:s3:::${B}`, context: { 's3:prefix': `${D}/.cnt/vm/100/` } },
  { what: 'GetObject of the .in-use marker', action: 's3:GetObject', resource: `arn:aws:s3:::${B}/${D}/.in-use` },
  { what: 'PutObject of a chunk', action: 's3:PutObject', resource: `arn:aws:s3:::${B}/${D}/.chunks/0a1b/0a1b${'0'.repeat(60)}` },
  { what: 'DeleteObjects of chunks (GC)', action: 's3:DeleteObject', resource: `arn:aws:s3:::${B}/${D}/.chunks/0a1b/0a1b${'1'.repeat(60)}` },
  { what: 'CopyObject source (corrupt chunk)', action: 's3:GetObject', resource: `arn:aws:s3:::${B}/${D}/.chunks/0a1b/0a1b${'2'.repeat(60)}` },
  { what: 'CopyObject destination (corrupt chunk)', action: 's3:PutObject', resource: `arn:aws:s3:::${B}/${D}/.chunks/0a1b/0a1b${'2'.repeat(60)}.0.bad` },
];

async function policies(yaml: string) {
  const files = await render(yaml);
  return { identity: JSON.parse(files.get('aws/iam/Proxmox-S3-Backup-Policy.json')!), bucket: JSON.parse(files.get(`aws/s3/${B}.policy.json`)!) };
}

describe('the backup-writer policy of a PBS datastore, through an IAM simulator', () => {
  it.each([
    ['scenario A (no prefix)', () => readExample('homelab')],
    ['a prefix of the datastore', () => edit(readExample('homelab'), ['aws', 'iam', 'users', 0, 'intents', 0, 'prefix'], `${D}/`)],
  ])('%s: every request PBS makes is allowed', async (_name, yaml) => {
    expect(await lint(yaml())).toEqual([]);
    const { identity, bucket } = await policies(yaml());
    for (const r of requests) expect(await decide(identity, bucket, r.action, r.resource, r.context), r.what).toBe('Allowed');
  });

  it('allows nothing outside the datastore, no listing of other buckets, and nothing over plain HTTP', async () => {
    const { identity, bucket } = await policies(readExample('homelab'));
    expect(await decide(identity, bucket, 's3:GetObject', `arn:aws:s3:::${B}/other-store/.in-use`)).toBe('ImplicitlyDenied');
    expect(await decide(identity, bucket, 's3:PutObject', `arn:aws:s3:::${B}/.s3-client-test`)).toBe('ImplicitlyDenied');
    expect(await decide(identity, bucket, 's3:ListAllMyBuckets', '*')).toBe('ImplicitlyDenied');
    expect(await decide(identity, bucket, 's3:DeleteObjectVersion', `arn:aws:s3:::${B}/${D}/.in-use`)).toBe('ImplicitlyDenied');
    expect(await decide(identity, bucket, 's3:GetObject', `arn:aws:s3:::${B}/${D}/.in-use`, { 'aws:SecureTransport': 'false' })).toBe('ExplicitlyDenied');
  });

  it('the simulator can fail: an s3:prefix condition on ListBucket denies HeadBucket', async () => {
    const { identity, bucket } = await policies(readExample('homelab'));
    const conditioned = structuredClone(identity);
    conditioned.Statement[1].Condition = { StringLike: { 's3:prefix': [`${D}/*`] } };
    expect(await decide(conditioned, bucket, 's3:ListBucket', `arn:aws:s3:::${B}`)).toBe('ImplicitlyDenied');
    expect(await decide(conditioned, bucket, 's3:ListBucket', `arn:aws:s3:::${B}`, { 's3:prefix': `${D}/.chunks/` })).toBe('Allowed');
  });

  it('grants exactly the actions of the requests PBS makes, never GetBucketLocation', async () => {
    const { identity } = await policies(readExample('homelab'));
    const granted = identity.Statement.flatMap((s: { Action: string[] }) => s.Action).sort();
    const needed = [...new Set(Object.values(PBS_S3_REQUESTS).filter((r) => r.on !== 'account').flatMap((r) => [...r.actions]))].sort();
    expect(granted).toEqual(needed);
    expect(granted).not.toContain('s3:GetBucketLocation');
  });
});

const git = process.env.PROXMOX_RS_GIT;
const why = !git ? 'PROXMOX_RS_GIT is not set (the git directory of the proxmox repository with proxmox-s3-client)' : !existsSync(git) ? `no git directory at ${git}` : undefined;
if (why) console.warn(`SKIPPED: PBS S3 requests against the client's source: ${why}`);

describe.skipIf(why)(`the PBS S3 requests are exactly those the client sends${why ? ` (SKIPPED: ${why})` : ''}`, () => {
  it('every function of proxmox-s3-client that sends a request is mapped, with its HTTP method', () => {
    const shown = spawnSync('git', ['--git-dir', git!, 'show', 'HEAD:proxmox-s3-client/src/client.rs'], { encoding: 'utf8' });
    expect(shown.status, shown.stderr).toBe(0);
    // A request-sending function builds its request with .method(Method::X) in
    // its own body, or in the private function it hands the work to.
    const functions = [...shown.stdout.matchAll(/\n    (pub )?(?:async )?fn (\w+)([\s\S]*?)(?=\n    (?:pub )?(?:async )?fn |\n}\n)/g)].map((m) => ({
      name: m[2]!,
      pub: m[1] !== undefined,
      method: /\.method\(Method::([A-Z]+)\)/.exec(m[3]!)?.[1],
      calls: [...m[3]!.matchAll(/self\.(\w+)\(/g)].map((c) => c[1]!),
    }));
    const byName = new Map(functions.map((f) => [f.name, f]));
    const sending = new Map<string, string>();
    for (const f of functions.filter((f) => f.pub)) {
      const method = f.method ?? f.calls.map((c) => byName.get(c)).find((c) => c && !c.pub && c.method)?.method;
      if (method) sending.set(f.name, method);
    }
    expect([...sending.keys()].sort()).toEqual(Object.keys(PBS_S3_REQUESTS).sort());
    const expectedMethod: Record<string, string> = { HeadBucket: 'HEAD', HeadObject: 'HEAD', ListBuckets: 'GET', GetObject: 'GET', ListObjectsV2: 'GET', PutObject: 'PUT', CopyObject: 'PUT', DeleteObject: 'DELETE', DeleteObjects: 'POST' };
    for (const [fn, r] of Object.entries(PBS_S3_REQUESTS)) expect(sending.get(fn), fn).toBe(expectedMethod[r.request]);
  });
});
