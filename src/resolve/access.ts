// Proxmox VE access of a site: custom roles, and API tokens with the ACL
// entries they get. A token with an intent gets the intent's entries (gen's
// roles on the narrowest paths); a token with a role gets that role on its
// path. The checks of roles, privileges and paths are lint rules.
import type { Path } from '../location.js';
import type { ApiToken, Firewall, Network, PbsBackup, ProxmoxRole } from '../model.js';
import { type Grant, INTENT_ROLES, intentGrants } from '../targets/proxmox/intents.js';
import type { ApiTokenInput, SiteInput } from '../topology.js';
import type { ResolveContext } from './context.js';
import { type Attachment, attachments } from './guests.js';

const DEFAULT_STORAGE = 'local-lvm';

export interface Access {
  apiTokens: ApiToken[];
  roles: ProxmoxRole[];
  pools: string[];
}

export function resolveAccess(
  input: SiteInput,
  site: string,
  path: Path,
  ctx: ResolveContext,
  parts: { firewall?: Firewall; networks: ReadonlyMap<string, Network>; backup?: PbsBackup },
): Access {
  const roles: ProxmoxRole[] = (input.proxmox?.roles ?? []).map((role, i) => {
    const rpath = path.concat('proxmox', 'roles', i);
    ctx.name('Proxmox role', `site ${site}`, role.name, rpath);
    return { name: role.name, privileges: role.privileges, origin: 'topology', description: role.description, path: rpath };
  });
  const pools = new Set<string>();
  const attach = attachments(parts.firewall);
  const apiTokens = (input.proxmox?.api_tokens ?? []).map((token, i): ApiToken => {
    const tpath = path.concat('proxmox', 'api_tokens', i);
    const tokenId = `${token.user}!${token.token}`;
    ctx.names.push({ kind: 'API token', scope: `site ${site}`, name: tokenId, path: tpath, field: 'token' });
    let grants: Grant[] = [];
    if (token.intent !== undefined) {
      grants = intentAccess(token, tpath, ctx, Object.assign({}, parts, { attach }));
      const role = INTENT_ROLES.find((r) => grants.some((g) => g.role === r.name));
      if (role && !roles.some((r) => r.name === role.name && r.origin !== 'topology')) {
        roles.push({ name: role.name, privileges: [...role.privileges].sort(), origin: token.intent, path: tpath.concat('intent') });
      }
      if (token.intent === 'vm-provisioning') for (const pool of [token.pool, token.templates]) if (pool !== undefined) pools.add(pool);
    } else if (token.role !== undefined) {
      for (const key of ['pool', 'templates', 'storage', 'networks'] as const) {
        if (token[key] !== undefined) definition(ctx, tpath.concat(key), `${key} belongs to an intent; with role, the ACL is the role on path`);
      }
      grants = [{ path: token.path ?? '/', role: token.role, reason: token.description ?? 'the role written in the topology' }];
    } else {
      definition(ctx, tpath, `token ${tokenId} needs an intent (vm-provisioning, backup, monitoring) or a role`);
    }
    return {
      user: token.user,
      token: token.token,
      tokenId,
      intent: token.intent,
      grants,
      privilegeSeparation: token.privilege_separation ?? true,
      description: token.description,
      path: tpath,
    };
  });
  return { apiTokens, roles, pools: [...pools].sort() };
}

function definition(ctx: ResolveContext, path: Path, message: string): void {
  ctx.report({ rule: 'proxmox/token-definition', path, key: true, message });
}

function intentAccess(
  token: ApiTokenInput,
  path: Path,
  ctx: ResolveContext,
  parts: { networks: ReadonlyMap<string, Network>; backup?: PbsBackup; attach: (network: string | undefined) => Attachment | undefined },
): Grant[] {
  const intent = token.intent!;
  if (token.role !== undefined) definition(ctx, path.concat('role'), `intent ${intent} defines the roles itself: remove role (or the intent)`);
  if (token.path !== undefined) definition(ctx, path.concat('path'), `intent ${intent} defines the ACL paths itself: remove path`);
  const unused = { 'vm-provisioning': [], backup: ['templates', 'networks'], monitoring: ['pool', 'templates', 'storage', 'networks'] }[intent] as (keyof ApiTokenInput)[];
  for (const key of unused) if (token[key] !== undefined) definition(ctx, path.concat(key), `intent ${intent} does not use ${key}`);

  if (intent === 'vm-provisioning') {
    const missing = (['pool', 'templates', 'networks'] as const).filter((k) => token[k] === undefined);
    if (missing.length) {
      definition(ctx, path.concat('intent'), `intent vm-provisioning needs ${missing.join(', ')}: the pool its VMs live in, the pool of the templates it clones, the networks their NICs use`);
      return [];
    }
    const bridges = token.networks!.flatMap((name, i) => {
      const network = ctx.lookup(parts.networks, name, 'network', path.concat('networks', i));
      if (!network) return [];
      const at = parts.attach(network.id);
      if (!at) definition(ctx, path.concat('networks', i), `network ${name} has no Proxmox bridge a VM could use`);
      return at ? [at] : [];
    });
    return intentGrants(intent, { pool: token.pool, templates: token.templates, storages: token.storage ?? [DEFAULT_STORAGE], bridges });
  }
  if (intent === 'backup') {
    const storages = token.storage ?? (parts.backup ? [parts.backup.pveStorage] : []);
    if (storages.length === 0) {
      definition(ctx, path.concat('intent'), 'intent backup needs the backup storage: storage, or a backup.pbs section whose pve_storage it uses');
      return [];
    }
    return intentGrants(intent, { pool: token.pool, storages, bridges: [] });
  }
  return intentGrants(intent, { storages: [], bridges: [] });
}
