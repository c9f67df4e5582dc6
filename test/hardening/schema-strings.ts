// Every string-typed field the topology schema accepts, named by the object
// definition that holds it and the path inside it (sgRule:from,
// site:backup.pbs.fingerprint, `*` for an array's items): walked through
// $ref, the alternatives of oneOf/anyOf/allOf and if/then/else. A field of
// a definition used in several places (a security group rule in ingress and
// egress) is one field: the code that writes it is the same.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../helpers.js';

type Node = Record<string, unknown>;

const schema = JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8')) as Node;
const defs = (schema.$defs ?? {}) as Record<string, Node>;

function takesString(node: Node): boolean {
  const type = node.type;
  if (type === 'string' || (Array.isArray(type) && type.includes('string'))) return true;
  if (Array.isArray(node.enum) && node.enum.some((v) => typeof v === 'string')) return true;
  return typeof node.const === 'string';
}

interface Place {
  node: Node;
  /** The object definition the node is in ('' for the document) and the path inside it. */
  def: string;
  path: string[];
}

/** A $ref to an object definition starts a new place; one to a value's definition (name, description) stays in the field. */
function resolved(place: Place): Place[] {
  const { node } = place;
  const out: Place[] = [];
  if (typeof node.$ref === 'string') {
    const name = node.$ref.replace('#/$defs/', '');
    const target = defs[name]!;
    out.push(...resolved(target.properties ? { node: target, def: name, path: [] } : { ...place, node: target }));
  }
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) for (const a of (node[key] as Node[] | undefined) ?? []) out.push(...resolved({ ...place, node: a }));
  for (const key of ['then', 'else'] as const) if (node[key]) out.push(...resolved({ ...place, node: node[key] as Node }));
  out.push(place);
  return out;
}

function children(place: Place, step: string): Place[] {
  const { node } = place;
  if (step === '*') return node.items && typeof node.items === 'object' && !Array.isArray(node.items) ? [{ node: node.items as Node, def: place.def, path: [...place.path, '*'] }] : [];
  const property = ((node.properties ?? {}) as Record<string, Node>)[step];
  return property ? [{ node: property, def: place.def, path: [...place.path, step] }] : [];
}

const keyOf = (place: Place) => `${place.def}:${place.path.join('.')}`;

/** Every string field of the schema, as definition:path. */
export function schemaStringFields(): Set<string> {
  const found = new Set<string>();
  const seen = new Set<string>();
  const walk = (start: Place): void => {
    for (const place of resolved(start)) {
      const key = `${keyOf(place)}@${JSON.stringify(place.node).length}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (takesString(place.node)) found.add(keyOf(place));
      for (const name of Object.keys((place.node.properties ?? {}) as Node)) for (const c of children(place, name)) walk(c);
      for (const c of children(place, '*')) walk(c);
    }
  };
  walk({ node: schema, def: '', path: [] });
  return found;
}

/** The schema's field of a value at a topology path (indices as numbers or `*`), undefined when the schema has none there. */
export function schemaFieldOf(path: readonly (string | number)[]): string | undefined {
  let places: Place[] = [{ node: schema, def: '', path: [] }];
  for (const step of path) places = places.flatMap(resolved).flatMap((p) => children(p, typeof step === 'number' ? '*' : step));
  return places.flatMap(resolved).find((p) => takesString(p.node)) ? keyOf(places.flatMap(resolved).find((p) => takesString(p.node))!) : undefined;
}
