// Loading and schema validation: every problem is located at the YAML node.
import Ajv2020 from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaleTopology, toYaml } from '../../bench/generate.mjs';
import { lint, readExample, root } from '../helpers.js';

describe('YAML problems are located errors', () => {
  it('a syntax error', async () => {
    const diagnostics = await lint('version: 1\nname: x\nsites:\n  - name: a\n   bad: [1, 2\n');
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0]!.rule).toBe('load/yaml-syntax');
    expect(diagnostics[0]!.location.line).toBeGreaterThanOrEqual(4);
    expect(diagnostics[0]!.severity).toBe('error');
  });

  it('a duplicate key, at the second key', async () => {
    const diagnostics = await lint('version: 1\nname: x\nsites:\n  - name: a\n    name: b\n');
    expect(diagnostics.map((d) => [d.rule, d.location.line, d.location.col])).toEqual([['load/duplicate-key', 5, 5]]);
  });

  it('a document that is not a mapping', async () => {
    const diagnostics = await lint('- just\n- a list\n');
    expect(diagnostics.map((d) => d.rule)).toEqual(['load/not-a-mapping']);
  });

  it('an empty file', async () => {
    const diagnostics = await lint('');
    expect(diagnostics.map((d) => [d.rule, d.location.line, d.location.col])).toEqual([['load/not-a-mapping', 1, 1]]);
  });

  it('a tab in the indentation of a large topology, at the tab', async () => {
    // The `yaml` library reads each line after it one level deeper, and ran
    // out of stack on a few thousand: "nested too deeply" at 1:1.
    const lines = toYaml(scaleTopology({ peers: 3000, rules: 10, vlans: 2 })).split('\n');
    const at = lines.indexOf('            role: client', lines.indexOf('          - name: peer-100'));
    lines[at] = `\t${lines[at]!.slice(1)}`;
    const diagnostics = await lint(lines.join('\n'));
    expect(diagnostics.map((d) => [d.rule, d.location.line, d.location.col])).toEqual([['load/yaml-syntax', at + 1, 1]]);
    expect(diagnostics[0]!.message).toMatch(/tab/);
  });

  it.each([
    ['a second document after "---"', '---\nkind: other\n'],
    ['an empty document after a trailing "---"', '---\n'],
    ['a document after "..."', '...\nname: other\n'],
  ])('a YAML stream (%s): at the second document, with a fix that loads once applied', async (_, tail) => {
    const topology = readExample('homelab');
    const diagnostics = await lint(`${topology}${tail}`);
    const line = topology.split('\n').length;
    expect(diagnostics.map((d) => [d.rule, d.location.line])).toEqual([['load/yaml-syntax', line + (tail.startsWith('...') ? 1 : 0)]]);
    // The library's text named its API (YAML.parseAllDocuments()) and the hint said indentation or quotes.
    expect(diagnostics[0]!.message).not.toMatch(/YAML\.|parseAllDocuments/);
    expect(diagnostics[0]!.hint).toMatch(/"---" or "\.\.\." line that ends the first document/);
    // The fix: the first document alone loads.
    expect(await lint(topology)).toEqual([]);
  });

  it('alias bombs are refused', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);
    const diagnostics = await lint(`${bomb.join('\n')}\n`);
    expect(diagnostics.map((d) => d.rule)).toEqual(['load/yaml-syntax']);
  });
});

describe('schema errors point at the offending node', () => {
  it('an unknown key, at the key, with a suggestion', async () => {
    const text = readExample('homelab').replace('    wireguard:\n      - name: wg0', '    wireguard:\n      - name: wg0\n        listen_prot: 51820');
    const diagnostics = await lint(text);
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0]!;
    expect(d.rule).toBe('schema');
    expect(d.message).toBe('sites[0].wireguard[0]: unknown property "listen_prot"');
    expect(d.hint).toContain('Did you mean "listen_port"?');
    const line = text.split('\n').findIndex((l) => l.includes('listen_prot')) + 1;
    expect(d.location).toEqual({ file: 'topology.yaml', line, col: 9 });
  });

  it('a wrong type, at the value', async () => {
    const text = readExample('homelab').replace('listen_port: 51820', 'listen_port: "fifty"');
    const [d, ...rest] = await lint(text);
    expect(rest).toEqual([]);
    expect(d!.message).toMatch(/^sites\[0\]\.wireguard\[0\]\.listen_port: expected integer, got string/);
    const line = text.split('\n').findIndex((l) => l.includes('"fifty"')) + 1;
    expect(d!.location.line).toBe(line);
    expect(d!.location.col).toBe(22);
  });

  it('a text YAML read as a number or a boolean: the fix quotes it as written, which the value no longer shows', async () => {
    const release = readExample('homelab').replace('release: "26.7"', 'release: 26.10');
    const [d, ...rest] = await lint(release);
    expect(rest).toEqual([]);
    expect(d!.message).toBe('sites[0].firewall.release: expected string, got number');
    expect(d!.hint).toBe('Put the value in quotes: "26.10". Without them YAML reads 26.10 as the number 26.1, not the text you wrote.');
    // Before a comment, and in a flow mapping (007 is the integer 7); a quoted value or another type keeps the schema's own fix.
    const [b] = await lint(readExample('homelab').replace('description: Proxmox Backup Server datastore', 'description: true   # a comment'));
    expect(b!.hint).toBe('Put the value in quotes: "true". Without them YAML reads true as the boolean true.');
    const [f] = await lint(readExample('homelab').replace('{ name: wildcard, domain:', '{ name: 007, domain:'));
    expect(f!.hint).toBe('Put the value in quotes: "007". Without them YAML reads 007 as the number 7, not the text you wrote.');
    const [n] = await lint(readExample('homelab').replace('listen_port: 51820', 'listen_port: "fifty"'));
    expect(n!.hint).not.toMatch(/quotes/);
  });

  it('a missing required property, at its mapping', async () => {
    const text = readExample('aws-vpc').replace('{ name: public-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: public,', '{ name: public-2c, az: ap-northeast-2c, tier: public,');
    const [d, ...rest] = await lint(text);
    expect(rest).toEqual([]);
    expect(d!.message).toBe('aws.vpc.subnets[1]: missing required property "cidr"');
    expect(d!.location.line).toBe(15);
  });

  it('an address without prefix where one is needed', async () => {
    const [d] = await lint(readExample('homelab').replace('address: 10.0.0.1/24', 'address: 10.0.0.1'));
    expect(d!.message).toBe('sites[0].firewall.interfaces[1].address: "10.0.0.1" is not valid here');
    expect(d!.hint).toContain('address with prefix');
  });

  it('control characters in a description are refused', async () => {
    const [d] = await lint(readExample('homelab').replace('description: Proxmox VE host', 'description: "Proxmox\\n[Peer]"'));
    expect(d!.rule).toBe('schema');
    expect(d!.message).toContain('description');
  });

  it('a value of the wrong form is answered with its form and an example, never only a pointer to the schema file', async () => {
    // Availability zones, an IAM user, DHCP reservations.
    for (const [text, field, hint] of [
      [readExample('aws-vpc').replace('az: ap-northeast-2c', 'az: ap-northeast-2-c'), 'aws.vpc.subnets[1].az', 'e.g. ap-northeast-2a'],
      [readExample('homelab').replace('- name: proxmox-backup-user', '- name: proxmox backup user'), 'aws.iam.users[0].name', 'no spaces'],
      [readExample('homelab-family').replace('mac: "52:54:00:12:34:56"', 'mac: "52-54-00-12-34-56"'), 'sites[0].firewall.interfaces[1].dhcp.static[0].mac', 'separated by colons'],
    ] as const) {
      const diagnostics = (await lint(text)).filter((d) => d.rule === 'schema');
      expect(diagnostics.map((d) => d.message.split(':')[0]), field).toEqual([field]);
      expect(diagnostics[0]!.hint, field).toContain(hint);
    }
  });

  it('every string pattern of the schema has a description, which the error hint shows', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8'));
    const bare: string[] = [];
    // A branch of an anyOf is described by the anyOf's node, which is where the validator reports.
    const walk = (node: unknown, path: string, described: boolean): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${path}[${i}]`, described));
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (typeof n.pattern === 'string' && typeof n.description !== 'string' && !described) bare.push(path);
      for (const [key, value] of Object.entries(n)) walk(value, `${path}.${key}`, key === 'anyOf' && typeof n.description === 'string');
    };
    walk(schema, '', false);
    expect(bare).toEqual([]);
  });

  it('an enum value lists the allowed ones', async () => {
    const [d] = await lint(readExample('homelab').replace('tunnel: split', 'tunnel: partial'));
    expect(d!.message).toBe('sites[0].wireguard[0].tunnel: "partial" is not one of "split", "full"');
  });
});

describe('the schema', () => {
  const schema = JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8'));

  it('compiles in ajv strict mode and agrees with the precompiled validator', async () => {
    const ajv = new Ajv2020.default({ allErrors: true, strict: true });
    const validate = ajv.compile(schema);
    const { default: precompiled } = (await import(join(root, 'dist/schema-validator.js'))) as { default: (d: unknown) => boolean };
    const { parse } = await import('yaml');
    for (const name of ['homelab', 'vlan-hosting', 'aws-vpc'] as const) {
      const data = parse(readExample(name));
      expect(validate(data)).toBe(true);
      expect(precompiled(data)).toBe(true);
      const broken = { ...data, extra: 1 };
      expect(validate(broken)).toBe(false);
      expect(precompiled(broken)).toBe(false);
    }
  });

  it('is referenced by the topology files and the README for editors', () => {
    expect(readExample('homelab').split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/topology.schema.json');
    expect(readExample('vlan-hosting').split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/topology.schema.json');
    expect(readExample('aws-vpc').split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/topology.schema.json');
    // The README shows the line gen init writes in a project: into the installed package.
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('# yaml-language-server: $schema=./node_modules/gen-topology/schema/topology.schema.json');
  });
});

describe('the loader with aliases (see yaml-readers.test.ts for the two readers)', () => {
  it('aliases take the bounded parser, and still resolve', async () => {
    const text = readExample('aws-vpc');
    const withAlias = text.replace('{ proto: tcp, ports: [22], from: 203.0.113.10/32, description: admin address }', '&admin { proto: tcp, ports: [22], from: 203.0.113.10/32, description: admin address }').replace(
      '          - { proto: tcp, ports: [8080, 22], from: 198.51.100.7/32, description: VPN address only }',
      '          - { proto: tcp, ports: [8080, 22], from: 198.51.100.7/32, description: VPN address only }\n          - *admin',
    );
    expect(withAlias).toContain('*admin');
    expect(await lint(withAlias)).toEqual([]);
  });
});
