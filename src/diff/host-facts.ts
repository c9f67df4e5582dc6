// A Proxmox VE host's own addresses, as `gen diff` words them. gen's
// interfaces file is the host's whole network configuration, so Apply of a
// new address takes the old one off the node (ifupdown2 address-purge). The
// node keeps its address in places gen does not write (pve-cluster):
// - /etc/hosts: pmxcfs resolves the node name once, at its start, and
//   announces that address to the other nodes as the node's (pmxcfs.c
//   lookup_node_ip, status.c dfsm_synced "nodeip"); Cluster.pm remote_node_ip
//   hands it to the API proxy of the other nodes (pve-manager HTTPServer.pm),
//   to migration and SSH (SSHInfo.pm);
// - /etc/pve/corosync.conf: a node's ringN_addr is the node's address when
//   the cluster was created or joined without links (Corosync.pm create_conf,
//   Setup.pm join); once the address is gone the node has no link, and
//   without quorum pmxcfs makes /etc/pve read-only (cfs-plug-memdb.c
//   tree_entry_stat, 0444);
// - the node certificate: its subjectAltName holds the address
//   (Setup.pm gen_pve_ssl_cert), renewed only when forced.
import type { Host, HostBond } from '../model.js';
import { BOND_SWITCH_GROUP, addressInterface, addressedLinks, vlanRawDevice } from '../targets/proxmox/interfaces.js';
import { type Fact, settings, settingsOf } from './fact.js';

/**
 * The host's addresses, each on the device gen writes it on (a VLAN device
 * `vmbr2.10` where the network is a VLAN), and those of NICs and bonds with an
 * address of their own (a corosync link): Apply takes any of them off the node.
 */
function addresses(host: Host): [device: string, address: string][] {
  const list: [string, string][] = [];
  for (const bridge of host.bridges) {
    if (bridge.address !== undefined) list.push([addressInterface(bridge), `${bridge.address}/${bridge.prefix}`]);
  }
  for (const { link } of addressedLinks(host)) list.push([link.name, `${link.address}/${link.prefix}`]);
  return list;
}

function words(list: readonly (readonly [string, string])[]): string {
  return list.length ? list.map(([device, address]) => `${address} on ${device}`).join(', ') : 'none';
}

/** What else holds an address Apply takes off the node, and how to change it there. */
function elsewhere(host: string, gone: readonly string[]): string {
  const old = gone.join(', ');
  return (
    `. Apply takes ${old} off the node; Proxmox VE keeps the node's address in places gen does not write, so change each one that holds ${old}: ` +
    `/etc/hosts on every node (${host} must resolve to an address the node has: pve-cluster announces that one to the other nodes ` +
    `as the node's, for their API proxy, migration and SSH, and reads it only at its start: systemctl restart pve-cluster); ` +
    `in a cluster, the node's ringN_addr in /etc/pve/corosync.conf (one file for all nodes: edit it and raise config_version ` +
    `before Apply, while the cluster is quorate; after it the node has lost its link and /etc/pve is read-only); ` +
    `then the node certificate, whose names hold the old address (pvecm updatecerts --force; systemctl restart pveproxy); ` +
    `and every tool or bookmark that reaches the node at ${old}`
  );
}

/** The host's addresses as one fact: a changed address names what else on the node must follow it. */
export function hostAddressFact(site: string, host: Host): Fact {
  const now = addresses(host);
  const state = now.map(([device, address]) => `${device}\t${address}`).join('\n');
  const name = `Proxmox host ${host.name}`;
  return {
    key: `host ${site}/${host.name} addresses`,
    state,
    added: `${name} added: address ${words(now)}`,
    removed: `${name} removed (was address ${words(now)})`,
    changed: (before) => {
      const was = before.state ? before.state.split('\n').map((line) => line.split('\t') as [string, string]) : [];
      const ip = (address: string) => address.slice(0, address.indexOf('/'));
      const kept = new Set(now.map(([, address]) => ip(address)));
      // Only an address the node loses matters elsewhere: a new prefix or device keeps the node's address.
      const gone = [...new Set(was.map(([, address]) => ip(address)).filter((address) => !kept.has(address)))];
      return `${name} address changed: ${words(was)} → ${words(now)}${gone.length ? elsewhere(host.name, gone) : ''}`;
    },
  };
}

const SWITCH_PORTS = { lacp: 'one LACP group', static: 'one static group', none: 'ungrouped' } as const;
type SwitchGroup = keyof typeof SWITCH_PORTS;

const groupOf = (mode: string): SwitchGroup => BOND_SWITCH_GROUP[mode] ?? 'none';

/**
 * What a bond's change asks of the switch, which Apply does not touch: the
 * group its slaves' ports form there follows the bond's mode (the kernel's
 * bonding documentation, "Switch Configuration": 802.3ad an 802.3ad
 * aggregation, balance-rr, balance-xor and broadcast a static group,
 * active-backup, balance-tlb and balance-alb nothing), and the bond and the
 * switch disagree from Apply until the switch changes too. The bonding
 * driver speaks LACP in mode 802.3ad only (its LACPDUs, lacp_active and
 * lacp_rate, are 802.3ad's): a switch group left from 802.3ad has no partner
 * once the bond is in another mode. What a switch does with such a group is
 * the switch's own, so the words name only the change to make.
 */
function switchChange(host: string, bond: HostBond, before: ReadonlyMap<string, string>): string {
  const group = groupOf(bond.mode);
  const wasMode = before.get('mode') ?? bond.mode;
  const was = groupOf(wasMode);
  const slaves = bond.slaves.join(', ');
  const wasSlaves = before.get('slaves') ?? slaves;
  const moved = was !== group || wasSlaves !== slaves;
  if (!moved || (was === 'none' && group === 'none')) return '';
  const kind = { lacp: 'LACP (IEEE 802.3ad)', static: 'static (no LACP)' } as const;
  const todo: string[] = [];
  const why: string[] = [];
  if (was !== 'none') todo.push(`remove the ${kind[was]} group of the switch ports of ${wasSlaves}`);
  if (group !== 'none') todo.push(`make the switch ports of ${slaves} one ${kind[group]} link aggregation group, with the VLANs bond ${bond.name} carries`);
  if (was === 'lacp' && group !== 'lacp') why.push(`in mode ${bond.mode} the bond sends no LACPDUs, which the bonding driver sends in mode 802.3ad only, so the LACP group has no partner`);
  if (group === 'lacp') why.push('an 802.3ad bond without an LACP partner puts each NIC in an aggregator of its own and runs on one of them');
  if (group === 'static') why.push(`mode ${bond.mode} sends from one MAC address on every port, which a switch without the group sees move between ports`);
  if (group === 'none') why.push(`mode ${bond.mode} needs no switch configuration`);
  return `. On the switch (gen does not manage it), in the same maintenance window as Apply on ${host}: ${todo.join(', then ')} (${why.join('; ')})`;
}

/**
 * The host's bridges, bonds and NICs as the interfaces file links them: Apply
 * (ifreload -a) makes the kernel's devices match, so a bond's new mode or
 * slave, or a bridge's new port, is the node's uplink changing under it
 * (a mode the switch's ports do not speak, a NIC the node lacks).
 */
export function hostLinkFacts(site: string, host: Host): Fact[] {
  const of = `of Proxmox host ${host.name}`;
  const mtu = (value: number | undefined) => (value === undefined ? 'unset' : String(value));
  const facts = host.bridges.map((bridge) =>
    settings(`bridge ${site}/${host.name}/${bridge.name}`, `bridge ${bridge.name} ${of}`, [
      ['ports', bridge.ports.join(', ') || 'none'],
      ['VLAN aware', bridge.vlanAware ? 'yes' : 'no'],
      ['MTU', mtu(bridge.mtu)],
    ]),
  );
  for (const bond of host.bonds) {
    // The bridges on the bond: itself a port, or a VLAN device of it (bond0.20).
    const bridges = host.bridges.filter((b) => b.ports.some((port) => port === bond.name || vlanRawDevice(port) === bond.name)).map((b) => b.name);
    const fact = settings(`bond ${site}/${host.name}/${bond.name}`, `bond ${bond.name} ${of}${bridges.length ? ` (port of ${bridges.join(', ')})` : ''}`, [
      ['slaves', bond.slaves.join(', ')],
      ['mode', bond.mode],
      ['xmit_hash_policy', bond.xmitHashPolicy ?? 'unset'],
      ['primary', bond.primary ?? 'unset'],
      ['MTU', mtu(bond.mtu)],
      // What the switch must have with the bond (steps.md): a mode change is a change on a device gen does not manage too.
      ['switch ports', SWITCH_PORTS[groupOf(bond.mode)]],
    ]);
    const words = fact.changed;
    fact.changed = (before) => words(before) + switchChange(host.name, bond, settingsOf(before));
    facts.push(fact);
  }
  // A NIC gen writes (nics[]: a corosync or storage link, a VLAN device eno2.40): its address is in the host's
  // addresses; its MTU, which the switch and the link's other end must share, is its own.
  for (const nic of host.nics) facts.push(settings(`nic ${site}/${host.name}/${nic.name}`, `NIC ${nic.name} ${of}`, [['MTU', mtu(nic.mtu)]]));
  return facts;
}
