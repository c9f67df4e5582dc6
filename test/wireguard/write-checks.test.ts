// A gen wg command that edits the topology asks whether the user may write
// it twice: before anything is written (a key, the secrets directory), and
// just before the rename that replaces it (the file may have changed hands
// while the edit was linted). A third ask checks nothing the two do not.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as mayWrite from '../../src/io/may-write.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { gen, topologyCases } from './cli.js';

const newCase = topologyCases('gen-wg-write-checks-');

afterEach(() => vi.restoreAllMocks());

/** Runs the command on a fresh topology; how often it asked whether the topology may be written. */
async function checksOf(command: (topology: string) => string[], before: (topology: string) => string[][] = () => []): Promise<number> {
  const { topology } = newCase();
  for (const setup of before(topology)) expect((await gen(...setup)).code).toBe(0);
  const asked = vi.spyOn(mayWrite, 'deniedWriteMode');
  const r = await gen(...command(topology));
  expect([r.code, r.stderr]).toEqual([0, expect.not.stringContaining('refusing')]);
  return asked.mock.calls.filter(([path]) => path === topology).length;
}

const keygen = (topology: string) => ['wg', 'keygen', '--instance', 'wg0', '--force', topology];

describe('the writable check of the topology in gen wg', () => {
  it.each<[string, (topology: string) => string[]]>([
    ['add-peer (gen makes the key)', (t) => ['wg', 'add-peer', 'tablet', '--role', 'mobile', t]],
    ['add-peer --public-key', (t) => ['wg', 'add-peer', 'tablet', '--role', 'mobile', '--public-key', generateKeyPair().publicKey, t]],
    ['rotate (gen makes the key)', (t) => ['wg', 'rotate', 'iphone-john', t]],
    ['rotate --public-key', (t) => ['wg', 'rotate', 'iphone-john', '--public-key', generateKeyPair().publicKey, t]],
    ['keygen --instance', keygen],
    ['enable', (t) => ['wg', 'enable', 'iphone-john', t]],
  ])('%s asks twice: before writing anything, and before the rename', async (_, command) => {
    expect(await checksOf(command, (t) => [keygen(t)])).toBe(2);
  });
});
