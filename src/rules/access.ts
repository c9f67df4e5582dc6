// Proxmox VE access: roles that exist and hold only PVE 9 privileges, ACL
// paths Proxmox accepts, and tokens without a broad admin role on `/`.
import { BUILTIN_ROLES, REMOVED_PRIVILEGES, isAclPath, isAdminRole, isPrivilege, isReservedRoleName } from '../targets/proxmox/access.js';
import { INTENT_ROLES, replacingIntent } from '../targets/proxmox/intents.js';
import type { ApiToken, Model, ProxmoxRole } from '../model.js';
import type { Rule } from './rule.js';

/** The roles the topology defines (gen's own intent roles are right by construction). */
function* customRoles(model: Model): Generator<ProxmoxRole> {
  for (const site of model.sites) for (const role of site.roles) if (role.origin === 'topology') yield role;
}

function* grants(model: Model): Generator<{ token: ApiToken; grant: ApiToken['grants'][number]; defined: ReadonlySet<string> }> {
  for (const site of model.sites) {
    const defined = new Set(site.roles.map((r) => r.name));
    for (const token of site.apiTokens) for (const grant of token.grants) yield { token, grant, defined };
  }
}

export const accessRules: Rule[] = [
  {
    id: 'proxmox/token-definition',
    severity: 'error',
    summary: 'An API token has no intent or role, or settings its intent does not use.',
    why: 'gen compiles the token into exact ACL entries: without a purpose, or with parameters that mean nothing for it, it cannot say what the token may do.',
    hint: 'Give the token an intent with what the intent needs (vm-provisioning: pool, templates, networks), or a role and a path.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].proxmox.api_tokens[+]',
        bad: '{ user: monitor@pve, token: grafana }',
        good: '{ user: monitor@pve, token: grafana, role: PVEAuditor, path: / }',
      },
    ],
  },
  {
    id: 'proxmox/broad-token-role',
    severity: 'warning',
    summary: 'An API token gets a built-in admin role (Administrator, PVEAdmin, PVE…Admin) on `/`.',
    why: 'On `/` the role reaches every guest, storage and node: a leaked billing-panel token could then destroy the firewall VM or read every console. An intent grants only what the tool needs, on the paths it needs.',
    hint: 'Replace role and path with the intent the message names, or silence the finding with `# gen-ignore proxmox/broad-token-role: <reason>`.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].proxmox.api_tokens[+]',
        bad: '{ user: backup@pve, token: restic, role: PVEAdmin, path: / }',
        good: '{ user: backup@pve, token: restic, role: PVEDatastoreUser, path: /storage/local }',
      },
    ],
    check(model, report) {
      for (const { token, grant } of grants(model)) {
        if (token.intent !== undefined || grant.path.replace(/\/+$/, '') !== '' || !isAdminRole(grant.role)) continue;
        const privileges = BUILTIN_ROLES.get(grant.role)!.length;
        const intent = replacingIntent(grant.role);
        report({
          path: token.path.concat('role'),
          message: `token ${token.tokenId}: role ${grant.role} on / grants ${privileges} privileges on every guest, storage and node${
            intent ? `; intent: ${intent} grants what that purpose needs, on the narrowest paths` : '; define a role with only the privileges it needs'
          }`,
          hint: intent
            ? `Replace role: ${grant.role} and path: / of token ${token.tokenId} with intent: ${intent} (and what it needs), or silence the finding with a reason.`
            : `Define a role under proxmox.roles with only the privileges token ${token.tokenId} needs, and give it on the narrowest path (/vms/<id>, /pool/<pool>, /storage/<id>).`,
        });
      }
    },
  },
  {
    id: 'proxmox/unknown-role',
    severity: 'error',
    summary: 'An API token names a role that is neither built in nor defined under proxmox.roles.',
    why: '`pveum acl modify` refuses a role that does not exist, so the token would get no access at all.',
    hint: 'Use a built-in role (PVEVMAdmin, PVEAuditor, ...), define the role under proxmox.roles, or use an intent.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].proxmox.api_tokens[+]',
        bad: '{ user: monitor@pve, token: grafana, role: PVEAudit, path: / }',
        good: '{ user: monitor@pve, token: grafana, role: PVEAuditor, path: / }',
      },
    ],
    check(model, report) {
      for (const { token, grant, defined } of grants(model)) {
        if (!BUILTIN_ROLES.has(grant.role) && !defined.has(grant.role)) {
          const lower = grant.role.toLowerCase();
          const near = [...BUILTIN_ROLES.keys(), ...defined].filter((r) => r.toLowerCase().startsWith(lower) || lower.startsWith(r.toLowerCase()));
          report({
            path: token.path.concat('role'),
            message: `token ${token.tokenId}: role ${grant.role} is not built in and not defined under proxmox.roles`,
            hint: near.length
              ? `Did you mean ${near.slice(0, 3).join(' or ')}? Otherwise define ${grant.role} under proxmox.roles with its privileges.`
              : `Define ${grant.role} under proxmox.roles with its privileges, use a built-in role (PVEAuditor, PVEVMUser, ...), or an intent.`,
          });
        }
      }
    },
  },
  {
    id: 'proxmox/role-name',
    severity: 'error',
    summary: 'A custom role id starts with "PVE", or is a built-in or gen-defined role.',
    why: 'Proxmox refuses role ids in its PVE namespace ("cannot use role ID starting with the (case-insensitive) \'PVE\' namespace"), and a built-in role cannot be modified.',
    hint: 'Choose another role name.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].proxmox',
        bad: 'roles:\n  - { name: PVEMonitoring, privileges: [Sys.Audit, VM.Audit] }',
        good: 'roles:\n  - { name: Monitoring, privileges: [Sys.Audit, VM.Audit] }',
      },
    ],
    check(model, report) {
      for (const role of customRoles(model)) {
        const path = role.path.concat('name');
        if (isReservedRoleName(role.name)) {
          const rest = role.name.slice(3).replace(/^[^A-Za-z]+/, '');
          report({ path, message: `role ${role.name}: Proxmox refuses role ids starting with "PVE"`, hint: `Rename role ${role.name}${rest ? ` (e.g. ${rest})` : ''}, and the tokens that name it.` });
        } else if (BUILTIN_ROLES.has(role.name)) {
          report({ path, message: `role ${role.name} is a built-in role`, hint: `Leave ${role.name} out of proxmox.roles to use the built-in role, or give yours another name.` });
        } else if (INTENT_ROLES.some((r) => r.name === role.name)) {
          report({ path, message: `role ${role.name} is the role gen defines for an intent`, hint: `Give your role another name: gen defines ${role.name} itself for a token with an intent.` });
        }
      }
    },
  },
  {
    id: 'proxmox/unknown-privilege',
    severity: 'error',
    summary: 'A custom role lists a privilege Proxmox VE 9 does not have.',
    why: '`pveum role add` fails on the whole role ("invalid privilege"); VM.Monitor, for one, was removed in PVE 9.',
    hint: 'Use the privileges of PVE 9 (listed in docs/proxmox.md).',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].proxmox',
        bad: 'roles:\n  - { name: Monitoring, privileges: [Sys.Audit, VM.Monitor] }',
        good: 'roles:\n  - { name: Monitoring, privileges: [Sys.Audit, VM.Audit] }',
      },
    ],
    check(model, report) {
      for (const role of customRoles(model)) {
        role.privileges.forEach((privilege, i) => {
          if (isPrivilege(privilege)) return;
          const removed = REMOVED_PRIVILEGES[privilege];
          report({ path: role.path.concat('privileges', i), message: `role ${role.name}: ${privilege} is not a Proxmox VE 9 privilege${removed ? ` (${removed})` : ''}` });
        });
      }
    },
  },
  {
    id: 'proxmox/acl-path',
    severity: 'error',
    summary: 'An API token\'s ACL path is not one Proxmox accepts.',
    why: '`pveum acl modify` refuses it ("invalid ACL path"): /vms/<id> needs an id of 100 or more, a pool path at most three levels, and so on.',
    hint: 'Use a path such as /, /vms/<id>, /pool/<pool>, /storage/<id>, /nodes/<node>, /sdn/zones/<zone>/<bridge>.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].proxmox.api_tokens[+]',
        bad: '{ user: monitor@pve, token: firewall, role: PVEAuditor, path: /vms/42 }',
        good: '{ user: monitor@pve, token: firewall, role: PVEAuditor, path: /vms/100 }',
      },
    ],
    check(model, report) {
      for (const { token, grant } of grants(model)) {
        if (!isAclPath(grant.path)) report({ path: token.path.concat(token.intent ? 'intent' : 'path'), message: `token ${token.tokenId}: Proxmox does not accept the ACL path ${grant.path}` });
      }
    },
  },
];
