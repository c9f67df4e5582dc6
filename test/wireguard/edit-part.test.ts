// gen wg edits the topology with the Document API reading only the part of
// the text the edit needs (editedPart): the parent it changes, or the last
// item of the list it appends to. Each kind of edit gen makes, on each
// example and on a generated topology with comments between and after its
// items, gives the text the whole document gave; and the part read does
// not grow with the peers (10,000 peers took 1.5 s of the Document API's
// parse in `gen wg add-peer`, 100,000 took 38 s and 2.9 GB).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, visit } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scaleTopology, toYaml } from '../../bench/generate.mjs';
import type { Path } from '../../src/location.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { type Edit, editTopology, editedPart, partSplice, wholeDocumentEdits } from '../../src/wg/edit-topology.js';
import { root } from '../helpers.js';

interface Data {
  sites?: { wireguard?: { peers?: { enabled?: boolean }[] }[] }[];
}

/** Each edit gen's wg commands make, on every instance of every site: add-peer, rotate, disable, enable, keygen --instance. */
function editsOf(text: string): Edit[] {
  const edits: Edit[] = [];
  const key = generateKeyPair().publicKey;
  ((parse(text) as Data).sites ?? []).forEach((site, s) =>
    (site.wireguard ?? []).forEach((instance, w) => {
      const at: Path = ['sites', s, 'wireguard', w];
      edits.push({ kind: 'append', path: at.concat('peers'), entries: [['name', 'added'], ['role', 'mobile'], ['address', '10.0.1.99'], ['public_key', key]] });
      edits.push({ kind: 'set', path: at.concat('public_key'), value: key, after: ['listen_port', 'address', 'name'] });
      const peers = instance.peers ?? [];
      for (const p of new Set([0, peers.length >> 1, peers.length - 1].filter((p) => p >= 0))) {
        const peer = at.concat('peers', p);
        edits.push({ kind: 'set', path: peer.concat('public_key'), value: key });
        edits.push(peers[p]!.enabled === false ? { kind: 'delete', path: peer.concat('enabled') } : { kind: 'set', path: peer.concat('enabled'), value: false });
      }
    }),
  );
  return edits;
}

/** The scale topology, with comments before, between and after peers, at the peers' indentation and at the first column. */
function commented(peers: number): string {
  const lines = toYaml(scaleTopology({ peers, rules: 2 * peers, vlans: Math.max(1, peers / 100) })).split('\n');
  return lines
    .flatMap((line, i) => (/^\s+- name: peer-\d*[05]$/.test(line) ? [`${line.slice(0, line.indexOf('-'))}# before ${i}`, line] : /^\s+public_key: /.test(line) && i % 7 === 0 ? [line, '# at the first column', ''] : [line]))
    .join('\n');
}

const texts = new Map<string, string>([
  ['topology.yaml', readFileSync(join(root, 'topology.yaml'), 'utf8')],
  ...readdirSync(join(root, 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f): [string, string] => [`examples/${f}`, readFileSync(join(root, 'examples', f), 'utf8')]),
  ['200 peers, with comments', commented(200)],
]);

describe('an edit of the topology through the part of the text it needs', () => {
  for (const [name, text] of texts) {
    it(`${name}: gives the text the whole document gave, for each edit gen makes`, () => {
      const edits = editsOf(text);
      // A file without WireGuard has nothing to edit.
      expect(edits.length > 0, 'edits').toBe(/^\s+wireguard:$/m.test(text));
      for (const edit of edits) {
        const whole = editTopology(text, [edit], { whole: true });
        expect(whole, JSON.stringify(edit)).not.toBe(text);
        expect(partSplice(text, edit), JSON.stringify(edit)).toBe(whole);
        const before = wholeDocumentEdits.count;
        expect(editTopology(text, [edit]), JSON.stringify(edit)).toBe(whole);
        // Made through the part alone: the whole document was not parsed.
        expect(wholeDocumentEdits.count, JSON.stringify(edit)).toBe(before);
      }
    });
  }

  it('parses the whole document where the loader leaves the file to the yaml library (an alias), with the same result', () => {
    const text = 'base: &b { role: mobile }\nsame: *b\nsites:\n  - name: home\n    wireguard:\n      - name: wg0\n        peers:\n          - name: a\n            role: mobile\n';
    const edit: Edit = { kind: 'set', path: ['sites', 0, 'wireguard', 0, 'peers', 0, 'enabled'], value: false };
    expect(editedPart(text, edit)).toBeUndefined();
    const before = wholeDocumentEdits.count;
    expect(editTopology(text, [edit])).toBe(text.replace('role: mobile\n', 'role: mobile\n            enabled: false\n'));
    expect(wholeDocumentEdits.count).toBe(before + 1);
  });

  it("reads as many nodes for a key of the instance at 200 peers as at 400: the peers below it are blank lines in the part", () => {
    const nodes = [200, 400].map((peers) => {
      const text = commented(peers);
      const found = editedPart(text, { kind: 'set', path: ['sites', 0, 'wireguard', 0, 'public_key'], value: 'x', after: ['listen_port', 'address', 'name'] })!;
      let count = 0;
      visit(found.doc, { Node: () => void count++ });
      return count;
    });
    expect(nodes[0]).toBeLessThan(40);
    expect(nodes[1]).toBe(nodes[0]);
  });

  it('reads a part that does not grow with the peers: a peer, or the last one before an added peer', () => {
    const sizes = [200, 400].map((peers) => {
      const text = commented(peers);
      const wg0: Path = ['sites', 0, 'wireguard', 0];
      const part = (edit: Edit) => {
        const found = editedPart(text, edit)!;
        return found.to - found.from;
      };
      return [
        part({ kind: 'append', path: wg0.concat('peers'), entries: [['name', 'added']] }),
        part({ kind: 'set', path: wg0.concat('peers', peers - 1, 'public_key'), value: 'x' }),
        part({ kind: 'set', path: wg0.concat('peers', 0, 'enabled'), value: false }),
        text.length,
      ];
    });
    expect(sizes[1]![3]!).toBeGreaterThan(1.9 * sizes[0]![3]!);
    for (const [i, size] of sizes[0]!.slice(0, 3).entries()) {
      expect(size).toBeLessThan(400);
      expect(sizes[1]![i]).toBe(size);
    }
  });
});
