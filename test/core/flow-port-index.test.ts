// A flow at one protocol and port is met only by the matches whose ports
// hold that port. The lints that ask flows (DNS and the admin ports to the
// firewall itself, policy tests) looked at every match for each flow: with
// 20,000 rules on distinct ports, each flow examines the few of its port
// and those of several ports, and finds the same matches in the same order.
import { describe, expect, it } from 'vitest';
import { ADDRESS_SPACE, PORT_SPACE, type Ranges, has, overlaps } from '../../src/intervals.js';
import type { PolicyRule } from '../../src/model.js';
import { meetingMatches } from '../../src/flows.js';
import { countMethodCalls } from '../helpers.js';
import { type Match, PROTOCOL, PROTOCOL_SPACE } from '../../src/resolve/matches.js';

/** n matches, one port each (four rules a port, from 1), every 1,000th on every port or on a range. */
function matchesOf(n: number): Match[] {
  const out: Match[] = [];
  for (let i = 0; i < n; i++) {
    const port = (i >> 2) + 1;
    const ports: Ranges = i % 1000 === 7 ? [PORT_SPACE] : i % 1000 === 500 ? [[50, 60]] : [[port, port]];
    const source: Ranges = i % 2 === 0 ? [[10, 20]] : [[30, 40]];
    const protocols: Ranges = i % 4 < 2 ? [[PROTOCOL.tcp, PROTOCOL.tcp]] : [PROTOCOL_SPACE];
    const rule = { name: `r${i}` } as PolicyRule;
    out.push({ rule, action: i % 3 === 0 ? 'pass' : 'block', box: [source, [ADDRESS_SPACE], protocols, ports] });
  }
  return out;
}

describe('the matches that meet a flow', () => {
  const matches = matchesOf(20_000);

  it.each([53, 1, 5000, 55, 6000])('at port %i: the matches of every rule that holds it, in order, after a look at few', (port) => {
    const from: Ranges = [[15, 35]];
    const without = matches[8]!.rule;
    const { meeting, examined } = meetingMatches(matches, from, [ADDRESS_SPACE], PROTOCOL.tcp, port, without);
    // What a look at every match finds.
    const all = matches.filter((m) => has(m.box[3], port) && has(m.box[2], PROTOCOL.tcp) && m.rule !== without && overlaps(m.box[0], from) && overlaps(m.box[1], [ADDRESS_SPACE]));
    expect(meeting).toEqual(all);
    expect(all.length).toBeGreaterThan(0);
    // The four of its port and the forty of every port or a range, not 20,000.
    expect(examined).toBeLessThanOrEqual(4 + 40);
  });

  it('are indexed by a count per port: no call per match of one port', () => {
    // A list of its own: the index is made once per list of matches.
    const fresh = matchesOf(20_000);
    const calls = (target: object, names: string[]) => countMethodCalls(target, names, () => meetingMatches(fresh, [[15, 35]], [ADDRESS_SPACE], PROTOCOL.tcp, 53)).calls;
    // A push for each of the 40 matches of every port or a range; the 19,960 of one port each are counted and placed, not listed.
    expect(calls(Array.prototype, ['push'])).toBeLessThan(100);
    expect(calls(Map.prototype, ['set', 'get'])).toBe(0);
  });
});
