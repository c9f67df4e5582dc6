// gen init writes a starter topology that lints clean where it lands.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { starterTopology } from '../../src/commands/init.js';
import { lint, modelOf, root } from '../helpers.js';

const bin = join(root, 'bin/gen.js');
const gen = (args: string[], cwd: string) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });

describe('gen init', () => {
  for (const example of ['homelab', 'vlan-hosting', 'aws-vpc'] as const) {
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
      // A starter with a firewall targets the current OPNsense release.
      if (example !== 'aws-vpc') expect(text).toMatch(/^ {6}release: "26\.7"$/m);
    });
  }

  it('the schema\'s default release is the one a firewall without release gets', async () => {
    const schema = JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8'));
    expect(schema.$defs.firewall.properties.release.default).toBe('26.7');
    const model = await modelOf(readFileSync(join(root, 'topology.yaml'), 'utf8').replace(/ *release: "26\.7"\n/, ''));
    expect(model.sites[0]!.firewall!.release).toBe('26.7');
  });

  it('refuses to overwrite without --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-init-'));
    writeFileSync(join(dir, 'topology.yaml'), 'mine\n');
    const r = gen(['init'], dir);
    expect([r.status, r.stderr]).toEqual([2, 'gen: refusing to write topology.yaml: it exists; use --force to replace it\n']);
    expect(readFileSync(join(dir, 'topology.yaml'), 'utf8')).toBe('mine\n');
    expect(gen(['init', '--force', '--example', 'aws-vpc'], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'topology.yaml'), 'utf8')).toContain('name: aws-vpc');
  });

  it('points the schema line relative to the file it writes', () => {
    expect(starterTopology('aws-vpc', join(root, 'topology.yaml')).split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/topology.schema.json');
    expect(starterTopology('aws-vpc', join(root, 'examples/x.yaml')).split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/topology.schema.json');
  });
});
