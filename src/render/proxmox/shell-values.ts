// Values that end up in post-up/post-down lines run through /bin/sh, and in
// ifupdown2 keywords. They are validated, never quoted: anything that is not
// exactly an address, a CIDR, an interface name or a VLAN list is refused.
import { parseCidr, parseIPv4 } from '../../net.js';
import { INTERFACE_NAME, VID_ENTRY } from '../../targets/proxmox/interfaces.js';
import { VLAN_ID_MAX, VLAN_ID_MIN } from '../../targets/vlan.js';

export class UnsafeValueError extends Error {}

export function ifname(value: string): string {
  if (!INTERFACE_NAME.test(value)) throw new UnsafeValueError(`"${value}" is not an interface name`);
  return value;
}

export function ipv4(value: string): string {
  if (parseIPv4(value) === undefined) throw new UnsafeValueError(`"${value}" is not an IPv4 address`);
  return value;
}

export function cidr(value: string): string {
  const parsed = parseCidr(value);
  if (!parsed.ok || parsed.block.cidr !== value) throw new UnsafeValueError(`"${value}" is not a network in CIDR notation`);
  return value;
}

export function vid(value: string): string {
  const match = VID_ENTRY.exec(value);
  const from = Number(match?.[1]);
  const to = match?.[3] === undefined ? from : Number(match[3]);
  if (!match || from < VLAN_ID_MIN || to > VLAN_ID_MAX || from > to) throw new UnsafeValueError(`"${value}" is not a VLAN id or range (${VLAN_ID_MIN}-${VLAN_ID_MAX})`);
  return value;
}

/** A comment line holds any text but a line break. */
export function commentText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029\u0085]/g, ' ');
}
