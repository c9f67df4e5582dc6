// policy/shadowed and policy/redundant: found exactly, on the compiled
// order, with the rules that cover each finding; and the work grows with
// the size of the policy, not with its square.
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { Diagnostic } from '../../src/diagnostics.js';
import type { Ranges } from '../../src/intervals.js';
import { siteMatches } from '../../src/resolve/matches.js';
import { analysePolicy } from '../../src/rules/policy.js';
import { countArrayCalls, edit, lineOfText, lint, modelOf, readExample } from '../helpers.js';
import { objectsTopology } from './objects-topology.js';

const RULES = ['sites', 0, 'policy', 'rules'] as const;
/** What the containers of scenario A need from a policy of a test's own: UDP 53 to their DNS servers (proxmox/guest-dns-blocked). */
const SERVICE_DNS = { name: 'service-dns', from: 'service', to: 'any', proto: 'udp', ports: [53], action: 'pass' };
/** And what its backup server on the management network needs: HTTPS to the S3 endpoint (backup/path-blocked). */
const BACKUP_S3 = { name: 'backup-s3', from: '10.0.0.20', to: 'internet', proto: 'tcp', ports: [443], action: 'pass' };
const homelab = readExample('homelab');

/** The topology with `rules` inserted into the policy rules at `at`. */
function withRules(text: string, at: number, ...rules: object[]): string {
  const current = parse(text).sites[0].policy.rules as object[];
  return edit(text, [...RULES], [...current.slice(0, at), ...rules, ...current.slice(at)]);
}

function only(diagnostics: Diagnostic[], rule: string): Diagnostic[] {
  return diagnostics.filter((d) => d.rule === rule);
}

describe('policy/shadowed', () => {
  it('a rule behind one that matches all of its traffic', async () => {
    const text = withRules(homelab, 4, { name: 'mgmt-ssh', from: 'management', to: 'service', proto: 'tcp', ports: [22], action: 'pass' });
    const [finding, ...rest] = only(await lint(text), 'policy/shadowed');
    expect(rest).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toBe('policy rule mgmt-ssh can never match: policy rule management-out before it matches all of its traffic');
    expect(finding!.location.line).toBe(lineOfText(text, 'name: mgmt-ssh'));
    expect(finding!.related?.[0]).toMatchObject({ message: 'policy rule management-out matches it first', location: { line: lineOfText(text, 'name: management-out') } });
  });

  it('a rule that two earlier rules cover together, neither alone', async () => {
    const text = withRules(
      homelab,
      0,
      { name: 'low-ports', from: 'vpn', to: 'management', proto: 'tcp', ports: ['1-1000'], action: 'block' },
      { name: 'high-ports', from: 'vpn', to: 'management', proto: 'tcp', ports: ['1001-65535'], action: 'pass' },
      { name: 'middle', from: 'vpn', to: 'management', proto: 'tcp', ports: ['900-1100'], action: 'pass' },
    );
    const found = only(await lint(text), 'policy/shadowed');
    expect(found.map((d) => d.message)).toEqual(['policy rule middle can never match: policy rule low-ports, policy rule high-ports before it match all of its traffic']);
    expect(found[0]!.related).toHaveLength(2);
  });

  it('not a rule that no traffic fits (ports past 65535): ports/range reports it, and it passes nothing', async () => {
    // The schema's pattern takes five digits; the rule matches no port and is left out of the compiled
    // order. Before, it was called shadowed by no rule, and the AllowedIPs sweep took it as a pass.
    const text = readExample('homelab-family').replace('{ name: nas-backup, from: parents-nas, to: backup, action: pass }', '{ name: nas-backup, from: parents-nas, to: backup, proto: tcp, ports: ["70000-70000"], action: pass }');
    const diagnostics = await lint(text);
    expect(only(diagnostics, 'ports/range')).toHaveLength(1);
    expect(only(diagnostics, 'policy/shadowed')).toEqual([]);
    expect(only(diagnostics, 'wg/reach-empty').map((d) => d.message)).toEqual([expect.stringMatching(/^peer parents-nas of wg0 may reach nothing/)]);
  });

  it('not when any part of its traffic is left: a block of one port, another protocol, a wider source', async () => {
    for (const rule of [
      { name: 'r', from: 'management', to: 'service', proto: 'tcp', ports: [22], action: 'block' },
      { name: 'r', from: 'vpn', to: '10.1.0.0/23', proto: 'udp', action: 'pass' },
    ]) {
      const text = withRules(homelab, 3, rule);
      expect(only(await lint(text), 'policy/shadowed'), JSON.stringify(rule)).toEqual([]);
    }
  });

  it('every example and the policy-object topology are free of both', async () => {
    for (const text of [homelab, readExample('vlan-hosting'), objectsTopology()]) {
      const diagnostics = await lint(text);
      expect(diagnostics.filter((d) => d.rule === 'policy/shadowed' || d.rule === 'policy/redundant')).toEqual([]);
    }
  });
});

describe('the rules a finding names', () => {
  it('come in rule order, whatever order the partition found their cells in', async () => {
    // Behind x0 and x1 (everything from 10.0.0.0/8), x2 is covered by several earlier rules of the compiled order.
    const text = withRules(
      homelab,
      5,
      { name: 'x0', from: '10.0.0.0/8', to: 'any', action: 'block' },
      { name: 'x1', from: '10.0.0.0/8', to: 'any', action: 'pass' },
      { name: 'x2', from: '10.0.0.0/8', to: 'internet', action: 'block' },
    );
    const site = (await modelOf(text)).sites[0]!;
    const x2 = analysePolicy(site).rules.find((r) => r.rule.name === 'x2')!;
    expect(x2.shadowed).toBe(true);
    // management-out, service-internet-only and x0 (the WAN passes no longer: x2 leaves out the upstream LAN, the WAN address with it).
    expect(x2.coveredBy.length).toBeGreaterThan(2);
    const order = x2.coveredBy.map((r) => site.policy.rules.indexOf(r));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});

describe('policy/redundant', () => {
  it('a pass that a later rule passes anyway', async () => {
    const text = withRules(homelab, 0, { name: 'vpn-postgres', from: 'vpn', to: 'postgres', action: 'pass' });
    const found = only(await lint(text), 'policy/redundant');
    expect(found.map((d) => [d.severity, d.message])).toEqual([
      ['warning', 'policy rule vpn-postgres changes nothing: without it, policy rule vpn-to-service gives all of its traffic the same verdict'],
    ]);
    expect(found[0]!.related?.[0]?.location.line).toBe(lineOfText(text, 'name: vpn-to-service'));
  });

  it('a block that the default deny repeats, unless it logs or rejects', async () => {
    const block = { name: 'deny-rest', from: 'vpn', to: '172.16.0.0/12', action: 'block' };
    const text = withRules(homelab, 5, block);
    expect(only(await lint(text), 'policy/redundant').map((d) => d.message)).toEqual([
      'policy rule deny-rest changes nothing: without it, the default deny gives all of its traffic the same verdict',
    ]);
    for (const variant of [{ ...block, log: true }, { ...block, action: 'reject' }]) {
      expect(only(await lint(withRules(homelab, 5, variant)), 'policy/redundant'), JSON.stringify(variant)).toEqual([]);
    }
  });

  it('a block behind another block of all of its traffic is shadowed, not redundant', async () => {
    const text = withRules(homelab, 5, { name: 'deny-vpn', from: 'service', to: 'vpn', action: 'block' });
    expect(only(await lint(text), 'policy/redundant')).toEqual([]);
    expect(only(await lint(text), 'policy/shadowed').map((d) => d.message)).toEqual([
      'policy rule deny-vpn can never match: policy rule service-internet-only before it matches all of its traffic',
    ]);
  });
});

describe('the analysis scales with the policy, not with its square', () => {
  /** n rules from the management zone to the service zone, each on its own port, a seventh of them blocks. */
  async function operations(n: number): Promise<number> {
    const rules = Array.from({ length: n }, (_, r) => ({ name: `r${r}`, from: 'management', to: 'service', proto: 'tcp', ports: [1 + r], action: r % 7 === 0 ? 'block' : 'pass' }));
    // The containers' DNS (proxmox/guest-dns-blocked) and the management zone's traffic besides.
    const text = edit(homelab, [...RULES], [...rules, SERVICE_DNS, { name: 'management-out', from: 'management', to: 'any', action: 'pass' }]);
    const site = (await modelOf(edit(text, ['sites', 0, 'policy', 'tests'], []))).sites[0]!;
    return analysePolicy(site).operations;
  }

  it('reads the matches of each rule where they lie: no list, closure or scan per rule', async () => {
    const rules = Array.from({ length: 4000 }, (_, r) => ({ name: `r${r}`, from: 'management', to: 'service', proto: 'tcp', ports: [1 + r], action: r % 7 === 0 ? 'block' : 'pass' }));
    const text = edit(homelab, [...RULES], [...rules, SERVICE_DNS, { name: 'management-out', from: 'management', to: 'any', action: 'pass' }]);
    const site = (await modelOf(edit(text, ['sites', 0, 'policy', 'tests'], []))).sites[0]!;
    // A list of parts per rule (forEach), scanned for its decisions (every) and its cover (flatMap), was a call or more per rule.
    const { result, calls } = countArrayCalls(['every', 'flatMap', 'forEach'], () => analysePolicy(site));
    expect(result.rules.length).toBeGreaterThan(4000);
    expect(calls).toBeLessThan(100);
    // Nothing is allocated for the cover and followers of a rule that is not reported: one empty list serves them all.
    const plain = result.rules.filter((r) => !r.shadowed && !r.redundant);
    expect(plain.length).toBeGreaterThan(500);
    expect(new Set(plain.flatMap((r) => [r.coveredBy, r.followedBy])).size).toBe(1);
    expect(plain[0]!.coveredBy).toEqual([]);
  });

  it('lists for the lint only the rules it reports, each as the whole analysis has it', async () => {
    const rules = Array.from({ length: 4000 }, (_, r) => ({ name: `r${r}`, from: 'management', to: 'service', proto: 'tcp', ports: [1 + r], action: r % 7 === 0 ? 'block' : 'pass' }));
    const text = edit(homelab, [...RULES], [...rules, SERVICE_DNS, { name: 'management-out', from: 'management', to: 'any', action: 'pass' }]);
    const site = (await modelOf(edit(text, ['sites', 0, 'policy', 'tests'], []))).sites[0]!;
    const all = analysePolicy(site).rules;
    const reported = all.filter((r) => r.shadowed || r.redundant);
    // The blocks decide their ports (not reported); the passes only repeat management-out (redundant).
    expect(all.length).toBeGreaterThan(4000);
    expect(reported.length).toBeGreaterThan(3000);
    expect(all.length - reported.length).toBeGreaterThan(500);
    // One analysis per reported rule, in rule order: none made for the 500 and more that are neither.
    expect(analysePolicy(site, { found: true }).rules).toEqual(reported);
  });

  it('counts a near-linear number of steps (a pairwise comparison would take n²)', async () => {
    const small = await operations(500);
    const large = await operations(4000);
    // Eight times the rules: about eight times the work (n log n would allow a little more), far from 64.
    expect(large / small).toBeLessThan(10);
    expect(large).toBeLessThan(40 * 4000);
  });
});

describe('many peers, each with a rule of its own besides the rules of its role', () => {
  /** `n` peers in the workstation role, a rule from each to a service, and n rules from the role on their own ports. */
  async function operations(n: number): Promise<number> {
    let text = edit(homelab, ['sites', 0, 'wireguard', 0, 'address'], '10.200.0.1/16');
    text = edit(text, ['sites', 0, 'wireguard', 0, 'roles'], [{ name: 'workstation', from: '10.200.0.2', to: '10.200.255.254' }]);
    text = edit(text, ['sites', 0, 'wireguard', 0, 'peers'], Array.from({ length: n }, (_, i) => ({ name: `p${i}`, role: 'workstation', address: `10.200.${(2 + i) >> 8}.${(2 + i) & 255}` })));
    const rules = Array.from({ length: n }, (_, i) => [
      { name: `own-${i}`, from: `p${i}`, to: 'postgres', action: 'pass' },
      { name: `role-${i}`, from: 'wg0/workstation', to: 'service', proto: 'tcp', ports: [1000 + i], action: 'pass' },
    ]).flat();
    text = edit(edit(text, [...RULES], [...rules, SERVICE_DNS, BACKUP_S3]), ['sites', 0, 'policy', 'tests'], []);
    const site = (await modelOf(text.replace(/\n {4}haproxy:[\s\S]*?- \{ service: traefik \}\n/, '\n'))).sites[0]!;
    return analysePolicy(site).operations;
  }

  it('cuts destinations first: the work stays near-linear', async () => {
    const small = await operations(250);
    const large = await operations(1000);
    expect(large / small).toBeLessThan(6);
  });
});

describe('the compiled matches of many rules on few ports', () => {
  it('share one port list per port, and one for every port, so that a sweep moves them as one group', async () => {
    // 600 rules on 6 ports (TCP and UDP, from two zones), and 3 on every port.
    const rules = Array.from({ length: 600 }, (_, r) => ({ name: `r${r}`, from: r % 2 ? 'management' : 'service', to: 'any', proto: r % 3 ? 'tcp' : 'udp', ports: [1000 + (r % 6)], action: 'block' }));
    const every = ['any', 'icmp', 'tcp'].map((proto, r) => ({ name: `every-${r}`, from: 'management', to: 'service', proto, action: 'pass' }));
    const text = edit(edit(homelab, [...RULES], [...rules, ...every, SERVICE_DNS, BACKUP_S3]), ['sites', 0, 'policy', 'tests'], []);
    const site = (await modelOf(text)).sites[0]!;
    const matches = siteMatches(site).matches.filter((m) => m.rule.name.startsWith('r') || m.rule.name.startsWith('every-'));
    const lists = new Map<Ranges, Set<string>>();
    for (const m of matches) lists.set(m.box[3], (lists.get(m.box[3]) ?? new Set()).add(JSON.stringify(m.box[3])));
    // One list per distinct port set: six single ports and every port.
    expect(lists.size).toBe(7);
    expect([...lists.values()].map((texts) => texts.size)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(new Set(matches.filter((m) => m.rule.name.startsWith('every-')).map((m) => JSON.stringify(m.box[3])))).toEqual(new Set(['[[0,65535]]']));
  });
});

describe('the policy analysis and the AllowedIPs of one site', () => {
  it('share the words and groupings of one list of boxes: the analysis leaves out the anti-lockout rule by index, not by a copy', async () => {
    // 600 rules: more than the 128 whose words need no random bits, so each list of boxes draws 4 random words per box.
    const rules = Array.from({ length: 600 }, (_, r) => ({ name: `r${r}`, from: 'management', to: 'service', proto: 'tcp', ports: [1000 + r], action: 'block' }));
    const text = edit(edit(homelab, [...RULES], [...rules, SERVICE_DNS, BACKUP_S3]), ['sites', 0, 'policy', 'tests'], []);
    const random = vi.spyOn(globalThis.crypto, 'getRandomValues');
    try {
      const model = await modelOf(text);
      const site = model.sites[0]!;
      const { matches } = siteMatches(site);
      expect(site.policy.antiLockout).toBeDefined();
      expect(site.wireguard.some((w) => w.peers.length > 0)).toBe(true);
      // The lint ran both: the peers' AllowedIPs in resolve, the analysis in policy/shadowed.
      const drawn = random.mock.calls.reduce((sum, [array]) => sum + (array as Uint32Array).length, 0);
      expect(drawn).toBe(4 * (matches.length - 128));
      // And the analysis still leaves the anti-lockout rule out.
      expect(analysePolicy(site).rules.some((r) => r.rule === site.policy.antiLockout)).toBe(false);
    } finally {
      random.mockRestore();
    }
  });
});
