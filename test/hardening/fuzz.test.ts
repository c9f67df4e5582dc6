// Property-based fuzzing: random and mutated topologies never crash gen.
// Every outcome is a clean model that renders, or located diagnostics.
// FUZZ_RUNS sets the number of cases per property (`npm run fuzz` runs 10,000).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Diagnostic } from '../../src/diagnostics.js';
import { lintText } from '../../src/pipeline.js';
import { renderAll } from '../../src/render/index.js';
import { EXAMPLES, readExample } from '../helpers.js';

const runs = Number(process.env.FUZZ_RUNS ?? 100);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const settings = { numRuns: runs, ...(seed === undefined ? {} : { seed }) };
const examples = (Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[]).map((name) => readExample(name));

function located(d: Diagnostic, lines: number): boolean {
  return d.location.line >= 1 && d.location.line <= lines + 1 && d.location.col >= 1 && d.message.length > 0 && d.rule.length > 0;
}

/** Lints, and renders when clean: must never throw. */
async function outcome(text: string): Promise<void> {
  const { diagnostics, model } = await lintText(text);
  const lines = text.split('\n').length;
  for (const d of diagnostics) expect(located(d, lines), JSON.stringify(d)).toBe(true);
  if (model && !diagnostics.some((d) => d.severity === 'error')) {
    const files = renderAll(model);
    for (const [path, content] of files) {
      expect(path).not.toMatch(/^\/|\.\.|\\/);
      expect(content.endsWith('\n')).toBe(true);
    }
  }
}

/** Every path to a node in a JSON-like value. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else {
    node[last] = value;
  }
  return copy;
}

const nasty = fc.oneof(
  fc.constantFrom(
    '',
    '\n[Peer]\nAllowedIPs = 0.0.0.0/0',
    '; rm -rf /',
    '$(reboot)',
    '`id`',
    '</descr><rule>',
    ']]>',
    '${var}',
    '%{ if }',
    '"\'\\',
    '\u0000',
    '\u202e',
    '한국어 설명',
    '10.0.0.0/8',
    '0.0.0.0/0',
    '255.255.255.255/32',
    '10.0.1.1/24',
    '999.1.1.1',
    'wg0',
    'dhcp',
    '-1',
    '1e309',
  ),
  fc.integer({ min: -1, max: 70000 }),
  fc.constantFrom(0, 1, 4094, 4095, 65535, 65536, Number.MAX_SAFE_INTEGER, -0, 1.5),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
);

describe('fuzzing', () => {
  it('valid topologies with one field changed never crash', async () => {
    const parsed = examples.map((text) => parse(text) as unknown);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), nasty, async (which, where, value) => {
        const data = parsed[which % parsed.length];
        const all = paths(data);
        const path = all[where % all.length]!;
        await outcome(stringify(setAt(data, path, value)) ?? '');
      }),
      settings,
    );
  });

  it('truncated files never crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), async (which, cut) => {
        const text = examples[which % examples.length]!;
        await outcome(text.slice(0, cut % (text.length + 1)));
      }),
      settings,
    );
  });

  it('random text never crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (text) => {
        await outcome(text);
      }),
      settings,
    );
  });

  it('lines shuffled or duplicated never crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), async (which, a, b) => {
        const lines = examples[which % examples.length]!.split('\n');
        const from = a % lines.length;
        const to = b % lines.length;
        const copy = [...lines];
        copy.splice(to, 0, lines[from]!);
        await outcome(copy.join('\n'));
      }),
      settings,
    );
  });
});
