// docs/topology.md is generated from the schema: it covers every mapping
// and is current.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';

describe('docs/topology.md', () => {
  it('is current (regenerate with `npm run docs`)', async () => {
    const { schemaMarkdown } = (await import(join(root, 'scripts/schema-doc.mjs'))) as { schemaMarkdown: (s: unknown) => string };
    const schema = JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8'));
    const page = readFileSync(join(root, 'docs/topology.md'), 'utf8');
    expect(page).toBe(schemaMarkdown(schema));
    // Every mapping of the schema has a section.
    for (const [name, def] of Object.entries<{ type?: string }>(schema.$defs)) {
      if (def.type === 'object') expect(page, name).toContain(`\n## ${name}\n`);
    }
    expect(page).toContain('| `listen_port` |');
    expect(page).toContain('| `lan_endpoint` |');
  });
});

describe('docs/topology.md answers questions', () => {
  const schema = JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8'));
  const page = readFileSync(join(root, 'docs/topology.md'), 'utf8');

  /** Every property of the schema: its key and its description. */
  function properties(node: unknown, found: { key: string; description: string }[] = []): { key: string; description: string }[] {
    if (Array.isArray(node)) node.forEach((n) => properties(n, found));
    else if (node && typeof node === 'object') {
      const props = (node as { properties?: Record<string, { description?: string }> }).properties;
      for (const [key, p] of Object.entries(props ?? {})) found.push({ key, description: p.description ?? '' });
      Object.values(node).forEach((n) => properties(n, found));
    }
    return found;
  }

  /** The keys resolve looks names up by: the last string of each reference's path. */
  function referenceKeys(): string[] {
    const dir = join(root, 'src/resolve');
    const keys = new Set<string>();
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      // A path is extended with concat: path.concat('vlan', 'parent').
      for (const m of text.matchAll(/ctx\.lookup\([^;]*?[\w.!]+\.concat\(((?:[^()]|\([^()]*\))+)\)\)/g)) {
        // A frontend without an interface is located at its name: the reference is the interface.
        const strings = [...m[1]!.matchAll(/'([a-z_]+)'/g)].map((s) => s[1]!).filter((s) => s !== 'name');
        if (strings.length) keys.add(strings.at(-1)!);
      }
      // Or with pathTo, which copies a path by index: pathTo(peerPath, 'role').
      for (const m of text.matchAll(/ctx\.lookup\([^;]*?pathTo\([\w.!]+, '([a-z_]+)'\)\)/g)) keys.add(m[1]!);
      for (const m of text.matchAll(/rule: 'ref\/unknown',\s*path: [\w.!]+\.concat\(((?:[^()]|\([^()]*\))+)\)/g)) {
        const strings = [...m[1]!.matchAll(/'([a-z_]+)'/g)].map((s) => s[1]!);
        if (strings.length) keys.add(strings.at(-1)!);
      }
    }
    return [...keys].sort();
  }

  it('says what each field that names another object refers to', () => {
    const keys = referenceKeys();
    // The scan finds the references (a peer's role, a frontend's default_backend, ...).
    expect(keys).toEqual(expect.arrayContaining(['role', 'default_backend', 'certificate', 'service', 'bucket', 'networks', 'parent', 'wireguard', 'host', 'bridge', 'tier', 'site']));
    const all = properties(schema);
    for (const key of keys.filter((k) => k !== 'lan_endpoint')) {
      expect(all.some((p) => p.key === key && p.description.includes('Refers to')), key).toBe(true);
    }
    expect(page).toMatch(/\| `role` \|[^\n]*Refers to a role of the same instance/);
    expect(page).toMatch(/\| `default_backend` \|[^\n]*Refers to a backend of this HAProxy/);
  });

  it('renders enums with one escaped bar between the values, no stray backslashes', () => {
    expect(page).toContain('| `dhcp_server` | `dnsmasq` \\| `isc` |');
    expect(page).not.toContain('\\\\|');
  });

  it('documents the networks of a zone', () => {
    const zones = page.slice(page.indexOf('\n## policy › zones\n'));
    expect(zones).toMatch(/\n\| `members` \| list of \[policyObject\]\(#policyobject\) \| {2}\| The zone's policy objects: [^\n]*Refers to policy objects: /);
    expect(zones).toMatch(/\n\| `networks` \| list of \[policyObject\]\(#policyobject\) \| {2}\| The networks of the zone, the older name of members[^\n]*Refers to networks: /);
  });

  it('listen_port is required, as the instance needs it (no separate rule says so)', () => {
    const instance = page.slice(page.indexOf('\n## wireguardInstance\n'));
    expect(instance).toMatch(/\n\| `listen_port` \| integer \| yes \| /);
    expect(schema.$defs.wireguardInstance.required).toContain('listen_port');
  });
});
