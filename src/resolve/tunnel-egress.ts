// Whether the compiled policy lets a WireGuard tunnel's clients (or the hosts
// of a remote network reached over WireGuard) out of the WAN: some source in
// the tunnel network, some destination that is neither
// an internal network (behind the firewall, the tunnels and the VPC
// included) nor the firewall itself, and the first rule to match it passes.
// Such packets leave the WAN with the tunnel's private sources, which
// nothing upstream routes back, unless outbound NAT translates them; a
// split tunnel needs that as much as a full one (a host on the upstream
// router's LAN, an internet address the rules name).
import { ADDRESS_SPACE, PORT_SPACE, type Range, type Ranges, blockRange, intersect, overlaps, subtract, union } from '../intervals.js';
import type { WireguardInstance } from '../model.js';
import { firstTwo } from './leaf-views.js';
import { type Match, type PolicySpace, PROTOCOL_SPACE } from './matches.js';
import { partition } from './partition.js';

export function tunnelLeavesWan(compiled: { space: PolicySpace; matches: readonly Match[] }, instance: Pick<WireguardInstance, 'block'>): boolean {
  const tunnel: Range[] = [blockRange(instance.block)];
  const outside = subtract([ADDRESS_SPACE], union(compiled.space.internal, compiled.space.self));
  if (outside.length === 0) return false;
  // The rules cut to that region (a box with nothing left in it decides nothing there).
  const boxes: Ranges[][] = [];
  const actions: Match['action'][] = [];
  // Rules to or from one zone share its list: the answer for the last list of each side is kept.
  const fromTunnel = new LastAnswer((sources) => meets(sources, tunnel));
  const toOutside = new LastAnswer((destinations) => meets(destinations, outside));
  // Indexed: a for-of steps an iterator per rule until V8 optimizes the loop (src/arrays.ts).
  for (let m = 0; m < compiled.matches.length; m++) {
    const match = compiled.matches[m]!;
    // Most rules have no source in the tunnel or no destination outside: asked first, they make no lists.
    if (!fromTunnel.of(match.box[0]) || !toOutside.of(match.box[1])) continue;
    const sources = clip(match.box[0], tunnel);
    const destinations = clip(match.box[1], outside);
    boxes.push([sources, destinations, match.box[2], match.box[3]]);
    actions.push(match.action);
  }
  if (!actions.includes('pass')) return false;
  const { leaves } = partition(boxes, [tunnel, outside, [PROTOCOL_SPACE], [PORT_SPACE]], undefined, firstTwo);
  return leaves.some((leaf) => leaf.rules.length > 0 && actions[leaf.rules[0]!] === 'pass');
}

/** A test of range lists that answers again for the list it was last asked (by identity) without asking. */
class LastAnswer {
  private last: Ranges | undefined;
  private answer = false;

  constructor(private readonly test: (ranges: Ranges) => boolean) {}

  of(ranges: Ranges): boolean {
    if (ranges !== this.last) {
      this.last = ranges;
      this.answer = this.test(ranges);
    }
    return this.answer;
  }
}

/** The first of `ranges` (sorted, disjoint) that ends at or after `x`, by binary search. */
function firstEndingFrom(ranges: Ranges, x: number): number {
  let a = 0;
  let b = ranges.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (ranges[mid]![1] < x) a = mid + 1;
    else b = mid;
  }
  return a;
}

/** Whether `ranges` and `region` share a number: clip's reading, without its list. */
function meets(ranges: Ranges, region: Ranges): boolean {
  if (region.length * 16 > ranges.length) return overlaps(ranges, region);
  // Indexed: a for-of steps an iterator per range until V8 optimizes the loop (src/arrays.ts).
  for (let k = 0; k < region.length; k++) {
    const i = firstEndingFrom(ranges, region[k]![0]);
    if (i < ranges.length && ranges[i]![0] <= region[k]![1]) return true;
  }
  return false;
}

/**
 * `ranges` ∩ `region`, by a binary search in `ranges` for each range of a
 * short `region`: a rule to a zone of a thousand VLANs has a destination
 * of hundreds of ranges, and walking them all for each of 200,000 rules
 * took over a second. The same ranges as intersect, in the same order.
 */
function clip(ranges: Ranges, region: Ranges): Range[] {
  if (region.length * 16 > ranges.length) return intersect(ranges, region);
  const out: Range[] = [];
  for (const [lo, hi] of region) {
    for (let i = firstEndingFrom(ranges, lo); i < ranges.length && ranges[i]![0] <= hi; i++) out.push([Math.max(lo, ranges[i]![0]), Math.min(hi, ranges[i]![1])]);
  }
  return out;
}
