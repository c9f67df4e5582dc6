// The verification script names, for each rule it checks, the topology line
// of the rule it was compiled from (expectedRules()' origin). That origin is
// found again from the rule's description, "gen: <origin>" then " (" or ": ";
// an origin that holds " (" itself must still be found, or a failing rule
// is reported at the firewall's line instead of its own.
import { describe, expect, it } from 'vitest';
import { expectedRules } from '../../src/render/verify/firewall-rules.js';
import { modelOf } from '../helpers.js';
import { CONFIG_CASES } from '../opnsense/support.js';

describe('the topology rule each written filter rule came from', () => {
  it.each(CONFIG_CASES.map((c) => [c.name, c.yaml] as const))('%s: every rule gen compiles is traced to the rule whose origin its description begins with', async (_name, yaml) => {
    const model = await modelOf(yaml());
    for (const site of model.sites) {
      const origins = new Set(site.policy.rules.map((r) => r.origin));
      for (const rule of expectedRules(model, site)) {
        if (!rule.description.startsWith('gen: ')) continue;
        // Descriptions cut to OPNsense's limit may have lost their origin's end: those are not asked for.
        const whole = [...origins].some((o) => rule.description.startsWith(`gen: ${o}`));
        if (!whole) continue;
        expect(rule.origin, rule.description).toBeDefined();
        expect(rule.description.startsWith(`gen: ${rule.origin!.origin}`), rule.description).toBe(true);
      }
    }
  });

  it("finds the site-to-site VPN's rule, whose origin holds a parenthesis, at the VPN's own line", async () => {
    const model = await modelOf(CONFIG_CASES.find((c) => c.name === 'site-to-site')!.yaml());
    const site = model.sites.find((s) => s.policy.rules.some((r) => r.origin.startsWith('site-to-site VPN')))!;
    const ike = expectedRules(model, site).filter((r) => r.description.startsWith('gen: site-to-site VPN'));
    expect(ike.length).toBeGreaterThan(0);
    for (const rule of ike) {
      expect(rule.origin?.origin).toMatch(/^site-to-site VPN to AWS VPC .* \(IKE, NAT traversal\)$/);
      expect(rule.origin?.path).toEqual(site.policy.rules.find((r) => r.origin === rule.origin!.origin)!.path);
    }
  });
});
