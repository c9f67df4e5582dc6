// `# gen-ignore RULE: reason` silences one rule on one node.
import { LineCounter, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findSuppressions } from '../../src/suppress/comments.js';
import { lint, readExample } from '../helpers.js';

// A warning to silence: the private tier in one AZ.
const oneAz = readExample('aws-vpc').replace(/ *- \{ name: private-2c.*\n/, '');

describe('inline suppression', () => {
  it('a comment on its own line silences the rule on the next node', async () => {
    const text = oneAz.replace(
      '      - { name: private-2a',
      '      # gen-ignore aws/tier-single-az: staging runs in one AZ on purpose\n      - { name: private-2a',
    );
    expect(await lint(text)).toEqual([]);
  });

  it('a trailing comment silences the rule on its own line', async () => {
    const text = oneAz.replace(/(- \{ name: private-2a.*\})/, '$1  # gen-ignore aws/tier-single-az: staging');
    expect(await lint(text)).toEqual([]);
  });

  it('only the named rule, only on that node', async () => {
    const text = oneAz
      .replace('      - { name: private-2a', '      # gen-ignore ip/overlap: wrong rule\n      - { name: private-2a');
    const rules = (await lint(text)).map((d) => d.rule).sort();
    expect(rules).toEqual(['aws/tier-single-az', 'suppress/unused']);
  });

  it('a suppression without a reason is a warning and silences nothing', async () => {
    const text = oneAz.replace('      - { name: private-2a', '      # gen-ignore aws/tier-single-az\n      - { name: private-2a');
    const diagnostics = await lint(text);
    expect(diagnostics.map((d) => [d.rule, d.severity]).sort()).toEqual([
      ['aws/tier-single-az', 'warning'],
      ['suppress/missing-reason', 'warning'],
    ]);
    const line = text.split('\n').findIndex((l) => l.includes('# gen-ignore')) + 1;
    expect(diagnostics.find((d) => d.rule === 'suppress/missing-reason')!.location.line).toBe(line);
  });

  it('an unknown rule id, or a structural error, cannot be silenced', async () => {
    const text = readExample('homelab')
      .replace('    services:\n', '    # gen-ignore no/such-rule: typo\n    services:\n')
      .replace('role: workstation\n            address: 10.0.1.3', 'role: workstations  # gen-ignore ref/unknown: nice try\n            address: 10.0.1.3');
    const rules = (await lint(text)).map((d) => d.rule).sort();
    expect(rules).toEqual(['ref/unknown', 'suppress/unknown-rule', 'suppress/unknown-rule']);
  });

  it('a rule gen no longer has: the comment is told which rule reports its finding now, and where', async () => {
    // The vlan-hosting example gives container 300 the four servers of dhcp.dns on websvc; the comment silenced the
    // container's own finding, which is now one at dhcp.dns.
    const text = readExample('vlan-hosting')
      .replace('dhcp: { dns: [1.1.1.1, 9.9.9.9] }', 'dhcp: { dns: [1.1.1.1, 9.9.9.9, 1.0.0.1, 149.112.112.112] }')
      .replace('      - { name: web1, network: websvc,', '      # gen-ignore proxmox/guest-dns-ignored: the fourth is a spare\n      - { name: web1, container: 300, network: websvc,');
    expect(text).toContain('# gen-ignore proxmox/guest-dns-ignored');
    const diagnostics = await lint(text);
    const unknown = diagnostics.filter((d) => d.rule === 'suppress/unknown-rule');
    expect(unknown.map((d) => [d.message, d.hint])).toEqual([
      [
        'gen-ignore names no rule: "proxmox/guest-dns-ignored"',
        "gen no longer has proxmox/guest-dns-ignored: opnsense/dhcp-dns-ignored reports its finding, at the fourth entry of dhcp.dns on the container's network interface (the finding names the containers that inherit the list). Remove this comment, and if the finding is still to be silenced, put # gen-ignore opnsense/dhcp-dns-ignored: reason there.",
      ],
    ]);
    expect(diagnostics.map((d) => d.rule)).toContain('opnsense/dhcp-dns-ignored');
  });

  it('a retired rule id is no rule any more, and the rule it points to is one', async () => {
    const { RETIRED_RULES } = await import('../../src/rules/retired.js');
    const { ruleById } = await import('../../src/rules/index.js');
    for (const [id, { now }] of RETIRED_RULES) {
      expect(ruleById.has(id), id).toBe(false);
      expect(ruleById.has(now), now).toBe(true);
    }
  });

  // Forms gen does not read silenced nothing without a word: the finding stayed and nothing said why.
  it.each([
    ['a colon before the rule id', '# gen-ignore: aws/tier-single-az staging runs in one AZ', '# gen-ignore aws/tier-single-az: staging runs in one AZ'],
    ['a reason without its colon', '# gen-ignore aws/tier-single-az staging runs in one AZ', '# gen-ignore aws/tier-single-az: staging runs in one AZ'],
    ['a dash for the colon', '# gen-ignore aws/tier-single-az - staging runs in one AZ', '# gen-ignore aws/tier-single-az: staging runs in one AZ'],
    ['no rule id at all', '# gen-ignore, we know', '# gen-ignore RULE: reason'],
  ])('a comment meant as a suppression in another form (%s) is reported at its line, with the form gen reads', async (_, comment, fixed) => {
    const text = oneAz.replace('      - { name: private-2a', `      ${comment}\n      - { name: private-2a`);
    const diagnostics = await lint(text);
    expect(diagnostics.map((d) => d.rule).sort()).toEqual(['aws/tier-single-az', 'suppress/malformed']);
    const malformed = diagnostics.find((d) => d.rule === 'suppress/malformed')!;
    expect(malformed.location.line).toBe(text.split('\n').findIndex((l) => l.includes(comment)) + 1);
    expect(malformed.message).toContain(comment);
    expect(malformed.hint).toContain(fixed);
    // The form the hint gives silences the finding.
    if (!fixed.includes('RULE')) expect(await lint(text.replace(comment, fixed))).toEqual([]);
  });

  it('a comment that only mentions gen-ignore further on, or a longer word, is no suppression', async () => {
    const text = oneAz
      .replace('      - { name: private-2a', '      # see docs/rules.md on gen-ignore aws/tier-single-az\n      # gen-ignored-by-nobody\n      - { name: private-2a');
    expect((await lint(text)).map((d) => d.rule)).toEqual(['aws/tier-single-az']);
  });

  it('"# gen-ignore" inside a quoted string is not a comment', async () => {
    const text = oneAz.replace('description: Database', 'description: "Database # gen-ignore aws/tier-single-az: no"');
    expect((await lint(text)).map((d) => d.rule)).toEqual(['aws/tier-single-az']);
  });

  it('a comment on the first item of a list, or on the first key of a section, silences that item or key only', async () => {
    // A block list and a block mapping start on the line of their first entry:
    // the comment there once silenced the rule on every entry.
    const redundant = (n: number) => `        - { name: o${n}, from: management, to: 10.1.3.${232 + 2 * n}, proto: tcp, ports: [22], action: pass }`;
    const withRules = (first: string) => readExample('homelab').replace('      rules:\n', `      rules:\n${first}\n${[1, 2, 3].map(redundant).join('\n')}\n`);
    const reported = async (text: string) => (await lint(text)).filter((d) => d.rule === 'policy/redundant').map((d) => /policy rule (o\d)/.exec(d.message)?.[1]);
    expect(await reported(withRules(redundant(0)))).toEqual(['o0', 'o1', 'o2', 'o3']);
    expect(await reported(withRules(`${redundant(0)}  # gen-ignore policy/redundant: kept for its log`))).toEqual(['o1', 'o2', 'o3']);
    expect(await reported(withRules(`        # gen-ignore policy/redundant: kept for its log\n${redundant(0)}`))).toEqual(['o1', 'o2', 'o3']);
    // The first key of the policy section is not the whole section: the rules stay checked.
    const onFirstKey = withRules(redundant(0)).replace('    policy:\n      default: deny', '    policy:\n      # gen-ignore policy/redundant: not for the rules\n      default: deny');
    expect(onFirstKey).toContain('# gen-ignore policy/redundant: not for the rules\n      default: deny');
    expect(await reported(onFirstKey)).toEqual(['o0', 'o1', 'o2', 'o3']);
    expect((await lint(onFirstKey)).map((d) => d.rule)).toContain('suppress/unused');
  });

  it('silences an error on a whole block node', async () => {
    const text = readExample('aws-vpc').replace('cidr: 10.30.2.0/24', 'cidr: 10.30.1.0/24').replace(
      '      - { name: public-2c',
      '      # gen-ignore ip/overlap: migration window, both exist for a week\n      - { name: public-2c',
    );
    expect(await lint(text)).toEqual([]);
  });

  it('finds the node of each of many comments in a row with work that grows with the file, not with the square of the block', () => {
    const work = (n: number) => {
      const text = `a:\n${'  # gen-ignore x/y: one of many\n'.repeat(n)}  b: 1\n`;
      const lines = new LineCounter();
      const doc = parseDocument(text, { lineCounter: lines });
      const test = RegExp.prototype.test;
      let calls = 0;
      RegExp.prototype.test = function (this: RegExp, value: string) {
        calls++;
        return test.call(this, value);
      };
      try {
        const found = findSuppressions(text, doc, lines, 'topology.yaml');
        expect(found).toHaveLength(n);
        expect(new Set(found.map((f) => f.from))).toEqual(new Set([n + 2]));
      } finally {
        RegExp.prototype.test = test;
      }
      return calls;
    };
    const [a, b] = [work(1000), work(2000)];
    expect(b, `${a} → ${b}`).toBeLessThanOrEqual(2.5 * a);
  });
});
