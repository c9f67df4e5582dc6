// Problems of the environment and of the command line, as users meet
// them: one plain sentence naming the path, exit 1 for the environment (a
// full or read-only disk, no permission, a closed pipe), exit 2 for usage;
// never "internal error", a stack trace or a crash of the runtime. Inputs
// are bounded before gen reads or works on them.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { edit, lineOfText, readExample, root, shortTunnelNames } from '../helpers.js';
import { isRoot, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');

function gen(cwd: string, args: string[], options: { env?: NodeJS.ProcessEnv; uid?: number } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...options.env }, uid: options.uid, gid: options.uid, timeout: 60_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function scratch(mode = 0o700): string {
  const dir = tempDir('gen-messages-');
  chmodSync(dir, mode);
  copyFileSync(join(root, 'topology.yaml'), join(dir, 'topology.yaml'));
  chmodSync(join(dir, 'topology.yaml'), 0o644);
  return dir;
}

const ONE_SENTENCE = /^gen: [^\n]+\n$/;

// As root, the mode bits do not apply: run gen as an unprivileged user then (also when a root run plays a user's, GEN_TEST_AS_USER).
const asUser = process.getuid?.() === 0 ? { uid: 65534 } : {};

describe('environment failures: one sentence naming the path, exit 1', () => {
  it('no permission to write the output directory', () => {
    const dir = scratch(0o755);
    mkdirSync(join(dir, 'locked'), { mode: 0o555 });
    chmodSync(join(dir, 'locked'), 0o555);
    const r = gen(dir, ['build', '--out', 'locked/out'], asUser);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toMatch(ONE_SENTENCE);
    expect(r.stderr).toBe('gen: cannot write locked/out: permission denied (EACCES)\n');
  });

  it('a directory inside out/ gen may not read: named, not out/ as a whole', () => {
    const dir = scratch(0o777);
    const first = gen(dir, ['build', '-q'], asUser);
    expect(first.code).toBe(0);
    chmodSync(join(dir, 'out/home'), 0o000);
    const r = gen(dir, ['build'], asUser);
    chmodSync(join(dir, 'out/home'), 0o755);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toBe('gen: cannot list out/home: permission denied (EACCES)\n');
  });

  it('a topology gen may not read: a located diagnostic, exit 1', () => {
    const dir = scratch(0o755);
    chmodSync(join(dir, 'topology.yaml'), 0o000);
    const r = gen(dir, ['lint', '--format', 'json'], asUser);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).diagnostics).toEqual([
      expect.objectContaining({ rule: 'load/read', message: 'cannot read topology.yaml: permission denied (EACCES)', location: { file: 'topology.yaml', line: 1, col: 1 } }),
    ]);
    // The fix is the file's mode (or the user), not another path: the file is there.
    expect(JSON.parse(r.stdout).diagnostics[0].hint).toBe('Let this user read it (ls -l topology.yaml; chmod a+r topology.yaml, or its directory a+x), or run gen as the user who owns it.');
    chmodSync(join(dir, 'topology.yaml'), 0o644);
    expect(gen(dir, ['lint', '-q'], asUser).code).toBe(0);
  });

  it('a closed pipe (gen graph | head -0) ends quietly', async () => {
    const dir = scratch();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'graph'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (c) => resolve({ code: c, stderr: err }));
    });
    expect([code, stderr]).toEqual([0, '']);
  });

  it('a closed pipe (gen build | head -0) ends with the build done; progress is on stderr', async () => {
    const dir = scratch();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'build', '-q'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (c) => resolve({ code: c, stderr: err }));
    });
    expect([code, stderr]).toEqual([0, '']);
    expect(readdirSync(join(dir, 'out'))).toContain('MANIFEST');
  });

  it('standard output on a full disk (> /dev/full)', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" rules > /dev/full`], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([1, 'gen: cannot write to standard output: no space left on the device (ENOSPC)\n']);
  });
});

const whyRoot = isRoot ? undefined : 'needs root';

describe.skipIf(whyRoot)(titled('full and read-only file systems (tmpfs)', whyRoot), () => {
  const full = tempDir('gen-full-');
  const readOnly = tempDir('gen-ro-');
  beforeAll(() => {
    for (const [dir, options] of [[full, 'size=64k'], [readOnly, 'size=64k,ro']] as const) {
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mount: ${r.stderr}`);
    }
  });
  afterAll(() => {
    for (const dir of [full, readOnly]) {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ENOSPC: the build fails in one sentence, leaving no part of a tree', () => {
    const dir = scratch();
    const r = gen(dir, ['build', '--out', join(full, 'out')]);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toMatch(ONE_SENTENCE);
    expect(r.stderr).toMatch(/no space left on the device \(ENOSPC\)\n$/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(readdirSync(full).filter((e) => e !== 'lost+found')).toEqual([]);
  });

  it('EROFS: one sentence for the build and for a key command; reading the keys still works', () => {
    const dir = scratch();
    const built = gen(dir, ['build', '--out', join(readOnly, 'out')]);
    expect([built.code, built.stderr]).toEqual([1, `gen: cannot write ${join(readOnly, 'out')}: the file system is read-only (EROFS)\n`]);
    const ro = join(readOnly, '..', `${readOnly.split('/').pop()}-topology`);
    mkdirSync(ro);
    expect(gen(dir, ['wg', 'add-peer', 'kp', '--role', 'workstation']).code).toBe(0);
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', ro]);
    try {
      spawnSync('cp', ['-a', join(dir, 'topology.yaml'), join(dir, '.secrets'), ro]);
      spawnSync('mount', ['-o', 'remount,ro', ro]);
      const r = gen(ro, ['wg', 'add-peer', 'kp2', '--role', 'workstation']);
      expect([r.code, r.stderr]).toEqual([1, `gen: cannot create the lock file ${join(ro, '.topology.yaml.lock')}: the file system is read-only (EROFS)\n`]);
      // A command that only reads the keys works in a read-only checkout.
      const exported = gen(ro, ['wg', 'export', 'kp']);
      expect([exported.code, exported.stderr]).toEqual([0, '']);
      expect(exported.stdout).toMatch(/^PrivateKey = [A-Za-z0-9+/]{43}=$/m);
    } finally {
      spawnSync('umount', [ro]);
      rmSync(ro, { recursive: true, force: true });
    }
  });

  it('ENOSPC: the commands that only read the keys work on a full disk, where no lock file can be made', () => {
    const dir = scratch();
    expect(gen(dir, ['wg', 'keygen', '--instance', 'wg0', '--force']).code).toBe(0);
    expect(gen(dir, ['wg', 'add-peer', 'kp', '--role', 'workstation']).code).toBe(0);
    const project = join(full, 'project');
    mkdirSync(project);
    try {
      spawnSync('cp', ['-a', join(dir, 'topology.yaml'), join(dir, '.secrets'), project]);
      // Every block taken: zeros up to ENOSPC.
      spawnSync('sh', ['-c', `cat /dev/zero > "${join(full, 'filler')}"`]);
      const edit = gen(project, ['wg', 'add-peer', 'kp2', '--role', 'workstation']);
      expect([edit.code, edit.stderr]).toEqual([1, `gen: cannot create the lock file ${join(project, '.topology.yaml.lock')}: no space left on the device (ENOSPC)\n`]);
      const exported = gen(project, ['wg', 'export', 'kp']);
      expect([exported.code, exported.stderr]).toEqual([0, '']);
      expect(exported.stdout).toMatch(/^PrivateKey = [A-Za-z0-9+/]{43}=$/m);
      const instance = gen(project, ['wg', 'export-instance']);
      expect([instance.code, instance.stderr]).toEqual([0, '']);
      expect(instance.stdout).toMatch(/^PrivateKey = [A-Za-z0-9+/]{43}=$/m);
      const listed = gen(project, ['wg', 'list', '--format', 'json']);
      expect([listed.code, listed.stderr]).toEqual([0, '']);
      expect(JSON.parse(listed.stdout).peers.find((p: { name: string }) => p.name === 'kp').key.state).toBe('present');
      expect(readdirSync(project).sort()).toEqual(['.secrets', 'topology.yaml']);
    } finally {
      rmSync(join(full, 'filler'), { force: true });
      rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('inputs are bounded before they are read', () => {
  it('a device or a named pipe is refused at once (exit 2), never read', () => {
    const dir = scratch();
    const zero = gen(dir, ['lint', '/dev/zero']);
    expect([zero.code, zero.stderr]).toEqual([2, 'gen: cannot read /dev/zero: it is a character device, not a topology file\n']);
    spawnSync('mkfifo', [join(dir, 'pipe.yaml')]);
    const fifo = gen(dir, ['build', 'pipe.yaml']);
    expect([fifo.code, fifo.signal, fifo.stderr]).toEqual([2, null, 'gen: cannot read pipe.yaml: it is a named pipe, not a topology file\n']);
    const directory = gen(dir, ['lint', '.']);
    expect([directory.code, directory.stderr]).toEqual([2, 'gen: cannot read .: it is a directory, not a topology file\n']);
  });

  it('a file above the size limit is refused before it is read (16 MiB, or GEN_MAX_INPUT_BYTES)', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'big.yaml'), `${readExample('homelab')}# ${'x'.repeat(17 * 1024 * 1024)}\n`);
    const big = gen(dir, ['lint', 'big.yaml']);
    expect(big.code).toBe(1);
    expect(big.stdout).toMatch(/^big\.yaml:1:1: error big\.yaml is 17\.0 MiB; gen reads files up to 16\.0 MiB \(set GEN_MAX_INPUT_BYTES to raise the limit\) {2}\[load\/limit\]/);
    const small = gen(dir, ['lint'], { env: { GEN_MAX_INPUT_BYTES: '1000' } });
    expect(small.stdout).toMatch(/topology\.yaml is \d+ bytes; gen reads files up to 1000 bytes/);
  });

  it('GEN_MAX_INPUT_BYTES cannot raise the limit past what Node holds in one string (about 512 MiB)', () => {
    const dir = scratch();
    // Sparse: 600 MiB that take no space. Past Node's string limit, reading it was Node's ERR_STRING_TOO_LONG.
    writeFileSync(join(dir, 'huge.yaml'), '');
    truncateSync(join(dir, 'huge.yaml'), 600 * 1024 * 1024);
    const r = gen(dir, ['lint', 'huge.yaml'], { env: { GEN_MAX_INPUT_BYTES: String(2 ** 40) } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^huge\.yaml:1:1: error huge\.yaml is 600\.0 MiB; gen reads files up to 512\.0 MiB /);
  });

  it('gen wg doctor FILE: a client file is bounded as every input; a named pipe or a directory is refused, never read', () => {
    const dir = scratch();
    // Sparse: 600 MiB that take no space. Reading it whole was Node's ERR_STRING_TOO_LONG, an "internal error".
    writeFileSync(join(dir, 'huge.conf'), '');
    truncateSync(join(dir, 'huge.conf'), 600 * 1024 * 1024);
    const huge = gen(dir, ['wg', 'doctor', 'huge.conf']);
    expect([huge.code, huge.stdout, huge.stderr]).toEqual([1, '', 'gen: huge.conf is 600.0 MiB; gen reads files up to 16.0 MiB (set GEN_MAX_INPUT_BYTES to raise the limit)\n']);
    spawnSync('mkfifo', [join(dir, 'pipe.conf')]);
    const fifo = gen(dir, ['wg', 'doctor', 'pipe.conf']);
    expect([fifo.code, fifo.signal, fifo.stderr]).toEqual([2, null, 'gen: cannot read pipe.conf: it is a named pipe, not a client file\n']);
    mkdirSync(join(dir, 'laptop.conf'));
    const directory = gen(dir, ['wg', 'doctor', 'laptop.conf']);
    expect([directory.code, directory.stderr]).toEqual([2, 'gen: cannot read laptop.conf: it is a directory, not a client file\n']);
  });

  it('gen wg pubkey reads a key, not all of standard input: < /dev/zero is refused at once', () => {
    // Read whole, /dev/zero never ended, and 600 MiB of input ended in "internal error" (Node's string limit).
    const zero = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" wg pubkey < /dev/zero`], { encoding: 'utf8', timeout: 20_000 });
    expect([zero.status, zero.signal, zero.stdout, zero.stderr]).toEqual([1, null, '', 'gen: stdin is not a WireGuard private key (44 characters of base64): it holds more than 4096 bytes\n']);
    // A key with the spaces and line ends around it that wg pubkey skips is still read.
    const key = generateKeyPair();
    const spaced = spawnSync(process.execPath, [bin, 'wg', 'pubkey'], { input: `  ${key.privateKey}\r\n\n`, encoding: 'utf8' });
    expect([spaced.status, spaced.stdout]).toEqual([0, `${key.publicKey}\n`]);
  });

  it('a value of megabytes is refused where it is, before the schema and the rules work on it', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'long.yaml'), readExample('homelab').replace('description: Homelab behind a NAT router', `description: "${'a'.repeat(8 * 1024 * 1024)}"`));
    const r = gen(dir, ['lint', 'long.yaml', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).diagnostics).toEqual([
      expect.objectContaining({ rule: 'load/limit', message: 'a value of 8388608 characters; gen accepts at most 4096 in one value', location: expect.objectContaining({ line: 12, col: 18 }) }),
    ]);
  });

  it.each([
    ['flow', `version: 1\nname: x\nsites: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, { line: 3, col: 72 }],
    ['flow, 1000 deep', `version: 1\nname: x\nsites: ${'['.repeat(1000)}${']'.repeat(1000)}\n`, { line: 3, col: 72 }],
    ['block', `version: 1\nname: x\nsites:\n  ${'- '.repeat(100)}x\n`, { line: 4, col: 131 }],
    ['mappings', `version: 1\nname: x\nsites:\n${Array.from({ length: 80 }, (_, i) => `${' '.repeat(2 * i + 2)}k${i}:\n`).join('')}`, undefined],
  ])('%s nesting beyond the limit: "nested too deeply", located', (_, text, at) => {
    const dir = scratch();
    writeFileSync(join(dir, 'deep.yaml'), text);
    const r = gen(dir, ['lint', 'deep.yaml', '--format', 'json']);
    expect([r.code, r.stderr]).toEqual([1, '']);
    const [d] = JSON.parse(r.stdout).diagnostics;
    expect(d).toMatchObject({ rule: 'load/limit', message: 'nested too deeply (limit 64 levels)' });
    if (at) expect(d.location).toMatchObject(at);
  });

  /** gen lint (exit 1) of the homelab example with `from` replaced by `to`: its diagnostics, and the location of `at` in it. */
  function lintedVariant(from: string, to: string, at: string): { text: string; diagnostics: unknown[]; location: { file: string; line: number; col: number } } {
    const dir = scratch();
    const text = readExample('homelab').replace(from, to);
    expect(text).not.toBe(readExample('homelab'));
    writeFileSync(join(dir, 'variant.yaml'), text);
    const r = gen(dir, ['lint', 'variant.yaml', '--format', 'json']);
    expect([r.code, r.stderr]).toEqual([1, '']);
    const lines = text.slice(0, text.indexOf(at)).split('\n');
    return { text, diagnostics: JSON.parse(r.stdout).diagnostics, location: { file: 'variant.yaml', line: lines.length, col: lines.at(-1)!.length + 1 } };
  }

  // A reference that loops (a zone naming itself or another zone) or dangles (a host not in the site): the
  // message says which and the fix names what to write, at the name itself.
  it.each([
    [
      'a zone naming itself',
      ['{ name: vpn, networks: [wireguard] }', '{ name: vpn, networks: [wireguard, vpn] }'],
      'vpn] }',
      'zone vpn names itself among its networks: a zone holds networks, services, WireGuard peers, roles (wg0/role) and addresses, not zones',
      'Remove "vpn" from the networks of zone vpn.',
    ],
    [
      'a zone naming another zone',
      ['{ name: vpn, networks: [wireguard] }', '{ name: vpn, members: [wireguard, mgmt] }\n        - { name: mgmt, networks: [management, service] }'],
      'mgmt] }',
      'zone vpn names zone mgmt among its members: a zone holds networks, services, WireGuard peers, roles (wg0/role) and addresses, not zones',
      'List what zone mgmt holds here instead (management, service).',
    ],
    [
      "the firewall VM's host",
      ['host: pve, cores', 'host: pvx, cores'],
      'pvx, cores',
      'Proxmox host "pvx" does not exist (known: pve)',
      'Use one of the names listed in the message, or declare the missing item.',
    ],
    [
      'a port forward to nothing',
      ['      nat:\n        outbound: automatic', '      nat:\n        outbound: automatic\n        port_forwards:\n          - { name: web, proto: tcp, port: 443 }'],
      '{ name: web, proto',
      'port forward web needs a service or an address to forward to',
      'Add service: NAME (known: traefik, postgres, valkey, grafana) to port forward web, or address: the internal host\'s address.',
    ],
    [
      "lan_endpoint: true without the WAN's address",
      ['          address: 192.168.0.2/24\n          gateway: 192.168.0.1', '          address: dhcp'],
      'true               # the firewall',
      'lan_endpoint: true needs a firewall WAN interface with a static address (use the address itself otherwise)',
      "Write the address at which clients on the upstream router's LAN reach the firewall (lan_endpoint: A.B.C.D), or give the WAN interface its static address.",
    ],
  ] as const)('%s: the loop or the missing name, with the fix, at the name', (_, [from, to], at, message, hint) => {
    const { diagnostics, location } = lintedVariant(from, to, at);
    const errors = (diagnostics as { rule: string }[]).filter((d) => d.rule === 'ref/unknown');
    expect(errors).toEqual([{ rule: 'ref/unknown', severity: 'error', message, hint, location }]);
  });

  // YAML lets an alias stand inside the node its anchor marks (a graph may hold itself); the value has no end.
  it.each([
    ['a list holding itself', ['      zones:\n        - { name: management, networks: [management] }', '      zones: &z\n        - { name: management, networks: *z }'], 'z', '*z }'],
    ['a merge key of itself', ['    firewall:\n      name: opnsense', '    firewall: &fw\n      <<: *fw\n      name: opnsense'], 'fw', '*fw\n'],
    ['deeper inside, next to an anchor of a longer name', ['      zones:\n        - { name: management, networks: [management] }', '      zones: &z\n        - &zone { name: management, networks: [management, { x: *z }] }'], 'z', '*z }'],
  ] as const)('an alias inside the node it repeats (%s): named with its anchor, at the alias', (_, [from, to], name, at) => {
    const { text, diagnostics, location } = lintedVariant(from, to, at);
    expect(diagnostics).toEqual([
      {
        rule: 'load/limit',
        severity: 'error',
        message: `the alias *${name} lies inside the node it repeats, &${name} (line ${lineOfText(text, `: &${name}\n`)}): the value would hold itself without end`,
        hint: `An alias repeats the node its anchor marks, whole: point the alias *${name} at a node that does not hold it, or write the value out here.`,
        location,
      },
    ]);
  });
});

describe('usage errors: exit 2, one sentence', () => {
  it('an instance that does not exist, and an ambiguous one', () => {
    const dir = scratch();
    const nope = gen(dir, ['wg', 'keygen', '--instance', 'nope']);
    expect([nope.code, nope.stderr]).toEqual([2, 'gen: no WireGuard instance named nope (instances: home/wg0)\n']);
    const second = { name: 'wg1', listen_port: 51821, address: '10.0.2.1/24', public_key: generateKeyPair().publicKey, endpoint: 'vpn.example.com', roles: [{ name: 'workstation', from: '10.0.2.2', to: '10.0.2.10' }] };
    const assigned = edit(readFileSync(join(dir, 'topology.yaml'), 'utf8'), ['sites', 0, 'firewall', 'interfaces', 4], { name: 'wireguard2', assign: 'opt3', wireguard: 'wg1' });
    writeFileSync(join(dir, 'topology.yaml'), shortTunnelNames(edit(assigned, ['sites', 0, 'wireguard', 1], second)));
    const ambiguous = gen(dir, ['wg', 'add-peer', 'kp', '--role', 'workstation']);
    expect([ambiguous.code, ambiguous.stderr]).toEqual([2, 'gen: several WireGuard instances have the role workstation (home/wg0, home/wg1): choose one with --instance\n']);
    const keygen = gen(dir, ['wg', 'keygen', '--instance', 'wg0', '--site', 'elsewhere']);
    expect([keygen.code, keygen.stderr]).toEqual([2, 'gen: no site named elsewhere (sites: home)\n']);
    const peer = gen(dir, ['wg', 'export', 'nobody', '--instance', 'wg0']);
    expect([peer.code, peer.stderr]).toEqual([2, 'gen: no WireGuard peer named nobody of instance wg0\n']);
  });

  it('gen diff --base DIR without the topology is an error, not "everything added"', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'empty'));
    const r = gen(dir, ['diff', '--base', 'empty']);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'gen: --base empty holds no topology.yaml: pass the directory that holds the base topology, or a git revision\n']);
  });
});

describe('YAML values the schema cannot name plainly: said as they are, where they are', () => {
  const lint = (text: string) => {
    const dir = tempDir('gen-messages-');
    writeFileSync(join(dir, 't.yaml'), text);
    const r = gen(dir, ['lint', 't.yaml']);
    rmSync(dir, { recursive: true, force: true });
    return r;
  };

  it('an alias with no anchor: at the alias, with the fix for it (not the alias-count one)', () => {
    const r = lint('version: 1\nname: x\nsites: *nope\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('t.yaml:3:8: error Unresolved alias');
    expect(r.stdout).toContain('set the anchor on a node above this alias');
    expect(r.stdout).not.toContain('gen expands at most');
  });

  it('a collection as a key: the schema reports it, and the YAML library prints no runtime warning', () => {
    const r = lint('? [a, b]\n: 1\nversion: 1\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('unknown property "[ a, b ]"');
    expect(r.stderr).toBe('');
  });

  it('numbers JSON cannot write, and binary data, by their names', () => {
    expect(lint('version: 1e400\nname: x\n').stdout).toContain('version: must be 1, not Infinity');
    expect(lint('version: .nan\nname: x\n').stdout).toContain('version: must be 1, not NaN');
    expect(lint('version: 1\nname: !!binary aGVsbG8=\n').stdout).toContain('name: expected string, got binary data (!!binary)');
  });
});

describe('-o on something that is not a regular file', () => {
  it('offers standard output only where the command writes it', () => {
    const dir = scratch();
    const merge = gen(dir, ['opnsense', 'merge', '--base', join(root, 'test/opnsense/models/26.7/config.xml.sample'), '-o', '/dev/null', '--force']);
    expect(merge.code).toBe(2);
    // gen opnsense merge requires -o: leaving it out is no way out.
    expect(merge.stderr).toBe('gen: refusing to write /dev/null: it is not a regular file\n');
    const graph = gen(dir, ['graph', '-o', '/dev/null', '--force']);
    expect(graph.code).toBe(2);
    expect(graph.stderr).toBe('gen: refusing to write /dev/null: it is not a regular file (leave out -o to write to standard output)\n');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('a current directory removed under the shell', () => {
  it('is said in words, not as libuv\'s uv_cwd', () => {
    const dir = tempDir('gen-messages-');
    const r = spawnSync('sh', ['-c', 'mkdir gone && cd gone && rmdir ../gone && exec "$0" "$1" init', process.execPath, bin], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(ONE_SENTENCE);
    expect(r.stderr).toContain('the current directory no longer exists');
    expect(r.stderr).not.toContain('uv_cwd');
  });
});
