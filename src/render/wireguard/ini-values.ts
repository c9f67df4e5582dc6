// Values for wg-quick files. wg's parser has no quoting: a value ends at the
// line break and '#' starts a comment, so every value is validated to be
// exactly what its key expects.
import { parseCidr, parseCidrV6, parseIPv4 } from '../../net.js';
import { isWireguardKey } from '../../targets/wireguard/keys.js';
import { ENDPOINT_HOST } from '../../targets/wireguard/names.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export class InvalidValueError extends Error {}

function check(ok: boolean, what: string, value: string): string {
  if (!ok) throw new InvalidValueError(`"${value}" is not ${what}`);
  return value;
}

export const ini = {
  key: (value: string) => check(isWireguardKey(value), 'a WireGuard key', value),
  ipv4: (value: string) => check(parseIPv4(value) !== undefined, 'an IPv4 address', value),
  host: (value: string) => check(ENDPOINT_HOST.test(value), 'a host name or address', value),
  name: (value: string) => check(NAME.test(value), 'a name', value),
  cidr: (value: string) => check(value.includes(':') ? parseCidrV6(value).ok : parseCidr(value).ok, 'a network in CIDR notation', value),
  port: (value: number) => check(Number.isInteger(value) && value >= 1 && value <= 65535, 'a port', String(value)),
};
