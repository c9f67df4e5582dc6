// What OPNsense's "Block private networks" drops on an interface that has
// it (blockpriv): a rule at priority 5, before every rule gen writes, from
// these sources (filter.lib.inc, 25.7 to 26.7).
import { type Range, fromBlocks } from '../../intervals.js';
import { type Block, containsBlock, parseCidr } from '../../net.js';

export const BLOCK_PRIVATE_SOURCES: readonly Block[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16'].map((cidr) => {
  const parsed = parseCidr(cidr);
  if (!parsed.ok) throw new Error(cidr);
  return parsed.block;
});

/** The same blocks as address ranges, for the policy evaluator. */
export const BLOCK_PRIVATE_RANGES: readonly Range[] = fromBlocks(BLOCK_PRIVATE_SOURCES);

/** Whether every packet from `block` is dropped by "Block private networks". */
export function blockedAsPrivateBlock(block: Block): boolean {
  return BLOCK_PRIVATE_SOURCES.some((b) => containsBlock(b, block));
}

/** Whether a packet from `address` is dropped by "Block private networks". */
export function blockedAsPrivate(address: string): boolean {
  const parsed = parseCidr(`${address}/32`);
  return parsed.ok && blockedAsPrivateBlock(parsed.block);
}
