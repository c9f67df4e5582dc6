// Handlebars templates from templates/. HTML escaping is off: each target
// escapes for its own format (XML, HCL, INI) through helpers, or validates.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { packageRoot } from '../paths.js';

type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

const cache = new Map<string, Handlebars.TemplateDelegate>();

/** The bundle (scripts/bundle.mjs) carries every template precompiled here. */
const precompiled = (globalThis as { __genTemplates?: Record<string, TemplateSpecification> }).__genTemplates;

export const TEMPLATE_OPTIONS = { noEscape: true, strict: true } as const;

/** The helpers the templates in templates/ use (test/core/templates.test.ts reads them all). */
export const TEMPLATE_HELPERS: readonly string[] = ['each', 'if'];

/**
 * The templates' own environment, with only the helpers they use: every
 * call of a template wraps each helper of its environment anew (Handlebars'
 * runtime, `_setup`: addHelpers, passLookupPropertyOption), and the default
 * environment has eight, for each of 10,000 client files.
 */
const environment = Handlebars.create();
for (const name of Object.keys(environment.helpers)) if (!TEMPLATE_HELPERS.includes(name)) environment.unregisterHelper(name);

export function template(name: string): Handlebars.TemplateDelegate {
  let compiled = cache.get(name);
  if (!compiled) {
    const spec = precompiled?.[name];
    compiled = spec ? environment.template(spec) : environment.compile(readFileSync(join(packageRoot, 'templates', name), 'utf8'), TEMPLATE_OPTIONS);
    cache.set(name, compiled);
  }
  return compiled;
}

/** What a slot of a slotted template takes: text (already escaped for its format) or a number. */
export type SlotValue = string | number | undefined;

/** A template's text with each slot marked: `pieces` with a slot's text at every odd place, `slotAt` saying which slot. */
interface Skeleton {
  pieces: string[];
  slotAt: number[];
}

/**
 * Marks a slot's place in a skeleton. No value written can hold a NUL: the
 * load stage refuses it in every string, and each format's escaping too.
 */
const MARK = '\u0000';
const MARKED = /\u0000(\d+)\u0000/;

/**
 * How a slot's value shapes a template: a value that is there (0) is
 * written in its place; '' (1) and undefined (2) are written into the
 * skeleton as they are; for any other (3: 0, NaN) the template runs.
 */
function slotKind(value: SlotValue): number {
  if (value === undefined) return 2;
  if (value === '') return 1;
  return value ? 0 : 3;
}

/**
 * A template run once per shape of its slots, not once per item: `fixed`
 * holds the fields every call shares, `slots` name those that change. The
 * skeleton of each shape (which slots are empty, which {{#if}} hold) is
 * the template's text with each slot marked; a call writes its values
 * into the marks. A Handlebars call per item (10,000 client files) set up
 * its runtime, wrapped its helpers and built the text from a hundred
 * pieces, most of the render's time and garbage. The values reach the
 * text only as the caller escaped them, as with the template. The first
 * item of each shape is also rendered by the template and compared: a
 * skeleton that writes another text is not used.
 */
export function slotted<S extends string>(name: string, fixed: Readonly<Record<string, unknown>>, slots: readonly S[]): (values: Readonly<Record<S, SlotValue>>) => string {
  const render = template(name);
  /** Shape → its skeleton, or null where the template runs for each item. */
  const shapes = new Map<number, Skeleton | null>();
  const contextOf = (values: Readonly<Record<S, SlotValue>>, marked: boolean): Record<string, unknown> => {
    const context: Record<string, unknown> = Object.assign({}, fixed);
    for (let i = 0; i < slots.length; i++) {
      const value = values[slots[i]!];
      context[slots[i]!] = marked && slotKind(value) === 0 ? `${MARK}${i}${MARK}` : value;
    }
    return context;
  };
  return (values) => {
    let shape = 0;
    for (let i = 0; i < slots.length; i++) {
      const kind = slotKind(values[slots[i]!]);
      // 0 and NaN are one kind, written differently: no skeleton holds either.
      if (kind === 3) return render(contextOf(values, false));
      shape = shape * 4 + kind;
    }
    let skeleton = shapes.get(shape);
    if (skeleton === undefined) {
      skeleton = skeletonOf(render(contextOf(values, true)));
      if (skeleton !== null && fill(skeleton, slots, values) !== render(contextOf(values, false))) skeleton = null;
      shapes.set(shape, skeleton);
    }
    return skeleton === null ? render(contextOf(values, false)) : fill(skeleton, slots, values);
  };
}

/** The skeleton of a text with marked slots, or null when a NUL is not a mark. */
function skeletonOf(text: string): Skeleton | null {
  const split = text.split(MARKED);
  const slotAt: number[] = [];
  for (let i = 0; i < split.length; i++) {
    if (i % 2 === 1) slotAt.push(Number(split[i]));
    else if (split[i]!.includes(MARK)) return null;
  }
  return { pieces: split, slotAt };
}

/** The text of a skeleton with `values` in its slots: one join, so the text is flat (see FlatTexts in index.ts). */
function fill<S extends string>(skeleton: Skeleton, slots: readonly S[], values: Readonly<Record<S, SlotValue>>): string {
  const { pieces, slotAt } = skeleton;
  for (let k = 0; k < slotAt.length; k++) pieces[2 * k + 1] = String(values[slots[slotAt[k]!]!]);
  const text = pieces.join('');
  // A slot may hold a private key (gen wg export): the skeleton keeps none.
  for (let k = 0; k < slotAt.length; k++) pieces[2 * k + 1] = '';
  return text;
}
