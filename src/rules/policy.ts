// Rules that never decide anything: a policy rule whose traffic earlier
// rules all match (shadowed), or one that gives all of its traffic the
// verdict that would follow without it (redundant). Both are found on the
// compiled order, exactly, from the decision partition of the matches:
// in each cell the first matching rule decides and the second is what
// would decide without it. The partition is a sort and sweep per
// dimension, not a comparison of every pair of rules.
import type { Path } from '../location.js';
import type { PolicyRule, Site } from '../model.js';
import { PORT_SPACE, type Ranges } from '../intervals.js';
import { ENDPOINT_SPACE, type Match, PROTOCOL_SPACE, boxesOf, siteMatches } from '../resolve/matches.js';
import { firstAnd, firstTwo } from '../resolve/leaf-views.js';
import { partitionLeaves } from '../resolve/partition.js';
import type { Rule, RuleReport } from './rule.js';

export interface RuleAnalysis {
  rule: PolicyRule;
  /** Rules that decide every cell this rule matches (for a shadowed rule). */
  coveredBy: readonly PolicyRule[];
  /** What decides its traffic without it: rules, or the default deny (for a redundant rule). */
  followedBy: readonly (PolicyRule | 'default')[];
  shadowed: boolean;
  redundant: boolean;
}

/** Per match: whether it decides some cell, whether it decides one differently from what follows it, and who covers or follows it. */
export interface Decisions {
  /** 1 for each match that decides some cell (flags by match index: sets of 200,000 numbers were most of the time this step took). */
  decides: Uint8Array;
  /** 1 for each match that decides some cell differently from what follows it. */
  changes: Uint8Array;
  /** For each match that decides nothing, the first matches of the cells it is in. */
  coveredBy: Map<number, Set<number>>;
  /** For each match that decides only what follows it decides too, what decides its cells without it (-1: the default deny). */
  followedBy: Map<number, Set<number>>;
  operations: number;
}

/**
 * The decisions of a first-match list of boxes (source, destination,
 * protocol, port) over the whole space: of the boxes `rules` (ascending)
 * alone when given, indexed as in `boxes`. The cells keep their first two
 * rules; the rules that decide nothing are then found in a second
 * partition, which keeps only them (besides each cell's first), so a cell
 * never lists the rules that decide something.
 */
export function ruleDecisions(boxes: readonly (readonly Ranges[])[], actions: readonly Match['action'][], rules?: readonly number[]): Decisions {
  const space = [[ENDPOINT_SPACE], [ENDPOINT_SPACE], [PROTOCOL_SPACE], [PORT_SPACE]];
  const { leaves, order, operations } = partitionLeaves(boxes, space, undefined, firstTwo, rules);
  const decides = new Uint8Array(boxes.length);
  const changes = new Uint8Array(boxes.length);
  let deciding = 0;
  const coveredBy = new Map<number, Set<number>>();
  const followedBy = new Map<number, Set<number>>();
  const add = (map: Map<number, Set<number>>, key: number, value: number) => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(value);
  };
  for (let l = 0; l < leaves.length; l++) {
    const rules = leaves[l]!.rules;
    if (rules.length === 0) continue;
    const first = rules[0]!;
    if (decides[first] === 0) {
      decides[first] = 1;
      deciding++;
    }
    // Without the first rule the second decides, or the default deny (a block).
    const after: Match['action'] = rules.length > 1 ? actions[rules[1]!]! : 'block';
    if (after !== actions[first]) changes[first] = 1;
  }
  // What follows a rule matters only for the few rules reported: a second pass for them.
  for (let l = 0; l < leaves.length; l++) {
    const rules = leaves[l]!.rules;
    if (rules.length > 0 && changes[rules[0]!] === 0) add(followedBy, rules[0]!, rules[1] ?? -1);
  }
  if (deciding === (rules ? rules.length : boxes.length)) return { decides, changes, coveredBy, followedBy, operations };
  // Who covers the rules that decide nothing: the same cells, listing only those rules.
  const covered = partitionLeaves(boxes, space, order, firstAnd((r) => decides[r] === 0), rules);
  for (const { rules } of covered.leaves) for (let i = 1; i < rules.length; i++) add(coveredBy, rules[i]!, rules[0]!);
  return { decides, changes, coveredBy, followedBy, operations: operations + covered.operations };
}

/** The rules that `map` gives for the parts start..end of `rule`, in rule order (the default deny last), each once. */
function rulesOf(matches: readonly Match[], rule: PolicyRule, start: number, end: number, map: Map<number, Set<number>>): (PolicyRule | 'default')[] {
  const indices: number[] = [];
  for (let p = start; p < end; p++) for (const i of map.get(p) ?? []) indices.push(i);
  // In rule order: the order cells are found in follows the partition's cut order, a heuristic.
  indices.sort((x, y) => (x < 0 ? Number.MAX_SAFE_INTEGER : x) - (y < 0 ? Number.MAX_SAFE_INTEGER : y));
  const found: (PolicyRule | 'default')[] = [];
  for (const i of indices) {
    const r = i < 0 ? 'default' : matches[i]!.rule;
    if (r !== rule && !found.includes(r)) found.push(r);
  }
  return found;
}

/** The cover and the followers of a rule that is neither shadowed nor redundant: one list for all (200,000 rules made 400,000 empty ones). */
const NONE: readonly never[] = Object.freeze([]);

/**
 * The topology rules of a site with what the analysis found for each, in rule order; only the shadowed and
 * redundant ones with `found` (what the lint reports: an analysis for each of 200,000 rules, made and walked by
 * two rules in code V8 had not optimized yet, was a tenth of the policy lints); `operations` counts the partition's work.
 */
export function analysePolicy(site: Site, { found = false }: { found?: boolean } = {}): { rules: RuleAnalysis[]; operations: number } {
  // Among the rules gen writes: a rule behind OPNsense's anti-lockout rule is
  // policy/anti-lockout-open's to report, and the admins' pass that must exist
  // before the anti-lockout is disabled is not dead.
  // The matches but the anti-lockout's, as indices into all of them: the boxes are the list that
  // the AllowedIPs partitioned, whose random words and groupings the partition keeps (boxesOf).
  const { matches } = siteMatches(site);
  const antiLockout = site.policy.antiLockout;
  const actions: Match['action'][] = [];
  const kept: number[] = [];
  for (let m = 0; m < matches.length; m++) {
    actions.push(matches[m]!.action);
    if (matches[m]!.rule !== antiLockout) kept.push(m);
  }
  const { decides, changes, coveredBy, followedBy, operations } = ruleDecisions(boxesOf(matches), actions, kept.length === matches.length ? undefined : kept);

  const out: RuleAnalysis[] = [];
  // OPNsense's own DHCP server passes decide before the policy (a rule of the
  // topology they cover is dead), but they are the box's, not the topology's to remove.
  const automatic = new Set(site.policy.automatic ?? []);
  // A rule's parts are next to each other (compileMatches lists each rule's in turn): one run of matches per
  // rule, read in place, instead of a map of index lists and a closure per rule.
  for (let start = 0, end = 0; start < matches.length; start = end) {
    const rule = matches[start]!.rule;
    let decided = false;
    let changed = false;
    for (end = start; end < matches.length && matches[end]!.rule === rule; end++) {
      decided ||= decides[end] === 1;
      changed ||= changes[end] === 1;
    }
    if (rule === antiLockout || rule.from.kind === 'wan' || automatic.has(rule)) continue;
    const shadowed = !decided;
    // A logged rule changes the log even where the verdict is the same.
    const redundant = !shadowed && !rule.log && !changed;
    if (found && !shadowed && !redundant) continue;
    out.push({
      rule,
      shadowed,
      redundant,
      coveredBy: shadowed ? (rulesOf(matches, rule, start, end, coveredBy) as PolicyRule[]) : NONE,
      followedBy: redundant ? rulesOf(matches, rule, start, end, followedBy) : NONE,
    });
  }
  return { rules: out, operations };
}

function names(rules: readonly (PolicyRule | 'default')[]): string {
  const words = rules.map((r) => (r === 'default' ? 'the default deny' : r.origin));
  return words.length > 3 ? `${words.slice(0, 3).join(', ')} and ${words.length - 3} more` : words.join(', ');
}

function related(rules: readonly (PolicyRule | 'default')[], what: string): { message: string; path: Path }[] {
  return rules.flatMap((r) => (r === 'default' ? [] : [{ message: `${r.origin} ${what}`, path: r.path }])).slice(0, 3);
}

function report(analysis: RuleAnalysis, report: RuleReport, kind: 'shadowed' | 'redundant'): void {
  const { rule } = analysis;
  if (kind === 'shadowed') {
    report({
      path: rule.path,
      message: `${rule.origin} can never match: ${names(analysis.coveredBy)} before it match${analysis.coveredBy.length === 1 ? 'es' : ''} all of its traffic`,
      related: related(analysis.coveredBy, 'matches it first'),
      hint: `Move ${rule.origin} before ${names(analysis.coveredBy)}, narrow ${analysis.coveredBy.length === 1 ? 'that rule' : 'those rules'}, or remove ${rule.origin}.`,
    });
  } else {
    report({
      path: rule.path,
      message: `${rule.origin} changes nothing: without it, ${names(analysis.followedBy)} give${analysis.followedBy.length === 1 ? 's' : ''} all of its traffic the same verdict`,
      related: related(analysis.followedBy, 'decides it the same way'),
      hint: `Remove ${rule.origin}, or set log: true on it if it is there to log its traffic.`,
    });
  }
}

const analysed = new WeakMap<Site, RuleAnalysis[]>();

function analysis(site: Site): RuleAnalysis[] {
  let known = analysed.get(site);
  if (!known) analysed.set(site, (known = analysePolicy(site, { found: true }).rules));
  return known;
}

export const policyRules: Rule[] = [
  {
    id: 'policy/shadowed',
    severity: 'warning',
    summary: 'A policy rule can never match: rules before it match all of its traffic.',
    why: 'The firewall takes the first rule that matches; a rule behind others that cover all of its sources, destinations, protocols and ports is dead, and whoever reads the policy believes it does something.',
    hint: 'Move the rule before the rules that cover it, narrow those, or remove it.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].policy',
        bad: 'rules:\n  - { name: lan-out, from: lan, to: any, action: pass }\n  - { name: lan-no-mgmt, from: lan, to: mgmt, proto: tcp, ports: [22], action: block }\n  - { name: mgmt-out, from: mgmt, to: any, action: pass }\n  - { name: hosting-internet-only, from: hosting, to: internet, action: pass }',
        good: 'rules:\n  - { name: lan-no-mgmt, from: lan, to: mgmt, proto: tcp, ports: [22], action: block }\n  - { name: lan-out, from: lan, to: any, action: pass }\n  - { name: mgmt-out, from: mgmt, to: any, action: pass }\n  - { name: hosting-internet-only, from: hosting, to: internet, action: pass }',
      },
    ],
    check(model, reportFinding) {
      for (const site of model.sites) {
        const rules = analysis(site);
        // Indexed: a for-of steps an iterator per rule until V8 optimizes the loop (src/arrays.ts).
        for (let r = 0; r < rules.length; r++) if (rules[r]!.shadowed) report(rules[r]!, reportFinding, 'shadowed');
      }
    },
  },
  {
    id: 'policy/redundant',
    severity: 'warning',
    summary: 'A policy rule changes nothing: without it, all of its traffic would get the same verdict.',
    why: 'A rule that only repeats what the rules after it (or the default deny) decide makes the policy longer and hides which rule really decides; a later change to those rules silently changes its meaning.',
    hint: 'Remove the rule, or set log: true if it is there to log its traffic.',
    examples: [
      {
        where: 'sites[].policy.rules[+]',
        bad: '{ name: vpn-not-to-router, from: vpn, to: wan, action: block }',
        good: '{ name: vpn-not-to-router, from: vpn, to: wan, action: block, log: true }',
      },
    ],
    check(model, reportFinding) {
      for (const site of model.sites) {
        const rules = analysis(site);
        // Indexed: a for-of steps an iterator per rule until V8 optimizes the loop (src/arrays.ts).
        for (let r = 0; r < rules.length; r++) if (rules[r]!.redundant) report(rules[r]!, reportFinding, 'redundant');
      }
    },
  },
];
