// The Handlebars templates render in an environment of their own that holds
// only the helpers they use: every call of a template wraps each helper of
// its environment anew (Handlebars' runtime, `_setup`), eight in the default
// one, for each of 10,000 client files. These checks read every template and
// count the helpers a call wraps.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { describe, expect, it, vi } from 'vitest';
import { TEMPLATE_HELPERS, TEMPLATE_OPTIONS, template } from '../../src/render/templates.js';
import { root } from '../helpers.js';

const dir = join(root, 'templates');
const names = (function list(at: string): string[] {
  return readdirSync(at).flatMap((entry) => (statSync(join(at, entry)).isDirectory() ? list(join(at, entry)) : [relative(dir, join(at, entry))]));
})(dir).filter((name) => name.endsWith('.hbs'));

/** Every name a template calls as a helper, and every name it reads. */
function namesIn(source: string): { helpers: Set<string>; read: Set<string> } {
  const helpers = new Set<string>();
  const read = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const n = node as { type?: string; path?: { original?: string }; params?: unknown[]; hash?: unknown; parts?: string[] };
    if (n.type === 'BlockStatement' || ((n.type === 'MustacheStatement' || n.type === 'SubExpression') && ((n.params?.length ?? 0) > 0 || n.hash))) helpers.add(n.path!.original!);
    if (n.type === 'PathExpression' && n.parts?.[0] !== undefined) read.add(n.parts[0]);
    for (const value of Object.values(node)) visit(value);
  };
  visit(Handlebars.parse(source));
  return { helpers, read };
}

describe('the templates', () => {
  it('call only the helpers of their environment, and read no field named like a helper it dropped', () => {
    expect(names.length).toBeGreaterThanOrEqual(5);
    const dropped = Object.keys(Handlebars.create().helpers).filter((name) => !TEMPLATE_HELPERS.includes(name));
    expect(dropped.length).toBeGreaterThan(0);
    const used = new Set<string>();
    for (const name of names) {
      const { helpers, read } = namesIn(readFileSync(join(dir, name), 'utf8'));
      for (const helper of helpers) used.add(helper);
      expect([...helpers].filter((h) => !TEMPLATE_HELPERS.includes(h)), name).toEqual([]);
      // The default environment would call such a helper where the template means the field.
      expect([...read].filter((field) => dropped.includes(field)), name).toEqual([]);
    }
    expect([...used].sort()).toEqual([...TEMPLATE_HELPERS].sort());
  });

  it('render as in the default environment, wrapping only the helpers they use on each call', () => {
    const context = { site: 'home', instance: 'wg0', scopeOptions: '', mtu: 1420, dns: '10.0.0.1', serverKey: 'k', peer: 'p', via: 'LAN', lan: true, privateKey: 'x', address: '10.9.0.2/24', endpoint: 'vpn:51820', allowedIps: '0.0.0.0/0', keepalive: 25 };
    const source = readFileSync(join(dir, 'wireguard/client.conf.hbs'), 'utf8');
    expect(template('wireguard/client.conf.hbs')(context)).toBe(Handlebars.compile(source, TEMPLATE_OPTIONS)(context));
    // Handlebars lists the helpers it wraps with Object.keys (runtime.js, addHelpers).
    const keys = vi.spyOn(Object, 'keys');
    let wrapped = 0;
    try {
      const render = template('wireguard/client.conf.hbs');
      for (let i = 0; i < 1000; i++) render(context);
      for (const [i, [object]] of keys.mock.calls.entries()) if (typeof (object as { if?: unknown }).if === 'function') wrapped += (keys.mock.results[i]!.value as string[]).length;
    } finally {
      keys.mockRestore();
    }
    // Eight per call in the default environment.
    expect(wrapped).toBe(1000 * TEMPLATE_HELPERS.length);
  });
});
