// A file written with a private key in it (-o of gen wg export,
// export-instance and gen opnsense merge) that lands in a git work tree
// where nothing ignores it: `git add -A` would commit the key. gen says so
// when it writes the file, and only then (git itself is the judge).
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { gen, topologyCases } from './cli.js';

const newCase = topologyCases('gen-git-exposure-');

/** The paths `git add -A` would stage in `dir`, as git itself lists them. */
function wouldCommit(dir: string): string[] {
  const result = spawnSync('git', ['add', '-A', '--dry-run'], { cwd: dir, encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout.split('\n').filter(Boolean).map((line) => line.replace(/^add '(.*)'$/, '$1'));
}

async function repositoryWithKeys() {
  const c = newCase();
  expect(spawnSync('git', ['init', '-q'], { cwd: c.dir }).status).toBe(0);
  expect((await gen('wg', 'keygen', '--instance', 'wg0', '--force', '-f', c.topology)).code).toBe(0);
  expect((await gen('wg', 'add-peer', 'pixel-anna', '--role', 'mobile', '-f', c.topology)).code).toBe(0);
  return c;
}

const warning = (file: string, dir: string) => new RegExp(`^gen: warning: ${file.replace(/[.]/g, '\\.')} holds .* and lies in the git work tree ${dir}, where nothing ignores it: git add -A would commit it`, 'm');

describe('a file with a private key in a git work tree', () => {
  it('gen wg export and export-instance warn when git would commit the file, not when it is ignored or outside', async () => {
    const c = await repositoryWithKeys();
    for (const [args, name] of [[['export', 'pixel-anna'], 'anna.png'], [['export', 'pixel-anna'], 'anna.conf'], [['export-instance'], 'wg0.conf']] as const) {
      const file = join(c.dir, name);
      const result = await gen('wg', ...args, '-f', c.topology, '-o', file);
      expect(result.code).toBe(0);
      expect(wouldCommit(c.dir)).toContain(name);
      expect(result.stderr).toMatch(warning(file, c.dir));
      appendFileSync(join(c.dir, '.gitignore'), `${name}\n`);
      const ignored = await gen('wg', ...args, '-f', c.topology, '-o', file, '--force');
      expect(wouldCommit(c.dir)).not.toContain(name);
      expect([ignored.code, ignored.stderr]).toEqual([0, expect.not.stringContaining('warning')]);
    }
    // The keys themselves: the secrets directory ignores itself.
    expect(wouldCommit(c.dir).filter((path) => path.startsWith('.secrets'))).toEqual([]);
  });

  it('a key written into a secrets directory made by hand, which nothing ignores, is named with the line that ignores it', async () => {
    const c = newCase();
    expect(spawnSync('git', ['init', '-q'], { cwd: c.dir }).status).toBe(0);
    // Made by hand, as `mkdir -m 700 .secrets` does: no .gitignore of gen's in it.
    mkdirSync(c.secrets, { mode: 0o700 });
    const runs = [
      { args: ['keygen', '--instance', 'wg0', '--force'], key: '.secrets/home/wireguard/wg0.key' },
      { args: ['add-peer', 'pixel-anna', '--role', 'mobile'], key: '.secrets/home/wireguard/wg0/peers/pixel-anna.key' },
      { args: ['rotate', 'laptop-john'], key: '.secrets/home/wireguard/wg0/peers/laptop-john.key' },
      { args: ['psk', 'laptop-john'], key: '.secrets/home/wireguard/wg0/peers/laptop-john.psk' },
      { args: ['add-peer', 'pixel-bob', '--role', 'mobile', '--preshared-key'], key: '.secrets/home/wireguard/wg0/peers/pixel-bob.psk' },
    ];
    for (const run of runs) {
      const result = await gen('wg', ...run.args, '-f', c.topology);
      expect(result.code).toBe(0);
      // git itself is the judge: the key is one `git add -A` away from a commit, and gen says so.
      expect(wouldCommit(c.dir)).toContain(run.key);
      expect(result.stderr).toMatch(warning(join(c.secrets, run.key.slice('.secrets/'.length)), c.dir));
      if (run.key.endsWith('.psk')) expect(result.stderr).toContain(`${join(c.secrets, run.key.slice('.secrets/'.length))} holds a pre-shared key and lies in`);
    }
    // The command the warning names ignores every key, and then there is nothing to say.
    const fix = /echo '\*' >> (\S+)$/m.exec((await gen('wg', 'rotate', 'laptop-john', '-f', c.topology)).stderr)!;
    expect(fix[1]).toBe(join(c.secrets, '.gitignore'));
    appendFileSync(fix[1]!, '*\n');
    expect(wouldCommit(c.dir).filter((path) => path.startsWith('.secrets'))).toEqual([]);
    const rotated = await gen('wg', 'rotate', 'laptop-john', '-f', c.topology);
    expect([rotated.code, rotated.stderr]).toEqual([0, expect.not.stringContaining('warning')]);
  });

  it('outside a work tree there is nothing to say', async () => {
    const c = newCase();
    expect((await gen('wg', 'add-peer', 'pixel-anna', '--role', 'mobile', '-f', c.topology)).code).toBe(0);
    expect(spawnSync('git', ['rev-parse'], { cwd: c.dir }).status).not.toBe(0);
    const result = await gen('wg', 'export', 'pixel-anna', '-f', c.topology, '-o', join(c.dir, 'anna.conf'));
    expect([result.code, result.stderr]).toEqual([0, expect.not.stringContaining('warning')]);
  });

  it('gen opnsense merge warns for a merged config.xml that git would commit', async () => {
    const c = await repositoryWithKeys();
    const base = join(c.dir, 'backup.xml');
    // The factory config with the web GUI off the ports HAProxy binds.
    const factory = readFileSync(join(root, 'test/opnsense/models/26.7/config.xml.sample'), 'utf8');
    writeFileSync(base, factory.replace('<protocol>https</protocol>', '<protocol>https</protocol>\n      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>'));
    appendFileSync(join(c.dir, '.gitignore'), 'backup.xml\n');
    const out = join(c.dir, 'merged.xml');
    const result = await gen('opnsense', 'merge', '-f', c.topology, '--base', base, '-o', out);
    expect(result.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/<privkey>[A-Za-z0-9+/]{43}=<\/privkey>/);
    expect(wouldCommit(c.dir)).toContain('merged.xml');
    expect(result.stderr).toMatch(warning(out, c.dir));
    expect(result.stderr).not.toMatch(warning(base, c.dir));
  });
});
