// MVC sections written the way OPNsense's own models write them: every
// field, in the model's order, with the model's default where gen has no
// value of its own. OPNsense's templates (haproxy.conf, dnsmasq.conf, …)
// read config.xml without the model, so a field gen left out would be
// missing there, not defaulted. The field lists come from the target
// release's model files (src/targets/opnsense/fields/).
import { fitDescription } from '../../targets/opnsense/descriptions.js';
import type { FieldNode, FieldTree, ModelName } from '../../targets/opnsense/field-types.js';
import { type OpnsenseContext } from './context.js';
import type { SharedValues } from './shared-values.js';
import { ItemLayout, LaidOutItem, LazyItems, type XmlElement, element, elementOf, sharedLeaf } from './xml.js';
import { appendAll } from '../../arrays.js';

/** gen's values for a container or item: text for a field, values for a nested container, items for an array field. */
export interface FieldValues {
  [field: string]: string | number | undefined | FieldValues | readonly XmlElement[] | LazyItems;
}

export class UnknownFieldError extends Error {}

function isTree(node: FieldNode): node is FieldTree {
  return Array.isArray(node);
}

/**
 * A field at the model's default: one frozen element per field name and
 * value, shared by every item that has it. Most fields of an MVC filter
 * rule are defaults, so 20,000 rules made a million such elements that
 * lived until the file was written (garbage collection was a quarter of a
 * large build). Frozen, because an element shared by many items must never
 * change: merge clones what it takes (test/opnsense/xml-work.test.ts).
 */
const defaults = new Map<string, Map<string, XmlElement>>();
function defaultLeaf(name: string, value: string): XmlElement {
  // By field, then value: no key string per lookup.
  let byValue = defaults.get(name);
  if (!byValue) defaults.set(name, (byValue = new Map()));
  let known = byValue.get(value);
  if (!known) byValue.set(value, (known = sharedLeaf(name, value, true)));
  return known;
}

/** What build needs of a tree, made once per tree. */
interface Shape {
  /** Each field's position. */
  index: ReadonlyMap<string, number>;
  /** Each scalar field's default element, by position. */
  defaults: (XmlElement | undefined)[];
  /** Whether every field is scalar (an MVC filter rule's are): its children are then one per field, in place. */
  flat: boolean;
}
const shapes = new WeakMap<FieldTree, Shape>();
function shapeOf(tree: FieldTree): Shape {
  let shape = shapes.get(tree);
  if (!shape) {
    shape = {
      index: new Map(tree.map(([field], i) => [field, i])),
      defaults: tree.map(([field, node]) => (typeof node === 'string' ? defaultLeaf(field, node) : undefined)),
      flat: tree.every(([, node]) => typeof node === 'string'),
    };
    shapes.set(tree, shape);
  }
  return shape;
}

/** A value as the field takes it: a description cut to what OPNsense stores (targets/opnsense/descriptions.ts). */
function fieldValue(field: string, value: string | number | undefined): string | number | undefined {
  return (field === 'description' || field === 'descr') && typeof value === 'string' ? fitDescription(value) : value;
}

/**
 * A container (or item) with every field of `tree`: a field named in
 * `values` is gen's (undefined writes it empty), any other gets the model's
 * default, marked as such. Array fields hold the items `values` gives.
 */
function build(name: string, tree: FieldTree, values: FieldValues, where: string, shared: SharedValues, attrs: [string, string][] = []): XmlElement {
  const shape = shapeOf(tree);
  // The defaults, then gen's values in their places.
  if (shape.flat) return { name, attrs, children: placed(shape, shape.defaults as XmlElement[], values, where, shared) };
  for (const key in values) {
    if (!shape.index.has(key)) throw new UnknownFieldError(`${where} has no field ${key} on this release`);
  }
  const children: (XmlElement | LazyItems | readonly XmlElement[])[] = [];
  // Indexed, without destructuring: this runs for every field of every item.
  for (let i = 0; i < tree.length; i++) {
    const field = tree[i]![0];
    const node = tree[i]![1];
    const value = values[field];
    const given = Object.prototype.hasOwnProperty.call(values, field);
    if (typeof node === 'string') {
      if (given) children.push(shared.leaf(field, fieldValue(field, value as string | number | undefined)));
      else children.push(shape.defaults[i]!);
    } else if (isTree(node)) {
      children.push(build(field, node, (value as FieldValues | undefined) ?? {}, `${where}/${field}`, shared));
    } else {
      // An array field: its items, in gen's order (none: the field is absent, as in a model with no items).
      if (value !== undefined) children.push(value as readonly XmlElement[] | LazyItems);
    }
  }
  return elementOf(name, children, attrs);
}

function modelOf(ctx: OpnsenseContext, model: ModelName) {
  const fields = ctx.release.fields(model);
  if (!fields) throw new UnknownFieldError(`OPNsense ${ctx.release.name} has no ${model} model`);
  return fields;
}

/** The field tree at a dotted path of a model, and the name of its last part (looked up once per model and path: every item asks). */
const paths = new WeakMap<FieldTree, Map<string, { name: string; tree: FieldTree }>>();
function treeAt(ctx: OpnsenseContext, model: ModelName, path: string): { name: string; tree: FieldTree } {
  const items = modelOf(ctx, model).items;
  let known = paths.get(items);
  if (!known) paths.set(items, (known = new Map()));
  let found = known.get(path);
  if (found) return found;
  let tree = items;
  let name = '';
  for (const part of path.split('.')) {
    const node = tree.find(([field]) => field === part)?.[1];
    if (node === undefined || typeof node === 'string') throw new UnknownFieldError(`${model} has no ${path} on OPNsense ${ctx.release.name}`);
    tree = isTree(node) ? node : node.item;
    name = part;
  }
  known.set(path, (found = { name, tree }));
  return found;
}

/**
 * The items of an array field, one for each entry of `list`: in a build
 * (ctx.streamed), each made when its file is written and garbage once
 * written (see StreamedElement); otherwise all of them now, for a reader of
 * the whole tree (`gen opnsense merge`).
 */
export function itemsOf<T>(ctx: OpnsenseContext, list: readonly T[], make: (entry: T, index: number) => XmlElement): readonly XmlElement[] | LazyItems {
  if (!ctx.streamed) return list.map(make);
  return new LazyItems(function* () {
    for (let i = 0; i < list.length; i++) yield make(list[i]!, i);
  });
}

/** One item of an array field (path "frontends.frontend"), with its uuid. */
export function modelItem(ctx: OpnsenseContext, model: ModelName, path: string, uuid: string, values: FieldValues): XmlElement {
  const { name, tree } = treeAt(ctx, model, path);
  return build(name, tree, values, `${model} ${path}`, ctx.sharedValues, [['uuid', uuid]]);
}

/** Makes items of an array field: modelItem() with `fixed` values too. */
export type ItemMaker = (uuid: string, values: FieldValues) => XmlElement;

/**
 * A maker of the items of one array field that all have the `fixed` values
 * (an item's own values given to the maker win): the elements of the fixed
 * ones are looked up once, not once per item. Half an MVC filter rule's
 * values are the same for every rule, and before an item's code is
 * optimised each of its values costs a lookup in the model and in the
 * shared values (most of a build's 20,000 rules are made then).
 */
export function modelItems(ctx: OpnsenseContext, model: ModelName, path: string, fixed: FieldValues): ItemMaker {
  const { name, tree } = treeAt(ctx, model, path);
  const where = `${model} ${path}`;
  const shape = shapeOf(tree);
  if (!shape.flat) return (uuid, values) => build(name, tree, Object.assign({}, fixed, values), where, ctx.sharedValues, [['uuid', uuid]]);
  // Frozen, as the defaults are: every item holds these elements.
  const base = placed(shape, shape.defaults as XmlElement[], fixed, where, undefined);
  const plain: ItemMaker = (uuid, values) => ({ name, attrs: [['uuid', uuid]], children: placed(shape, base, values, where, ctx.sharedValues) });
  // In a build the items are written once, unchanged: each from the runs of constants between its own values.
  if (!ctx.streamed || base.length === 0) return plain;
  let laid: Laid | undefined;
  return (uuid, values) => {
    laid ??= layOut(name, shape, base, values, where);
    const own = laid.slotOf.length === 0 ? undefined : ownValues(laid, values);
    return own ? new LaidOutItem(laid.layout, [['uuid', uuid]], own) : plain(uuid, values);
  };
}

/** An ItemLayout for items given the fields of `values`, in that order: `slotOf`, for each field given, its slot. */
interface Laid {
  layout: ItemLayout;
  keys: readonly string[];
  slotOf: readonly number[];
}

function layOut(name: string, shape: Shape, base: readonly XmlElement[], values: FieldValues, where: string): Laid {
  const keys = Object.keys(values);
  const positions = keys.map((key) => {
    const i = shape.index.get(key);
    if (i === undefined) throw new UnknownFieldError(`${where} has no field ${key} on this release`);
    return i;
  });
  const slots = [...positions].sort((a, b) => a - b);
  return { layout: new ItemLayout(name, base, slots), keys, slotOf: positions.map((i) => slots.indexOf(i)) };
}

/**
 * An item's own values as text, in slot order, as placed() gives them to its leaves; undefined when the
 * item gives other fields than the layout's, or in another order (it is then made as any element).
 */
function ownValues(laid: Laid, values: FieldValues): string[] | undefined {
  const own = new Array<string>(laid.keys.length);
  let n = 0;
  for (const key in values) {
    if (key !== laid.keys[n]) return undefined;
    const value = fieldValue(key, values[key] as string | number | undefined);
    own[laid.slotOf[n++]!] = value === undefined ? '' : String(value);
  }
  return n === laid.keys.length ? own : undefined;
}

/**
 * The children of `base` (one per field of a flat tree) with `values` in their places: a lookup per value
 * given, not two per field of the model. Each value's element is the shared one, or (no `shared`) a frozen one.
 */
function placed(shape: Shape, base: readonly XmlElement[], values: FieldValues, where: string, shared: SharedValues | undefined): XmlElement[] {
  const children = base.slice();
  for (const key in values) {
    const i = shape.index.get(key);
    if (i === undefined) throw new UnknownFieldError(`${where} has no field ${key} on this release`);
    const value = fieldValue(key, values[key] as string | number | undefined);
    children[i] = shared ? shared.leaf(key, value) : sharedLeaf(key, value === undefined ? '' : String(value));
  }
  return children;
}

/**
 * The values that switch an item on, in the form its model has: an
 * <enabled>1 field, or a <disabled>0 one (static routes changed from the
 * second to the first in 26.1.10).
 */
export function switchedOn(ctx: OpnsenseContext, model: ModelName, path: string): FieldValues {
  const { tree } = treeAt(ctx, model, path);
  if (tree.some(([field]) => field === 'enabled')) return { enabled: '1' };
  if (tree.some(([field]) => field === 'disabled')) return { disabled: '0' };
  throw new UnknownFieldError(`${model} ${path} has no enabled or disabled field`);
}

/**
 * A model's section: its root (with the model's version, except for legacy
 * mappers such as /nat/rule+, which have none) inside the elements of its
 * mount path. `extra` adds children that are not the model's (e.g. <nat>'s
 * <outbound>).
 */
export function modelSection(ctx: OpnsenseContext, model: ModelName, values: FieldValues, extra: XmlElement[] = []): XmlElement[] {
  const fields = modelOf(ctx, model);
  const path = fields.path;
  if (path.length === 0) {
    // Items at the top of <opnsense> (/cert+): only the items themselves.
    return Object.values(values).flatMap((v) => (v instanceof LazyItems ? Array.from(v.make()) : Array.isArray(v) ? (v as XmlElement[]) : []));
  }
  const rootName = path[path.length - 1]!;
  const root = build(rootName, fields.items, values, model, ctx.sharedValues, fields.mapper ? [] : [['version', fields.version]]);
  // Only when there is something to add: the children of a streamed root would be made here.
  if (extra.length > 0) appendAll(root.children, extra);
  let node = root;
  for (const part of [...path].reverse().slice(1)) node = element(part, [node]);
  return [node];
}
