// The box's own WireGuard peers on an instance gen takes over. OPNsense
// links peers to an instance in the instance's `peers` (the client UUIDs;
// a client has no field naming its instance), and both the template that
// writes wgN.conf and the route setup of wg-service-control.php take only
// the peers listed there: gen's list alone would cut off every peer the
// operator linked on the box. So the links to the box's own clients stay,
// after gen's, and merge says so. A client of the box's with the name and
// tunnel address of one of gen's peers but another key is that peer's
// earlier key (gen took the client over by its key, and the key changed
// since): it goes, or one link in the GUI would let the old key in again.
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldList, fieldText } from './fields.js';
import { addToList } from '../arrays.js';

/** A predicate for the base items of a list that gen's items of that list replace in the merge. */
export type Replaces = (list: string, genItems: readonly XmlElement[]) => (item: XmlElement) => boolean;

export interface PeerLinks {
  /** gen's instances whose `peers` gain links to the box's clients, with the whole new list. */
  peers: Map<XmlElement, string>;
  /** The box's clients that hold a topology peer's earlier key. */
  remove: XmlElement[];
}

function listOf(item: XmlElement): string[] {
  return fieldList(item, 'peers');
}

/** The instances and clients of a //OPNsense/wireguard element. */
function wireguardItems(wireguard: XmlElement | undefined): { servers: XmlElement[]; clients: XmlElement[] } {
  return {
    servers: childrenNamed(child(child(wireguard, 'server'), 'servers'), 'server'),
    clients: childrenNamed(child(child(wireguard, 'client'), 'clients'), 'client'),
  };
}

/** A client's endpoint as OPNsense's template writes it (wireguard-server.conf: port 51820 when none is set). */
function endpointOf(client: XmlElement): string {
  const address = fieldText(client, 'serveraddress');
  const port = fieldText(client, 'serverport');
  return address === '' ? `port ${port}` : `${address}:${port === '' ? '51820' : port}`;
}

export const peerLabel = (client: XmlElement): string => `"${fieldText(client, 'name')}" (${fieldText(client, 'tunneladdress')})`;

/** "peer "a" (…)" or "peers "a" (…), "b" (…)", and the pronoun for them. */
function peersPhrase(clients: readonly XmlElement[]): { peers: string; them: string } {
  const many = clients.length > 1;
  return { peers: `peer${many ? 's' : ''} ${clients.map(peerLabel).join(', ')}`, them: many ? 'them' : 'it' };
}

/**
 * The box's instances gen's instance takes over: the same UUID (adopted, or
 * written before) or the same number, in the box's order. The box's are
 * looked up by UUID and number, not filtered per instance of gen's (gen's ×
 * the box's).
 */
function takenOverBy(baseServers: readonly XmlElement[]): (server: XmlElement) => XmlElement[] {
  const byUuid = new Map<string | undefined, number[]>();
  const byInstance = new Map<string, number[]>();
  baseServers.forEach((b, position) => {
    addToList(byUuid, attr(b, 'uuid'), position);
    addToList(byInstance, fieldText(b, 'instance'), position);
  });
  return (server) => {
    const instance = fieldText(server, 'instance');
    const sameUuid = byUuid.get(attr(server, 'uuid')) ?? [];
    const sameNumber = instance === '' ? [] : (byInstance.get(instance) ?? []);
    if (sameNumber.length === 0) return sameUuid.map((position) => baseServers[position]!);
    const positions = [...new Set(sameUuid.concat(sameNumber))].sort((a, b) => a - b);
    return positions.map((position) => baseServers[position]!);
  };
}

/**
 * What merge does to the links of the box's own clients: which of gen's
 * instances keep them (`peers`), and which clients go as a peer's earlier
 * key (`remove`). `replaces` tells the base items the merge replaces.
 */
export function boxPeerLinks(root: XmlElement, sections: readonly XmlElement[], replaces: Replaces, warn: (message: string) => void): PeerLinks {
  const links: PeerLinks = { peers: new Map(), remove: [] };
  // gen writes each area as a section of its own: the WireGuard one is the <OPNsense> with a <wireguard>.
  const gen = wireguardItems(sections.map((s) => (s.name === 'OPNsense' ? child(s, 'wireguard') : undefined)).find((w) => w !== undefined));
  const base = wireguardItems(child(child(root, 'OPNsense'), 'wireguard'));
  const replacedServer = replaces('server', gen.servers);
  const replacedClient = replaces('client', gen.clients);
  const own = base.clients.filter((c) => attr(c, 'uuid') !== undefined && !replacedClient(c));
  const ownServers = base.servers.filter((s) => !replacedServer(s));
  const earlier = earlierKeys(own, gen.clients, ownServers, warn);
  movedOnOwnInstances(base.clients, gen.clients, ownServers, warn);
  links.remove = earlier.filter((e) => !e.served).map((e) => e.client);
  // Links to clients that are gone (or gen's) are dropped, as OPNsense would refuse them (a ModelRelationField); an
  // earlier key loses its link to gen's instance also where the box's own instance keeps its client.
  const earlierClients = new Set(earlier.map((e) => e.client));
  const kept = new Map(own.filter((c) => !earlierClients.has(c)).map((c) => [attr(c, 'uuid')!, c]));
  // A box's peer with the key of one of gen's (one the firewall dials: another item, item-keys.ts) stays off gen's
  // instances: wgN.conf would hold the key twice, and the later [Peer] takes over the topology peer's AllowedIPs.
  const genPeer = new Map(gen.clients.map((g) => [fieldText(g, 'pubkey'), fieldText(g, 'name')]));
  const sources = new Set<XmlElement>();
  const takenOver = takenOverBy(base.servers);
  for (const server of gen.servers) {
    const taken = takenOver(server);
    taken.forEach((b) => sources.add(b));
    const list = listOf(server);
    const listed = new Set(list);
    const linked = [...new Set(taken.flatMap(listOf))].filter((uuid) => kept.has(uuid) && !listed.has(uuid)).map((uuid) => kept.get(uuid)!);
    const theirs = linked.filter((c) => !genPeer.has(fieldText(c, 'pubkey')));
    for (const c of linked.filter((x) => genPeer.has(fieldText(x, 'pubkey')))) {
      const name = genPeer.get(fieldText(c, 'pubkey'))!;
      warn(
        `WireGuard instance ${fieldText(server, 'name')} no longer links the box's own peer ${peerLabel(c)}, which has the public key of the topology's peer ${name} and an endpoint of its own (${endpointOf(c)}): ` +
          `an instance has one peer per key, and the box's would take over the allowed IPs of the topology's. If the box's peer is the one meant, remove ${name} from ${fieldText(server, 'name')} in the topology; else delete the box's peer (VPN › WireGuard › Peers)`,
      );
    }
    if (theirs.length === 0) continue;
    links.peers.set(server, list.concat(theirs.map((c) => attr(c, 'uuid')!)).join(','));
    const { peers, them } = peersPhrase(theirs);
    warn(
      `WireGuard instance ${fieldText(server, 'name')} keeps the box's own ${peers}, which the topology does not list: the instance serves ${them} as before; ` +
        `add ${them} to the topology, or remove ${them} from the instance on the box (VPN › WireGuard › Instances) if ${them === 'it' ? 'it' : 'they'} should not connect`,
    );
  }
  // An instance of an earlier merge that the topology dropped goes, and with it the links of the box's peers on it.
  for (const dropped of base.servers.filter((b) => replacedServer(b) && !sources.has(b))) {
    const theirs = listOf(dropped).filter((uuid) => kept.has(uuid)).map((uuid) => kept.get(uuid)!);
    if (theirs.length > 0) warn(`removed WireGuard instance ${fieldText(dropped, 'name')}, which an earlier merge wrote and the topology no longer has: the box's own ${peersPhrase(theirs).peers} on it ${theirs.length > 1 ? 'are' : 'is'} on no instance now`);
  }
  return links;
}

/**
 * The box's clients with the name and tunnel address of one of gen's peers
 * and another public key: a link to one would let that key in beside the
 * peer's own (two peers with one tunnel address cannot both work on an
 * instance anyway). One that an instance of the box's own still serves
 * stays (that instance is the operator's), with a warning; `served` says so.
 */
function earlierKeys(
  own: readonly XmlElement[],
  genClients: readonly XmlElement[],
  ownServers: readonly XmlElement[],
  warn: (message: string) => void,
): { client: XmlElement; served: boolean }[] {
  const identity = (c: XmlElement) => JSON.stringify([fieldText(c, 'name'), fieldText(c, 'tunneladdress')]);
  const current = new Map(genClients.filter((g) => fieldText(g, 'pubkey') !== '').map((g) => [identity(g), g]));
  const out: { client: XmlElement; served: boolean }[] = [];
  // The names of the instances that list each client, read once (not the instances' lists searched per client).
  let servingOf: Map<string, string[]> | undefined;
  for (const client of own) {
    const peer = current.get(identity(client));
    if (!peer || fieldText(peer, 'pubkey') === fieldText(client, 'pubkey')) continue;
    servingOf ??= listedBy(ownServers);
    const serving = servingOf.get(attr(client, 'uuid')!) ?? [];
    const what = `the box's WireGuard peer ${peerLabel(client)} with public key ${fieldText(client, 'pubkey')}: the topology's peer of that name and tunnel address has the public key ${fieldText(peer, 'pubkey')}`;
    out.push({ client, served: serving.length > 0 });
    if (serving.length > 0) warn(`kept ${what}, and the box's own instance ${serving.join(', ')} still links it: if it is the peer's earlier key, remove it on the box (VPN › WireGuard › Peers)`);
    else warn(`removed ${what} (a key rotated since an earlier merge), so that the earlier key cannot connect again when the peer is linked to an instance`);
  }
  return out;
}

/**
 * The box's clients gen takes over by key with another tunnel address, which an instance of the box's own links too:
 * OPNsense has one tunnel address per client for every instance that lists it (wireguard-server.conf writes it as
 * the peer's AllowedIPs there, and wg-service-control.php routes it to that instance), so that instance now takes the
 * topology peer's address into its tunnel instead, and its route may take the address from gen's instance.
 */
function movedOnOwnInstances(baseClients: readonly XmlElement[], genClients: readonly XmlElement[], ownServers: readonly XmlElement[], warn: (message: string) => void): void {
  // Only clients an instance of the box's own lists are read (a merge into its own earlier result reads none).
  const servingOf = listedBy(ownServers);
  if (servingOf.size === 0) return;
  const genByUuid = new Map(genClients.map((g) => [attr(g, 'uuid'), g]));
  for (const client of baseClients) {
    const serving = servingOf.get(attr(client, 'uuid') ?? '') ?? [];
    const peer = serving.length > 0 ? genByUuid.get(attr(client, 'uuid')) : undefined;
    if (!peer || fieldText(peer, 'tunneladdress') === fieldText(client, 'tunneladdress')) continue;
    warn(
      `the topology's WireGuard peer ${fieldText(peer, 'name')} takes over the box's peer ${peerLabel(client)} by its public key, and the box's own instance ${serving.join(', ')} links it too: ` +
        `OPNsense gives a peer one tunnel address on every instance, so ${serving.length > 1 ? 'they route' : 'it routes'} ${fieldText(peer, 'tunneladdress')} into ${serving.length > 1 ? 'their tunnels' : 'its tunnel'} instead, which may take the address from the topology's instance. ` +
        `Remove the peer from ${serving.join(', ')} on the box (VPN › WireGuard › Instances), or give the device another key for that tunnel`,
    );
  }
}

/** The names of the instances whose `peers` list each client UUID, once per instance, in the instances' order. */
function listedBy(servers: readonly XmlElement[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const server of servers) for (const uuid of new Set(listOf(server))) addToList(out, uuid, fieldText(server, 'name'));
  return out;
}
