// Rules on Proxmox bridges and the AWS layout.
import { vidsCoverage } from '../targets/proxmox/interfaces.js';
import type { Rule } from './rule.js';
import { bridges } from './walk.js';

export const infrastructureRules: Rule[] = [
  {
    id: 'proxmox/bridge-missing-vlan',
    severity: 'error',
    summary: 'A Proxmox bridge carries a firewall VLAN but is not VLAN aware, or its bridge-vids leave the tag out.',
    why: 'The bridge drops the tagged frames: the VLAN exists on the firewall and nothing arrives.',
    hint: 'Set vlan_aware: true and add the tag to vids (or leave vids out to derive them).',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].proxmox.hosts[].bridges[vmbr2]',
        bad: 'name: vmbr2\nvlan_aware: true\nvids: [10, 20]',
        good: 'name: vmbr2\nvlan_aware: true\nvids: [10, 20, 30]',
      },
    ],
    check(model, report) {
      for (const { bridge } of bridges(model)) {
        const covers = vidsCoverage(bridge.vids);
        for (const tag of bridge.requiredVlans) {
          if (!bridge.vlanAware) {
            report({
              path: bridge.path.concat('vlan_aware'),
              key: true,
              message: `bridge ${bridge.name} must carry VLAN ${tag} but is not VLAN aware`,
              hint: `Set vlan_aware: true on bridge ${bridge.name}${bridge.vidsExplicit ? ` and add ${tag} to its vids` : ''}.`,
            });
          } else if (tag !== 1 && !covers(tag)) {
            // VLAN 1 is never listed: proxmox/vlan-1-native reports it on a VLAN-aware bridge.
            report({
              path: bridge.path.concat('vids'),
              message: `bridge ${bridge.name} must carry VLAN ${tag} for the firewall, but its vids (${bridge.vids.join(' ')}) leave it out`,
              hint: `Add ${tag} to vids of bridge ${bridge.name}, or leave vids out to derive them from the firewall's VLANs.`,
            });
          }
        }
      }
    },
  },
  {
    id: 'aws/tier-single-az',
    severity: 'warning',
    summary: 'A VPC tier (public, private, ...) has subnets in only one availability zone.',
    why: 'One AZ failure takes the whole tier down; load balancers need two AZs.',
    hint: 'Add a subnet of the tier in a second availability zone.',
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc',
        bad: 'subnets:\n  - { name: public-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: public }\n  - { name: public-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: public }\n  - { name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }',
        good: 'subnets:\n  - { name: public-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: public }\n  - { name: public-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: public }\n  - { name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }\n  - { name: private-2c, az: ap-northeast-2c, cidr: 10.30.102.0/24, tier: private }',
      },
    ],
    check(model, report) {
      const vpc = model.aws?.vpc;
      const firstOfTier = new Map<string, NonNullable<typeof vpc>['subnets'][number]>();
      for (const subnet of vpc?.subnets ?? []) if (!firstOfTier.has(subnet.tier)) firstOfTier.set(subnet.tier, subnet);
      for (const tier of vpc?.tiers ?? []) {
        if (tier.azs.length >= 2) continue;
        const subnet = firstOfTier.get(tier.name)!;
        report({ path: subnet.path.concat('tier'), message: `tier ${tier.name} lives only in ${tier.azs[0]} (${tier.subnets.join(', ')})` });
      }
    },
  },
];
