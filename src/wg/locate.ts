// Finding a WireGuard instance or peer by name for a `gen wg` command.
import type { Model, Peer, Site, WireguardInstance } from '../model.js';
import { CommandError } from './topology-file.js';

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
  const parts = [scope.site !== undefined ? `site ${scope.site}` : '', scope.instance !== undefined ? `instance ${scope.instance}` : ''].filter(Boolean);
  return parts.length ? ` in ${parts.join(', ')}` : '';
}

export function findInstance(model: Model, scope: Scope): InstanceRef {
  const found = instancesIn(model, scope);
  if (found.length === 0) throw new CommandError(`no WireGuard instance${where(scope)}`);
  if (found.length > 1) throw new CommandError(`several WireGuard instances${where(scope)} (${found.map((f) => `${f.site.name}/${f.instance.name}`).join(', ')}): choose one with --site and --instance`);
  return found[0]!;
}

export function findPeer(model: Model, name: string, scope: Scope): PeerRef {
  const found = instancesIn(model, scope).flatMap((ref) => ref.instance.peers.filter((p) => p.name === name).map((peer) => ({ ...ref, peer })));
  if (found.length === 0) throw new CommandError(`no WireGuard peer named ${name}${where(scope)}`);
  if (found.length > 1) throw new CommandError(`several peers named ${name} (${found.map((f) => `${f.site.name}/${f.instance.name}`).join(', ')}): choose one with --site and --instance`);
  return found[0]!;
}
