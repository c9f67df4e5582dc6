// The backup's data path: Proxmox VE sends backups to the backup server's API
// (TCP 8007, pve-storage PBSPlugin.pm's default port) and the backup server
// writes them to S3 over HTTPS (proxmox-s3-client, port 443). Where the
// firewall stands between them, its compiled policy must pass both; the
// verdicts are those of the policy tests' evaluator, so a flow test written
// for the same flow agrees with the finding.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { edit, lineOfText, lint, readExample } from '../helpers.js';

const only = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.rule === 'backup/path-blocked');
const errors = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === 'error');
const RULES = ['sites', 0, 'policy', 'rules'];
const TESTS = ['sites', 0, 'policy', 'tests'];

const A = readExample('homelab');
/** Scenario A's policy with management-out replaced by `rule`, and its test of management to service dropped. */
function managementRule(text: string, rule: Record<string, unknown>): string {
  const rules = edit(text, [...RULES, 3], rule);
  return rules.replace('        - { from: management, to: service, proto: tcp, port: 5432, expect: accept }\n', '');
}

describe("'backup/path-blocked'", () => {
  it('scenario A passes both flows: the backup server shares the management network with the host, which may reach the internet', async () => {
    expect(only(await lint(A))).toEqual([]);
  });

  it('a management network that may not reach the internet leaves the backup server on it without S3', async () => {
    const text = managementRule(A, { name: 'management-in', from: 'management', to: 'service', action: 'pass' });
    const hits = only(await lint(text));
    // Only the S3 half: the host reaches the backup server on their own network, with no firewall between.
    expect(hits.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      ['error', 'the backup server 10.0.0.20 cannot reach the S3 endpoint s3.ap-northeast-2.amazonaws.com: the default deny blocks TCP 443 from it to the internet', lineOfText(text, 'address: 10.0.0.20')],
    ]);
    // The policy tests' evaluator says the same of that flow.
    const tested = edit(text, [...TESTS, 0], { from: '10.0.0.20', to: 'internet', proto: 'tcp', port: 443, expect: 'deny' });
    expect(errors(await lint(tested)).map((d) => d.rule)).toEqual(['backup/path-blocked']);
    // HTTPS to the internet from the backup server alone is enough.
    const passed = edit(text, [...RULES, 5], { name: 'pbs-s3', from: '10.0.0.20', to: 'internet', proto: 'tcp', ports: [443], action: 'pass' });
    expect(only(await lint(passed))).toEqual([]);
  });

  it('a backup server behind the firewall from the host: its API port must pass from the host address that routes there', async () => {
    const moved = A.replace('address: 10.0.0.20 ', 'address: 10.1.0.50 ');
    expect(only(await lint(moved))).toEqual([]);
    const text = managementRule(moved, { name: 'management-out', from: 'management', to: 'internet', action: 'pass' });
    const hits = only(await lint(text));
    expect(hits.map((d) => [d.message, d.location.line, d.related?.map((r) => [r.message, r.location.line])])).toEqual([
      [
        'Proxmox VE host pve (10.0.0.254) cannot reach the backup server 10.1.0.50 on TCP 8007: policy rule management-out blocks it, so storage pbs-main and every backup to it fail',
        lineOfText(text, 'address: 10.1.0.50'),
        [['policy rule management-out', lineOfText(text, 'name: management-out')]],
      ],
    ]);
    const tested = edit(text, [...TESTS, 0], { from: '10.0.0.254', to: '10.1.0.50', proto: 'tcp', port: 8007, expect: 'deny' });
    expect(errors(await lint(tested)).map((d) => d.rule)).toEqual(['backup/path-blocked']);
    const passed = edit(text, [...RULES, 3], { name: 'host-to-pbs', from: '10.0.0.254', to: '10.1.0.50', proto: 'tcp', ports: [8007], action: 'pass' });
    expect(only(await lint(edit(passed, [...RULES, 5], { name: 'management-out', from: 'management', to: 'internet', action: 'pass' })))).toEqual([]);
  });

  it('a backup server that may reach only part of the internet on 443 (the S3 ranges, say) is its operator\'s choice', async () => {
    const text = managementRule(A, { name: 'management-in', from: 'management', to: 'service', action: 'pass' });
    const partial = edit(text, [...RULES, 5], { name: 'pbs-s3', from: '10.0.0.20', to: '52.95.192.0/20', proto: 'tcp', ports: [443], action: 'pass' });
    expect(only(await lint(partial))).toEqual([]);
  });
});
