// WireGuard public keys across the topology: a key names one holder of its
// private key, so the peers with one key are one device (maybe a peer at
// several sites or instances), and instances with one key hold one private
// key. Rules and the wg commands read the same grouping from here.
import { addToList } from '../arrays.js';
import type { Model, Peer, Site, WireguardInstance } from '../model.js';

export interface InstanceAt {
  site: Site;
  instance: WireguardInstance;
}

export interface PeerAt extends InstanceAt {
  peer: Peer;
}

interface KeyGroups {
  peers: Map<string, PeerAt[]>;
  instances: Map<string, InstanceAt[]>;
}

// A resolved model does not change: its groups are made once, for whoever asks first.
const groupsOf = new WeakMap<Model, KeyGroups>();

function keyGroups(model: Model): KeyGroups {
  let groups = groupsOf.get(model);
  if (groups) return groups;
  groups = { peers: new Map(), instances: new Map() };
  for (const site of model.sites) {
    for (const instance of site.wireguard) {
      if (instance.publicKey !== undefined) addToList(groups.instances, instance.publicKey, { site, instance });
      for (const peer of instance.peers) if (peer.publicKey !== undefined) addToList(groups.peers, peer.publicKey, { site, instance, peer });
    }
  }
  groupsOf.set(model, groups);
  return groups;
}

/** Each device (a peer public key) with its peers, enabled or not, in topology order: site, instance, peer. */
export function peersByKey(model: Model): ReadonlyMap<string, readonly PeerAt[]> {
  return keyGroups(model).peers;
}

/** Each instance public key with its instances in topology order. */
export function instancesByKey(model: Model): ReadonlyMap<string, readonly InstanceAt[]> {
  return keyGroups(model).instances;
}
