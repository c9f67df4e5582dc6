// A Proxmox host with a NIC that has an address of its own (a corosync
// link on a dedicated NIC), for the tests that read the interfaces file
// with Proxmox VE's and ifupdown2's own code.
import { edit, readExample } from '../helpers.js';

export const NIC = { name: 'eno2', address: '10.99.0.11/24', mtu: 9000, description: 'corosync link 0' };

/** Scenario A with NIC eno2 outside any bridge, with its address, a jumbo MTU and a description. */
export const hostWithNic: string = edit(readExample('homelab'), ['sites', 0, 'proxmox', 'hosts', 0, 'nics'], [NIC]);
