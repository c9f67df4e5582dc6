// Finding a WireGuard instance or peer by name for a `gen wg` command.
import { UsageError } from '../io/errors.js';
import type { Model, Peer, Site, WireguardInstance } from '../model.js';

export interface Scope {
  site?: string;
  instance?: string;
}

export interface InstanceRef {
  site: Site;
  siteIndex: number;
  instance: WireguardInstance;
}

export interface PeerRef extends InstanceRef {
  peer: Peer;
}

export function instancesIn(model: Model, scope: Scope): InstanceRef[] {
  return model.sites.flatMap((site, siteIndex) =>
    scope.site !== undefined && site.name !== scope.site
      ? []
      : site.wireguard.filter((i) => scope.instance === undefined || i.name === scope.instance).map((instance) => ({ site, siteIndex, instance })),
  );
}

function where(scope: Scope): string {
  return scope.site !== undefined ? ` in site ${scope.site}` : '';
}

function known(model: Model, scope: Scope): string {
  const all = instancesIn(model, { site: scope.site }).map((f) => `${f.site.name}/${f.instance.name}`);
  return all.length ? ` (instances: ${all.join(', ')})` : ' (the topology has none)';
}

/** The one instance the options name; naming none or several is a usage error (exit 2). */
export function findInstance(model: Model, scope: Scope): InstanceRef {
  const found = instancesIn(model, scope);
  if (found.length === 0) {
    if (scope.site !== undefined && !model.sites.some((s) => s.name === scope.site)) throw new UsageError(`no site named ${scope.site} (sites: ${model.sites.map((s) => s.name).join(', ')})`);
    throw new UsageError(scope.instance !== undefined ? `no WireGuard instance named ${scope.instance}${where(scope)}${known(model, scope)}` : `no WireGuard instance${where(scope)}`);
  }
  if (found.length > 1) throw new UsageError(`several WireGuard instances${where(scope)} (${found.map((f) => `${f.site.name}/${f.instance.name}`).join(', ')}): choose one with --site and --instance`);
  return found[0]!;
}

export function findPeer(model: Model, name: string, scope: Scope): PeerRef {
  const found = instancesIn(model, scope).flatMap((ref) => ref.instance.peers.filter((p) => p.name === name).map((peer) => ({ ...ref, peer })));
  if (found.length === 0) {
    const inInstance = scope.instance !== undefined ? ` of instance ${scope.instance}` : '';
    throw new UsageError(`no WireGuard peer named ${name}${inInstance}${where(scope)}`);
  }
  if (found.length > 1) throw new UsageError(`several peers named ${name} (${found.map((f) => `${f.site.name}/${f.instance.name}`).join(', ')}): choose one with --site and --instance`);
  return found[0]!;
}
