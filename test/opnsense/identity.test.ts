// Stable identity: UUIDs from names (hashed as UUIDv5 hashes them, in the
// form of version 4, which is the only one OPNsense takes). Rebuilding
// changes nothing, and renaming one peer changes only that peer's lines.
import { type BinaryToTextEncoding, createHash } from 'node:crypto';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { opnsenseContext } from '../../src/render/opnsense/context.js';
import { GEN_NAMESPACE, genUuid, isGenUuid, uuidV5 } from '../../src/render/opnsense/ids.js';
import { wireguardArea } from '../../src/render/opnsense/wireguard.js';
import { collectedHeap, edit, modelOf, readExample } from '../helpers.js';
import { fragments } from './support.js';

describe('UUIDv5', () => {
  it('matches RFC 4122 name-based UUIDs (SHA-1)', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'www.example.com')
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  // OPNsense 26.7's Type::isUUID (and wg-service-control.php, ArrayField's import) take version 4 only: the gateway
  // API took a version-5 UUID for a gateway's name (an empty edit dialog; saving made a second gateway).
  const OPNSENSE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it("gives gen's UUIDs the form OPNsense takes, the name's hash and gen's mark; earlier versions' version-5 ones stay gen's", () => {
    const v5 = uuidV5('home/wireguard-peer/wg0/laptop');
    const mine = genUuid('home/wireguard-peer/wg0/laptop');
    expect(mine).toMatch(OPNSENSE_UUID);
    // The same hash as the version-5 UUID of the name, but for the version digit, the last group's mark, and its four hash digits.
    expect(mine.slice(0, 14)).toBe(v5.slice(0, 14));
    expect(mine.slice(15, 23)).toBe(v5.slice(15, 23));
    expect(mine.slice(24)).toBe(`6e67656e${v5.slice(24, 28)}`);
    expect([isGenUuid(mine), isGenUuid(v5)]).toEqual([true, true]);
    // OPNsense's own (random version 4) are not gen's.
    for (const box of ['0b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', '3a9e5b0c-1d2f-4e6a-8b7c-9d0e1f2a3b4c', crypto.randomUUID()]) expect(isGenUuid(box), box).toBe(false);
  });

  it('writes every UUID of every OPNsense file in that form, and none twice', async () => {
    for (const example of ['homelab', 'homelab-family', 'vlan-hosting'] as const) {
      const uuids = [...(await fragments(readExample(example), example === 'vlan-hosting' ? 'hosting' : 'home')).values()].flatMap((text) => [...text.matchAll(/ uuid="([^"]*)"/g)].map((m) => m[1]!));
      expect(uuids.length, example).toBeGreaterThan(5);
      for (const uuid of uuids) expect([example, uuid, isGenUuid(uuid)]).toEqual([example, expect.stringMatching(OPNSENSE_UUID), true]);
      expect(new Set(uuids).size, example).toBe(uuids.length);
    }
  });

  it("matches Python's uuid.uuid5 in gen's namespace, for names of any length and script, in any order", () => {
    // Python: uuid.uuid5(uuid.UUID(GEN_NAMESPACE), name). The names past 256
    // bytes outgrow the buffer uuidV5 hashes from; the short ones after them
    // must not hash its leftover bytes.
    const expected: [string, string][] = [
      ['', '3c9dab5b-dc16-5b15-a7cf-b698042f58a2'],
      ['home/wireguard-peer/wg0/laptop', '1e87db3c-e5f0-5b3f-aaf1-f16259e8f062'],
      ['é漢😀'.repeat(100), '7074f291-fc36-5c84-96ea-955f6aaf1841'],
      ['x'.repeat(1000), '670d8c90-04e6-5ce9-b209-3b89eeec5362'],
    ];
    for (const order of [expected, [...expected].reverse(), [expected[3]!, expected[0]!, expected[2]!, expected[1]!]]) {
      for (const [name, uuid] of order) expect(uuidV5(name), name.slice(0, 20)).toBe(uuid);
    }
  });
});

describe("gen's UUIDs of a large site", () => {
  it('take their 36 characters on the heap: a filter rule or an item holds each to the end of the render', async () => {
    // Weighed three times, the least counting: one collection's leftover garbage varies by MBs, and only adds.
    const weights: number[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const before = await collectedHeap();
      const uuids = Array.from({ length: 20_000 }, (_, i) => genUuid(`home/filter-rule/generated-${i}/${trial}`));
      weights.push(((await collectedHeap()) - before) / uuids.length);
      expect(new Set(uuids).size).toBe(20_000);
    }
    // A one-byte string of 36 characters is 56 bytes, and the list 8 a UUID; made with a template, one was a rope of some 300.
    expect(Math.min(...weights), `bytes per UUID: ${weights.join(', ')}`).toBeLessThan(100);
  });

  it('take their variant digit from the hash without parsing or formatting a number', () => {
    // Both names of the function: Number.parseInt is the same function object, but a spy replaces one property only.
    const parsed = [vi.spyOn(globalThis, 'parseInt'), vi.spyOn(Number, 'parseInt')];
    let uuids: string[];
    try {
      uuids = Array.from({ length: 1000 }, (_, i) => genUuid(`home/wireguard-peer/wg0/peer-${i}`));
      for (const spy of parsed) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of parsed) spy.mockRestore();
    }
    // RFC 4122: the name's SHA-1 after the namespace's bytes; the variant is its 17th digit with the two high bits set to 10.
    const namespace = Buffer.from(GEN_NAMESPACE.replace(/-/g, ''), 'hex');
    for (let i = 0; i < uuids.length; i++) {
      const sha1 = createHash('sha1').update(namespace).update(`home/wireguard-peer/wg0/peer-${i}`).digest('hex');
      expect(uuids[i]!.slice(19, 23)).toBe(((Number.parseInt(sha1[16]!, 16) & 0x3) | 0x8).toString(16) + sha1.slice(17, 20));
    }
  });

  it('are hashed from ASCII names copied by the unit, through a view of their length made once, with no Buffer made or written per UUID', () => {
    const write = vi.spyOn(Buffer.prototype, 'write');
    const subarray = vi.spyOn(Buffer.prototype, 'subarray');
    const names = Array.from({ length: 1000 }, (_, i) => `home/filter-rule/r${i}/${i % 7}`);
    let uuids: string[];
    let views: number;
    try {
      uuids = names.map((name) => genUuid(name));
      expect(write).not.toHaveBeenCalled();
      views = subarray.mock.calls.length;
    } finally {
      write.mockRestore();
      subarray.mockRestore();
    }
    // One view per length of name (at most; some may be there from earlier names), not one per name.
    expect(views).toBeLessThanOrEqual(new Set(names.map((name) => name.length)).size);
    const namespace = Buffer.from(GEN_NAMESPACE.replace(/-/g, ''), 'hex');
    for (let i = 0; i < names.length; i++) {
      const sha1 = createHash('sha1').update(namespace).update(names[i]!).digest('hex');
      expect(uuids[i]!.slice(0, 8) + uuids[i]!.slice(32)).toBe(sha1.slice(0, 8) + sha1.slice(20, 24));
    }
    // A name that is not ASCII after one that is, of the same length in bytes: its own bytes, not the other's left over.
    const sha1 = (name: string) => createHash('sha1').update(namespace).update(name).digest('hex').slice(0, 8);
    for (const name of ['home/peer/abcdé', 'home/peer/abcdef', 'home/peer/é', 'home/peer/ab']) expect(genUuid(name).slice(0, 8), name).toBe(sha1(name));
  });

  it('are hashed from names written without measuring them first', () => {
    const byteLength = vi.spyOn(Buffer, 'byteLength');
    try {
      for (let i = 0; i < 1000; i++) genUuid(`home/wireguard-peer/wg0/peer-${i}`);
      expect(byteLength).not.toHaveBeenCalled();
    } finally {
      byteLength.mockRestore();
    }
  });
});

describe('stable identity of the fragments', () => {
  it('renders the same bytes twice', async () => {
    const yaml = readExample('homelab');
    expect(await fragments(yaml, 'home')).toEqual(await fragments(yaml, 'home'));
  });

  it('changes only the renamed peer\'s lines', async () => {
    const yaml = readExample('homelab');
    const before = await fragments(yaml, 'home');
    const after = await fragments(edit(yaml, ['sites', 0, 'wireguard', 0, 'peers', 1, 'name'], 'laptop-jane'), 'home');
    expect([...after.keys()]).toEqual([...before.keys()]);
    const oldUuid = /<client uuid="([^"]+)">\s*<enabled>1<\/enabled>\s*<name>laptop-john</.exec(before.get('wireguard.xml')!)![1]!;
    const newUuid = /<client uuid="([^"]+)">\s*<enabled>1<\/enabled>\s*<name>laptop-jane</.exec(after.get('wireguard.xml')!)![1]!;
    expect(newUuid).not.toBe(oldUuid);
    const changed: string[] = [];
    for (const [name, text] of before) {
      const a = text.split('\n');
      const b = after.get(name)!.split('\n');
      expect(b.length, name).toBe(a.length);
      a.forEach((line, i) => {
        if (line !== b[i]) changed.push(`${name}: ${line.trim()} -> ${b[i]!.trim()}`);
      });
    }
    expect(changed).toHaveLength(3);
    expect(changed.filter((c) => c.includes(`<client uuid="${oldUuid}">`) && c.includes(newUuid))).toHaveLength(1);
    expect(changed.filter((c) => c.includes('<name>laptop-john</name> -> <name>laptop-jane</name>'))).toHaveLength(1);
    expect(changed.filter((c) => c.includes('<peers>') && c.includes(oldUuid) && c.includes(newUuid))).toHaveLength(1);
  });
});

describe('the WireGuard section', () => {
  it("makes each peer's uuid once, though its client item and its server both name it", async () => {
    const model = await modelOf(readExample('homelab'));
    const site = model.sites[0]!;
    const peers = site.wireguard.flatMap((wg) => wg.peers);
    // node:crypto's exports, replaced where gen's modules see them (syncBuiltinESMExports).
    const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
    const original = crypto.hash;
    let uuids = 0;
    crypto.hash = ((algorithm: string, data: string | Uint8Array, encoding: BinaryToTextEncoding) => {
      if (algorithm === 'sha1') uuids++;
      return original(algorithm, data, encoding);
    }) as typeof crypto.hash;
    syncBuiltinESMExports();
    let sections;
    try {
      sections = wireguardArea.build(opnsenseContext(model, site, site.firewall!));
    } finally {
      crypto.hash = original;
      syncBuiltinESMExports();
    }
    expect(sections.length).toBeGreaterThan(0);
    expect(peers.filter((p) => p.enabled && p.publicKey !== undefined).length).toBeGreaterThan(0);
    // One per instance and one per peer.
    expect(uuids).toBe(site.wireguard.length + peers.length);
  });
});
