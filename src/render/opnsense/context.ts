// What every OPNsense area needs: the site, its firewall, model versions
// for the targeted release, lookups and stable ids.
import type { Firewall, FirewallInterface, Model, Network, Site } from '../../model.js';
import { itemUuid } from './ids.js';
import type { ModelName } from '../../targets/opnsense/field-types.js';
import { type Release, releaseFacts } from '../../targets/opnsense/releases.js';
import { SharedValues } from './shared-values.js';
import type { XmlElement } from './xml.js';

/** Where the instance's private key goes; `gen opnsense merge` fills it in from the secrets directory. */
export const PRIVATE_KEY_PLACEHOLDER_PREFIX = 'GEN-SECRET:';

export interface OpnsenseContext {
  model: Model;
  site: Site;
  firewall: Firewall;
  interfaceByName: ReadonlyMap<string, FirewallInterface>;
  networkById: ReadonlyMap<string, Network>;
  /** The targeted release: model versions, value forms and fields. */
  release: Release;
  version(model: ModelName): string;
  uuid(kind: string, name: string): string;
  /** gen's short values shared between this render's items (see shared-values.ts). */
  sharedValues: SharedValues;
  /** Whether long lists of items are made as their file is written (a build), not kept in the tree (see fields.ts itemsOf). */
  streamed: boolean;
}

export function opnsenseContext(model: Model, site: Site, firewall: Firewall, options: { streamed?: boolean } = {}): OpnsenseContext {
  const networks = [...model.networks];
  // Resolve replaces a release gen does not know (an error) by the default.
  const release = releaseFacts(firewall.release)!;
  return {
    model,
    site,
    firewall,
    interfaceByName: new Map(firewall.interfaces.map((i) => [i.name, i])),
    networkById: new Map(networks.map((n) => [n.id, n])),
    release,
    version: (m) => release.versions[m] ?? '',
    uuid: (kind, name) => itemUuid(site.name, kind, name),
    sharedValues: new SharedValues(),
    streamed: options.streamed === true,
  };
}

/** `uuid` attribute of an MVC array item. */
export function uuidAttr(uuid: string): [string, string][] {
  return [['uuid', uuid]];
}

/** `version` attribute of an MVC model root. */
export function versionAttr(version: string): [string, string][] {
  return [['version', version]];
}

/** One area of the configuration: the sections it adds under <opnsense>. */
export interface Area {
  /** File name under out/<site>/opnsense/. */
  file: string;
  build(ctx: OpnsenseContext): XmlElement[];
}

/** OPNsense's gateway name for an interface's static gateway. */
export function gatewayName(iface: FirewallInterface): string {
  return `${iface.key.toUpperCase()}_GW`;
}

/** Booleans of MVC models: "1" / "0". */
export function mvcFlag(on: boolean): string {
  return on ? '1' : '0';
}
