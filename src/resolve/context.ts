// Shared helpers for the resolve stage: reporting, name lookups that report
// dangling references, and the lists every part of resolve adds to.
import type { Path } from '../location.js';
import type { Finding, Report } from '../findings.js';
import type { AddressUse, NamedThing, Network } from '../model.js';
import { type Block, parseCidr, parseIPv4 } from '../net.js';

/** Every AddressUse the resolve stage records is made here, so that all share one layout (see ResolveContext.layout). */
function addressUse(address: number, text: string, owner: string, path: Path, network: string | undefined, isGateway: boolean): AddressUse {
  return { address, text, owner, path, network, isGateway };
}

export class ResolveContext {
  /**
   * V8 lays a number field out for small integers (below 2^30) until a
   * larger number is stored in it; then it gives such objects a new layout,
   * and moves each object made before to it, one at a time, at its next
   * read. A tunnel's peers (10.0.0.0/8: small integers) are recorded before
   * the firewall's WAN address (203.0.113.1: not one), and the first rule
   * to walk the addresses moved every peer's: most of that rule's time. An
   * address above 2^30, recorded first, gives the layout that holds any
   * address. It is kept here: a layout that no object has left is dropped
   * at the next garbage collection, and reading a large topology runs many.
   */
  static readonly layout: AddressUse = addressUse(2 ** 32 - 1, '', '', [], undefined, false);

  readonly networks: Network[] = [];
  readonly addresses: AddressUse[] = [];
  readonly names: NamedThing[] = [];

  constructor(private readonly sink: Report) {}

  report(finding: Finding): void {
    this.sink(finding);
  }

  /** Records a name for the duplicate-name rule; `site` for a scope named after a thing of that site (NamedThing.site). */
  name(kind: string, scope: string, name: string, path: Path, site?: string): void {
    this.names.push({ kind, scope, name, path, site });
  }

  /** Records a host address; returns its numeric value when it parses. */
  address(text: string, owner: string, path: Path, options: { network?: string; isGateway?: boolean } = {}): number | undefined {
    const address = this.ipv4(text, path);
    if (address === undefined) return undefined;
    this.addresses.push(addressUse(address, text, owner, path, options.network, options.isGateway ?? false));
    return address;
  }

  ipv4(text: string, path: Path): number | undefined {
    const address = parseIPv4(text);
    if (address === undefined) this.report({ rule: 'ip/invalid', path, message: `"${text}" is not a valid IPv4 address` });
    return address;
  }

  /** Parses a network in CIDR notation; an invalid one, or one with host bits set, is reported. */
  cidr(text: string, path: Path): Block | undefined {
    const parsed = parseCidr(text);
    if (parsed.ok) return parsed.block;
    this.report({
      rule: 'ip/invalid',
      path,
      message:
        parsed.reason === 'host-bits'
          ? `${text} has host bits set: the network is ${parsed.canonical}`
          : `"${text}" is not a network in CIDR notation (e.g. 10.30.1.0/24)`,
    });
    return undefined;
  }

  /**
   * Looks a referenced name up in `index`; a dangling reference is reported
   * with what does exist.
   */
  lookup<T>(index: ReadonlyMap<string, T>, name: string, what: string, path: Path): T | undefined {
    const found = index.get(name);
    if (found === undefined) {
      this.report({
        rule: 'ref/unknown',
        path,
        message: `${what} "${name}" does not exist${index.size ? ` (known: ${knownNames(index.keys(), index.size)})` : ''}`,
      });
    }
    return found;
  }
}

const KNOWN_SHOWN = 10;

/**
 * The names a "(known: …)" list shows: the first ten of `count`, then how
 * many more. Listing every name made each dangling reference's report as
 * long as the topology: 8,000 of them printed 156 MB.
 */
export function knownNames(names: Iterable<string>, count: number): string {
  const shown: string[] = [];
  for (const name of names) {
    if (shown.length === KNOWN_SHOWN) break;
    shown.push(name);
  }
  return count > shown.length ? `${shown.join(', ')} and ${count - shown.length} more` : shown.join(', ');
}

/**
 * `path`, then `key` (and `index`): path.concat(key, index), copied by
 * index. Array.prototype.concat takes a generic way (it asks each argument
 * whether to spread it): three paths per policy rule and per peer were a
 * third of resolving 200,000 of them.
 */
export function pathTo(path: Path, key: string | number, index?: string | number): Path {
  const n = path.length;
  const out = new Array<string | number>(index === undefined ? n + 1 : n + 2);
  for (let k = 0; k < n; k++) out[k] = path[k]!;
  out[n] = key;
  if (index !== undefined) out[n + 1] = index;
  return out;
}

/** First-wins index by name: duplicates are reported by their own rule. */
export function indexByName<T extends { name: string }>(items: readonly T[]): Map<string, T> {
  const index = new Map<string, T>();
  for (const item of items) if (!index.has(item.name)) index.set(item.name, item);
  return index;
}
