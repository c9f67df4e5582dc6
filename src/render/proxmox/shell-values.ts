// Values that end up in post-up/post-down lines run through /bin/sh, and in
// ifupdown2 keywords. They are validated, never quoted: anything that is not
// exactly an address, a CIDR, an interface name or a VLAN list is refused.
import { parseCidr, parseIPv4 } from '../../net.js';
import { INTERFACE_NAME, PVE_MTU_MAX, PVE_MTU_MIN, vidEntryProblem } from '../../targets/proxmox/interfaces.js';

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

/** A bridge-vids entry as Proxmox VE's API takes it (the GUI could not save the bridge otherwise). */
export function vid(value: string): string {
  const problem = vidEntryProblem(value);
  if (problem !== undefined) throw new UnsafeValueError(`bridge-vids entry "${value}" ${problem.message}`);
  return value;
}

export function mtu(value: number): number {
  if (!Number.isInteger(value) || value < PVE_MTU_MIN || value > PVE_MTU_MAX) throw new UnsafeValueError(`${value} is not an MTU Proxmox VE takes (${PVE_MTU_MIN}-${PVE_MTU_MAX})`);
  return value;
}

/** A comment line holds any text but a line break. */
export function commentText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029\u0085]/g, ' ');
}
