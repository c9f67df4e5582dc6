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
import { createHash } from 'node:crypto';
import type { Host } from '../../model.js';
import { scriptHead, shellWord } from '../shell.js';

export const ALLOW_DROP = '--allow-drop';

export function applyInterfacesPath(site: string, host: string): string {
  return `${site}/proxmox/${host}/apply-interfaces.sh`;
}

const BODY = [
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
  '',
  '# "NAME" and "NAME ADDRESS" lines for every auto interface of a configuration, with the',
  '# files it sources, as ifupdown2 reads it: what ifreload -a brings up, and with which addresses.',
  'stanzas() {',
  '  ifquery -a -i "$1" | awk \'$1 == "iface" { name = $2; print name } $1 == "address" && name != "" { for (i = 2; i <= NF; i++) print name, $i }\'',
  '}',
  '# An address as a key: no prefix length, lower case.',
  'key() {',
  '  local a=${1%%/*}',
  '  printf \'%s\' "${a,,}"',
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
  'declare -A named=() carried=() applied=() up=() corosync=() resolved=()',
  'while read -r name address; do',
  '  [ -n "$name" ] || continue',
  '  named[$name]=1',
  '  [ -z "$address" ] || carried[$(key "$address")]=1',
  'done <<< "$new"',
  'while read -r name _; do',
  '  [ -z "$name" ] || applied[$name]=1',
  'done <<< "$old"',
  '# "4: vmbr2.10@vmbr2: <BROADCAST,...>": the name before the @.',
  'while IFS=\': \' read -r _ name _; do',
  '  [ -z "$name" ] || up[${name%%@*}]=1',
  'done <<< "$links"',
  '# This node\'s ringN_addr in corosync.conf: an address, or a name that resolves to one.',
  'while read -r ring value; do',
  '  [ -n "$ring" ] || continue',
  '  if [[ $value == *:* || $value =~ ^[0-9.]+$ ]]; then',
  '    corosync[$(key "$value")]+=" $ring"',
  '    continue',
  '  fi',
  '  for address in $(getent ahosts "$value" | cut -d " " -f 1 | sort -u || true); do',
  '    corosync[$(key "$address")]+=" $ring"',
  '  done',
  'done <<< "$rings"',
  '# pmxcfs announces the address the node name resolves to as the node\'s (getaddrinfo, as getent ahosts).',
  'for address in $(getent ahosts "$node" | cut -d " " -f 1 | sort -u || true); do',
  '  resolved[$(key "$address")]=1',
  'done',
  '',
  'lost=()',
  '# "2: vmbr0    inet 192.168.0.10/24 brd 192.168.0.255 scope global vmbr0\\ ..."',
  'while read -r _ dev family address rest; do',
  '  [ -n "$dev" ] || continue',
  '  k=$(key "$address")',
  '  [ -z "${carried[$k]:-}" ] || continue',
  '  line="$dev $address ($family"',
  '  [[ $rest != *dynamic* ]] || line+=", dynamic"',
  '  line+=")"',
  '  if [ -n "${named[$dev]:-}" ]; then line+=": the new file does not list it on $dev, and Apply deletes it"',
  '  elif [ -n "${applied[$dev]:-}" ]; then line+=": the new file does not name $dev, which Apply takes down"',
  '  else line+=": no configuration has it, and it is gone at the next boot"; fi',
  '  [ -z "${corosync[$k]:-}" ] || line+="; corosync uses it:${corosync[$k]} of node $node in /etc/pve/corosync.conf"',
  '  [ -z "${resolved[$k]:-}" ] || line+="; node name $node resolves to it, and the other nodes reach $node there"',
  '  lost+=("$line")',
  'done <<< "$addresses"',
  'down=()',
  'for name in "${!applied[@]}"; do',
  '  if [ "$name" != lo ] && [ -z "${named[$name]:-}" ] && [ -n "${up[$name]:-}" ]; then',
  '    down+=("$name: up now, and the new file does not name it: Apply takes it down, with the guest NICs on it")',
  '  fi',
  'done',
  'if [ ${#lost[@]} -gt 0 ] || [ ${#down[@]} -gt 0 ]; then',
  '  echo "Apply of $file on node $node would take away:" >&2',
  '  printf \'  %s\\n\' "${lost[@]}" "${down[@]}" >&2',
  '  if [ "$allow_drop" != yes ]; then',
  `    fail "nothing changed: put what the node needs in the topology, or run again with ${ALLOW_DROP} to apply anyway"`,
  '  fi',
  `  echo "${ALLOW_DROP}: applying all the same" >&2`,
  'fi',
  '',
  'if [ -f /etc/network/interfaces.new ] && ! cmp -s "$file" /etc/network/interfaces.new; then',
  '  echo "replacing the pending /etc/network/interfaces.new (network changes not applied yet)"',
  'fi',
  'install -m 0644 "$file" /etc/network/interfaces.new',
  'diff -u /etc/network/interfaces /etc/network/interfaces.new || true',
  '# The GUI\'s Apply: rename interfaces.new over interfaces, regenerate SDN, ifreload -a.',
  'pvesh set "/nodes/$node/network"',
];

export function applyInterfacesScript(site: string, host: Host, interfaces: string): string {
  const node = host.name;
  return [
    ...scriptHead(`Installs gen's /etc/network/interfaces on Proxmox VE node ${node} (site ${site}) and applies it; generated by gen.`, [
      `Run it as root on node ${node}: bash apply-interfaces.sh [${ALLOW_DROP}] [FILE], FILE being gen's interfaces file of`,
      `${node} (by default the one next to this script). Apply (ifreload -a) takes down every interface the file does not`,
      'name and deletes every address its stanzas do not list. The script lists each address the node has now that the',
      'file does not carry (and whether corosync or the node name uses it), and each interface up now that Apply takes',
      `down; then it changes nothing, unless ${ALLOW_DROP}. Otherwise it installs the file as /etc/network/interfaces.new`,
      `and applies it as the GUI does (pvesh set /nodes/${node}/network). Run again, it applies the same file again.`,
    ]),
    `for_node=${shellWord(node)}`,
    `file_sha256=${shellWord(createHash('sha256').update(interfaces).digest('hex'))}`,
    ...BODY,
    '',
  ].join('\n');
}
