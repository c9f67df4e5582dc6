// What the AWS and backup targets write is deterministic, LF-terminated,
// free of machine paths, and never holds a credential.
import { describe, expect, it } from 'vitest';
import { readExample, render } from '../helpers.js';
import { siteToSite } from './fixtures.js';

const mine = (path: string) => path.startsWith('aws/') || path.includes('/pbs/') || path.endsWith('/storage.cfg') || path.endsWith('/ipsec-steps.md');

describe.each([
  ['A', () => readExample('homelab')],
  ['C', () => readExample('aws-vpc')],
  ['site-to-site', siteToSite],
])('scenario %s output', (_name, text) => {
  it('is byte-identical on a second run, with LF line ends and one final newline', async () => {
    const first = await render(text());
    const second = await render(text());
    const files = [...first].filter(([p]) => mine(p));
    expect(files.length).toBeGreaterThan(3);
    for (const [path, content] of files) {
      expect(second.get(path), path).toBe(content);
      expect(content.endsWith('\n'), path).toBe(true);
      expect(content.endsWith('\n\n'), path).toBe(false);
      expect(content.includes('\r'), path).toBe(false);
    }
  });

  it('holds no absolute path of a machine and no credential', async () => {
    for (const [path, content] of await render(text())) {
      if (!mine(path)) continue;
      expect(content, path).not.toMatch(/(^|[\s"'(=])\/(work|tmp|home|root|Users)\//m);
      expect(content, path).not.toMatch(/\b(AKIA|ASIA)[0-9A-Z]{16}\b/);
      expect(content, path).not.toMatch(/(secret-key|preshared_key|password)\s*=?\s*(?!REPLACE-WITH-)[A-Za-z0-9/+]{30,}/i);
    }
  });
});
