// gen lint cites no line of the topology (only generated files do, through
// SourceMap.lineOf), so its js-yaml reading reports no node events: a
// listener called twice per node took a fifth of reading a 10,000-peer
// topology. The count of node events is the measure, not time.
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { root } from '../helpers.js';

// Hoisted with the mock, which counts into it.
const counted = vi.hoisted(() => ({ events: 0 }));
vi.mock('js-yaml', async (original) => {
  const actual = await original<typeof import('js-yaml')>();
  const load = (text: string, options?: import('js-yaml').LoadOptions) => {
    const listener = options?.listener;
    if (!listener) return actual.load(text, options);
    return actual.load(text, Object.assign({}, options, {
      // js-yaml calls the listener as the state's method (state.listener(...)): its `this` is passed on.
      listener(this: import('js-yaml').State, ...args: Parameters<typeof listener>) {
        counted.events++;
        listener.apply(this, args);
      },
    }));
  };
  return Object.assign({}, actual, { load, default: Object.assign({}, actual, { load }) });
});

// Test files share their worker's modules (vitest.config.ts: isolate false):
// gen's modules are loaded anew here, after the mock, with js-yaml itself.
vi.resetModules();
const { main } = await import('../../src/cli.js');
const { lintTopology } = await import('../../src/commands/model.js');

/** Runs gen with `args`, its output discarded: exit code and the node events js-yaml reported. */
async function run(args: string[]): Promise<{ code: number; events: number }> {
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  counted.events = 0;
  try {
    return { code: await main(args), events: counted.events };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe('the reading of a topology', () => {
  const topology = join(root, 'examples/vlan-hosting.yaml');

  it('gen lint reads it without node events, and finds what a reading with them finds', async () => {
    expect(await run(['lint', topology])).toEqual({ code: 0, events: 0 });
    // The line of each collection is noted where a model goes on to generated files.
    const { model } = await lintTopology(topology);
    expect(counted.events).toBeGreaterThan(100);
    expect(model?.source?.lineOf(model.sites[0]!.path)).toBeGreaterThan(1);
  });
});
