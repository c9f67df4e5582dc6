// ports/range looks at every port of every policy rule; the path of a
// finding is made only for a range it reports, not for each of 200,000
// rules' ports.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings.js';
import type { Model } from '../../src/model.js';
import { ruleById } from '../../src/rules/index.js';

function model(ports: (r: number) => string[]): Model {
  const rules = Array.from({ length: 4_000 }, (_, r) => ({ ports: ports(r), path: ['sites', 0, 'policy', 'rules', r] }));
  return { sites: [{ hosts: [], policy: { rules } }] } as unknown as Model;
}

/** The findings of ports/range, and the paths (arrays) made by concat while it ran. */
function run(m: Model): { findings: Finding[]; concats: number } {
  const out: Finding[] = [];
  const original = Array.prototype.concat;
  let concats = 0;
  Array.prototype.concat = function (this: unknown[], ...items: unknown[]) {
    concats++;
    return original.apply(this, items);
  } as typeof original;
  try {
    ruleById.get('ports/range')!.check!(m, (f) => out.push(f as Finding));
  } finally {
    Array.prototype.concat = original;
  }
  return { findings: out, concats };
}

describe('ports/range on 4,000 rules', () => {
  it('makes no path for a port or a range that is right', () => {
    const { findings, concats } = run(model((r) => [String(1 + r), `${1 + r}-${2 + r}`]));
    expect(findings).toEqual([]);
    expect(concats).toBe(0);
  });

  it('reports each reversed or out-of-range range at its place in the rule', () => {
    const { findings } = run(model((r) => (r === 7 ? ['22', '90-80'] : r === 9 ? ['1000-70000'] : ['443'])));
    expect(findings.map((f) => [f.path.join('.'), f.message])).toEqual([
      ['sites.0.policy.rules.7.ports.1', '"90-80" is not a range within 1-65535 with its start before its end'],
      ['sites.0.policy.rules.9.ports.0', '"1000-70000" is not a range within 1-65535 with its start before its end'],
    ]);
  });

  it('reports a range written with a leading zero, which OPNsense disables the rule for, with the range to write', () => {
    const { findings } = run(model((r) => (r === 3 ? ['0080-0443'] : r === 5 ? ['80-0443', '8000-8010'] : ['443'])));
    expect(findings.map((f) => [f.path.join('.'), f.message])).toEqual([
      ['sites.0.policy.rules.3.ports.0', '"0080-0443" writes a port with a leading zero: OPNsense maps no such port and disables the rule; write it "80-443"'],
      ['sites.0.policy.rules.5.ports.0', '"80-0443" writes a port with a leading zero: OPNsense maps no such port and disables the rule; write it "80-443"'],
    ]);
  });

  it('reports a range of one port, which OPNsense\'s port field refuses, with the port to write', () => {
    const { findings } = run(model((r) => (r === 2 ? ['8000-8000', '8000-8001'] : ['443'])));
    expect(findings.map((f) => [f.path.join('.'), f.message])).toEqual([
      ['sites.0.policy.rules.2.ports.0', '"8000-8000" is a range of one port, which OPNsense\'s port field refuses (a range\'s start must be below its end): write it 8000'],
    ]);
  });

  it("reports a port forward's range written with a leading zero", () => {
    const m = { sites: [{ hosts: [], policy: { rules: [] }, firewall: { nat: { portForwards: [{ port: '10000-010100', path: ['sites', 0, 'firewall', 'nat', 'port_forwards', 0] }] } } }] } as unknown as Model;
    expect(run(m).findings.map((f) => [f.path.join('.'), f.message])).toEqual([
      ['sites.0.firewall.nat.port_forwards.0.port', '"10000-010100" writes a port with a leading zero: OPNsense maps no such port and disables the rule; write it "10000-10100"'],
    ]);
  });
});
