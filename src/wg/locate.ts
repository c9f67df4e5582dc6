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

/** The options that tell instances apart: --site only where the topology has several sites. */
function chooseWith(model: Model): string {
  return model.sites.length > 1 ? '--site and --instance' : '--instance';
}

/** Refuses a --site or --instance that names nothing in the topology (exit 2). */
export function checkScope(model: Model, scope: Scope): void {
  if (scope.site !== undefined && !model.sites.some((s) => s.name === scope.site)) throw new UsageError(`no site named ${scope.site} (sites: ${model.sites.map((s) => s.name).join(', ')})`);
  if (scope.instance !== undefined && instancesIn(model, scope).length === 0) throw new UsageError(`no WireGuard instance named ${scope.instance}${where(scope)}${known(model, scope)}`);
}

/** The one instance the options name; naming none or several is a usage error (exit 2). */
export function findInstance(model: Model, scope: Scope): InstanceRef {
  const found = instancesIn(model, scope);
  if (found.length === 0) {
    checkScope(model, scope);
    throw new UsageError(`no WireGuard instance${where(scope)}`);
  }
  if (found.length > 1) throw new UsageError(`several WireGuard instances${where(scope)} (${found.map((f) => `${f.site.name}/${f.instance.name}`).join(', ')}): choose one with ${chooseWith(model)}`);
  return found[0]!;
}

/**
 * The instance for a new peer of `role`: the one the options name, else the
 * one instance that has the role; several with it is a usage error (exit 2).
 */
export function findInstanceWithRole(model: Model, scope: Scope, role: string): InstanceRef {
  const candidates = instancesIn(model, scope);
  if (candidates.length <= 1) {
    const ref = findInstance(model, scope);
    if (!ref.instance.roles.some((r) => r.name === role)) {
      throw new UsageError(`instance ${ref.instance.name} has no role ${role} (roles: ${ref.instance.roles.map((r) => r.name).join(', ') || 'none'})`);
    }
    return ref;
  }
  const withRole = candidates.filter((c) => c.instance.roles.some((r) => r.name === role));
  if (withRole.length === 1) return withRole[0]!;
  const name = (f: InstanceRef) => `${f.site.name}/${f.instance.name}`;
  if (withRole.length === 0) {
    const roles = [...new Set(candidates.flatMap((c) => c.instance.roles.map((r) => r.name)))].sort();
    throw new UsageError(`no WireGuard instance${where(scope)} has a role ${role} (roles: ${roles.join(', ') || 'none'})`);
  }
  throw new UsageError(`several WireGuard instances have the role ${role} (${withRole.map(name).join(', ')}): choose one with ${chooseWith(model)}`);
}

export function findPeer(model: Model, name: string, scope: Scope): PeerRef {
  const found = instancesIn(model, scope).flatMap((ref) => ref.instance.peers.filter((p) => p.name === name).map((peer) => Object.assign({}, ref, { peer })));
  if (found.length === 0) {
    const inInstance = scope.instance !== undefined ? ` of instance ${scope.instance}` : '';
    throw new UsageError(`no WireGuard peer named ${name}${inInstance}${where(scope)}`);
  }
  if (found.length > 1) throw new UsageError(`several peers named ${name} (${found.map((f) => `${f.site.name}/${f.instance.name}`).join(', ')}): choose one with ${chooseWith(model)}`);
  return found[0]!;
}
