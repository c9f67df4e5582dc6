import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { type Edit, editTopology } from '../../src/wg/edit-topology.js';

const peer: [string, string][] = [
  ['name', 'new'],
  ['role', 'mobile'],
  ['address', '10.0.1.12'],
];

describe('editing the topology text in place', () => {
  it('appends to a block sequence of flow mappings in the same style', () => {
    const text = 'peers:\n  - { name: a, role: mobile, address: 10.0.1.11 }   # first\n# trailing comment\n';
    expect(editTopology(text, [{ kind: 'append', path: ['peers'], entries: peer }])).toBe(
      'peers:\n  - { name: a, role: mobile, address: 10.0.1.11 }   # first\n  - { name: new, role: mobile, address: 10.0.1.12 }\n# trailing comment\n',
    );
  });

  it('appends to a flow sequence, also an empty one', () => {
    expect(editTopology('peers: []  # none yet\n', [{ kind: 'append', path: ['peers'], entries: peer }])).toBe(
      'peers: [{ name: new, role: mobile, address: 10.0.1.12 }]  # none yet\n',
    );
  });

  it('creates the sequence when the mapping has none, at the mapping’s indentation', () => {
    const text = 'wireguard:\n  - name: wg0   # the instance\n    address: 10.0.1.1/24\nservices: []\n';
    const edited = editTopology(text, [{ kind: 'append', path: ['wireguard', 0, 'peers'], entries: peer }]);
    expect(edited).toBe(
      'wireguard:\n  - name: wg0   # the instance\n    address: 10.0.1.1/24\n    peers:\n      - name: new\n        role: mobile\n        address: 10.0.1.12\nservices: []\n',
    );
  });

  it('replaces a scalar and keeps the comment after it', () => {
    expect(editTopology('a:\n  enabled: true     # note\n', [{ kind: 'set', path: ['a', 'enabled'], value: false }])).toBe('a:\n  enabled: false     # note\n');
  });

  it('adds a key to a flow mapping and to a block mapping without a final newline', () => {
    expect(editTopology('p: { name: x }\n', [{ kind: 'set', path: ['p', 'enabled'], value: false }])).toBe('p: { name: x, enabled: false }\n');
    expect(editTopology('p:\n  name: x', [{ kind: 'set', path: ['p', 'enabled'], value: false }])).toBe('p:\n  name: x\n  enabled: false\n');
  });

  it('keeps the \\r\\n line ends of a file that has them on every line (a Windows checkout), for each kind of edit', () => {
    const text = 'wireguard:\n  - name: wg0   # the instance\n    public_key: old\n    peers:\n      - name: a\n        enabled: false\n      - { name: b, role: mobile }\nservices: []\n';
    const edits: Edit[][] = [
      [{ kind: 'append', path: ['wireguard', 0, 'peers'], entries: peer }],
      [{ kind: 'set', path: ['wireguard', 0, 'public_key'], value: 'new' }],
      [{ kind: 'set', path: ['wireguard', 0, 'peers', 1, 'enabled'], value: false }],
      [{ kind: 'set', path: ['wireguard', 0, 'mtu'], value: 1420 }],
      [{ kind: 'delete', path: ['wireguard', 0, 'peers', 0, 'enabled'] }],
    ];
    for (const edit of edits) {
      const edited = editTopology(text.replace(/\n/g, '\r\n'), edit);
      // The same edit as on the file with \n, each line ended by \r\n: no line of the other kind.
      expect(edited).toBe(editTopology(text, edit).replace(/\n/g, '\r\n'));
      expect(edited).not.toMatch(/(^|[^\r])\n/);
    }
    // A file that mixes the two is edited as it is.
    const mixed = 'p:\r\n  name: x\n';
    expect(editTopology(mixed, [{ kind: 'set', path: ['p', 'enabled'], value: false }])).toBe('p:\r\n  name: x\n  enabled: false\n');
  });

  it('quotes what ends a plain scalar in a flow mapping, and keeps the rest of the line', () => {
    // Written plain, a,b or a}b read back wrong and the whole file was written again (comment realigned).
    const text = 'peers:\n  - { name: a, role: mobile, address: 10.0.1.11 }   # first\n';
    for (const description of ['a,b', 'a}b', 'a]b', 'x, y', '[a', '{b']) {
      const quoted = JSON.stringify(description);
      expect(editTopology(text, [{ kind: 'append', path: ['peers'], entries: [...peer, ['description', description]] }])).toBe(
        `${text}  - { name: new, role: mobile, address: 10.0.1.12, description: ${quoted} }\n`,
      );
      expect(editTopology('p: { name: x }   # c\n', [{ kind: 'set', path: ['p', 'description'], value: description }])).toBe(`p: { name: x, description: ${quoted} }   # c\n`);
      expect(editTopology('p: { name: x, description: old }   # c\n', [{ kind: 'set', path: ['p', 'description'], value: description }])).toBe(
        `p: { name: x, description: ${quoted} }   # c\n`,
      );
    }
  });

  it('quotes values that YAML would read otherwise', () => {
    const edited = editTopology('p:\n  name: x\n', [{ kind: 'set', path: ['p', 'description'], value: 'a: b # not a comment' }]);
    expect(parse(edited)).toEqual({ p: { name: 'x', description: 'a: b # not a comment' } });
  });
});

describe('any description survives the in-place edit exactly', async () => {
  const fc = (await import('fast-check')).default;
  const { readExample } = await import('../helpers.js');
  const homelab = readExample('homelab');

  /** Appends a peer with `description`: the new entry reads back, and the rest of the file is the original, byte for byte. */
  function appendsInPlace(description: string): void {
    const edited = editTopology(homelab, [{ kind: 'append', path: ['sites', 0, 'wireguard', 0, 'peers'], entries: [...peer, ['description', description]] }]);
    const peers = parse(edited).sites[0].wireguard[0].peers;
    expect(peers.at(-1)).toEqual({ name: 'new', role: 'mobile', address: '10.0.1.12', description });
    expect(peers).toHaveLength(4);
    const at = homelab.indexOf('\n    services:');
    expect(edited.startsWith(homelab.slice(0, at)), description).toBe(true);
    expect(edited.endsWith(homelab.slice(at)), description).toBe(true);
  }

  it('appending a peer with an arbitrary one-line description reads back the same data', () => {
    // Up to the schema's 255 characters: past 80, the yaml library folds a plain scalar onto two lines.
    fc.assert(
      // Any code point the schema lets through, not printable ASCII only (fast-check's default).
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 255 }).filter((t) => !/[\u0000-\u001f\u007f]/.test(t)), appendsInPlace),
      { numRuns: 200 },
    );
  });

  it('a description that starts like a document marker or runs past 80 characters is spliced in too', () => {
    // These were written as a block scalar or folded, read back wrong, and the whole file was written again.
    for (const description of ['---!', '--- a', '...a', '... end', 'word '.repeat(40).trim(), `${'x'.repeat(100)} ${'y'.repeat(100)}`]) appendsInPlace(description);
  });

  it('a description that ends in a space of Unicode (no-break, line or paragraph separator, ideographic) keeps it', () => {
    // The text after key: was trimmed of all white space, the value's own last character with it.
    for (const space of ['\u00a0', '\u2028', '\u2029', '\ufeff', '\u3000']) appendsInPlace(`a${space}`);
  });
});

describe('checking a splice', async () => {
  const { readExample } = await import('../helpers.js');
  const { Document, parseDocument } = await import('yaml');
  const { vi } = await import('vitest');
  const homelab = readExample('homelab');
  const edits: Edit[] = [
    { kind: 'append', path: ['sites', 0, 'wireguard', 0, 'peers'], entries: peer },
    { kind: 'set', path: ['sites', 0, 'wireguard', 0, 'peers', 0, 'enabled'], value: false, after: ['role'] },
    { kind: 'set', path: ['sites', 0, 'wireguard', 0, 'peers', 0, 'role'], value: 'mobile' },
    { kind: 'delete', path: ['sites', 0, 'wireguard', 0, 'peers', 0, 'tunnel_name'] },
    { kind: 'delete', path: ['sites', 0, 'wireguard', 0, 'peers', 2, 'enabled'] },
    { kind: 'append', path: ['sites', 0, 'remote_networks'], entries: [['name', 'office'], ['cidr', '172.16.0.0/16']] },
  ];

  /** The edit made through the yaml library's Document API: what the splice must read as. */
  function throughDocument(text: string, edit: Edit): unknown {
    const doc = parseDocument(text);
    const path = [...edit.path];
    if (edit.kind === 'set') doc.setIn(path, edit.value);
    else if (edit.kind === 'delete') doc.deleteIn(path);
    else if (doc.hasIn(path)) doc.addIn(path, doc.createNode(Object.fromEntries(edit.entries)));
    else doc.setIn(path, doc.createNode([Object.fromEntries(edit.entries)]));
    return doc.toJS();
  }

  it('reads the splice back with js-yaml, as the loader would, and builds no Document data for it', () => {
    const toJS = vi.spyOn(Document.prototype, 'toJS');
    try {
      for (const edit of edits) {
        const edited = editTopology(homelab, [edit]);
        expect(edited).not.toBe(homelab);
        expect(parseDocument(edited).toJS()).toEqual(throughDocument(homelab, edit));
      }
      // Only the comparisons above built Document data: two per edit.
      expect(toJS).toHaveBeenCalledTimes(2 * edits.length);
    } finally {
      toJS.mockRestore();
    }
  });

  it('checks through the Document API where the loader reads with the yaml library (an alias)', () => {
    const text = `${homelab}\nx-anchor: &a 1\nx-alias: *a\n`;
    const toJS = vi.spyOn(Document.prototype, 'toJS');
    try {
      const edited = editTopology(text, [edits[0]!]);
      expect(toJS).toHaveBeenCalled();
      expect(parseDocument(edited).toJS()).toEqual(throughDocument(text, edits[0]!));
    } finally {
      toJS.mockRestore();
    }
  });
});
