// Same bytes for the same topology: across runs, reordered YAML mappings,
// and machines (no absolute paths, no host names, no times in the output).
import { hostname, tmpdir, userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXAMPLES, readExample, render, root } from '../helpers.js';

/** The same data with every mapping's keys in reverse order (lists keep their order). */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
  return value;
}

describe.each(Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[])('%s', (name) => {
  it('renders the same bytes when every mapping is reordered', async () => {
    const text = readExample(name);
    const shuffled = stringify(reversed(parse(text)));
    expect(shuffled).not.toBe(text);
    const a = await render(text);
    const b = await render(shuffled);
    expect([...b.keys()]).toEqual([...a.keys()]);
    // Verification scripts cite the line that declares each check, which moves with the text.
    const lines = (path: string, content: string) => (path.includes('/verify/') ? content.replace(/topology\.yaml:\d+/g, 'topology.yaml:N') : content);
    for (const [path, content] of a) expect(lines(path, b.get(path)!), path).toBe(lines(path, content));
  });

  it('has no machine-specific text in any file', async () => {
    const files = await render(readExample(name));
    // A generic host name ('localhost', as many containers and VMs have) is a word the files may hold on any machine.
    const host = hostname();
    const forbidden = [root, tmpdir(), /^localhost(\.|$)/.test(host) ? '' : host, userInfo().homedir].filter((s) => s.length > 3);
    for (const [path, raw] of files) {
      // The firewall's own compiled ruleset is at /tmp/rules.debug on every OPNsense box, and an XML element
      // named like a directory (HAProxy's <root>) is no path: tags do not count.
      const content = (path.endsWith('.xml') ? raw.replace(/<\/?[A-Za-z_][\w.-]*\/?>/g, '') : raw).replaceAll('/tmp/rules.debug', '');
      for (const word of forbidden) expect(content.includes(word), `${path} contains ${word}`).toBe(false);
      expect(content, path).not.toMatch(/20[2-9]\d-\d\d-\d\dT\d\d:\d\d/);
    }
  });
});
