// access.sh per site: the pveum commands for the topology's API tokens,
// their users, the roles gen defines and the ACL entries, idempotent, run on
// one node of the cluster (access control is cluster-wide). A token's secret
// is printed once by Proxmox when the token is created; the script never
// captures it and says where it goes.
import type { ApiToken, Model, Site } from '../../model.js';
import { SDN_PREFIX, isAclPath, isPrivilege, isReservedRoleName, verifyPoolId, verifyRoleId, verifyTokenId, verifyTokenName, verifyUserId } from '../../targets/proxmox/access.js';
import { scriptHead, shellComment, shellWord } from '../shell.js';
import type { OutputFiles } from '../target.js';

export class InvalidAccessValueError extends Error {}

function valid(error: string | undefined, value: string): string {
  if (error !== undefined) throw new InvalidAccessValueError(error);
  return value;
}

const userId = (v: string) => shellWord(valid(verifyUserId(v), v));
const roleId = (v: string) => shellWord(valid(verifyRoleId(v), v));
const poolId = (v: string) => shellWord(valid(verifyPoolId(v), v));
const aclPath = (v: string) => shellWord(valid(isAclPath(v) ? undefined : `invalid ACL path '${v}'`, v));
const tokenId = (t: ApiToken) => shellWord(valid(verifyUserId(t.user) ?? verifyTokenId(t.tokenId), t.tokenId));
const privileges = (list: readonly string[]) => shellWord([...list].sort().map((p) => valid(isPrivilege(p) ? undefined : `invalid privilege '${p}'`, p)).join(','));

/** File-wide, so before the first command: the Perl snippets are single-quoted on purpose, their $ are Perl's. */
const DIRECTIVES = ["# The Perl snippets are single-quoted on purpose: their $ are Perl's.", '# shellcheck disable=SC2016'];

const FUNCTIONS = [
  '# json CODE ARGS...: Perl CODE with $d = the JSON on stdin (Perl ships with Proxmox VE).',
  'json() {',
  '  local code=$1',
  '  shift',
  '  perl -MJSON::PP -e \'my $d = decode_json(join("", <STDIN>)); \'"$code" "$@"',
  '}',
  '',
  'exists() {',
  '  pvesh get "$1" >/dev/null 2>&1',
  '}',
  '',
  '# role ID PRIVILEGES: the role with exactly these privileges (pveum role modify without --append replaces them).',
  'role() {',
  '  local now',
  '  if ! exists "/access/roles/$1"; then',
  '    echo "role $1: create with $2"',
  '    pveum role add "$1" --privs "$2"',
  '    return',
  '  fi',
  '  now=$(pveum role list --output-format json | json \'print map { $_->{privs} } grep { $_->{roleid} eq $ARGV[0] } @$d\' "$1")',
  '  if [ "$now" = "$2" ]; then',
  '    echo "role $1: unchanged"',
  '  else',
  '    echo "role $1: privileges $now -> $2"',
  '    pveum role modify "$1" --privs "$2"',
  '  fi',
  '}',
  '',
  // GET /pools/{poolid} is deprecated in PVE 9 (no nested pools); GET /pools with --poolid fails for a missing pool.
  'pool() {',
  '  if pvesh get /pools --poolid "$1" >/dev/null 2>&1; then',
  '    echo "pool $1: exists"',
  '  else',
  '    echo "pool $1: create"',
  '    pveum pool add "$1" --comment "$2"',
  '  fi',
  '}',
  '',
  'user() {',
  '  if exists "/access/users/$1"; then',
  '    echo "user $1: exists"',
  '  else',
  '    echo "user $1: create"',
  '    pveum user add "$1" --comment "$2"',
  '  fi',
  '}',
  '',
  '# token USER NAME PRIVSEP COMMENT: the secret is printed by pveum, once, to the terminal; nothing here keeps it.',
  'token() {',
  '  local now',
  '  if exists "/access/users/$1/token/$2"; then',
  '    now=$(pvesh get "/access/users/$1/token/$2" --output-format json | json \'print $d->{privsep} ? 1 : 0\')',
  '    if [ "$now" = "$3" ]; then',
  '      echo "token $1!$2: unchanged"',
  '    else',
  '      echo "token $1!$2: privilege separation $now -> $3"',
  '      pveum user token modify "$1" "$2" --privsep "$3"',
  '    fi',
  '    return',
  '  fi',
  '  echo "token $1!$2: create. Proxmox prints its secret below, once: enter it where the token is used ($4), as the password of $1!$2. It is stored nowhere else."',
  '  pveum user token add "$1" "$2" --privsep "$3" --comment "$4"',
  '}',
  '',
  '# acl PATH ROLE TYPE ID: the role on the path (propagating) for a user or token.',
  'acl() {',
  '  if pveum acl list --output-format json | json \'exit !grep { $_->{path} eq $ARGV[0] && $_->{roleid} eq $ARGV[1] && $_->{type} eq $ARGV[2] && $_->{ugid} eq $ARGV[3] && $_->{propagate} } @$d\' "$@"; then',
  '    echo "acl $1: $2 for $4 unchanged"',
  '  else',
  '    echo "acl $1: $2 for $4"',
  '    pveum acl modify "$1" --roles "$2" "--$3s" "$4"',
  '  fi',
  '}',
  '',
  '# stray TYPE ID "PATH ROLE"...: ACL entries of a user or token that the topology does not have are',
  '# reported with the command that removes them, never removed here.',
  'stray() {',
  '  local type=$1 id=$2',
  '  shift 2',
  '  pveum acl list --output-format json | json \'my ($t, $u, %keep) = (shift, shift, map { $_ => 1 } @ARGV); printf("acl %s: %s for %s is not in the topology; remove it with: pveum acl delete %s --roles %s --%ss \\x27%s\\x27\\n", $_->{path}, $_->{roleid}, $u, $_->{path}, $_->{roleid}, $t, $u) for grep { $_->{type} eq $t && $_->{ugid} eq $u && !$keep{"$_->{path} $_->{roleid}"} } @$d\' "$type" "$id" "$@"',
  '}',
  '',
];

/**
 * Cloning checks the source's NICs and disks too (qemu-server API2/Qemu.pm clone_vm: check_bridge_access on
 * the template's config, then GuestHelpers.pm check_vnet_access: SDN.Use on the bridge, or on bridge/tag for
 * a tagged NIC or each trunk tag; $check_storage_access_clone: Datastore.AllocateSpace on each disk's storage,
 * the template's own for a linked clone, CD-ROMs and cloud-init drives left out). A template in the pool with
 * a NIC or disk outside the token's grants is refused to the panel: reported, never changed.
 */
const TEMPLATES_FUNCTION = [
  '# templates POOL STORAGES NETWORKS WHAT: each VM of the pool checked as clone_vm checks the source of a clone:',
  '# every NIC on a NETWORKS entry (bridge, or bridge/tag), every disk on one of STORAGES.',
  'templates() {',
  '  local members node vmid',
  '  members=$(pvesh get /pools --poolid "$1" --type qemu --output-format json | json \'print map { "$_->{node} $_->{vmid}\\n" } map { @{ $_->{members} // [] } } @$d\')',
  '  if [ -z "$members" ]; then',
  '    echo "pool $1: no template in it yet: put the templates the panel clones into it (pvesh set /pools --poolid $1 --vms <id>), with $4"',
  '    return',
  '  fi',
  '  while read -r node vmid; do',
  '    pvesh get "/nodes/$node/qemu/$vmid/config" --output-format json | json \'' +
    'my ($pool, $id) = @ARGV[0, 1]; my %store = map { $_ => 1 } split / /, $ARGV[2]; my %net = map { $_ => 1 } split / /, $ARGV[3]; my @bad; ' +
    'for my $k (sort keys %$d) { my $v = $d->{$k}; ' +
    'if ($k =~ /^net\\d+$/) { my %o = map { /^([^=]+)=(.*)$/ ? ($1, $2) : () } split /,/, $v; my $b = $o{bridge}; next if !defined $b || $net{$b}; ' +
    'my @t = ((defined $o{tag} ? $o{tag} : ()), map { /^(\\d+)-(\\d+)$/ ? ($1 .. $2) : $_ } split /;/, $o{trunks} // ""); ' +
    'my @no = @t ? grep { !$net{"$b/$_"} } @t : (""); ' +
    'push @bad, "$k is on $b" . (@t ? " VLAN " . join(",", @no) : " untagged") . " (SDN.Use on /sdn/zones/localnetwork/$b" . (@t ? "/$no[0]" : "") . ")" if @no; } ' +
    'elsif ($k =~ /^(?:ide|sata|scsi|virtio|efidisk|tpmstate)\\d+$/ && $v !~ /(?:^|,)media=cdrom(?:,|$)/ && $v =~ /^([^:,\\/]+):/ && !$store{$1}) { push @bad, "$k is on storage $1 (Datastore.AllocateSpace on /storage/$1 for a linked clone, the default for a template; a full clone checks the storage it is given)"; } ' +
    'elsif ($k eq "vmstatestorage" && !$store{$v}) { push @bad, "its vmstatestorage is $v (Datastore.AllocateSpace on /storage/$v)"; } } ' +
    'my $what = ($d->{template} ? "template" : "VM") . " $id" . (defined $d->{name} ? " ($d->{name})" : "") . " in pool $pool"; ' +
    'print @bad ? "$what: the token cannot clone it, as Proxmox checks the NICs and disks of the source: " . join("; ", @bad) . ". Move them to what the token may use, or give the token that network or storage\\n" : "$what: its NICs and disks are on networks and storages the token may use\\n";' +
    '\' "$1" "$vmid" "$2" "$3" || echo "VM $vmid in pool $1: its configuration cannot be read on node $node"',
  '  done <<<"$members"',
  '}',
  '',
];

/** The templates pool of a vm-provisioning token, with what its templates' NICs and disks may use. */
function templatesLine(token: ApiToken): string[] {
  const pool = token.grants.find((g) => g.role === 'PVETemplateUser')?.path.slice('/pool/'.length);
  if (token.intent !== 'vm-provisioning' || pool === undefined) return [];
  const storages = token.grants.filter((g) => g.path.startsWith('/storage/')).map((g) => g.path.slice('/storage/'.length));
  const networks = token.grants.filter((g) => g.path.startsWith(SDN_PREFIX)).map((g) => g.path.slice(SDN_PREFIX.length));
  const what = `NICs on ${networks.map((n) => n.replace('/', ' VLAN ')).join(' or ')}, disks on ${storages.join(' or ')}`;
  return [`templates ${poolId(pool)} ${shellWord(storages.join(' '))} ${shellWord(networks.join(' '))} ${shellWord(what)}`];
}

function tokenLines(token: ApiToken): string[] {
  const comment = token.description ?? (token.intent ? `gen: ${token.intent}` : 'gen');
  const holders: ['user' | 'token', string][] = [['user', userId(token.user)]];
  if (token.privilegeSeparation) holders.push(['token', tokenId(token)]);
  const lines = [
    `# ${shellComment(`${token.tokenId}${token.description ? `: ${token.description}` : ''}${token.intent ? ` (intent ${token.intent})` : ''}`)}`,
    `user ${userId(token.user)} ${shellWord(comment)}`,
    `token ${userId(token.user)} ${shellWord(valid(verifyTokenName(token.token), token.token))} ${token.privilegeSeparation ? 1 : 0} ${shellWord(comment)}`,
  ];
  for (const grant of token.grants) {
    for (const [type, id] of holders) lines.push(`acl ${aclPath(grant.path)} ${roleId(grant.role)} ${type} ${id}  # ${shellComment(grant.reason)}`);
  }
  const keep = token.grants.map((g) => shellWord(`${g.path} ${g.role}`)).join(' ');
  for (const [type, id] of holders) lines.push(`stray ${type} ${id}${keep ? ` ${keep}` : ''}`);
  lines.push('');
  return lines;
}

export function accessScript(site: Site): string {
  const roles = site.roles.map((r) => `role ${roleId(valid(isReservedRoleName(r.name) ? `role ${r.name} is in the PVE namespace` : undefined, r.name))} ${privileges(r.privileges)}`);
  const pools = site.pools.map((p) => `pool ${poolId(p)} ${shellWord('gen: API token pool')}`);
  const templates = site.apiTokens.flatMap(templatesLine);
  return [
    ...scriptHead(`API tokens, their users, roles and ACLs of site ${site.name}, generated by gen from the topology.`, [
      'Review it, then run it as root on one node of the cluster (access control is cluster-wide). It',
      'prints every change; run again, it changes nothing. A token\'s secret is printed once, by Proxmox,',
      'when the token is created: it goes where the token is used and is stored nowhere else.',
    ], DIRECTIVES),
    ...FUNCTIONS,
    ...(templates.length ? TEMPLATES_FUNCTION : []),
    ...(roles.length ? ['# Roles gen defines', ...roles, ''] : []),
    ...(pools.length ? ['# Pools of the tokens\' VMs and templates', ...pools, ''] : []),
    ...site.apiTokens.flatMap(tokenLines),
    ...(templates.length ? ['# The templates the tokens clone: what clone_vm checks on them', ...templates] : []),
    '',
  ]
    .join('\n')
    .replace(/\n\n+$/, '\n');
}

export function renderAccess(model: Model, files: OutputFiles): void {
  for (const site of model.sites) {
    if (site.apiTokens.length === 0 && site.roles.length === 0) continue;
    files.set(`${site.name}/proxmox/access.sh`, accessScript(site));
  }
}
