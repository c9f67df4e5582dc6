// Writes src/targets/opnsense/fields/: for each OPNsense
// model gen writes, its version, where it lives in config.xml and every
// field it stores (in the model's order, with its default), and the few
// option lists gen reads (CHOICES), from the verbatim upstream model files
// in test/opnsense/models/<snapshot>/; and for an option whose dialog shows
// other fields for each value (DIALOGS), those fields as the dialog labels
// them, from the verbatim form file beside the model.
// OPNsense's templates read config.xml as it is, without the model's
// defaults, so gen writes every field of what it creates; these tables say
// which. A test fails when a table is stale.
// Usage: node scripts/opnsense-fields.mjs [--check]
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'test/opnsense/models');
const outDir = join(root, 'src/targets/opnsense/fields');

/** gen's name for each model, and its file under a snapshot folder. */
export const MODEL_FILES = {
  wireguardGeneral: 'Wireguard/General.xml',
  wireguardServer: 'Wireguard/Server.xml',
  wireguardClient: 'Wireguard/Client.xml',
  alias: 'Firewall/Alias.xml',
  ifgroups: 'Firewall/Group.xml',
  vlans: 'Interfaces/Vlan.xml',
  gateways: 'Routing/Gateways.xml',
  staticroutes: 'Routes/Route.xml',
  dnsmasq: 'Dnsmasq/Dnsmasq.xml',
  haproxy: 'HAProxy/HAProxy.xml',
  acme: 'AcmeClient/AcmeClient.xml',
  filter: 'Firewall/Filter.xml',
  dnat: 'Firewall/DNat.xml',
  cert: 'Trust/Cert.xml',
  cron: 'Cron/Cron.xml',
  unbound: 'Unbound/Unbound.xml',
};

/**
 * Option lists a table also carries, by the dotted path of the OptionField:
 * each value with the label OPNsense shows for it. The ACME client's DNS
 * services: which fields belong to the service gen writes, and its name in
 * the GUI (the operator enters that service's credentials by hand).
 */
export const CHOICES = {
  acme: ['validations.validation.dns_service'],
};

/**
 * Dialogs whose sections an option selects, by model: the form file (under
 * the snapshot folder) and the option. The view shows the sections whose
 * style has the class "table_" + the option's value (the ACME client's
 * validations.volt: $("." + 'table_' + dns_service).show()); a header field
 * starts a section (core's base_dialog), and the fields after it are its
 * rows. Each section is written as [its header, the labels of its fields].
 */
export const DIALOGS = {
  acme: { form: 'AcmeClient/forms/dialogValidation.xml', option: 'validations.validation.dns_service' },
};

// Tag names get a prefix while parsing: the dnsmasq model has a field named "constructor".
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  trimValues: true,
  commentPropName: '#comment',
  transformTagName: (name) => (name.startsWith('$') ? name : `$${name}`),
});

const tagOf = (node) => Object.keys(node).find((k) => k.startsWith('$'));
const nameOf = (node) => tagOf(node)?.slice(1);
const childrenOf = (node) => (node[tagOf(node)] ?? []).filter((c) => tagOf(c) !== undefined);
const attrsOf = (node) => node[':@'] ?? {};
const textOf = (node) => (node[tagOf(node)] ?? []).map((c) => c['#text'] ?? '').join('');

/** A field node: a leaf (has a type, no typed children), an array (a type with typed children) or a container. */
function tree(nodes) {
  const out = [];
  for (const node of nodes) {
    const name = nameOf(node);
    const attrs = attrsOf(node);
    if (attrs.volatile === 'true') continue;
    const typed = childrenOf(node).filter((c) => attrsOf(c).type !== undefined || childrenOf(c).some((g) => attrsOf(g).type !== undefined));
    if (attrs.type === undefined) {
      // A container of volatile fields only (Filter's general/snat_mode) is not stored.
      const fields = tree(childrenOf(node));
      if (fields.length > 0) out.push([name, fields]);
    }
    else if (typed.length > 0) out.push([name, { item: tree(childrenOf(node)) }]);
    else {
      // BooleanField defaults to "0" when the model names no default (its PHP class does).
      const fallback = childrenOf(node).find((c) => nameOf(c) === 'Default');
      out.push([name, fallback ? String(textOf(fallback)) : attrs.type === 'BooleanField' ? '0' : '']);
    }
  }
  return out;
}

/** The options of the OptionField at a dotted path under <items>: [value, label], in the model's order (a value is the option's tag, or its value attribute). */
function optionsAt(items, dotted) {
  let node = items;
  for (const part of dotted.split('.')) {
    node = childrenOf(node).find((c) => nameOf(c) === part);
    if (!node) throw new Error(`no field ${dotted}`);
  }
  const values = childrenOf(node).find((c) => nameOf(c) === 'OptionValues');
  if (attrsOf(node).type !== 'OptionField' || !values) throw new Error(`${dotted} is not an OptionField with OptionValues`);
  return childrenOf(values).map((o) => [attrsOf(o).value ?? nameOf(o), textOf(o)]);
}

function readModel(file, choices = []) {
  const doc = parser.parse(readFileSync(file, 'utf8'));
  const model = doc.find((n) => nameOf(n) === 'model');
  const parts = childrenOf(model);
  const get = (tag) => parts.find((p) => nameOf(p) === tag);
  const mount = textOf(get('mount'));
  const items = tree(childrenOf(get('items')));
  // A legacy mapper (mount ending in "+") stores its items at the mount path itself: /nat/rule+ is <nat><rule>.
  const path = mount.replace(/^\/+/, '').replace(/\+$/, '').split('/');
  const at = mount.endsWith('+') ? path.slice(0, -1) : path;
  const options = choices.map((dotted) => [dotted, optionsAt(get('items'), dotted)]);
  return { version: textOf(get('version')), path: at, mapper: mount.endsWith('+'), items, choices: options };
}

/**
 * value → its sections ([header, labels of its input fields]), for each of
 * `values` that some section's class names ("table_dns" marks every DNS
 * section, so only a value's own class counts). Info rows (notes) are not
 * fields.
 */
function readDialog(file, values) {
  const doc = parser.parse(readFileSync(file, 'utf8'));
  const form = doc.find((n) => nameOf(n) === 'form');
  const part = (field, tag) => textOf(childrenOf(field).find((c) => nameOf(c) === tag) ?? { $x: [] });
  const byValue = new Map();
  let current;
  for (const field of childrenOf(form).filter((f) => nameOf(f) === 'field')) {
    if (part(field, 'type') === 'header') {
      current = [part(field, 'label'), []];
      for (const cls of part(field, 'style').split(/\s+/)) {
        const value = cls.slice('table_'.length);
        if (!cls.startsWith('table_') || !values.includes(value)) continue;
        if (!byValue.has(value)) byValue.set(value, []);
        byValue.get(value).push(current);
      }
    } else if (current && part(field, 'id') !== '') current[1].push(part(field, 'label'));
  }
  return byValue;
}

function renderDialog(option, byValue) {
  if (!byValue) return '';
  const values = [...byValue].map(([value, sections]) => `      ${JSON.stringify(value)}: ${JSON.stringify(sections)},`);
  return `\n  dialog: {\n    ${JSON.stringify(option)}: {\n${values.join('\n')}\n    },\n  },`;
}

function renderChoices(choices) {
  if (choices.length === 0) return '';
  const lists = choices.map(([dotted, options]) => `    ${JSON.stringify(dotted)}: [\n${options.map(([v, l]) => `      [${JSON.stringify(v)}, ${JSON.stringify(l)}],`).join('\n')}\n    ],`);
  return `\n  choices: {\n${lists.join('\n')}\n  },`;
}

function render(value, depth) {
  const pad = '  '.repeat(depth);
  if (typeof value === 'string') return JSON.stringify(value);
  if (!Array.isArray(value)) return `{ item: ${render(value.item, depth)} }`;
  if (value.length === 0) return '[]';
  return `[\n${value.map(([k, v]) => `${pad}  [${JSON.stringify(k)}, ${render(v, depth + 1)}],`).join('\n')}\n${pad}]`;
}

export const SNAPSHOTS = readdirSync(modelsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

/**
 * Every file of src/targets/opnsense/fields/: one table per model and
 * distinct content (a model version's table is written once, however many
 * snapshots have it: <model>-<version>-<first snapshot>.ts), and index.ts,
 * which says which tables each snapshot has.
 */
export function generate() {
  const files = new Map();
  const snapshots = [];
  for (const snapshot of SNAPSHOTS) {
    const dir = join(modelsDir, snapshot);
    const entries = [];
    for (const [name, file] of Object.entries(MODEL_FILES)) {
      if (!existsSync(join(dir, file))) continue;
      const m = readModel(join(dir, file), CHOICES[name]);
      const mapper = m.mapper ? `\n  mapper: true,` : '';
      const dialog = DIALOGS[name];
      const options = dialog ? m.choices.find(([dotted]) => dotted === dialog.option)?.[1] : undefined;
      if (dialog && !options) throw new Error(`${name}: the dialog's option ${dialog.option} is not in CHOICES`);
      const form = dialog && existsSync(join(dir, dialog.form)) ? readDialog(join(dir, dialog.form), options.map(([value]) => value)) : undefined;
      const body = `{\n  version: ${JSON.stringify(m.version)},\n  path: ${JSON.stringify(m.path)},${mapper}\n  items: ${render(m.items, 1)},${renderChoices(m.choices)}${renderDialog(dialog?.option, form)}\n}`;
      let base = [...files.entries()].find(([, f]) => f.model === name && f.body === body)?.[0];
      if (!base) {
        base = `${name}-${m.version}-${snapshot}`;
        files.set(base, { model: name, body, source: form ? `${snapshot}/${file} and ${snapshot}/${dialog.form} (verbatim OPNsense model and form files)` : `${snapshot}/${file} (a verbatim OPNsense model file)` });
      }
      entries.push([name, base, m.version]);
    }
    snapshots.push([snapshot, entries]);
  }
  const out = new Map();
  for (const [base, f] of files) {
    out.set(
      `${base}.ts`,
      `// Generated by scripts/opnsense-fields.mjs from test/opnsense/models/${f.source}: do not edit.\n` +
        `import type { ModelFields } from '../field-types.js';\n\n` +
        `let table: ModelFields | undefined;\n\n` +
        `/** The table, made when first asked for: a run reads the tables of its firewalls' releases only. */\n` +
        `export function fields(): ModelFields {\n  return (table ??= ${f.body.replace(/\n/g, '\n  ')});\n}\n`,
    );
  }
  const ident = (base) => base.replace(/[^A-Za-z0-9]/g, '_');
  const imports = [...files.keys()].map((base) => `import { fields as ${ident(base)} } from './${base}.js';`).join('\n');
  const list = snapshots
    .map(
      ([snapshot, entries]) =>
        `  {\n    name: ${JSON.stringify(snapshot)},\n    versions: {\n${entries.map(([name, , version]) => `      ${name}: ${JSON.stringify(version)},`).join('\n')}\n    },\n` +
        `    fields: {\n${entries.map(([name, base]) => `      get ${name}() {\n        return ${ident(base)}();\n      },`).join('\n')}\n    },\n  },`,
    )
    .join('\n');
  out.set(
    'index.ts',
    `// Generated by scripts/opnsense-fields.mjs: the field tables each snapshot of OPNsense's model files has\n` +
      `// (test/opnsense/models/<snapshot>/): the newest point release of a series, or an earlier one. Do not edit.\n` +
      `// A snapshot's fields are getters: a table is made when a run first reads it (most runs read two or three),\n` +
      `// and a snapshot's versions say which table has a model's version without making any.\n` +
      `import type { ModelFieldSet, ModelName } from '../field-types.js';\n${imports}\n\n` +
      `export const SNAPSHOTS: readonly { name: string; versions: Partial<Record<ModelName, string>>; fields: ModelFieldSet }[] = [\n${list}\n];\n`,
  );
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const files = generate();
  let stale = 0;
  const present = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith('.ts')) : [];
  for (const name of present) {
    if (files.has(name)) continue;
    if (check) {
      process.stderr.write(`stale: ${join(outDir, name)} (no model file makes it)\n`);
      stale++;
    } else rmSync(join(outDir, name));
  }
  for (const [name, text] of files) {
    const file = join(outDir, name);
    if (check) {
      if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
        process.stderr.write(`stale: ${file}\n`);
        stale++;
      }
    } else writeFileSync(file, text);
  }
  process.exit(stale ? 1 : 0);
}
