// The model's nested lists, flattened for rules that look at one kind of
// thing wherever it is.
import type { Bridge, Host, Model, Site, WireguardInstance } from '../model.js';

export function* bridges(model: Model): Generator<{ site: Site; host: Host; bridge: Bridge }> {
  for (const site of model.sites) for (const host of site.hosts) for (const bridge of host.bridges) yield { site, host, bridge };
}

export function* hosts(model: Model): Generator<Host> {
  for (const site of model.sites) yield* site.hosts;
}

/** Instances that have enabled peers: the ones whose client files gen writes. */
export function* instancesWithClients(model: Model): Generator<WireguardInstance> {
  for (const site of model.sites) for (const instance of site.wireguard) if (instance.peers.some((p) => p.enabled)) yield instance;
}
