// docs/topology.md is generated from the schema: it covers every mapping
// and is current.
import { readFileSync } from 'node:fs';
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
