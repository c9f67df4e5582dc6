// apply-interfaces.sh per Proxmox host: installs gen's interfaces file and
// applies it the way the GUI's Apply does (pve-manager PVE/API2/Network.pm
// reload_network_config: rename interfaces.new, ifreload -a), but first
// lists what the node would lose. ifreload -a takes down every interface
// of the applied configuration that the new one does not name
// (ifupdown2 ifupdownmain.py _reload_default), and address-purge, on by
// default, deletes from a configured interface every address of wider than
// link scope its stanza does not list (addons/address.py process_addresses,
// lib/nlcache.py get_managed_ip_addresses). What the topology does not
// express (the installer's vmbr0 address beside gen's bridges, a corosync
// link on a NIC of its own) would be gone without a word.
// Both configurations are read with ifupdown2's own parser (`ifquery -a -i
// FILE`), so the files the new one sources (interfaces.d, SDN) count too.
// The node name must resolve to an address the new file carries: pmxcfs takes
// it as the node's address when it starts (targets/proxmox/node-name.ts), so a
// stale /etc/hosts breaks the node only at the next boot, long after Apply.
import { createHash } from 'node:crypto';
import type { Host } from '../../model.js';
import { COROSYNC_ADDRESS, COROSYNC_IP_VERSION_AWK } from '../../targets/proxmox/corosync-address.js';
import { CANONICAL_NAME_AWK, NODE_ADDRESSES, NODE_IP_AWK, nodeNameAddress } from '../../targets/proxmox/node-name.js';
import { scriptHead, shellWord } from '../shell.js';
import { physicalNics } from './ports.js';
import { ipv4 } from './shell-values.js';

export const ALLOW_DROP = '--allow-drop';

export function applyInterfacesPath(site: string, host: string): string {
  return `${site}/proxmox/${host}/apply-interfaces.sh`;
}

/** The arguments, and what must hold before anything is read: root, this node, gen's file unchanged, ifupdown2. */
const PRECONDITIONS = [
  'fail() {',
  '  echo "apply-interfaces.sh: $*" >&2',
  '  exit 1',
  '}',
  'allow_drop=no',
  'file=',
  'for arg in "$@"; do',
  '  case $arg in',
  `    ${ALLOW_DROP}) allow_drop=yes ;;`,
  `    -*) echo "usage: apply-interfaces.sh [${ALLOW_DROP}] [FILE]" >&2; exit 2 ;;`,
  '    *) file=$arg ;;',
  '  esac',
  'done',
  '[ -n "$file" ] || file=$(dirname "${BASH_SOURCE[0]:-.}")/interfaces',
  '[ "$(id -u)" = 0 ] || fail "run it as root: it installs /etc/network/interfaces.new and applies it"',
  'node=$(uname -n)',
  'node=${node%%.*}',
  '[ "$node" = "$for_node" ] || fail "this script is for node $for_node, not $node"',
  '[ -f "$file" ] || fail "no $file: give the interfaces file gen wrote for node $for_node next to this script"',
  'sum=$(sha256sum < "$file")',
  '[ "${sum%% *}" = "$file_sha256" ] || fail "$file is not the interfaces file gen wrote with this script: copy both from the same build"',
  'command -v ifquery > /dev/null || fail "ifquery is missing: Proxmox VE applies network changes with ifupdown2 only"',
  'command -v perl > /dev/null || fail "perl is missing: the node name and corosync\'s ring addresses are resolved as pmxcfs and corosync resolve them, with Perl\'s getaddrinfo (perl-base, on every Proxmox VE node)"',
  '',
];

/** What the node has and names now: the stanzas of both files, the links up, the addresses, corosync's ring addresses. */
const NODE_STATE = [
  '# "NAME" and "NAME ADDRESS" lines for every auto interface of a configuration, with the',
  '# files it sources, as ifupdown2 reads it: what ifreload -a brings up, and with which addresses.',
  'stanzas() {',
  '  ifquery -a -i "$1" | awk \'$1 == "iface" { name = $2; print name } $1 == "address" && name != "" { for (i = 2; i <= NF; i++) print name, $i }\'',
  '}',
  '# An address as a key: no prefix length, lower case. No zone (fe80::1%vmbr0) ever reaches it: addresses come from',
  '# "ip addr show scope global" (no link-local one), corosync_address (inet_ntop, as corosync keeps no scope id), and',
  '# node_addresses, whose getnameinfo adds a zone only to a literal with one, never to a host name\'s address.',
  '# In REPLY: a command substitution would fork a subshell for each address.',
  'key() {',
  '  local a=${1%%/*}',
  '  REPLY=${a,,}',
  '}',
  '',
  '# Every output is read in full first: set -e stops the script when a command fails, and nothing',
  '# here needs /dev/fd (process substitution).',
  'new=$(stanzas "$file")',
  'old=',
  '[ ! -f /etc/network/interfaces ] || old=$(stanzas /etc/network/interfaces)',
  'links=$(ip -o link show up)',
  'addresses=$(ip -o addr show scope global)',
  'rings=',
  'if [ -r /etc/pve/corosync.conf ]; then',
  '  rings=$(awk -v node="$node" \'/^[[:space:]]*node[[:space:]]*[{]/ { inside = 1; name = ""; n = 0; next }',
  '    inside && $1 == "name:" { name = $2 }',
  '    inside && $1 ~ /^ring[0-9]+_addr:$/ { rings[++n] = substr($1, 1, length($1) - 1) " " $2 }',
  '    inside && /[}]/ { if (name == node) for (i = 1; i <= n; i++) print rings[i]; inside = 0 }\' /etc/pve/corosync.conf)',
  'fi',
  '',
  'declare -A named=() carried=() applied=() up=() guests=() corosync=() resolved=()',
  'while read -r name address; do',
  '  [ -n "$name" ] || continue',
  '  named[$name]=1',
  '  [ -z "$address" ] || { key "$address"; carried[$REPLY]=1; }',
  'done <<< "$new"',
  'while read -r name _; do',
  '  [ -z "$name" ] || applied[$name]=1',
  'done <<< "$old"',
  '# "4: vmbr2.10@vmbr2: <BROADCAST,...>": the name before the @. A guest NIC on a bridge, "9: tap100i0: <...> master vmbr9 ...":',
  '# Proxmox VE\'s ifupdown2 never takes down a bridge that the new file does not name while a port matching',
  '# ^(tap|veth|fwpr) is on it (ifreload: "cant remove bridge", its patch pve/0003), so the bridge and its addresses stay.',
  "onbridge=' master ([^ ]+)'",
  'while IFS=\': \' read -r _ name rest; do',
  '  [ -n "$name" ] || continue',
  '  up[${name%%@*}]=1',
  '  if [[ $name =~ ^(tap|veth|fwpr) && $rest =~ $onbridge ]]; then guests[${BASH_REMATCH[1]}]+=" ${name%%@*}"; fi',
  'done <<< "$links"',
  '# This node\'s ringN_addr in corosync.conf, an address or a name: the one address corosync takes for it, with the',
  '# totem section\'s ip_version (or corosync\'s default).',
  ...COROSYNC_ADDRESS.split('\n'),
  'ip_version=',
  `[ ! -r /etc/pve/corosync.conf ] || ip_version=$(awk '${COROSYNC_IP_VERSION_AWK}' /etc/pve/corosync.conf)`,
  'while read -r ring value; do',
  '  [ -n "$ring" ] || continue',
  '  address=$(corosync_address "$ip_version" "$value" || true)',
  '  [ -z "$address" ] || { key "$address"; corosync[$REPLY]+=" $ring"; }',
  'done <<< "$rings"',
];

/** The node name's address (pmxcfs's node address): a problem when the new file does not carry it, reported with the losses. */
const NODE_NAME_CHECK = [
  '# pmxcfs announces the address the node name resolves to as the node\'s (getaddrinfo, as node_addresses asks).',
  ...NODE_ADDRESSES.split('\n'),
  'lookup=$(node_addresses "$node" || true)',
  'for address in $(printf \'%s\\n\' "$lookup" | cut -d " " -f 1 | sort -u); do',
  '  key "$address"; resolved[$REPLY]=1',
  'done',
  '# ... the first one that is not loopback; with none, pmxcfs refuses to start. The new file must carry it, or',
  '# the node is known by an address it no longer has from the next start of pve-cluster (the next boot) on.',
  `nodeip=$(printf '%s\\n' "$lookup" | awk '${NODE_IP_AWK}')`,
  `canonical=$(printf '%s\\n' "$lookup" | awk '${CANONICAL_NAME_AWK}')`,
  'fqdn=',
  'case $canonical in "$node".?*) fqdn=$canonical ;; esac',
  'want=$for_address',
  '[ -n "$want" ] || want=$(printf \'%s\\n\' "$new" | awk \'!found && NF == 2 { sub("/.*", "", $2); print $2; found = 1 }\')',
  'hosts_line="${want:-<an address of the new file>}${fqdn:+ $fqdn} $node"',
  'hosts_problem=',
  'if [ -z "$nodeip" ]; then',
  '  hosts_problem="node name $node resolves to no address but loopback (getaddrinfo, as pmxcfs asks): pve-cluster (pmxcfs) refuses to start (\\"Unable to resolve node name \'$node\' to a non-loopback IP address\\"), and /etc/pve stays empty"',
  'elif key "$nodeip"; [ -z "${carried[$REPLY]:-}" ]; then',
  '  hosts_problem="node name $node resolves to $nodeip, which the new file does not carry: from the next start of pve-cluster (the next boot) on, pmxcfs gives the other nodes $nodeip as the address of $node (their GUI, migration and SSH go there), and pvecm and pve8to9 use it"',
  'fi',
  '',
];

/** Each NIC the new file names exists under that name, now and after the next boot; else the script stops here. */
const NIC_CHECK = [
  '# Each physical NIC the new file names must exist by that name now and after the next boot: ifreload -a',
  '# brings a bridge up without a port that does not exist, and the node is off the network. An altname is not',
  '# enough: Proxmox VE\'s reader takes it as the NIC (pve-common PVE/Network/Interfaces.pm), but ifupdown2 looks',
  '# ports, slaves and raw devices up by the name only (its netlink cache keeps no altnames: "bridge port X does',
  '# not exist", "skipping slave X, does not exist", "rawdevice X not present"). NIC names change:',
  '# pve-network-interface-pinning (pve-manager) writes /usr/local/lib/systemd/network/50-pmx-NAME.link',
  '# ([Match] MACAddress= the NIC\'s permanent MAC, [Link] Name=nicN), and udev renames the NIC at the next boot.',
  'declare -A present=() altname=() mac=() pinned=() pinfile=() wanted=()',
  'details=$(ip -o -d link show)',
  '# "2: eno1: <...> ... link/ether 52:54:00:12:34:56 brd ... altname enp3s0": one line each; a bond slave\'s own',
  '# MAC (the one a pin matches) follows as perm_hwaddr, or permaddr.',
  'while read -r -a words; do',
  '  [ ${#words[@]} -gt 1 ] || continue',
  '  name=${words[1]%:}',
  '  name=${name%%@*}',
  '  present[$name]=1',
  '  for ((i = 2; i + 1 < ${#words[@]}; i++)); do',
  '    case ${words[i]} in',
  '      altname) altname[${words[i + 1]}]=$name ;;',
  '      link/ether) [ -n "${mac[$name]:-}" ] || mac[$name]=${words[i + 1],,} ;;',
  '      perm_hwaddr | permaddr) mac[$name]=${words[i + 1],,} ;;',
  '    esac',
  '  done',
  'done <<< "$details"',
  'for f in /usr/local/lib/systemd/network/50-pmx-*.link /usr/local/lib/systemd/network/50-pve-*.link; do',
  '  [ -f "$f" ] || continue',
  '  pin=$(awk -F = \'{ sub(/[[:space:]]+$/, "") } $1 == "MACAddress" { m = tolower($2) } $1 == "Name" { n = $2 } END { if (m != "" && n != "") print m, n }\' "$f")',
  '  [ -n "$pin" ] || continue',
  '  pinned[${pin%% *}]=${pin#* }',
  '  pinfile[${pin#* }]=$f',
  'done',
  'for nic in "${nics[@]}"; do wanted[$nic]=1; done',
  'spare=',
  'for name in "${!pinfile[@]}"; do',
  '  [ -z "${present[$name]:-}" ] || [ -n "${wanted[$name]:-}" ] || spare+=" $name"',
  'done',
  'missing=()',
  'for nic in "${nics[@]}"; do',
  '  if [ -z "${present[$nic]:-}" ] && [ -n "${altname[$nic]:-}" ]; then',
  '    # The NIC\'s name after the next boot: its pin\'s, if a .link file renames it.',
  '    to=${pinned[${mac[${altname[$nic]}]:-none}]:-${altname[$nic]}}',
  '    missing+=("$nic: only an altname of ${altname[$nic]} (ip link), which ifupdown2 does not look up: name the NIC $to")',
  '    continue',
  '  fi',
  '  if [ -z "${present[$nic]:-}" ]; then',
  '    line="$nic: this node has no NIC of that name (ip link)"',
  '    [ -z "$spare" ] || line+="; NICs pinned here (/usr/local/lib/systemd/network) that the new file does not name:$spare"',
  '    missing+=("$line")',
  '    continue',
  '  fi',
  '  to=${pinned[${mac[$nic]:-none}]:-}',
  '  if [ -n "$to" ] && [ "$to" != "$nic" ]; then',
  '    missing+=("$nic: ${pinfile[$to]} renames it (MAC ${mac[$nic]}) to $to at the next boot, and $nic is gone then")',
  '  fi',
  'done',
  'if [ ${#missing[@]} -gt 0 ]; then',
  '  echo "The new file names NICs that node $node does not have (or not after the next boot), and Apply would bring their bridges and bonds up without them:" >&2',
  '  printf \'  %s\\n\' "${missing[@]}" >&2',
  '  fail "nothing changed: name each NIC in the topology as the node does (ip link; after pve-network-interface-pinning, its nicN name) and build again"',
  'fi',
  '',
];

/** The addresses and interfaces Apply would take away; the node name's problem; the verdict (--allow-drop). */
const ADDRESS_CHECK = [
  'lost=()',
  '# "2: vmbr0    inet 192.168.0.10/24 brd 192.168.0.255 scope global vmbr0\\ ..."',
  'while read -r _ dev family address rest; do',
  '  [ -n "$dev" ] || continue',
  '  key "$address"; k=$REPLY',
  '  [ -z "${carried[$k]:-}" ] || continue',
  '  line="$dev $address ($family"',
  '  [[ $rest != *dynamic* ]] || line+=", dynamic"',
  '  line+=")"',
  '  if [ -n "${named[$dev]:-}" ]; then line+=": the new file does not list it on $dev, and Apply deletes it"',
  '  elif [ -n "${guests[$dev]:-}" ] && [ -n "${applied[$dev]:-}" ]; then line+=": the new file does not name $dev, which Apply leaves up while guest NICs are on it, and it is gone at the next boot"',
  '  elif [ -n "${applied[$dev]:-}" ]; then line+=": the new file does not name $dev, which Apply takes down"',
  '  else line+=": no configuration has it, and it is gone at the next boot"; fi',
  '  [ -z "${corosync[$k]:-}" ] || line+="; corosync uses it:${corosync[$k]} of node $node in /etc/pve/corosync.conf"',
  '  [ -z "${resolved[$k]:-}" ] || line+="; node name $node resolves to it, and the other nodes reach $node there"',
  '  lost+=("$line")',
  'done <<< "$addresses"',
  'down=()',
  'for name in "${!applied[@]}"; do',
  '  if [ "$name" != lo ] && [ -z "${named[$name]:-}" ] && [ -n "${up[$name]:-}" ]; then',
  '    if [ -n "${guests[$name]:-}" ]; then',
  '      down+=("$name: up now with guest NICs on it (${guests[$name]# }), and the new file does not name it: Apply leaves it up while they are (Proxmox VE\'s ifupdown2 keeps such a bridge), and it is gone at the next boot, where guests on it fail to start")',
  '    else',
  '      down+=("$name: up now, and the new file does not name it: Apply takes it down, with the guest NICs on it")',
  '    fi',
  '  fi',
  'done',
  'if [ ${#lost[@]} -gt 0 ] || [ ${#down[@]} -gt 0 ]; then',
  '  echo "Apply of $file on node $node would take away:" >&2',
  '  printf \'  %s\\n\' "${lost[@]}" "${down[@]}" >&2',
  'fi',
  `# Not a loss ${ALLOW_DROP} accepts: the fix is one line, and without it the node is lost to its cluster.`,
  'if [ -n "$hosts_problem" ]; then',
  '  echo "$hosts_problem." >&2',
  '  fail "nothing changed: first make node name $node resolve to an address the new file carries, with this line in /etc/hosts in place of any other that names $node: $hosts_line"',
  'fi',
  'if [ ${#lost[@]} -gt 0 ] || [ ${#down[@]} -gt 0 ]; then',
  '  if [ "$allow_drop" != yes ]; then',
  `    fail "nothing changed: put what the node needs in the topology, or run again with ${ALLOW_DROP} to apply anyway"`,
  '  fi',
  `  echo "${ALLOW_DROP}: applying all the same" >&2`,
  'fi',
  '',
];

/** Install and apply as the GUI does, then say whether pmxcfs still announces an old address. */
const APPLY = [
  'if [ -f /etc/network/interfaces.new ] && ! cmp -s "$file" /etc/network/interfaces.new; then',
  '  echo "replacing the pending /etc/network/interfaces.new (network changes not applied yet)"',
  'fi',
  'install -m 0644 "$file" /etc/network/interfaces.new',
  'diff -u /etc/network/interfaces /etc/network/interfaces.new || true',
  '# The GUI\'s Apply: rename interfaces.new over interfaces, regenerate SDN, ifreload -a.',
  'pvesh set "/nodes/$node/network"',
  '# A running pmxcfs keeps the address it resolved when it started, and the other nodes go there: in a cluster,',
  '# /etc/pve/.members gives it as this node\'s "ip" (pve-cluster src/pmxcfs/status.c).',
  'announced=',
  '[ ! -r /etc/pve/.members ] || announced=$(awk -v q="\\"$node\\":" \'index($0, q) && match($0, /"ip": "[^"]*"/) { print substr($0, RSTART + 7, RLENGTH - 8) }\' /etc/pve/.members)',
  'key "$nodeip"; ip_key=$REPLY',
  'if [ -n "$announced" ] && key "$announced" && [ "$REPLY" != "$ip_key" ]; then',
  '  echo "pmxcfs still gives the other nodes $announced as the address of $node: systemctl restart pve-cluster, and it takes $nodeip"',
  'fi',
];

/** The script after its values, part by part, in the order they run. */
const BODY = [PRECONDITIONS, NODE_STATE, NODE_NAME_CHECK, NIC_CHECK, ADDRESS_CHECK, APPLY];

export function applyInterfacesScript(site: string, host: Host, interfaces: string): string {
  const node = host.name;
  const address = nodeNameAddress(host);
  return [
    ...scriptHead(`Installs gen's /etc/network/interfaces on Proxmox VE node ${node} (site ${site}) and applies it; generated by gen.`, [
      `Run it as root on node ${node}: bash apply-interfaces.sh [${ALLOW_DROP}] [FILE], FILE being gen's interfaces file of`,
      `${node} (by default the one next to this script). Apply (ifreload -a) takes down every interface the file does not`,
      'name and deletes every address its stanzas do not list. The script lists each address the node has now that the',
      'file does not carry (and whether corosync or the node name uses it), and each interface up now that Apply takes',
      `down; then it changes nothing, unless ${ALLOW_DROP}. Otherwise it installs the file as /etc/network/interfaces.new`,
      `and applies it as the GUI does (pvesh set /nodes/${node}/network). Run again, it applies the same file again.`,
      `It never applies while node name ${node} resolves to no address the file carries (pmxcfs's node address): it`,
      'names the line /etc/hosts needs. Nor while the file names a NIC the node lacks, or that a pin',
      '(pve-network-interface-pinning) renames at the next boot: it names each.',
    ]),
    `for_node=${shellWord(node)}`,
    `file_sha256=${shellWord(createHash('sha256').update(interfaces).digest('hex'))}`,
    `for_address=${address === undefined ? "''" : shellWord(ipv4(address))}`,
    `nics=(${physicalNics(host).map(shellWord).join(' ')})`,
    ...BODY.flat(),
    '',
  ].join('\n');
}
