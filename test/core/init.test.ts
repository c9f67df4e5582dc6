// gen init writes a starter topology that lints clean where it lands.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { starterTopology } from '../../src/commands/init.js';
import { lint, root } from '../helpers.js';

const bin = join(root, 'bin/gen.js');
const gen = (args: string[], cwd: string) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });

describe('gen init', () => {
  for (const example of ['homelab', 'vlan-hosting', 'aws-vpc', 'homelab-family'] as const) {
    it(`--example ${example} writes a clean, commented topology with a working schema line`, async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'gen-init-')), 'infra');
      mkdirSync(dir);
      const r = gen(['init', '--example', example], dir);
      expect(r.status).toBe(0);
      const text = readFileSync(join(dir, 'topology.yaml'), 'utf8');
      const schemaLine = text.split('\n')[0]!;
      expect(schemaLine).toMatch(/^# yaml-language-server: \$schema=\.\.?\/.*schema\/topology\.schema\.json$/);
      const schemaPath = join(dir, schemaLine.split('$schema=')[1]!);
      expect(JSON.parse(readFileSync(schemaPath, 'utf8')).title).toBe('gen topology');
      expect(text.split('\n').filter((l) => l.trim().startsWith('#')).length).toBeGreaterThan(3);
      expect(await lint(text)).toEqual([]);
    });
  }

  it('refuses to overwrite without --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-init-'));
    writeFileSync(join(dir, 'topology.yaml'), 'mine\n');
    const r = gen(['init'], dir);
    expect(r.status).toBe(1);
    expect(readFileSync(join(dir, 'topology.yaml'), 'utf8')).toBe('mine\n');
    expect(gen(['init', '--force', '--example', 'aws-vpc'], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'topology.yaml'), 'utf8')).toContain('name: aws-vpc');
  });

  it('points the schema line relative to the file it writes', () => {
    expect(starterTopology('aws-vpc', join(root, 'topology.yaml')).split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/topology.schema.json');
    expect(starterTopology('aws-vpc', join(root, 'examples/x.yaml')).split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/topology.schema.json');
  });
});
