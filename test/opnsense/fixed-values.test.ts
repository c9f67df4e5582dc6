// Items that share values (an MVC filter rule's fixed fields, a WireGuard
// client's empty ones) look those values up once per render, not once per
// item: before an item's code is optimised, each value costs lookups in the
// model and in the shared values, and most of a large build's rules are made
// then. The checks count lookups in the shared values, not time.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import { opnsenseContext } from '../../src/render/opnsense/context.js';
import { UnknownFieldError, modelItem, modelItems } from '../../src/render/opnsense/fields.js';
import { areas } from '../../src/render/opnsense/index.js';
import { compilePolicy } from '../../src/render/opnsense/policy.js';
import { SharedValues } from '../../src/render/opnsense/shared-values.js';
import { type XmlElement, child, childrenNamed, isElement, serialize, textOf } from '../../src/render/opnsense/xml.js';
import { modelOf } from '../helpers.js';
import { withRelease } from './support.js';

afterEach(() => vi.restoreAllMocks());

/** The elements named `name` anywhere under `sections`. */
function all(sections: readonly XmlElement[], name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    for (const c of e.children) if (isElement(c)) walk(c);
  };
  for (const s of sections) walk(s);
  return out;
}

describe('a site of 400 rules and 300 peers on 26.7 (MVC filter rules)', async () => {
  const model = await modelOf(withRelease(toYaml(siteTopology({ peers: 300, rules: 400 })), '26.7'));
  const site = model.sites[0]!;

  it('makes its MVC filter rules with a lookup in the shared values per value of their own only', () => {
    const ctx = opnsenseContext(model, site, site.firewall!);
    const compiled = compilePolicy(ctx).rules.length;
    const lookups = vi.spyOn(SharedValues.prototype, 'leaf');
    const sections = areas.find((a) => a.file === 'filter.xml')!.build(ctx);
    const rules = all(sections, 'rule').filter((r) => child(r, 'sequence'));
    const calls = lookups.mock.calls.length;
    lookups.mockRestore();
    expect(rules).toHaveLength(compiled);
    expect(compiled).toBeGreaterThan(400);
    // Thirteen values of each rule are its own (sequence, action, interface, …, state-policy); the seven others are every rule's.
    expect(calls).toBeLessThanOrEqual(13 * compiled + 20);
    for (const [field, value] of Object.entries({ enabled: '1', statetype: 'keep', quick: '1', interfacenot: '0', direction: 'in', ipprotocol: 'inet', source_port: '' })) {
      expect(new Set(rules.map((r) => child(r, field))).size, field).toBe(1);
      expect(textOf(child(rules[0]!, field)), field).toBe(value);
      expect(Object.isFrozen(child(rules[0]!, field)), field).toBe(true);
    }
    // Each rule as modelItem() writes it from all its values.
    for (const rule of [rules[0]!, rules[compiled >> 1]!, rules.at(-1)!]) {
      const values: Record<string, string> = {};
      for (const c of rule.children) if (isElement(c) && !('fill' in c && c.fill)) values[c.name] = textOf(c);
      expect(serialize(modelItem(opnsenseContext(model, site, site.firewall!), 'filter', 'rules.rule', rule.attrs[0]![1], values))).toBe(serialize(rule));
    }
  });

  it('makes its WireGuard clients with a lookup per value of their own only', () => {
    const ctx = opnsenseContext(model, site, site.firewall!);
    const lookups = vi.spyOn(SharedValues.prototype, 'leaf');
    const sections = areas.find((a) => a.file === 'wireguard.xml')!.build(ctx);
    const clients = all(sections, 'client').filter((c) => child(c, 'pubkey'));
    const calls = lookups.mock.calls.length;
    lookups.mockRestore();
    expect(clients).toHaveLength(300);
    expect(calls).toBeLessThanOrEqual(4 * 300 + 30);
    for (const field of ['psk', 'serveraddress', 'serverport', 'keepalive']) {
      expect(new Set(clients.map((c) => child(c, field))).size, field).toBe(1);
      expect(childrenNamed(clients[0], field).map(textOf), field).toEqual(['']);
    }
  });

  it("gives an item's own value before a fixed one, and refuses a fixed field the model does not have", () => {
    const ctx = opnsenseContext(model, site, site.firewall!);
    const make = modelItems(ctx, 'filter', 'rules.rule', { action: 'pass', quick: '1' });
    expect(textOf(child(make('1b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', { action: 'block' }), 'action'))).toBe('block');
    expect(textOf(child(make('1b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', {}), 'action'))).toBe('pass');
    expect(() => modelItems(ctx, 'filter', 'rules.rule', { colour: 'red' })).toThrow(new UnknownFieldError('filter rules.rule has no field colour on this release'));
  });
});
