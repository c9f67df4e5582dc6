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

// A resolved model does not change: each grouping is made once, for whoever asks first. The two
// apart: one site's lint asks only for the instances' (wg/duplicate-public-key), and grouping its
// 10,000 peers with them made an entry, a list and a map slot per peer that nobody read.
const peerGroups = new WeakMap<Model, Map<string, PeerAt[]>>();
const instanceGroups = new WeakMap<Model, Map<string, InstanceAt[]>>();

function peerGroupsOf(model: Model): Map<string, PeerAt[]> {
  let groups = peerGroups.get(model);
  if (groups) return groups;
  groups = new Map();
  for (const site of model.sites) {
    for (const instance of site.wireguard) {
      for (const peer of instance.peers) if (peer.publicKey !== undefined) addToList(groups, peer.publicKey, { site, instance, peer });
    }
  }
  peerGroups.set(model, groups);
  return groups;
}

function instanceGroupsOf(model: Model): Map<string, InstanceAt[]> {
  let groups = instanceGroups.get(model);
  if (groups) return groups;
  groups = new Map();
  for (const site of model.sites) {
    for (const instance of site.wireguard) if (instance.publicKey !== undefined) addToList(groups, instance.publicKey, { site, instance });
  }
  instanceGroups.set(model, groups);
  return groups;
}

/** Each device (a peer public key) with its peers, enabled or not, in topology order: site, instance, peer. */
export function peersByKey(model: Model): ReadonlyMap<string, readonly PeerAt[]> {
  return peerGroupsOf(model);
}

/** Each instance public key with its instances in topology order. */
export function instancesByKey(model: Model): ReadonlyMap<string, readonly InstanceAt[]> {
  return instanceGroupsOf(model);
}
