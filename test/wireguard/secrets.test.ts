// Where the private keys live and how they are protected: like ssh, gen
// refuses a secrets directory or key that another user could swap or read,
// and names the chmod that fixes it; the keys never reach git; a topology
// that is a symbolic link is written through to its target.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trackedSecrets } from '../../src/io/tracked-secrets.js';
import { root } from '../helpers.js';
import { isRoot, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');
const KEY = '.secrets/home/wireguard/wg0/peers/kp.key';

function gen(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function git(cwd: string, ...args: string[]) {
  return spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
}

function scratch(): string {
  const dir = tempDir('gen-secrets-');
  copyFileSync(join(root, 'topology.yaml'), join(dir, 'topology.yaml'));
  return dir;
}

function withPeer(): string {
  const dir = scratch();
  expect(gen(dir, 'wg', 'add-peer', 'kp', '--role', 'workstation').code).toBe(0);
  return dir;
}

describe('the secrets directory, checked like ~/.ssh', () => {
  it('refuses a .secrets that is a symbolic link, and neither follows nor chmods it', () => {
    const dir = scratch();
    const elsewhere = tempDir('gen-elsewhere-');
    chmodSync(elsewhere, 0o755);
    // What looks like a temporary file of a killed run: recovery must not reach it through the link.
    writeFileSync(join(elsewhere, '.x.key.999999999-0123456789ab.tmp'), 'x\n');
    symlinkSync(elsewhere, join(dir, '.secrets'));
    const r = gen(dir, 'wg', 'add-peer', 'kp', '--role', 'workstation');
    expect([r.code, r.stderr]).toEqual([1, `gen: refusing .secrets: it is a symbolic link, and keys are kept only in a real directory: replace the link by the directory it points to (mv, then chmod 700 .secrets)\n`]);
    expect(statSync(elsewhere).mode & 0o777).toBe(0o755);
    expect(readdirSync(elsewhere)).toEqual(['.x.key.999999999-0123456789ab.tmp']);
    expect(gen(dir, 'wg', 'export', 'laptop-john').stderr).toMatch(/^gen: refusing \.secrets: it is a symbolic link/);
    expect(readFileSync(join(dir, 'topology.yaml'), 'utf8')).toBe(readFileSync(join(root, 'topology.yaml'), 'utf8'));
  });

  it('refuses a directory of the tree that group or others can write, with the chmod that fixes it', () => {
    const dir = withPeer();
    chmodSync(join(dir, '.secrets/home/wireguard'), 0o777);
    const r = gen(dir, 'wg', 'export', 'kp');
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', 'gen: refusing .secrets/home/wireguard: it is writable by group or others (mode 0777), so another user could replace a key: chmod 700 .secrets/home/wireguard\n']);
    chmodSync(join(dir, '.secrets/home/wireguard'), 0o700);
    expect(gen(dir, 'wg', 'export', 'kp').code).toBe(0);
  });

  it('refuses a key file that group or others can read, or a link in its place', () => {
    const dir = withPeer();
    chmodSync(join(dir, KEY), 0o644);
    const readable = gen(dir, 'wg', 'export', 'kp');
    expect([readable.code, readable.stdout, readable.stderr]).toEqual([1, '', `gen: refusing ${KEY}: it is readable or writable by group or others (mode 0644): chmod 600 ${KEY}\n`]);
    chmodSync(join(dir, KEY), 0o600);
    expect(gen(dir, 'wg', 'export', 'kp').code).toBe(0);
    renameSync(join(dir, KEY), join(dir, 'kp.key'));
    symlinkSync(join(dir, 'kp.key'), join(dir, KEY));
    const linked = gen(dir, 'wg', 'export', 'kp');
    expect([linked.code, linked.stderr]).toEqual([1, `gen: refusing ${KEY}: it is a symbolic link; a private key must be a regular file of its own (mode 0600)\n`]);
  });

  it('makes its directories 0700 and keys 0600, even under umask 000', () => {
    const dir = scratch();
    const r = spawnSync('sh', ['-c', `umask 000 && "${process.execPath}" "${bin}" wg add-peer kp --role workstation && "${process.execPath}" "${bin}" build`], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const d of ['.secrets', '.secrets/home', '.secrets/home/wireguard', '.secrets/home/wireguard/wg0', '.secrets/home/wireguard/wg0/peers']) expect([d, statSync(join(dir, d)).mode & 0o777]).toEqual([d, 0o700]);
    expect(statSync(join(dir, KEY)).mode & 0o777).toBe(0o600);
    for (const d of ['out', 'out/aws', 'out/aws/terraform', 'out/home/wireguard']) expect([d, statSync(join(dir, d)).mode & 0o777]).toEqual([d, 0o755]);
    expect(statSync(join(dir, 'out/plan.json')).mode & 0o777).toBe(0o644);
  });

  const whyRoot = isRoot ? undefined : 'needs root';
  it.skipIf(whyRoot)(titled("refuses a key that belongs to another user", whyRoot), () => {
    const dir = withPeer();
    chownSync(join(dir, KEY), 65534, 65534);
    const r = gen(dir, 'wg', 'export', 'kp');
    expect([r.code, r.stderr]).toEqual([1, `gen: refusing ${KEY}: it belongs to another user (uid 65534), who could read or replace the keys: chown 0 ${KEY}\n`]);
  });
});

describe('private keys never reach git', () => {
  it('the secrets directory gen makes ignores itself, so `git add -A` leaves every key out', () => {
    const dir = scratch();
    expect(git(dir, 'init', '-q').status).toBe(0);
    expect(gen(dir, 'wg', 'add-peer', 'kp', '--role', 'workstation').code).toBe(0);
    expect(readFileSync(join(dir, '.secrets/.gitignore'), 'utf8')).toBe('*\n');
    expect(git(dir, 'add', '-A').status).toBe(0);
    expect(git(dir, 'ls-files').stdout.split('\n').filter((f) => f.startsWith('.secrets'))).toEqual([]);
  });

  it('gen init writes a .gitignore for the secrets and Terraform state, and adds only missing lines to an existing one', () => {
    const dir = tempDir('gen-init-ignore-');
    expect(git(dir, 'init', '-q').status).toBe(0);
    const init = gen(dir, 'init');
    expect(init.code).toBe(0);
    const ignore = readFileSync(join(dir, '.gitignore'), 'utf8');
    for (const line of ['.secrets/', '*.tfstate', '*.tfstate.*', '.terraform/', '*.auto.tfvars', 'terraform.tfvars']) expect(ignore.split('\n')).toContain(line);
    expect(gen(dir, 'wg', 'add-peer', 'kp', '--role', 'workstation').code).toBe(0);
    expect(gen(dir, 'build').code).toBe(0);
    writeFileSync(join(dir, 'out/aws/terraform/terraform.tfstate'), '{}\n');
    writeFileSync(join(dir, 'out/aws/terraform/terraform.tfstate.backup'), '{}\n');
    mkdirSync(join(dir, 'out/aws/terraform/.terraform'));
    writeFileSync(join(dir, 'out/aws/terraform/.terraform/x'), 'x\n');
    writeFileSync(join(dir, 'out/aws/terraform/terraform.tfvars'), 'x = 1\n');
    // gen's own .secrets/.gitignore is not there: the repository's .gitignore alone must keep the keys out.
    spawnSync('rm', [join(dir, '.secrets/.gitignore')]);
    expect(git(dir, 'add', '-A').status).toBe(0);
    const tracked = git(dir, 'ls-files').stdout.split('\n');
    expect(tracked).toContain('out/aws/terraform/versions.tf');
    expect(tracked.filter((f) => /\.secrets|tfstate|\.terraform\/|tfvars/.test(f))).toEqual([]);

    const other = tempDir('gen-init-ignore-');
    writeFileSync(join(other, '.gitignore'), 'node_modules/\n*.tfstate');
    expect(gen(other, 'init').stderr).toContain('.gitignore (added the secrets directory and Terraform state)');
    const merged = readFileSync(join(other, '.gitignore'), 'utf8');
    expect(merged.startsWith('node_modules/\n*.tfstate\n# added by gen init\n')).toBe(true);
    expect(merged.split('\n').filter((l) => l === '*.tfstate')).toHaveLength(1);
    expect(merged.split('\n')).toContain('.secrets/');
    expect(gen(other, 'init', '--force').code).toBe(0);
    expect(readFileSync(join(other, '.gitignore'), 'utf8')).toBe(merged);
  });

  it('gen lint reports a tracked file of the secrets directory as an error, only in a git work tree', () => {
    const dir = withPeer();
    expect(gen(dir, 'lint').code).toBe(0);
    expect(git(dir, 'init', '-q').status).toBe(0);
    expect(gen(dir, 'lint').code).toBe(0);
    expect(git(dir, 'add', '-f', KEY).status).toBe(0);
    const r = gen(dir, 'lint', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.diagnostics).toEqual([
      expect.objectContaining({ rule: 'secrets/tracked', severity: 'error', message: `git tracks a file of the secrets directory .secrets (${KEY}): the private keys would be committed` }),
    ]);
    expect(git(dir, 'rm', '-q', '--cached', KEY).status).toBe(0);
    expect(gen(dir, 'lint').code).toBe(0);
  });

  it('finds tracked files when git lists more than a mebibyte of them', async () => {
    const dir = scratch();
    expect(git(dir, 'init', '-q').status).toBe(0);
    const secrets = join(dir, '.secrets');
    mkdirSync(secrets);
    // 4,500 names of 240 characters: 1.1 MB of listing, past the 1 MiB Node reads from a child by default.
    for (let i = 0; i < 4500; i++) writeFileSync(join(secrets, `${String(i).padStart(5, '0')}${'k'.repeat(235)}`), '');
    expect(git(dir, 'add', '-f', '.secrets').status).toBe(0);
    expect(await trackedSecrets(join(dir, 'topology.yaml'), secrets)).toHaveLength(4500);
  });
});

describe('a topology that is a symbolic link', () => {
  it('is written through: the link stays, its target gets the change and keeps its mode', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'shared'));
    renameSync(join(dir, 'topology.yaml'), join(dir, 'shared', 'site.yaml'));
    chmodSync(join(dir, 'shared', 'site.yaml'), 0o640);
    symlinkSync('shared/site.yaml', join(dir, 'topology.yaml'));
    expect(gen(dir, 'wg', 'add-peer', 'kp', '--role', 'workstation').code).toBe(0);
    expect(lstatSync(join(dir, 'topology.yaml')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'topology.yaml'))).toBe('shared/site.yaml');
    expect(readFileSync(join(dir, 'shared', 'site.yaml'), 'utf8')).toContain('- name: kp');
    expect(statSync(join(dir, 'shared', 'site.yaml')).mode & 0o777).toBe(0o640);
    expect(readdirSync(join(dir, 'shared'))).toEqual(['site.yaml']);
    expect(existsSync(join(dir, '.secrets', 'home/wireguard/wg0/peers/kp.key'))).toBe(true);
  });
});
