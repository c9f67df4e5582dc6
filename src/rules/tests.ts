// Policy tests: flows written in the topology with the verdict they must
// get from the compiled firewall rules and the security groups. A site's
// flow to a zone with members in the joined VPC must also get through the
// security group gen derives for that zone.
import { type Verdict, evaluateFirewallFlow, evaluateSecurityGroupFlow, vpcBlockOf } from '../flows.js';
import type { FlowTest, Model, Site } from '../model.js';
import { ANTI_LOCKOUT_SETTING } from '../targets/opnsense/anti-lockout.js';
import type { Rule } from './rule.js';

/** The verdict of the zone's derived security group, when the flow's destination has one. */
function securityGroupVerdict(model: Model, site: Site, test: FlowTest): Verdict | undefined {
  const vpc = model.aws?.vpc;
  const block = vpcBlockOf(model);
  const group = vpc?.securityGroups.find((g) => g.derived?.site === site.name && g.derived.target === test.to);
  if (!vpc || !block || !group) return undefined;
  return evaluateSecurityGroupFlow(vpc, block, Object.assign({}, test, { to: group.name }));
}

/** What decides a site's flow wrongly, if anything: the firewall, or the derived security group behind it. */
function wrongVerdict(model: Model, site: Site, test: FlowTest): Verdict | undefined {
  const firewall = evaluateFirewallFlow(site, test);
  const wrong = firewall.find((v) => v.verdict !== test.expect);
  const group = securityGroupVerdict(model, site, test);
  if (!group) return wrong;
  // The flow arrives only when both let it through.
  if (test.expect === 'accept') return wrong ?? (group.verdict === 'deny' ? group : undefined);
  return wrong && group.verdict === 'accept' ? wrong : undefined;
}

/** The fix of a failed test: the rule that decided the flow, or the rule the flow lacks; or the test itself. */
function fixOf(expect: string, got: { verdict: string; decidedBy: string; path?: unknown }, site?: Site): string {
  // No policy rule can come before OPNsense's anti-lockout rule: only the box's setting closes it.
  if (site?.policy.antiLockout?.origin === got.decidedBy) {
    return `OPNsense passes this flow before any rule gen writes. To close it, pass the admins to self first, restore and log in through that rule, then ${ANTI_LOCKOUT_SETTING} and set firewall.anti_lockout.enabled: false (without such a pass you are locked out); or set expect: ${got.verdict}.`;
  }
  const change = got.path !== undefined ? `Change ${got.decidedBy} so that it no longer ${got.verdict === 'accept' ? 'passes' : 'blocks'} this flow` : `Add a rule that ${expect === 'accept' ? 'passes' : 'blocks'} this flow (it got ${got.verdict} by ${got.decidedBy})`;
  return `${change}, or set expect: ${got.verdict} if that is the verdict you want.`;
}

export const testRules: Rule[] = [
  {
    id: 'policy/test-failed',
    severity: 'error',
    summary: 'A policy test flow gets another verdict than the topology expects.',
    why: 'Policy tests pin what must stay open and what must stay closed; a change that flips one is caught in review, not in production.',
    hint: 'Fix the rule the message names, or the test if the policy change is intended.',
    examples: [
      {
        context: [{ where: 'sites[].policy.tests[+]', snippet: '{ from: vpn, to: postgres, proto: tcp, port: 5432, expect: deny }' }],
        where: 'sites[].policy.rules[vpn-to-service]',
        bad: '{ name: vpn-to-service, from: vpn, to: service, action: pass }',
        good: '{ name: vpn-to-service, from: vpn, to: service, proto: tcp, ports: [80, 443], action: pass }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const test of site.policy.tests) {
          const wrong = wrongVerdict(model, site, test);
          if (!wrong) continue;
          report({
            path: test.path,
            message: `flow ${test.name}: expected ${test.expect}, got ${wrong.verdict} by ${wrong.decidedBy}${wrong.reflected ? `, ${wrong.reflected}` : ''}${wrong.part ? ` (for ${wrong.part})` : ''}`,
            related: wrong.path ? [{ message: `${wrong.decidedBy} decided it`, path: wrong.path }] : undefined,
            hint: fixOf(test.expect, wrong, site),
          });
        }
      }
      const vpc = model.aws?.vpc;
      const block = vpcBlockOf(model);
      if (!vpc || !block) return;
      for (const test of vpc.tests) {
        if (test.fromObjects?.length === 0) continue;
        const result = evaluateSecurityGroupFlow(vpc, block, test);
        if (result.verdict === test.expect) continue;
        report({
          path: test.path,
          message: `flow ${test.name}: expected ${test.expect}, got ${result.verdict} by ${result.decidedBy}`,
          related: result.path ? [{ message: `${result.decidedBy}`, path: result.path }] : undefined,
          hint: fixOf(test.expect, result),
        });
      }
    },
  },
];
