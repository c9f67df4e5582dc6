// The Proxmox host's script compares the VLANs the kernel lists (`bridge
// -compressvlans vlan show`: ids and ranges) with those gen wrote, each made
// sorted, merged ranges: the script's vid_ranges in bash, compressVids in
// TypeScript for the text gen writes into the script. The two must write
// every set of VLANs alike, or a port that carries exactly the topology's
// VLANs is reported as a drift. vid_ranges is read from a generated script
// and run in bash on lists of ids and ranges in any order, overlapping,
// repeated, with leading zeros as a hand-typed list may have them.
// in_ranges, which asks whether the bridge itself carries a VLAN device's
// VLAN, reads vid_ranges' answer: it is run on that answer for ids inside,
// at the edges of and outside each list.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressVids, vidBounds, vidIds } from '../../src/render/verify/proxmox.js';
import { readExample, render } from '../helpers.js';

/** The Proxmox verification script of scenario B's host, rendered once for every test here. */
let script: Promise<string> | undefined;
/** A shell function as that script defines it. */
async function functionOfScript(name: string): Promise<string> {
  script ??= render(readExample('vlan-hosting')).then((files) => [...files].find(([path]) => /\/verify\/proxmox-[^/]+\.sh$/.test(path))?.[1] ?? '');
  const fn = new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?\\n\\}$`, 'm').exec(await script)?.[0];
  expect(fn, `${name} in the Proxmox verification script`).toBeDefined();
  return fn!;
}

/** A VLAN id or a range of them, as bridge prints or a user types them (leading zeros kept). */
const word = fc
  .tuple(fc.integer({ min: 1, max: 4094 }), fc.nat({ max: 40 }), fc.boolean(), fc.boolean())
  .map(([from, span, range, zero]) => {
    const to = Math.min(4094, from + span);
    const id = (n: number) => (zero ? `0${n}` : String(n));
    return range && to > from ? `${id(from)}-${id(to)}` : id(from);
  });

describe('vid_ranges (bash) and compressVids (TypeScript)', () => {
  it('write every list of VLANs as the same sorted, merged ranges', async () => {
    const lists = fc.sample(fc.array(word, { maxLength: 12 }), { numRuns: 300, seed: 29 }).map((words) => words.join(' '));
    lists.push('', '1', '1 2 3', '3 2 1', '10-20 15-30', '4094', '1-4094', '10 12 11', '099 100');
    // One bash for all: each list on a line, each answer on a line.
    const script = `${await functionOfScript('vid_ranges')}\nwhile IFS= read -r list; do vid_ranges "$list"; printf '%s\\n' "$REPLY"; done\n`;
    const r = spawnSync('bash', ['-c', script], { input: lists.map((l) => `${l}\n`).join(''), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const answers = r.stdout.split('\n');
    for (let i = 0; i < lists.length; i++) {
      const words = lists[i]!.split(' ').filter(Boolean);
      expect(answers[i], JSON.stringify(lists[i])).toBe(compressVids(words));
    }
    // Not two empty answers: overlapping ranges merged, ids out of order sorted.
    expect(answers[lists.indexOf('10-20 15-30')]).toBe('10-30');
    expect(answers[lists.indexOf('10 12 11')]).toBe('10-12');
  });

  it('in_ranges finds a VLAN in vid_ranges\' answer exactly when the list holds it', async () => {
    const lists = fc.sample(fc.array(word, { maxLength: 8 }), { numRuns: 150, seed: 31 });
    lists.push([], ['1'], ['4094'], ['1-4094'], ['10-20', '30'], ['099', '100']);
    // For each list: ids at and beside the edge of each of its words, and a few anywhere.
    const cases: { vid: number; words: string[] }[] = [];
    for (const [i, words] of lists.entries()) {
      const vids = new Set<number>([1, 2, 4093, 4094, 1 + ((i * 997) % 4094)]);
      for (const w of words) {
        const [from, to] = vidBounds(w);
        for (const v of [from - 1, from, from + 1, to - 1, to, to + 1]) if (v >= 1 && v <= 4094) vids.add(v);
      }
      for (const vid of vids) cases.push({ vid, words });
    }
    const script = `${await functionOfScript('vid_ranges')}\n${await functionOfScript('in_ranges')}\nwhile IFS='|' read -r vid list; do vid_ranges "$list"; if in_ranges "$vid" "$REPLY"; then echo 1; else echo 0; fi; done\n`;
    const r = spawnSync('bash', ['-c', script], { input: cases.map((c) => `${c.vid}|${c.words.join(' ')}\n`).join(''), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const answers = r.stdout.split('\n');
    let inside = 0;
    for (const [i, { vid, words }] of cases.entries()) {
      const held = vidIds(words).has(vid);
      if (held) inside++;
      expect(answers[i], `VLAN ${vid} in ${JSON.stringify(words.join(' '))}`).toBe(held ? '1' : '0');
    }
    // Both answers occur, at range edges as well.
    expect(inside).toBeGreaterThan(100);
    expect(cases.length - inside).toBeGreaterThan(100);
  });
});
