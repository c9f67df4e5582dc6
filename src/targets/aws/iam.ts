// Least-privilege IAM from a user's declared intents: which S3 actions each
// intent means, on which resources, and what counts as wider than an
// intent. The renderer writes these documents and the lint rule checks
// them; both read this one definition.
import type { IamUser } from '../../model.js';
import { UniqueNames } from '../../unique-names.js';
import type { AwsPartition } from './partition.js';
import { datastorePrefix } from '../pbs/s3.js';

type Intent = IamUser['intents'][number]['intent'];

/**
 * Every request Proxmox Backup Server's S3 client makes (the functions of
 * proxmox-s3-client/src/client.rs in the proxmox repository that send one),
 * the IAM actions AWS authorises it with, and on what. PBS keeps all of a
 * datastore's objects under the key prefix "<datastore>/".
 */
export const PBS_S3_REQUESTS = {
  head_bucket: { request: 'HeadBucket', actions: ['s3:ListBucket'], on: 'bucket', when: 'datastore create, each garbage collection, s3 check' },
  list_objects_v2: { request: 'ListObjectsV2', actions: ['s3:ListBucket'], on: 'bucket', when: 'garbage collection, prune, forget, datastore reuse' },
  head_object: { request: 'HeadObject', actions: ['s3:GetObject'], on: 'object', when: 'object checks' },
  get_object: { request: 'GetObject', actions: ['s3:GetObject'], on: 'object', when: 'restore, verify, the .in-use check at datastore create' },
  put_object: { request: 'PutObject', actions: ['s3:PutObject'], on: 'object', when: 'backup (chunks, indexes, manifests), the .in-use marker' },
  delete_object: { request: 'DeleteObject', actions: ['s3:DeleteObject'], on: 'object', when: 'datastore removal, a corrupt chunk moved aside' },
  delete_objects: { request: 'DeleteObjects', actions: ['s3:DeleteObject'], on: 'object', when: 'garbage collection, prune, forget' },
  copy_object: { request: 'CopyObject', actions: ['s3:GetObject', 's3:PutObject'], on: 'object', when: 'moving snapshots, a corrupt chunk renamed' },
  list_buckets: { request: 'ListBuckets', actions: ['s3:ListAllMyBuckets'], on: 'account', when: 'only `s3 endpoint list-buckets` and the GUI bucket list: not granted' },
} as const;

const pbsActions = (on: 'bucket' | 'object') => [...new Set(Object.values(PBS_S3_REQUESTS).flatMap((r) => (r.on === on ? r.actions : [])))];

/**
 * Object-level and bucket-level actions per intent. backup-writer is exactly
 * what the PBS S3 client needs on its datastore (never GetBucketLocation,
 * which it does not call).
 */
const INTENT_ACTIONS: Record<Intent, { objects: string[]; bucket: string[] }> = {
  'backup-writer': { objects: pbsActions('object'), bucket: pbsActions('bucket') },
  reader: { objects: ['s3:GetObject'], bucket: ['s3:ListBucket', 's3:GetBucketLocation'] },
  writer: { objects: ['s3:PutObject'], bucket: ['s3:GetBucketLocation'] },
};

/** One fixed order for actions, so a document never changes with intent order. */
const ACTION_ORDER = ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:ListBucket', 's3:GetBucketLocation'];

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: { StringLike: { 's3:prefix': string[] } };
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export const bucketArn = (partition: AwsPartition, bucket: string): string => `arn:${partition.id}:s3:::${bucket}`;
export const objectsArn = (partition: AwsPartition, bucket: string, prefix = ''): string => `arn:${partition.id}:s3:::${bucket}/${prefix}*`;

function sidPart(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

const ordered = (actions: Iterable<string>) => [...new Set(actions)].sort((a, b) => ACTION_ORDER.indexOf(a) - ACTION_ORDER.indexOf(b));

/** The user's policy, its ARNs in the partition of the region its buckets are in. */
export function policyDocument(user: IamUser, partition: AwsPartition): PolicyDocument {
  // Intents on the same bucket and prefix share their statements.
  const groups = new Map<string, { bucket: string; prefix?: string; datastores: string[]; objects: Set<string>; bucketActions: Set<string> }>();
  for (const intent of user.intents) {
    const datastores = intent.intent === 'backup-writer' ? intent.pbsDatastores : [];
    const key = `${intent.bucket}\u0000${datastores.length ? `\u0000${datastores.join('\u0000')}` : (intent.prefix ?? '')}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { bucket: intent.bucket, prefix: datastores.length ? undefined : intent.prefix || undefined, datastores, objects: new Set(), bucketActions: new Set() }));
    for (const a of INTENT_ACTIONS[intent.intent].objects) group.objects.add(a);
    for (const a of INTENT_ACTIONS[intent.intent].bucket) group.bucketActions.add(a);
  }
  const statements: PolicyStatement[] = [];
  const sids = new UniqueNames('');
  const sid = (text: string) => sids.take(text);
  for (const g of groups.values()) {
    const name = sidPart(g.bucket) + (g.prefix ? sidPart(g.prefix) : '');
    // A Proxmox Backup Server datastore's objects are all under its prefix.
    const objects = g.datastores.length ? g.datastores.map((d) => objectsArn(partition, g.bucket, datastorePrefix(d))) : [objectsArn(partition, g.bucket, g.prefix)];
    statements.push({ Sid: sid(`Objects${name}`), Effect: 'Allow', Action: ordered(g.objects), Resource: objects });
    // Listing is limited to the prefix the objects are limited to. Not for PBS:
    // its HeadBucket carries no prefix, so such a condition denies it, and
    // datastore create and every garbage collection fail. Only ListBucket
    // has the key s3:prefix: any other action under the condition would
    // never be allowed (a key absent from a request fails StringLike), so
    // GetBucketLocation gets a statement of its own.
    if (g.prefix && g.bucketActions.has('s3:ListBucket')) {
      statements.push({ Sid: sid(`Bucket${name}`), Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn(partition, g.bucket)], Condition: { StringLike: { 's3:prefix': [`${g.prefix}*`] } } });
      const rest = ordered([...g.bucketActions].filter((a) => a !== 's3:ListBucket'));
      if (rest.length) statements.push({ Sid: sid(`BucketLocation${name}`), Effect: 'Allow', Action: rest, Resource: [bucketArn(partition, g.bucket)] });
    } else {
      statements.push({ Sid: sid(`Bucket${name}`), Effect: 'Allow', Action: ordered(g.bucketActions), Resource: [bucketArn(partition, g.bucket)] });
    }
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The most characters a customer managed policy may hold (IAM and AWS STS
 * quotas, "Managed policy size"): CreatePolicy refuses a longer document with
 * LimitExceeded "Cannot exceed quota for PolicySize: 6144". gen attaches each
 * user's document as a managed policy (aws_iam_policy), not inline.
 */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/** A policy's size as IAM counts it against its quota: the JSON without any white space. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

/** Why a statement would grant more than its intent: a wildcard action, or a resource beyond one bucket of the partition. */
export function wildcardProblems(document: PolicyDocument, partition: AwsPartition): string[] {
  const s3Arn = new RegExp(`^arn:${partition.id}:s3:::([^/]*)(?:/(.*))?$`);
  const problems: string[] = [];
  for (const s of document.Statement) {
    for (const a of s.Action) if (/[*?]/.test(a)) problems.push(`action ${a} is a wildcard`);
    for (const r of s.Resource) {
      // The only wildcard allowed is the trailing "all keys under the prefix" of an objects ARN.
      const m = s3Arn.exec(r);
      const bucket = m?.[1] ?? '';
      const key = m?.[2];
      if (!m || /[*?]/.test(bucket) || bucket === '' || (key !== undefined && /[*?]/.test(key.slice(0, -1)))) {
        problems.push(`resource ${r} is not limited to one bucket`);
      }
    }
  }
  return problems;
}
