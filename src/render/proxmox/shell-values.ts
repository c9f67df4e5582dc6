// Values that end up in post-up/post-down lines run through /bin/sh, and in
// ifupdown2 keywords. They are validated, never quoted: anything that is not
// exactly an address, a CIDR, an interface name or a VLAN list is refused.
import { parseCidr, parseIPv4 } from '../../net.js';

const IFNAME = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/;
const VID = /^(\d{1,4})(-(\d{1,4}))?$/;

export class UnsafeValueError extends Error {}

export function ifname(value: string): string {
  if (!IFNAME.test(value)) throw new UnsafeValueError(`"${value}" is not an interface name`);
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
  const match = VID.exec(value);
  const from = Number(match?.[1]);
  const to = match?.[3] === undefined ? from : Number(match[3]);
  if (!match || from < 1 || to > 4094 || from > to) throw new UnsafeValueError(`"${value}" is not a VLAN id or range (1-4094)`);
  return value;
}

/** A comment line holds any text but a line break. */
export function commentText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029\u0085]/g, ' ');
}
