// Unbound's access control as its own documentation states it
// (unbound.conf(5), access-control: "the most specific netblock match is
// used, if none match refuse is used"), over the access-control lines of a
// rendered configuration, for IPv4 sources.
import { contains, parseCidr, parseIPv4 } from '../../src/net.js';

export interface AccessControl {
  cidr: string;
  action: string;
}

export function accessControls(conf: string): AccessControl[] {
  return [...conf.matchAll(/^\s*access-control:\s*(\S+)\s+(\S+)\s*$/gm)].map((m) => ({ cidr: m[1]!, action: m[2]! }));
}

/** What Unbound does with a query from `address`: the action of the longest prefix holding it, else refuse. */
export function accessFor(controls: readonly AccessControl[], address: string): string {
  const ip = parseIPv4(address)!;
  let best: { prefix: number; action: string } | undefined;
  for (const c of controls) {
    const parsed = parseCidr(c.cidr);
    if (!parsed.ok || !contains(parsed.block, ip)) continue;
    if (!best || parsed.block.prefix >= best.prefix) best = { prefix: parsed.block.prefix, action: c.action };
  }
  return best?.action ?? 'refuse';
}
