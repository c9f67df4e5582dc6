// The switch side of a Proxmox host's bonds: a device gen does not manage.
// A bond whose mode needs its ports grouped on the switch (BOND_SWITCH_GROUP)
// works only once the switch has that group: an 802.3ad bond without an
// LACP partner puts each NIC in an aggregator of its own and runs on one
// link, without the bandwidth or the failover it was made for; a static
// mode (balance-rr, balance-xor, broadcast) sends from the bond's one MAC
// on every port, and a switch that has not grouped them sees that MAC move
// between ports and drops or misdelivers frames. The bond takes its mode when
// the interfaces file is applied, and the switch's group must change with it:
// a group made for the old mode (an LACP group, which a bond in another mode
// never answers) disagrees with the bond from Apply until the switch changes.
// steps.md does not know the old mode; gen diff names the group to remove.
import type { Host } from '../model.js';
import { BOND_SWITCH_GROUP } from '../targets/proxmox/interfaces.js';

export function bondSteps(hosts: readonly Host[]): string[] {
  const steps: string[] = [];
  for (const host of hosts) {
    for (const bond of host.bonds) {
      const group = BOND_SWITCH_GROUP[bond.mode];
      if (!group) continue;
      const ports = `the switch ports of ${bond.slaves.join(', ')} on Proxmox host ${host.name}`;
      steps.push(
        group === 'lacp'
          ? `On the switch (gen does not manage it), in the same maintenance window as applying ${host.name}'s interfaces file: make ${ports} one LACP (IEEE 802.3ad) link aggregation group, with the VLANs bond ${bond.name} carries, in place of any group they have for another mode (gen diff names it). ` +
              `Without an LACP partner the bond puts each NIC in an aggregator of its own and runs on one of them, without the bandwidth or failover of the others.`
          : `On the switch (gen does not manage it), in the same maintenance window as applying ${host.name}'s interfaces file: make ${ports} one static link aggregation group (no LACP: an "etherchannel" or "trunk group", e.g. Cisco's channel-group mode on), with the VLANs bond ${bond.name} carries, in place of any group they have for another mode (gen diff names it). ` +
              `Bond mode ${bond.mode} sends from one MAC address on every port; a switch without the group sees it move between ports and drops frames.`,
      );
    }
  }
  return steps;
}
