// Policy tests: flows written in the topology with the verdict they must
// get from the compiled firewall rules and the security groups.
import { evaluateFirewallFlow, evaluateSecurityGroupFlow, vpcBlockOf } from '../flows.js';
import type { Rule } from './rule.js';

export const testRules: Rule[] = [
  {
    id: 'policy/test-failed',
    severity: 'error',
    summary: 'A policy test flow gets another verdict than the topology expects.',
    why: 'Policy tests pin what must stay open and what must stay closed; a change that flips one is caught in review, not in production.',
    hint: 'Fix the rule the message names, or the test if the policy change is intended.',
    check(model, report) {
      for (const site of model.sites) {
        for (const test of site.policy.tests) {
          const verdicts = evaluateFirewallFlow(site, test);
          const wrong = verdicts.find((v) => v.verdict !== test.expect);
          if (!wrong) continue;
          report({
            path: test.path,
            message: `flow ${test.name}: expected ${test.expect}, got ${wrong.verdict} by ${wrong.decidedBy}${wrong.part ? ` (for ${wrong.part})` : ''}`,
            related: wrong.path ? [{ message: `${wrong.decidedBy} decided it`, path: wrong.path }] : undefined,
          });
        }
      }
      const vpc = model.aws?.vpc;
      const block = vpcBlockOf(model);
      if (!vpc || !block) return;
      for (const test of vpc.tests) {
        const result = evaluateSecurityGroupFlow(vpc, block, test);
        if (result.verdict === test.expect) continue;
        report({
          path: test.path,
          message: `flow ${test.name}: expected ${test.expect}, got ${result.verdict} by ${result.decidedBy}`,
          related: result.path ? [{ message: `${result.decidedBy}`, path: result.path }] : undefined,
        });
      }
    },
  },
];
