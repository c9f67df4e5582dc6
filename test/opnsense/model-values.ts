// Checks the values gen writes into an MVC array item against the field
// definitions of the upstream model file: option lists, masks, integer
// ranges, booleans, relations to other items and certificate refids.
import { XMLParser } from 'fast-xml-parser';

interface FieldDef {
  type: string;
  options?: Set<string>;
  multiple: boolean;
  mask?: RegExp;
  min?: number;
  max?: number;
  /** For a ModelRelationField: the items it points to, e.g. "backends.backend". */
  relation?: string;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true });

/** PHP's "/body/flags" as a JavaScript RegExp. */
function phpRegex(mask: string): RegExp {
  const end = mask.lastIndexOf('/');
  const body = mask.slice(1, end);
  const flags = mask.slice(end + 1).replace(/[^imsu]/g, '');
  try {
    return new RegExp(body, flags);
  } catch {
    return new RegExp(body, flags.replace('u', ''));
  }
}

function optionsOf(values: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith('@')) continue;
    // An <optgroup>-like element holds the options one level down.
    if (value !== null && typeof value === 'object' && Object.keys(value).some((k) => !k.startsWith('@') && k !== '#text')) for (const k of optionsOf(value as Record<string, unknown>)) out.add(k);
    else out.add(key);
  }
  return out;
}

/** The field definitions of an array item of a model, e.g. ['acls', 'acl']. */
export function modelFields(modelXml: string, itemPath: readonly string[]): Map<string, FieldDef> {
  let node = parser.parse(modelXml).model.items;
  for (const key of itemPath) node = node[key];
  const fields = new Map<string, FieldDef>();
  for (const [name, def] of Object.entries<Record<string, any>>(node)) {
    if (name.startsWith('@')) continue;
    fields.set(name, {
      type: String(def['@type'] ?? ''),
      options: def.OptionValues ? optionsOf(def.OptionValues) : undefined,
      multiple: def.Multiple === 'Y',
      mask: def.Mask ? phpRegex(String(def.Mask)) : undefined,
      min: def.MinimumValue !== undefined ? Number(def.MinimumValue) : undefined,
      max: def.MaximumValue !== undefined ? Number(def.MaximumValue) : undefined,
      relation: def.Model?.template?.items ?? Object.values<any>(def.Model ?? {})[0]?.items,
    });
  }
  return fields;
}

/**
 * Problems of one item (its fields as element name → text) against the
 * model; `uuids` lists the uuids of the items each relation may point to.
 */
export function itemProblems(item: Record<string, unknown>, fields: ReadonlyMap<string, FieldDef>, uuids: (relation: string) => Set<string>): string[] {
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(item)) {
    if (name.startsWith('@')) continue;
    const def = fields.get(name);
    if (!def) {
      problems.push(`${name}: not a field of the model`);
      continue;
    }
    const value = raw === null || raw === undefined ? '' : typeof raw === 'object' ? String((raw as Record<string, unknown>)['#text'] ?? '') : String(raw);
    if (value === '') continue;
    const values = def.multiple || def.type === 'ModelRelationField' || def.type === 'CertificateField' ? value.split(',') : [value];
    for (const v of values) {
      if (def.type === 'BooleanField' && !/^[01]$/.test(v)) problems.push(`${name}: "${v}" is not 0 or 1`);
      if (def.options && !def.options.has(v)) problems.push(`${name}: "${v}" is not an option (${[...def.options].slice(0, 8).join(', ')}…)`);
      if (def.type === 'IntegerField' && (!/^-?\d+$/.test(v) || (def.min !== undefined && Number(v) < def.min) || (def.max !== undefined && Number(v) > def.max))) {
        problems.push(`${name}: "${v}" is not an integer in ${def.min}-${def.max}`);
      }
      if (def.mask && !def.mask.test(v)) problems.push(`${name}: "${v}" does not match ${def.mask}`);
      if (def.type === 'ModelRelationField' && def.relation && !uuids(def.relation).has(v)) problems.push(`${name}: "${v}" is no item of ${def.relation}`);
      if (def.type === 'CertificateField' && !/^[0-9a-f]{13}$/.test(v)) problems.push(`${name}: "${v}" is not a refid`);
    }
  }
  return problems;
}
