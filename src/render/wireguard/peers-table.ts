// peers.md: the peer inventory an operator would keep by hand (address, name, role,
// end of the public key, status), plus each role's next free address.
import { dayOf, dayText } from '../../io/days.js';
import type { Peer, Site, WireguardInstance } from '../../model.js';
import { parseIPv4 } from '../../net.js';
import { compareText } from '../../text-order.js';
import { slotted, template } from '../templates.js';

/** Markdown text in a table cell: no HTML, no line breaks, pipes escaped. */
function cell(text: string): string {
  // Tested first: a replace made a new expression and ran for each of a table's 40,000 fields, of which almost none has such a character.
  return MARKDOWN_SPECIAL.test(text) ? text.replace(MARKDOWN_SPECIALS, (c) => `\\${c}`) : text;
}
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|]/;
const MARKDOWN_SPECIALS = /[\\`*_[\]<>|]/g;

export function peersTable(site: Site): string {
  const row = slotted('wireguard/peer-row.md.hbs', {}, ROW_SLOTS);
  const instances = site.wireguard.map((instance) => ({
    name: cell(instance.name),
    tunnel: cell(`${instance.address}/${instance.prefix}, ${instance.tunnel}`),
    listenPort: instance.listenPort ?? '(not set)',
    endpoint: instance.endpoint !== undefined && instance.endpointPort !== undefined ? cell(`${instance.endpoint}:${instance.endpointPort}`) : '-',
    lanEndpoint: instance.lanEndpoint !== undefined && instance.listenPort !== undefined ? cell(`${instance.lanEndpoint}:${instance.listenPort}`) : '-',
    // A line a peer from the row's skeleton (templates.ts slotted): an {{#each}} of the table's template ran its
    // block, with a frame and a lookup per field, for each of 10,000 peers.
    rows: byAddress(instance.peers)
      .map((peer) =>
        row({
          address: cell(peer.address),
          name: cell(peer.name),
          role: cell(peer.role),
          // The last 8 characters identify a key in `wg show` output without publishing it whole.
          key: peer.publicKey !== undefined ? `\`...${peer.publicKey.slice(-8)}\`${keyDays(peer, instance)}` : '(none)',
          status: !peer.enabled ? 'disabled' : peer.publicKey === undefined ? 'no public key' : 'active',
          allowedIps: cell(peer.allowedIps.join(', ') || 'none'),
        }),
      )
      .join(''),
    roles: instance.roles.map((role) => ({
      name: cell(role.name),
      range: cell(`${role.from} - ${role.to}`),
      nextFree: instance.nextFree[role.name] ?? 'full',
    })),
  }));
  return template('wireguard/peers.md.hbs')({ site: cell(site.name), instances });
}

/**
 * The key's key_date, and under key_rotation_days the day it falls due, as
 * wg/key-age counts it: the inventory's dates, which the topology holds. Not
 * whether it is overdue: that depends on the day the file is read, and the
 * file is the same every day (gen wg list and gen lint say it).
 */
function keyDays(peer: Peer, instance: WireguardInstance): string {
  const days = instance.keyRotationDays;
  const made = peer.keyDate === undefined ? undefined : dayOf(peer.keyDate);
  if (made === undefined) return days !== undefined && peer.enabled ? ' (no key\\_date)' : '';
  return days === undefined ? ` ${peer.keyDate}` : ` ${peer.keyDate}, due ${dayText(made + days)}`;
}

/** The fields of a peer's line in the table. */
const ROW_SLOTS = ['address', 'name', 'role', 'key', 'status', 'allowedIps'] as const;

/**
 * The peers by address (an address that does not parse as 0), then name:
 * each address parsed once, not twice for each comparison of the sort
 * (n log n comparisons for peers listed in no order).
 */
function byAddress(peers: readonly Peer[]): Peer[] {
  const keyed = peers.map((peer) => ({ peer, address: parseIPv4(peer.address) ?? 0 }));
  keyed.sort((a, b) => a.address - b.address || compareText(a.peer.name, b.peer.name));
  return keyed.map((k) => k.peer);
}
