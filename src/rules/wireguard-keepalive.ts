// A PersistentKeepalive outside the range NAT routers need
// (targets/wireguard/keepalive.ts): over it the firewall loses the client
// between keepalives, under it a phone spends battery for nothing. 0 leaves
// keepalive out, a choice of its own.
import { DEFAULT_KEEPALIVE, KEEPALIVE_RANGE } from '../targets/wireguard/keepalive.js';
import type { Rule } from './rule.js';

const KEEPALIVE_LEAST = KEEPALIVE_RANGE.least;
const KEEPALIVE_MOST = KEEPALIVE_RANGE.most;

function outside(seconds: number): boolean {
  return seconds !== 0 && (seconds < KEEPALIVE_LEAST || seconds > KEEPALIVE_MOST);
}

function effect(seconds: number): string {
  return seconds > KEEPALIVE_MOST
    ? `a NAT router that drops an idle UDP mapping after 60 to 120 s forgets the client between two keepalives, and the firewall can no longer reach it`
    : `a packet every ${seconds} s keeps no mapping open longer than one every ${DEFAULT_KEEPALIVE} s does, and costs a phone battery and data`;
}

export const wireguardKeepaliveRules: Rule[] = [
  {
    id: 'wg/keepalive-range',
    severity: 'warning',
    summary: `A PersistentKeepalive outside ${KEEPALIVE_LEAST}-${KEEPALIVE_MOST} seconds (0, off, aside).`,
    why:
      'A client behind NAT stays reachable from the firewall only while its router keeps the UDP mapping, which most drop after 60 to 120 idle seconds: ' +
      `over ${KEEPALIVE_MOST} s the tunnel goes quiet until the client sends again; under ${KEEPALIVE_LEAST} s the packets buy nothing and drain a phone's battery.`,
    hint: `Set keepalive: ${DEFAULT_KEEPALIVE} (the interval wg(8) calls sensible with a wide variety of firewalls), or 0 for a client that is never behind NAT.`,
    examples: [
      { where: 'sites[].wireguard[]', bad: 'keepalive: 300', good: 'keepalive: 25' },
      { where: 'sites[].wireguard[].peers[iphone-john]', bad: 'name: iphone-john\nrole: mobile\naddress: 10.0.1.11\nkeepalive: 5', good: 'name: iphone-john\nrole: mobile\naddress: 10.0.1.11\nkeepalive: 25' },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const instance of site.wireguard) {
          if (outside(instance.keepalive)) {
            report({
              path: instance.path.concat('keepalive'),
              message: `keepalive ${instance.keepalive} of ${instance.name} (every client file that does not set its own): ${effect(instance.keepalive)}`,
              hint: `Set keepalive: ${DEFAULT_KEEPALIVE} on ${instance.name}, or 0 if no client is behind NAT.`,
            });
          }
          // A peer's own value: one that differs from the instance's (an equal one is the instance's finding).
          for (let p = 0; p < instance.peers.length; p++) {
            const peer = instance.peers[p]!;
            if (peer.keepalive === instance.keepalive || !outside(peer.keepalive)) continue;
            report({
              path: peer.path.concat('keepalive'),
              message: `keepalive ${peer.keepalive} of peer ${peer.name}: ${effect(peer.keepalive)}`,
              hint: `Set keepalive: ${DEFAULT_KEEPALIVE} on peer ${peer.name}, or 0 if it is never behind NAT.`,
            });
          }
        }
      }
    },
  },
];
