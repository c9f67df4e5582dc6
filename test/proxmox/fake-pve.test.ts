// fake-pve.pl reads and writes its JSON with a codec of its own (JSON::PP
// cost most of each of its starts): what it writes must be JSON::PP's
// canonical form byte for byte, and what it reads must come back unchanged,
// escapes, non-ASCII text, numbers and booleans included.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing, run, titled } from '../system-tools.js';
import { FakeNode, type NodeState } from './fake-node.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

/** The JSON text as JSON::PP->new->canonical writes the same data. */
function jsonPP(text: string): string {
  return run('perl', ['-MJSON::PP', '-e', 'local $/; print JSON::PP->new->canonical->encode(decode_json(<STDIN>)), "\\n"'], text);
}

const tricky = 'Grüße ☃ 😀 "quoted" back\\slash /slash\nline\ttab\r\b\f\u0001\u001f\u007f';
const state = {
  node: 'pve',
  qemu: { 102: { name: tricky, cores: '2' } },
  lxc: { 200: {} },
  running: [102, -1, 0],
  users: { 'u@pve': { comment: tricky, tokens: { t: { privsep: 0 } } } },
  roles: { Zed: 'A', Alpha: 'B', 'z-lower': '', Ä: 'C' },
  resizeFails: false,
  elsewhere: { 103: { node: 'pve2', type: 'lxc' } },
  nothing: null,
  empty: [],
  number: 1.5e-7,
} as unknown as NodeState;

// The stand-in node and JSON::PP are Perl (perl, as .ci/apt-packages.txt installs it).
const why = missing(['perl'], false);

describe.skipIf(why)('fake-pve.pl’s JSON', () => {
  let node: FakeNode;
  beforeAll(() => {
    node = new FakeNode(state);
  });
  afterAll(() => node?.remove());

  it(titled('writes the state as JSON::PP’s canonical form, and reads back every value it was given', why), () => {
    expect(node.run('pveum pool add p1\n').stderr).toBe('');
    const written = readFileSync(join(node.dir, 'state.json'), 'utf8');
    expect(`${written}\n`).toBe(jsonPP(written));
    expect(JSON.parse(written)).toEqual({ ...JSON.parse(JSON.stringify(state)), pools: ['p1'], acls: [], pbs: { users: [], tokens: [], acls: [] } });
  });

  it(titled('answers in JSON::PP’s canonical form: numbers as numbers, booleans as booleans, strings escaped', why), () => {
    const resources = node.run('pvesh get /cluster/resources --type vm\n');
    expect(resources.stderr).toBe('');
    expect(resources.stdout).toBe(jsonPP(resources.stdout));
    expect(JSON.parse(resources.stdout)).toEqual([
      { id: 'qemu/102', vmid: 102, node: 'pve', type: 'qemu' },
      { id: 'lxc/103', vmid: 103, node: 'pve2', type: 'lxc' },
      { id: 'lxc/200', vmid: 200, node: 'pve', type: 'lxc' },
    ]);
    const quoted = `'${tricky.replace(/'/g, "'\\''")}'`;
    const acls = node.run(`proxmox-backup-manager acl update / Admin --auth-id ${quoted}\nproxmox-backup-manager acl list\n`);
    expect(acls.stderr).toBe('');
    expect(acls.stdout).toBe(jsonPP(acls.stdout));
    expect(JSON.parse(acls.stdout)).toEqual([{ path: '/', roleid: 'Admin', ugid: tricky, ugid_type: 'user', propagate: true }]);
    // A config line prints the string as it was given.
    expect(node.run('qm config 102\n').stdout).toBe(`cores: 2\nname: ${tricky}\ndigest: 0123456789abcdef0123456789abcdef01234567\n`);
  });

  it(titled('reads \\u escapes as the characters they stand for, a surrogate pair as one, an escaped backslash before a u as a backslash', why), () => {
    const escaped = String.raw`{"node":"pve","qemu":{"102":{"name":"\ud83d\ude00 \u00fc\u2603 \\ud83d \"\/"}},"lxc":{},"running":[],"roles":{},"users":{},"pools":[],"acls":[],"pbs":{"users":[],"tokens":[],"acls":[]}}`;
    writeFileSync(join(node.dir, 'state.json'), escaped);
    expect(node.run('pveum pool add p2\n').stderr).toBe('');
    const written = readFileSync(join(node.dir, 'state.json'), 'utf8');
    expect(`${written}\n`).toBe(jsonPP(written));
    expect(JSON.parse(written)).toEqual({ ...JSON.parse(escaped), pools: ['p2'] });
  });
});
