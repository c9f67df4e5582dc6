// Scenario B with the Proxmox host's address inside a network the firewall
// serves as a VLAN on the host's bridge (mgmt, VLAN 10 on vmbr2): alone, so
// that the firewall there is the default gateway, and beside a WAN address
// with its own gateway, so that the routes to the other networks go through
// the firewall on the VLAN.
import { edit, readExample } from '../helpers.js';

const hosting = readExample('vlan-hosting');
const bridges = ['sites', 0, 'proxmox', 'hosts', 0, 'bridges'];

export const MGMT = { bridge: 'vmbr2', tag: 10, device: 'vmbr2.10', address: '192.168.10.5/24', firewall: '192.168.10.1' };

export const hostOnVlan = edit(hosting, [...bridges, 1, 'address'], MGMT.address);

export const hostOnVlanWithRoutes = edit(edit(hostOnVlan, [...bridges, 0, 'address'], '203.0.113.10/24'), [...bridges, 0, 'gateway'], '203.0.113.1');

/** The same on a jumbo-frame bridge: its VLAN device, which holds the address, gets no `mtu` line of its own. */
export const hostOnJumboVlan = edit(hostOnVlanWithRoutes, [...bridges, 1, 'mtu'], 9000);
