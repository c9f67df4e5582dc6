// Values keyed by IPv4 block, looked up by an address: "which networks hold
// this address" without scanning every network for every address (thousands
// of VLANs times tens of thousands of addresses). CIDR blocks are found
// exactly: for each prefix length in use, the address's block of that length
// is one map lookup, so a query costs at most 33 lookups.
import type { Block } from '../net.js';
import { addToList, appendAll } from '../arrays.js';

/** The first address of the block of `prefix` bits that holds `address`. */
function baseOf(address: number, prefix: number): number {
  return prefix === 0 ? 0 : (address & (~0 << (32 - prefix))) >>> 0;
}

export class BlockIndex<T> {
  private readonly byPrefix = new Map<number, Map<number, T[]>>();
  /** Prefix lengths in use, longest (most specific) first. */
  private prefixes: number[] = [];

  constructor(entries: Iterable<readonly [Block, T]> = []) {
    for (const [block, value] of entries) this.add(block, value);
  }

  add(block: Block, value: T): void {
    let bases = this.byPrefix.get(block.prefix);
    if (!bases) {
      bases = new Map();
      this.byPrefix.set(block.prefix, bases);
      this.prefixes = [...this.byPrefix.keys()].sort((a, b) => b - a);
    }
    addToList(bases, block.base, value);
  }

  /** The values whose block holds `address`: the smallest block first, blocks of one size in the order they were added. */
  containing(address: number): T[] {
    const found: T[] = [];
    for (const prefix of this.prefixes) {
      const values = this.byPrefix.get(prefix)!.get(baseOf(address, prefix));
      if (values) appendAll(found, values);
    }
    return found;
  }

  /** The value of the smallest block that holds `address` (the first one added of that block). */
  smallest(address: number): T | undefined {
    for (const prefix of this.prefixes) {
      const values = this.byPrefix.get(prefix)!.get(baseOf(address, prefix));
      if (values) return values[0];
    }
    return undefined;
  }
}
