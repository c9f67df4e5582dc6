// A character no generated file can hold (half of a surrogate pair, a
// control character, U+FFFE/U+FFFF) is refused once, at load, in every
// string of the topology, at the value or key that holds it: before, only
// the XML and IAM targets refused it, and the others wrote U+FFFD while
// plan.json kept the escape.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../src/pipeline.js';
import { lint, readExample, render, root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');

/** The 1-based line and column where `needle` starts in `text`. */
function at(text: string, needle: string): { line: number; col: number } {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`${needle} is not in the text`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

/** `text` with `from` replaced by `to`; `from` must be there. */
function swap(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`${from} is not in the text`);
  return text.replace(from, () => to);
}

const UPSTREAM = 'description: the NAT router in front of the firewall; gen does not manage it';

describe('load/character', () => {
  it('refuses a lone surrogate in the upstream description: lint and build exit 1 at the value, and nothing is written', () => {
    const dir = tempDir('gen-char-');
    const text = swap(readExample('homelab'), UPSTREAM, 'description: "ISP box \\udc00"');
    writeFileSync(join(dir, 'topology.yaml'), text);
    const { line, col } = at(text, '"ISP box');
    const lint = spawnSync(process.execPath, [bin, 'lint'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(lint.status).toBe(1);
    expect(lint.stdout).toContain(
      `topology.yaml:${line}:${col}: error sites[0].firewall.upstream.description holds U+DC00, the second half of a surrogate pair without its first half: no generated file can hold it  [load/character]\n` +
        '  fix: Remove the escape, or write the whole character: as itself, as one escape of eight digits ("\\U0001F600"), or as both halves of its pair ("\\uD83D\\uDE00").\n',
    );
    const build = spawnSync(process.execPath, [bin, 'build'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(build.status).toBe(1);
    expect(build.stderr).toContain('gen: 1 error; nothing was written to out\n');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('refuses each kind in fields of every target, each at its value, all in one run', async () => {
    let text = swap(readExample('homelab'), UPSTREAM, 'description: "router \\ud800 one"');
    text = swap(text, 'description: WireGuard to the firewall WAN address', 'description: "forward \\a two"');
    text = swap(text, 'description: Proxmox Backup Server datastore', 'description: "bucket \\uFFFF three"');
    const cases = [
      ['"router', 'sites[0].firewall.upstream.description', 'U+D800', 'the first half of a surrogate pair without its second half'],
      ['"forward', 'sites[0].firewall.upstream.port_forwards[0].description', 'U+0007', 'a control character'],
      ['"bucket', 'aws.buckets[0].description', 'U+FFFF', 'a noncharacter'],
    ] as const;
    const diagnostics = await lint(text);
    expect(diagnostics.map((d) => [d.rule, d.location.line, d.location.col])).toEqual(cases.map(([needle]) => ['load/character', at(text, needle).line, at(text, needle).col]));
    expect(diagnostics.map((d) => d.message)).toEqual(cases.map(([, path, code, kind]) => `${path} holds ${code}, ${kind}: no generated file can hold it`));
    // Proxmox: an API token's description (a pveum comment before), and AWS: the VPC's (a Terraform tag before).
    for (const [example, edited, needle, path] of [
      ['vlan-hosting', swap(readExample('vlan-hosting'), 'description: WHMCS provisioning', 'description: "token \\udc00"'), '"token', 'sites[0].proxmox.api_tokens[0].description'],
      ['aws-vpc', swap(readExample('aws-vpc'), 'cidr: 10.30.0.0/16', 'cidr: 10.30.0.0/16\n    description: "vpc \\udfff"'), '"vpc', 'aws.vpc.description'],
    ] as const) {
      const found = await lint(edited);
      expect(found.map((d) => [d.rule, d.message.split(' holds ')[0], d.location.line, d.location.col]), example).toEqual([['load/character', path, at(edited, needle).line, at(edited, needle).col]]);
    }
  });

  it('refuses one in a key, at the key, and one written as the character itself', async () => {
    const keyed = swap(readExample('homelab'), 'version: 1', 'version: 1\n"x\\udc00": 1');
    const key = at(keyed, '"x');
    expect((await lint(keyed)).map((d) => [d.rule, d.message.split(' holds ')[0], d.location.line, d.location.col])).toEqual([['load/character', 'the key "x\\udc00" of the topology', key.line, key.col]]);
    // As given to lintText (no YAML escape: the JS string holds the half itself).
    const raw = swap(readExample('homelab'), UPSTREAM, 'description: router \udc00 raw');
    expect((await lint(raw)).map((d) => [d.rule, d.location.line])).toEqual([['load/character', at(raw, 'router \udc00').line]]);
  });

  it('shows a key on the way to a value escaped, never as the character it reports', async () => {
    const text = swap(readExample('homelab'), 'version: 1', 'version: 1\nx: { "a\\ud800": [ "\\u0001" ] }');
    const messages = (await lint(text)).filter((d) => d.rule === 'load/character').map((d) => d.message);
    expect(messages).toEqual([expect.stringMatching(/^the key "a\\ud800" of x holds U\+D800/), expect.stringMatching(/^x\."a\\ud800"\[0\] holds U\+0001/)]);
    for (const message of messages) expect(/[\ud800-\udfff\u0001]/.test(message), message).toBe(false);
  });

  it('keeps a whole pair, written as two escapes, as its character in every file', async () => {
    const text = swap(readExample('homelab'), UPSTREAM, 'description: "ISP box \\uD83D\\uDE00"');
    const { diagnostics } = await lintText(text);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const files = await render(text);
    expect(files.get('home/steps.md')).toContain('(ISP box \u{1F600})');
    expect(JSON.parse(files.get('plan.json')!).sites[0].upstream.description).toBe('ISP box \u{1F600}');
  });
});
