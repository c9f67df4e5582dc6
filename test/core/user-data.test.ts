// gen in a user's repository, as a careful user and as an attacker would
// try it: what --out and -o may replace, and what they must leave alone
// (the topology, the private keys, a git repository, Terraform's state).
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EARLIER_MANIFEST_MARKS, MANIFEST_MARK } from '../../src/manifest.js';
import { readExample, root, readTree as tree } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');

function gen(cwd: string, ...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
}

/**
 * A user's repository: git, the homelab topology, one peer with its private
 * key. Made once and copied for each case: the add-peer that makes it is a
 * process of gen's own, a fifth of a second of CPU.
 */
let madeRepository: string | undefined;
function repository(): string {
  if (madeRepository === undefined) {
    madeRepository = tempDir('gen-repo-');
    copyFileSync(join(root, 'topology.yaml'), join(madeRepository, 'topology.yaml'));
    cpSync(join(root, 'schema'), join(madeRepository, 'schema'), { recursive: true });
    expect(spawnSync('git', ['init', '-q'], { cwd: madeRepository }).status).toBe(0);
    expect(gen(madeRepository, 'wg', 'add-peer', 'kp', '--role', 'workstation').status).toBe(0);
  }
  const dir = tempDir('gen-repo-');
  cpSync(madeRepository, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

describe('gen build --out: only a directory gen wrote', () => {
  it('refuses `--out .` in a repository even with a MANIFEST there (touch MANIFEST), and changes nothing', () => {
    const dir = repository();
    writeFileSync(join(dir, 'MANIFEST'), '');
    const before = tree(dir);
    const r = gen(dir, 'build', '--out', '.');
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`gen: refusing to write to .: it holds the topology file topology.yaml, and gen owns the whole output directory (it removes every file there it no longer writes). Choose a directory of its own, such as out\n`);
    expect(tree(dir)).toEqual(before);
    expect(existsSync(join(dir, '.git', 'HEAD'))).toBe(true);
  });

  it('refuses a parent of the topology, and the secrets directory', () => {
    const dir = repository();
    mkdirSync(join(dir, 'infra'));
    copyFileSync(join(dir, 'topology.yaml'), join(dir, 'infra', 'topology.yaml'));
    expect(gen(join(dir, 'infra'), 'build', '--out', '..').stderr).toMatch(/refusing to write to \.\.: it holds the topology file topology\.yaml/);
    const secrets = gen(dir, 'build', '--out', '.secrets');
    expect([secrets.status, secrets.stderr]).toEqual([2, expect.stringMatching(/refusing to write to \.secrets: it holds the secrets directory/)]);
    expect(readdirSync(join(dir, '.secrets'))).toEqual(['.gitignore', 'home']);
  });

  it('refuses a folder with README and MANIFEST, and a tree of gen with a file it does not list, naming it', () => {
    const dir = repository();
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'README'), 'mine\n');
    writeFileSync(join(dir, 'docs', 'MANIFEST'), 'mine too\n');
    const foreign = gen(dir, 'build', '--out', 'docs');
    expect([foreign.status, foreign.stderr]).toEqual([2, expect.stringContaining("refusing to replace docs: its MANIFEST is not one gen writes")]);
    expect(gen(dir, 'build').status).toBe(0);
    writeFileSync(join(dir, 'out', 'NOTES'), 'mine\n');
    writeFileSync(join(dir, 'topology.yaml'), readFileSync(join(dir, 'topology.yaml'), 'utf8').replace('address: 10.0.1.3', 'address: 10.0.1.5'));
    const unlisted = gen(dir, 'build');
    expect([unlisted.status, unlisted.stderr]).toEqual([2, expect.stringContaining('refusing to replace out: it holds NOTES, which its MANIFEST does not list')]);
    expect(readFileSync(join(dir, 'out', 'NOTES'), 'utf8')).toBe('mine\n');
    expect(tree(join(dir, 'docs')).get('README')).toBe('mine\n');
  });

  it("keeps Terraform's working files across builds; --check and gen diff ignore them", () => {
    const dir = repository();
    expect(gen(dir, 'build').status).toBe(0);
    const wd = join(dir, 'out/aws/terraform');
    const state = '{"version": 4, "serial": 3, "resources": [{"type": "aws_s3_bucket"}]}\n';
    writeFileSync(join(wd, 'terraform.tfstate'), state, { mode: 0o600 });
    writeFileSync(join(wd, 'terraform.tfstate.backup'), state);
    mkdirSync(join(wd, '.terraform'));
    writeFileSync(join(wd, '.terraform', 'terraform.tfstate'), '{"backend": {}}\n');
    writeFileSync(join(wd, '.terraform.lock.hcl'), '# provider locks\n');
    writeFileSync(join(wd, 'prod.auto.tfvars'), 'x = 1\n');
    writeFileSync(join(wd, 'terraform.tfvars'), 'y = 2\n');
    expect(gen(dir, 'build', '--check')).toMatchObject({ status: 0, stdout: '', stderr: 'gen: out is current\n' });
    expect(gen(dir, 'build').stderr).toMatch(/^gen: out is current/);
    const base = join(dir, 'base');
    mkdirSync(base);
    copyFileSync(join(dir, 'topology.yaml'), join(base, 'topology.yaml'));
    writeFileSync(join(dir, 'topology.yaml'), readFileSync(join(dir, 'topology.yaml'), 'utf8').replace(/noncurrent_days: 30\b/, 'noncurrent_days: 45'));
    const diff = gen(dir, 'diff', '--base', 'base');
    expect(diff.status).toBe(0);
    expect(diff.stdout).toContain('+++ b/out/aws/terraform/s3.tf');
    expect(diff.stdout).not.toMatch(/tfstate|tfvars|\.terraform/);
    expect(gen(dir, 'build').status).toBe(0);
    expect(readFileSync(join(wd, 's3.tf'), 'utf8')).toContain('noncurrent_days = 45');
    expect(readFileSync(join(wd, 'terraform.tfstate'), 'utf8')).toBe(state);
    for (const f of ['terraform.tfstate.backup', '.terraform/terraform.tfstate', '.terraform.lock.hcl', 'prod.auto.tfvars', 'terraform.tfvars']) expect(existsSync(join(wd, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'out', 'MANIFEST'), 'utf8')).not.toMatch(/tfstate|tfvars|\.terraform/);
    expect(gen(dir, 'build', '--check').status).toBe(0);
  });
});

describe('-o: never over the topology, the keys, out/ or the base', () => {
  // One repository with a peer and a build, copied for each case.
  let template: string | undefined;
  function ready(): string {
    if (template === undefined) {
      template = repository();
      expect(gen(template, 'build').status).toBe(0);
    }
    const dir = tempDir('gen-repo-');
    cpSync(template, dir, { recursive: true, verbatimSymlinks: true });
    return dir;
  }

  it.each([
    [['wg', 'export', 'kp', '-o', 'topology.yaml'], 'it is the topology file'],
    [['wg', 'export', 'kp', '-o', '.secrets/home/wireguard/wg0/peers/kp.key'], 'it is inside the secrets directory .secrets'],
    [['wg', 'export', 'kp', '-o', '.secrets/new.conf'], 'it is inside the secrets directory .secrets'],
    [['wg', 'export', 'kp', '-o', 'out/home/wireguard/kp.conf'], 'it is inside the output tree'],
    [['wg', 'export', 'kp', '-o', 'out/new.conf'], 'it is inside the output tree'],
    [['wg', 'export-instance', '-o', 'topology.yaml'], 'it is the topology file'],
    [['graph', '-o', 'topology.yaml'], 'it is the topology file'],
    [['graph', '-o', 'out/graph.md'], 'it is inside the output tree'],
    [['wg', 'export', 'kp', '-o', 'link-to-topology'], 'it is the topology file'],
    [['wg', 'export', 'kp', '-o', 'elsewhere/kp.conf'], 'it is inside the output tree'],
    [['init', '-o', '.secrets/topology.yaml'], 'it is inside a secrets directory'],
  ])('refuses %j and leaves everything as it was', (args, why) => {
    const dir = ready();
    symlinkSync('topology.yaml', join(dir, 'link-to-topology'));
    symlinkSync('out/home/wireguard', join(dir, 'elsewhere'));
    const before = tree(dir);
    const r = gen(dir, ...args);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(new RegExp(`^gen: refusing to write \\S+: ${why.replace(/[.]/g, '\\.')}`));
    expect(tree(dir)).toEqual(before);
  });

  it.each(EARLIER_MANIFEST_MARKS)("an out/ an earlier gen wrote (first line %j): still gen's to -o, and gen build takes it over, writing today's mark", (mark) => {
    const dir = ready();
    const manifest = join(dir, 'out', 'MANIFEST');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(`${MANIFEST_MARK}\n`, `${mark}\n`));
    const before = tree(dir);
    const refused = gen(dir, 'wg', 'export', 'kp', '-o', 'out/new.conf');
    expect([refused.status, refused.stderr]).toEqual([2, expect.stringMatching(/^gen: refusing to write \S+: it is inside the output tree/)]);
    expect(tree(dir)).toEqual(before);
    const built = gen(dir, 'build');
    expect([built.status, built.stderr]).toEqual([0, expect.not.stringContaining('refusing')]);
    expect(readFileSync(manifest, 'utf8').split('\n')[0]).toBe(MANIFEST_MARK);
    expect(gen(dir, 'build', '--check').status).toBe(0);
  });

  it('refuses an existing file without --force, replaces it atomically (0600) with --force', () => {
    const dir = ready();
    writeFileSync(join(dir, 'kp.conf'), 'mine\n', { mode: 0o644 });
    const refused = gen(dir, 'wg', 'export', 'kp', '-o', 'kp.conf');
    expect([refused.status, refused.stderr]).toEqual([2, 'gen: refusing to write kp.conf: it exists; use --force to replace it\n']);
    expect(readFileSync(join(dir, 'kp.conf'), 'utf8')).toBe('mine\n');
    const inode = statSync(join(dir, 'kp.conf')).ino;
    expect(gen(dir, 'wg', 'export', 'kp', '-o', 'kp.conf', '--force').status).toBe(0);
    expect(readFileSync(join(dir, 'kp.conf'), 'utf8')).toMatch(/^\[Interface\]\nPrivateKey = /m);
    expect(statSync(join(dir, 'kp.conf')).ino).not.toBe(inode);
    expect(statSync(join(dir, 'kp.conf')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((e) => e.endsWith('.tmp'))).toEqual([]);
    // A device is never replaced, with --force or not.
    expect(gen(dir, 'graph', '-o', '/dev/null', '--force')).toMatchObject({ status: 2, stderr: expect.stringContaining('it is not a regular file') });
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('gen opnsense merge refuses -o equal to --base, even with --force, and through a link', () => {
    const dir = ready();
    writeFileSync(join(dir, 'config.xml'), '<?xml version="1.0"?>\n<opnsense><system/></opnsense>\n');
    symlinkSync('config.xml', join(dir, 'again.xml'));
    for (const out of ['config.xml', './config.xml', 'again.xml']) {
      const r = gen(dir, 'opnsense', 'merge', '--base', 'config.xml', '-o', out, '--force');
      expect([r.status, r.stderr]).toEqual([2, `gen: refusing to write ${out}: it is the base backup (--base), which this command reads\n`]);
    }
    expect(readFileSync(join(dir, 'config.xml'), 'utf8')).toBe('<?xml version="1.0"?>\n<opnsense><system/></opnsense>\n');
  });

  it('a missing directory of -o is one sentence with exit 1', () => {
    const dir = ready();
    const r = gen(dir, 'graph', '-o', 'no/such/dir/graph.md');
    expect([r.status, r.stderr]).toEqual([1, 'gen: cannot write no/such/dir/graph.md: its directory no/such/dir does not exist\n']);
  });
});

describe('-o: a symbolic link planted after the check', () => {
  // gen opnsense merge checks -o, reads the base, then waits for the topology's lock: a link made at -o in that
  // wait used to be followed, so the merged config replaced whatever it pointed at (here the instance's private key).
  async function mergeWithPlant(force: boolean) {
    const dir = tempDir('gen-plant-');
    copyFileSync(join(root, 'topology.yaml'), join(dir, 'topology.yaml'));
    cpSync(join(root, 'schema'), join(dir, 'schema'), { recursive: true });
    expect(gen(dir, 'wg', 'keygen', '--instance', 'wg0', '--force').status).toBe(0);
    const key = join(dir, '.secrets/home/wireguard/wg0.key');
    const keyText = readFileSync(key, 'utf8');
    const base = join(dir, 'config.xml');
    copyFileSync(join(root, 'test/opnsense/models/26.7/config.xml.sample'), base);
    // Reading the base comes after the check: an atime in the past moves when gen reads it (relatime).
    const past = new Date(Date.now() - 3 * 86_400_000);
    utimesSync(base, past, past);
    if (force) writeFileSync(join(dir, 'merged.xml'), 'an earlier merge\n');
    // A live process (this one) holds the lock: gen waits for it.
    const lock = join(dir, '.topology.yaml.lock');
    writeFileSync(lock, `${process.pid} test\n`);
    const child = spawn(process.execPath, [bin, 'opnsense', 'merge', '--base', 'config.xml', '-o', 'merged.xml', '--allow-gui-port-conflict', ...(force ? ['--force'] : [])], { cwd: dir, env: { ...process.env, GEN_LOCK_WAIT_MS: '30000' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const deadline = Date.now() + 10_000;
    while (statSync(base).atimeMs <= past.getTime() + 1000 && Date.now() < deadline) await sleep(20);
    rmSync(join(dir, 'merged.xml'), { force: true });
    symlinkSync(key, join(dir, 'merged.xml'));
    rmSync(lock);
    const status = await exited;
    return { dir, key, keyText, status, stderr };
  }

  for (const force of [false, true]) {
    it(`${force ? 'with --force (over an earlier merge)' : 'without --force'}: refused, the link and its target left as they are`, async () => {
      const r = await mergeWithPlant(force);
      expect(r.status).toBe(2);
      expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^gen: refusing to write .*merged\.xml: a symbolic link appeared there while gen was working; nothing was written$/);
      expect(readFileSync(r.key, 'utf8')).toBe(r.keyText);
      expect(lstatSync(join(r.dir, 'merged.xml')).isSymbolicLink()).toBe(true);
      expect(readdirSync(r.dir).filter((e) => e.endsWith('.tmp'))).toEqual([]);
    });
  }
});

describe('gen build --check writes nothing', () => {
  it('not even the per-user staging directory, when out/ is missing and TMPDIR is fresh', () => {
    const dir = repository();
    const tmp = tempDir('gen-check-tmp-');
    const before = tree(dir);
    const r = spawnSync(process.execPath, [bin, 'build', '--check'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/out/);
    expect(readdirSync(tmp)).toEqual([]);
    expect(tree(dir)).toEqual(before);
  });
});
