// MAC addresses of the guest NICs gen writes. Proxmox gives a NIC without a
// MAC a random one at every `qm set` (QemuServer/Network.pm parse_net, LXC
// parse_lxc_network), so gen pins one, derived from names that do not change:
// the same topology gives the same MACs on every run and on every machine.
// SHA-256 from @noble/hashes, not node:crypto: a lint derives every guest's
// MAC (proxmox/mac-collision compares them), and loading node:crypto took
// longer than checking a small topology; the digest is the same.
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * A locally administered unicast MAC (first octet: bit 1 set, bit 0 clear,
 * so it can never be a vendor's address nor a multicast one) from a SHA-256
 * of the site, guest and NIC names: 46 bits of the hash.
 */
export function derivedMac(site: string, guest: string, nic: string): string {
  const hash = sha256(Buffer.from(`gen-mac\u0000${site}\u0000${guest}\u0000${nic}`, 'utf8'));
  const bytes = Array.from(hash.subarray(0, 6));
  bytes[0] = (bytes[0]! & 0xfc) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** The canonical (upper-case) form, so that a MAC written in the topology compares with a derived one. */
export function normalMac(mac: string): string {
  return mac.toUpperCase();
}
