// What a box's WireGuard peer keeps and loses when one of gen's takes it
// over (the same UUID: adopted by its public key, or gen's own of an earlier
// merge that the operator changed on the box).
//
// Its pre-shared key: OPNsense writes a peer's psk into its [Peer] as
// PresharedKey (wireguard-server.conf), and a handshake succeeds only when
// the device has the same key; the GUI's peer generator offers one, and puts
// it in the device's configuration. A topology peer without preshared_key
// has none and gen's client file writes none, so gen's item has an empty
// psk: replacing the box's with it would cut off the device, which still has
// the line. The box's key stays while the peer keeps its public key (a new
// key means a new client file, without the line), and merge says so, never
// the key itself. A peer with preshared_key has gen's own key, filled in
// from the secrets directory before this runs: it replaces the box's, and
// merge says so when the two differ (the device needs gen's client file).
//
// The other tunnel addresses of the box's own peer (a network behind it):
// OPNsense writes the tunnel addresses as the peer's AllowedIPs and routes
// each into the tunnel (wg_start, wg-service-control.php), and a topology
// peer has its one address, so they go, and merge says so.
import { LazyElement, type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { isGenUuid } from '../render/opnsense/ids.js';
import { fieldList, fieldText } from './fields.js';
import { peerLabel } from './wireguard-peers.js';

/** The clients of a //OPNsense/wireguard element. */
function clientsOf(wireguard: XmlElement | undefined): XmlElement[] {
  return childrenNamed(child(child(wireguard, 'client'), 'clients'), 'client');
}

/**
 * Whether a box's client may have a pre-shared key: one nobody looked into is read from its source text, so that a
 * merge into its own result does not make the fields of every peer (almost none has a key).
 */
function mayHaveKey(item: XmlElement): boolean {
  if (!unread(item)) return fieldText(item, 'psk') !== '';
  return item.raw.includes('<psk') && !/<psk\s*\/>|<psk\s*>\s*<\/psk>/.test(item.raw);
}

/** Whether a box's client may have several tunnel addresses (a list, separated by commas), read as mayHaveKey reads. */
function mayHaveSeveral(item: XmlElement): boolean {
  if (!unread(item)) return fieldText(item, 'tunneladdress').includes(',');
  return !/<tunneladdress>[^<,]*<\/tunneladdress>/.test(item.raw);
}

function unread(item: XmlElement): item is LazyElement & { raw: string } {
  return item instanceof LazyElement && item.unmade && item.raw !== undefined;
}

/**
 * gen's clients (`sections` with the box's UUIDs adopted) that keep the pre-shared key of the box's client they
 * replace (the same UUID and public key), each with that key; warns of that, and of the box's own client's other
 * tunnel addresses that go.
 */
export function peerTakeovers(root: XmlElement, sections: readonly XmlElement[], warn: (message: string) => void): Map<XmlElement, string> {
  const kept = new Map<XmlElement, string>();
  const gen = clientsOf(sections.map((s) => (s.name === 'OPNsense' ? child(s, 'wireguard') : undefined)).find((w) => w !== undefined));
  if (gen.length === 0) return kept;
  const genByUuid = new Map(gen.map((c) => [attr(c, 'uuid'), c]));
  for (const theirs of clientsOf(child(child(root, 'OPNsense'), 'wireguard'))) {
    const ours = genByUuid.get(attr(theirs, 'uuid'));
    if (!ours) continue;
    // Of the box's own clients only: gen's own item the operator changed is gen's to write (and goes with the topology's peer).
    if (!isGenUuid(attr(theirs, 'uuid')) && mayHaveSeveral(theirs)) {
      const own = new Set(fieldList(ours, 'tunneladdress'));
      const had = fieldList(theirs, 'tunneladdress');
      const lost = had.filter((a) => !own.has(a));
      if (had.length > 1 && lost.length > 0) {
        const name = fieldText(ours, 'name');
        const them = lost.length > 1 ? 'them' : 'it';
        warn(
          `the topology's WireGuard peer ${name} takes over the box's peer ${peerLabel(theirs)} with its one tunnel address ${fieldText(ours, 'tunneladdress')}: ` +
            `OPNsense no longer accepts ${lost.join(', ')} from the device nor routes ${them} into the tunnel (a peer's allowed IPs and routes are its tunnel addresses), so a network behind the device is cut off. ` +
            `To keep ${them}, remove ${name} from the topology and merge again into this base: the box's peer then stays as it is`,
        );
      }
    }
    if (!mayHaveKey(theirs)) continue;
    const psk = fieldText(theirs, 'psk');
    if (psk === '' || fieldText(theirs, 'pubkey') !== fieldText(ours, 'pubkey')) continue;
    const name = fieldText(ours, 'name');
    const own = fieldText(ours, 'psk');
    if (own !== '') {
      if (own !== psk) {
        warn(
          `the topology's WireGuard peer ${name} replaces the pre-shared key of the box's peer ${peerLabel(theirs)}, which it takes over, with its own from the secrets directory (preshared_key): ` +
            `OPNsense writes it into the peer's [Peer] (PresharedKey), and the handshake works only once the device has the same key. ` +
            `Give the device the client file gen wg export ${name} writes (or its PresharedKey line); to keep the box's key instead, put it into the secrets directory's ${name}.psk of that instance and merge again`,
        );
      }
      continue;
    }
    kept.set(ours, psk);
    warn(
      `the topology's WireGuard peer ${name} keeps the pre-shared key of the box's peer ${peerLabel(theirs)}, which it takes over: OPNsense writes it into the peer's [Peer] (PresharedKey), ` +
        `and the handshake works only while the device has the same key, which gen's client file for ${name} does not write. ` +
        `Keep the PresharedKey line in the device's configuration (add it to a client file gen exports), or clear the key on the box (VPN › WireGuard › Peers) and remove the line from the device`,
    );
  }
  return kept;
}
