// Writes docs/topology.md, the reference of the topology format, from
// schema/topology.schema.json (the one source of truth; a test fails when
// the page is stale). Usage: node scripts/schema-doc.mjs > docs/topology.md
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function schemaMarkdown(schema) {
  const defs = schema.$defs;
  const refName = (ref) => ref.replace('#/$defs/', '');
  const cell = (text) => String(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

  function typeOf(s) {
    if (!s) return '';
    if (s.$ref) {
      const name = refName(s.$ref);
      const target = defs[name];
      return target.type === 'object' || target.examples ? `[${name}](#${name.toLowerCase()})` : typeOf(target) || name;
    }
    if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
    if (s.enum) return s.enum.map((v) => `\`${v}\``).join(' | ');
    if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
    if (s.type === 'array') return `list of ${typeOf(s.items)}`;
    if (s.type === 'object' && s.properties) return 'mapping (below)';
    return s.type ?? '';
  }

  const sections = [];
  const seen = new Set();
  function section(title, anchorName, s) {
    if (seen.has(anchorName)) return;
    seen.add(anchorName);
    const required = new Set(s.required ?? []);
    const rows = Object.entries(s.properties ?? {}).map(([key, p]) => {
      const description = p.description ?? (p.$ref ? defs[refName(p.$ref)]?.description : undefined) ?? '';
      const def = p.default !== undefined ? ` Default: \`${JSON.stringify(p.default)}\`.` : '';
      return `| \`${key}\` | ${cell(typeOf(p))} | ${required.has(key) ? 'yes' : ''} | ${cell(description)}${cell(def)} |`;
    });
    // A value kind with examples (not a mapping) gets a section of its own: its description and the examples.
    if (!s.properties) {
      sections.push(`## ${title}`, '', ...(s.description ? [s.description, ''] : []), `Examples: ${(s.examples ?? []).map((e) => `\`${e}\``).join(', ')}.`, '');
      return;
    }
    sections.push(`## ${title}`, '', ...(s.description ? [s.description, ''] : []), '| key | value | required | meaning |', '|---|---|---|---|', ...rows, '');
    // Nested inline mappings and referenced mappings get their own sections.
    for (const [key, p] of Object.entries(s.properties ?? {})) {
      const item = p.type === 'array' ? p.items : p;
      if (item?.type === 'object' && item.properties) section(`${title} › ${key}`, `${anchorName}.${key}`, item);
      const target = item?.$ref ? defs[refName(item.$ref)] : undefined;
      if (target?.type === 'object' || target?.examples) section(refName(item.$ref), refName(item.$ref), target);
    }
  }
  section('topology', 'topology', schema);
  return [
    '# Topology format',
    '',
    '<!-- Generated from schema/topology.schema.json by `npm run docs`; a test fails when this file is stale. -->',
    '',
    'The reference of `topology.yaml`. Editors with the YAML language server show the same text',
    'inline (see the README). Write every address once: gen derives networks, gateways, routes,',
    'allowed IPs and the WAN passes that services need.',
    '',
    ...sections,
  ].join('\n').trimEnd() + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  process.stdout.write(schemaMarkdown(JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8'))));
}
