// Least-privilege IAM from a user's declared intents: which S3 actions each
// intent means, on which resources, and what counts as wider than an
// intent. The renderer writes these documents and the lint rule checks
// them; both read this one definition.
import type { IamUser } from '../../model.js';

type Intent = IamUser['intents'][number]['intent'];

/** Object-level and bucket-level actions per intent (seed 001's policy for backup-writer). */
const INTENT_ACTIONS: Record<Intent, { objects: string[]; bucket: string[] }> = {
  'backup-writer': { objects: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], bucket: ['s3:ListBucket', 's3:GetBucketLocation'] },
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

export const bucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;
export const objectsArn = (bucket: string, prefix = ''): string => `arn:aws:s3:::${bucket}/${prefix}*`;

function sidPart(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

const ordered = (actions: Iterable<string>) => [...new Set(actions)].sort((a, b) => ACTION_ORDER.indexOf(a) - ACTION_ORDER.indexOf(b));

export function policyDocument(user: IamUser): PolicyDocument {
  // Intents on the same bucket and prefix share their statements.
  const groups = new Map<string, { bucket: string; prefix?: string; objects: Set<string>; bucketActions: Set<string> }>();
  for (const intent of user.intents) {
    const key = `${intent.bucket}\u0000${intent.prefix ?? ''}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { bucket: intent.bucket, prefix: intent.prefix || undefined, objects: new Set(), bucketActions: new Set() }));
    for (const a of INTENT_ACTIONS[intent.intent].objects) group.objects.add(a);
    for (const a of INTENT_ACTIONS[intent.intent].bucket) group.bucketActions.add(a);
  }
  const statements: PolicyStatement[] = [];
  const sids = new Set<string>();
  const sid = (text: string) => {
    let s = text;
    for (let n = 2; sids.has(s); n++) s = `${text}${n}`;
    sids.add(s);
    return s;
  };
  for (const g of groups.values()) {
    const name = sidPart(g.bucket) + (g.prefix ? sidPart(g.prefix) : '');
    statements.push({ Sid: sid(`Objects${name}`), Effect: 'Allow', Action: ordered(g.objects), Resource: [objectsArn(g.bucket, g.prefix)] });
    const bucketStatement: PolicyStatement = { Sid: sid(`Bucket${name}`), Effect: 'Allow', Action: ordered(g.bucketActions), Resource: [bucketArn(g.bucket)] };
    // Listing is limited to the prefix the objects are limited to.
    if (g.prefix && g.bucketActions.has('s3:ListBucket')) bucketStatement.Condition = { StringLike: { 's3:prefix': [`${g.prefix}*`] } };
    statements.push(bucketStatement);
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** Why a statement would grant more than its intent: a wildcard action or resource. */
export function wildcardProblems(document: PolicyDocument): string[] {
  const problems: string[] = [];
  for (const s of document.Statement) {
    for (const a of s.Action) if (/[*?]/.test(a)) problems.push(`action ${a} is a wildcard`);
    for (const r of s.Resource) {
      // The only wildcard allowed is the trailing "all keys under the prefix" of an objects ARN.
      const m = /^arn:aws:s3:::([^/]*)(?:\/(.*))?$/.exec(r);
      const bucket = m?.[1] ?? '';
      const key = m?.[2];
      if (!m || /[*?]/.test(bucket) || bucket === '' || (key !== undefined && /[*?]/.test(key.slice(0, -1)))) {
        problems.push(`resource ${r} is not limited to one bucket`);
      }
    }
  }
  return problems;
}
