// A Proxmox VE host's verification script (bash, with the host's own
// tools: ip, bridge, qm, pct, pvesm): each bridge up with exactly its
// address (or its VLAN device with it, for an address in a VLAN), its ports, its MTU, each NIC with an address of its own, each bond (mode, slaves, MTU), VLAN filtering with exactly its vids on its
// ports; the node name resolving, as pmxcfs resolves it, to an address of the host; the default route and every route gen derives (`ip route get` must
// leave through the firewall); the guests gen
// knows (the firewall VM, the services' containers and VMs) with their NICs
// on the right bridges; the backup storage and the backup jobs as backup-jobs.sh sets them.
import type { Host, Model, PbsBackup, PveBackupJob, Site } from '../../model.js';
import { formatIPv4 } from '../../net.js';
import { nameservers } from '../../targets/proxmox/guest-formats.js';
import { addressInterface, hostAddresses } from '../../targets/proxmox/interfaces.js';
import { BACKUP_JOB_OPTIONS } from '../../targets/proxmox/backup-job.js';
import { CANONICAL_NAME_AWK, NODE_ADDRESSES, NODE_IP_AWK, nodeNameAddress } from '../../targets/proxmox/node-name.js';
import { jobOptions, selectionText } from '../backup-jobs.js';
import { bondStanzas } from '../proxmox/bonds.js';
import { cidr, ifname, ipv4 } from '../proxmox/shell-values.js';
import { type Declared, FLAT_OF, call, renderScript } from './script.js';

/** The shell's nth argument (from the 10th on, ${n} in braces). */
function argument(n: number): string {
  return n < 10 ? `$${n}` : `\${${n}}`;
}

/** backup_job_check's job_option calls, one per option gen manages (its arguments from the 4th on), four a line. */
function jobOptionCalls(): string {
  const calls = BACKUP_JOB_OPTIONS.map(
    (o, i) => `job_option ${o.key} "${argument(i + 4)}" ${o.absent === '' ? "''" : o.absent}${o.compare === 'plain' ? '' : ` ${o.compare}`}`,
  );
  const lines: string[] = [];
  for (let at = 0; at < calls.length; at += 4) lines.push(`  ${calls.slice(at, at + 4).join('; ')}`);
  return lines.join('\n');
}

// The functions set REPLY rather than print, and read a command's output with bash's own matching, not through
// sed, tr or sort: the script starts a process only to ask the host something.
const FUNCTIONS = `${FLAT_OF}
# The whitespace-separated words of $1, sorted as sort sorts them here (LC_ALL=C: by their bytes), space-separated: REPLY.
sorted_words() {
  local -a words sorted=()
  local word i
  read -r -d '' -a words <<< "$1"
  for word in "\${words[@]}"; do
    i=\${#sorted[@]}
    while [ "$i" -gt 0 ] && [[ \${sorted[i - 1]} > $word ]]; do
      sorted[i]=\${sorted[i - 1]}
      i=$((i - 1))
    done
    sorted[i]=$word
  done
  REPLY=\${sorted[*]}
}
# The first group of the extended regular expression $2 in $1 (as sed -n 's/RE/\\1/p' prints it), or nothing: REPLY.
group_of() { if [[ $1 =~ $2 ]]; then REPLY=\${BASH_REMATCH[1]}; else REPLY=; fi; }
# The IPv4 addresses (scope global) of a device, sorted, space-separated: REPLY.
v4_of() {
  local out list='' _n _dev _family address _rest
  out=$(ip -o -4 addr show dev "$1" scope global 2>/dev/null)
  while read -r _n _dev _family address _rest; do list="$list $address"; done <<< "$out"
  sorted_words "$list"
}
# The flags of a device as ip -o link prints them (<BROADCAST,MULTICAST,UP>), space-separated: REPLY.
link_flags() { group_of "$1" '^[0-9]*: [^:]*: <([^>]*)>.*'; REPLY=\${REPLY//,/ }; }

# ip -o -d link/addr of a bridge: admin state, exactly these IPv4 addresses (scope global).
bridge_check() { # what where bridge addresses(space-separated, may be empty)
  link=$(ip -o -d link show dev "$3" 2>&1) || { flat_of "$link"; fail "$1" "$2" "$REPLY"; return; }
  link_flags "$link"; flags=$REPLY
  v4_of "$3"; have=$REPLY
  sorted_words "$4"; want=$REPLY
  problems=
  [[ $link == *' bridge '* ]] || problems="$problems; not a bridge"
  has_word UP "$flags" || problems="$problems; down (flags $flags)"
  [ "$have" = "$want" ] || problems="$problems; IPv4 \${have:-none}, not \${want:-none}"
  if [ -z "$problems" ]; then pass "$1" "$2"; else fail "$1" "$2" "\${problems#; }"; fi
}

# The lines of $1 after the first (the header of bridge's tables), one an element: the array body.
body_lines() {
  body=()
  local line first=1
  while IFS= read -r line; do
    if [ "$first" = 1 ]; then first=0; else body+=("$line"); fi
  done <<< "$1"
}

# A bridge's VLAN device that holds the host address: VLAN id, raw device, up, exactly these addresses; on a
# VLAN-aware bridge (aware 1), the bridge carries the VLAN itself, without which the device receives nothing.
vlan_device_check() { # what where device raw-device tag addresses aware(0|1)
  link=$(ip -o -d link show dev "$3" 2>&1) || { flat_of "$link"; fail "$1" "$2" "$REPLY"; return; }
  link_flags "$link"; flags=$REPLY
  group_of "$link" '^[0-9]*: [^@:]*@([^:]*):.*'; raw=$REPLY
  group_of "$link" '.* vlan protocol [^ ]* id ([0-9]*).*'; id=$REPLY
  v4_of "$3"; have=$REPLY
  sorted_words "$6"; want=$REPLY
  problems=
  [ "$id" = "$5" ] || problems="$problems; VLAN id \${id:-none}, not $5"
  [ -z "$id" ] || [ "$raw" = "$4" ] || problems="$problems; on \${raw:-no device}, not $4"
  has_word UP "$flags" || problems="$problems; down (flags $flags)"
  [ "$have" = "$want" ] || problems="$problems; IPv4 \${have:-none}, not \${want:-none}"
  if [ "$7" = 1 ]; then
    # The bridge's own rows: on a VLAN-aware bridge, the VLANs its VLAN devices receive, each added by ifupdown2
    # with the device (bridge vlan add vid TAG dev BRIDGE self).
    vlan_table "$4"; own=$REPLY
    in_ranges "$5" "$own" || problems="$problems; $4 does not carry VLAN $5 itself (it carries \${own:-none})"
  fi
  if [ -z "$problems" ]; then pass "$1" "$2"; else fail "$1" "$2" "\${problems#; }"; fi
}

# A NIC or bond with an address of its own: up, in no bridge, exactly these IPv4 addresses.
nic_check() { # what where device addresses
  link=$(ip -o link show dev "$3" 2>&1) || { flat_of "$link"; fail "$1" "$2" "$REPLY"; return; }
  link_flags "$link"; flags=$REPLY
  group_of "$link" '.* master ([^ ]*) .*'; master=$REPLY
  v4_of "$3"; have=$REPLY
  sorted_words "$4"; want=$REPLY
  problems=
  [ -z "$master" ] || problems="$problems; in $master"
  has_word UP "$flags" || problems="$problems; down (flags $flags)"
  [ "$have" = "$want" ] || problems="$problems; IPv4 \${have:-none}, not \${want:-none}"
  if [ -z "$problems" ]; then pass "$1" "$2"; else fail "$1" "$2" "\${problems#; }"; fi
}

# A bond: up, its mode (and hash policy, where written), exactly these slaves (ip -d shows the
# kernel's bonding settings; \`ip link show master\` the devices enslaved to it).
bond_check() { # what where bond mode slaves(space-separated) hash-policy(may be empty) primary(may be empty)
  link=$(ip -o -d link show dev "$3" 2>&1) || { flat_of "$link"; fail "$1" "$2" "$REPLY"; return; }
  link_flags "$link"; flags=$REPLY
  group_of "$link" '.* bond mode ([^ ]*).*'; mode=$REPLY
  group_of "$link" '.* xmit_hash_policy ([^ ]*).*'; policy=$REPLY
  group_of "$link" '.* primary ([^ ]*).*'; primary=$REPLY
  slaves=$(ip -o link show master "$3" 2>/dev/null)
  list=
  while IFS= read -r line; do
    # "N: NAME[@LINK]: <FLAGS> ...": a device name holds no colon.
    group_of "$line" '^[^:]*: ([^:]*)'
    list="$list \${REPLY%%@*}"
  done <<< "$slaves"
  sorted_words "$list"; have=$REPLY
  sorted_words "$5"; want=$REPLY
  problems=
  has_word UP "$flags" || problems="$problems; down (flags $flags)"
  [ "$mode" = "$4" ] || problems="$problems; mode \${mode:-none}, not $4"
  [ -z "$6" ] || [ "$policy" = "$6" ] || problems="$problems; xmit_hash_policy \${policy:-none}, not $6"
  [ -z "$7" ] || [ "$primary" = "$7" ] || problems="$problems; primary \${primary:-none}, not $7"
  [ "$have" = "$want" ] || problems="$problems; slaves \${have:-none}, not $want"
  if [ -z "$problems" ]; then pass "$1" "$2"; else fail "$1" "$2" "\${problems#; }"; fi
}

ports_check() { # what where bridge port...
  what=$1 where=$2 bridge=$3
  shift 3
  problems=
  for port in "$@"; do
    link=$(ip -o link show dev "$port" 2>&1)
    group_of "$link" '.* master ([^ ]*) .*'; master=$REPLY
    if [ -z "$master" ]; then problems="$problems; $port is in no bridge"
    elif [ "$master" != "$bridge" ]; then problems="$problems; $port is in $master"; fi
  done
  if [ -z "$problems" ]; then pass "$what" "$where"; else fail "$what" "$where" "\${problems#; }"; fi
}

mtu_check() { # what where mtu device...
  what=$1 where=$2 mtu=$3
  shift 3
  problems=
  for dev in "$@"; do
    link=$(ip -o link show dev "$dev" 2>/dev/null)
    group_of "$link" '.* mtu ([0-9]*).*'; have=$REPLY
    [ "$have" = "$mtu" ] || problems="$problems; $dev has MTU \${have:-none}"
  done
  if [ -z "$problems" ]; then pass "$what" "$where"; else fail "$what" "$where" "\${problems#; }"; fi
}

# A list of VLANs (ids and ranges, any order) as sorted ranges, each run of consecutive ids one range: REPLY.
vid_ranges() {
  local word vid ranges='' from='' to=''
  local -a words seen=()
  read -r -a words <<< "$1"
  for word in "\${words[@]}"; do
    for ((vid = 10#\${word%-*}; vid <= 10#\${word#*-}; vid++)); do seen[vid]=1; done
  done
  for vid in "\${!seen[@]}"; do
    if [ -n "$to" ] && [ "$vid" = $((to + 1)) ]; then to=$vid; continue; fi
    [ -z "$from" ] || { ranges="$ranges $from"; [ "$from" = "$to" ] || ranges="$ranges-$to"; }
    from=$vid to=$vid
  done
  [ -z "$from" ] || { ranges="$ranges $from"; [ "$from" = "$to" ] || ranges="$ranges-$to"; }
  REPLY=\${ranges# }
}

# Whether VLAN $1 is in the ranges $2 ("10 20-30").
in_ranges() {
  local range
  local -a ranges
  read -r -a ranges <<< "$2"
  for range in "\${ranges[@]}"; do
    [ "$1" -lt $((10#\${range%-*})) ] || [ "$1" -gt $((10#\${range#*-})) ] || return 0
  done
  return 1
}

# The VLANs of a bridge or a bridge port (its rows of \`bridge -compressvlans vlan show\`, a VLAN or a range each):
# those it sends tagged as ranges in REPLY, those it sends untagged in untagged_vids, and its PVID, the VLAN of
# the frames it receives untagged (none: it drops them), in pvid. (\`bridge -c\` is -color, not -compressvlans.)
vlan_table() {
  local out line word last tagged=''
  local -a words
  untagged_vids='' pvid=''
  out=$(bridge -compressvlans vlan show dev "$1" 2>/dev/null)
  body_lines "$out"
  for line in "\${body[@]}"; do
    # A row's VLAN or range is its last word of digits (the device's name is on the first row only).
    read -r -a words <<< "$line"
    last=
    for word in "\${words[@]}"; do [[ ! $word =~ ^[0-9]+(-[0-9]+)?$ ]] || last=$word; done
    [ -n "$last" ] || continue
    [[ $line != *PVID* ]] || pvid=$last
    if [[ $line == *Untagged* ]]; then untagged_vids="$untagged_vids $last"; else tagged="$tagged $last"; fi
  done
  vid_ranges "$untagged_vids"; untagged_vids=$REPLY
  vid_ranges "$tagged"
}

# On a VLAN-aware bridge, each port sends exactly the topology's VLANs tagged and VLAN 1, the native VLAN,
# untagged, and takes the frames it receives untagged into VLAN 1 (its PVID): ifupdown2's bridge-vids, and
# its default bridge-pvid 1.
vlan_check() { # what where bridge aware(0|1) vids port...
  what=$1 where=$2 bridge=$3 aware=$4 vids=$5
  shift 5
  filtering=
  { read -r filtering < "/sys/class/net/$bridge/bridge/vlan_filtering"; } 2>/dev/null
  problems=
  [ "$filtering" = "$aware" ] || problems="$problems; vlan_filtering is \${filtering:-unreadable}"
  if [ "$aware" = 1 ]; then
    for port in "$@"; do
      vlan_table "$port"; have=$REPLY
      [ "$have" = "$vids" ] || problems="$problems; $port carries \${have:-no tagged VLAN}"
      [ "$untagged_vids" = 1 ] || problems="$problems; $port sends \${untagged_vids:-no VLAN} untagged, not 1"
      [ "$pvid" = 1 ] || problems="$problems; $port PVID \${pvid:-none}, not 1"
    done
  fi
  if [ -z "$problems" ]; then pass "$what" "$where"; else fail "$what" "$where" "\${problems#; }"; fi
}

route_check() { # what where destination gateway device
  out=$(ip route get "$3" 2>&1)
  flat_of "\${out%%$'\\n'*}"; out=$REPLY
  group_of "$out" '.* via ([^ ]*).*'; via=$REPLY
  group_of "$out" '.* dev ([^ ]*).*'; dev=$REPLY
  if [ "$via" = "$4" ] && [ "$dev" = "$5" ]; then pass "$1" "$2"; else fail "$1" "$2" "ip route get $3: $out"; fi
}

default_route_check() { # what where gateway device
  out=$(ip route show default 2>&1)
  out=\${out%%$'\\n'*}
  case " $out " in *" via $3 dev $4 "*) pass "$1" "$2" ;; *) fail "$1" "$2" "ip route show default: \${out:-none}" ;; esac
}

${NODE_ADDRESSES}

# The node name as pmxcfs resolves it (node_addresses: the first address that is not loopback) is one of
# the host's addresses: pmxcfs announces it as the node's, and refuses to start without one.
node_name_check() { # what where node addresses(space-separated) address-for-hosts
  lookup=$(node_addresses "$3" 2>/dev/null) || true
  nodeip=$(printf '%s\\n' "$lookup" | awk '${NODE_IP_AWK}')
  canonical=$(printf '%s\\n' "$lookup" | awk '${CANONICAL_NAME_AWK}')
  case $canonical in "$3".?*) ;; *) canonical= ;; esac
  if [ -n "$nodeip" ] && has_word "$nodeip" "$4"; then pass "$1" "$2"; return; fi
  fail "$1" "$2" "getaddrinfo $3 (as pmxcfs asks): \${nodeip:-no address but loopback}; /etc/hosts needs the line \\"$5\${canonical:+ $canonical} $3\\" in place of any other that names $3, then systemctl restart pve-cluster"
}

# qm/pct config --current: the configuration the guest runs with. Plain
# "config" prints the pending changes as if applied (load_current_config), and
# Proxmox keeps pending what it cannot hot-plug into a running guest (a
# container's nameserver, a VM's NIC without network hotplug) until it restarts.
# Asked once per guest (qm and pct load Proxmox VE's Perl libraries at every start): REPLY.
declare -A guest_configs
guest_config() { # qm|pct id
  [ -n "\${guest_configs["$1 $2"]+set}" ] || guest_configs["$1 $2"]=$("$1" config "$2" --current 2>&1)
  REPLY=\${guest_configs["$1 $2"]}
}

# "; pending until ID restarts: KEY: VALUE" for the pending changes of keys matching $3 (qm|pct pending): REPLY.
pending_note() { # qm|pct id key-pattern
  local out line list=''
  out=$("$1" pending "$2" 2>/dev/null)
  local re="^new ($3): "
  while IFS= read -r line; do [[ ! $line =~ $re ]] || list="$list\${list:+$'\\n'}\${line#new }"; done <<< "$out"
  flat_of "$list"
  REPLY=\${REPLY:+; pending until $2 restarts: $REPLY}
}

# A guest's netN lines as "N conf", one a line, by N (the keys of a guest's configuration are unique); virtio NICs
# in netN order are the FreeBSD guest's vtnet0, vtnet1, ...: REPLY.
guest_nics() { # qm|pct id
  local line
  local -a by_number=()
  guest_config "$1" "$2"
  while IFS= read -r line; do
    [[ ! $line =~ ^net([0-9][0-9]*):\\  ]] || by_number[10#\${BASH_REMATCH[1]}]="\${BASH_REMATCH[1]} \${line#*: }"
  done <<< "$REPLY"
  REPLY=
  for line in "\${by_number[@]}"; do REPLY="$REPLY\${REPLY:+$'\\n'}$line"; done
}

vm_nic_check() { # what where vmid vtnet-index bridge
  guest_nics qm "$3"; nics=$REPLY
  nic='' n=0
  while IFS= read -r line; do
    read -r _ word _ <<< "$line"
    [[ $word =~ ^virtio(=|,|$) ]] || continue
    if [ "$n" = "$4" ]; then nic="net$line"; break; fi
    n=$((n + 1))
  done <<< "$nics"
  case ",\${nic#* }," in
    *",bridge=$5,"*) pass "$1" "$2" ;;
    *)
      none=
      [ -n "$nics" ] || none=' (no such VM on this host?)'
      pending_note qm "$3" 'net[0-9]*'
      fail "$1" "$2" "qm config $3 --current: \${nic:-no virtio NIC $4}$none$REPLY" ;;
  esac
}

guest_nic_check() { # what where qm|pct id bridge tag address
  guest_nics "$3" "$4"; nics=$REPLY
  found=
  while read -r name conf; do
    case ",$conf," in *",bridge=$5,"*) ;; *) continue ;; esac
    if [ -n "$6" ]; then case ",$conf," in *",tag=$6,"*) ;; *) continue ;; esac; fi
    if [ -n "$7" ]; then case ",$conf," in *",ip=$7/"*) ;; *) continue ;; esac; fi
    found="$found\${found:+$'\\n'}net$name"
  done <<< "$nics"
  if [ -n "$found" ]; then pass "$1" "$2"; return; fi
  flat_of "$nics"; listed=$REPLY
  pending_note "$3" "$4" 'net[0-9]*'
  fail "$1" "$2" "$3 config $4 --current: $listed$REPLY"
}

# pct config prints nameserver as guests.sh sets it: the servers, space-separated.
guest_dns_check() { # what where ctid servers
  guest_config pct "$3"
  have=
  while IFS= read -r line; do [[ $line != 'nameserver: '* ]] || have="$have\${have:+$'\\n'}\${line#nameserver: }"; done <<< "$REPLY"
  if [ "$have" = "$4" ]; then pass "$1" "$2"; return; fi
  pending_note pct "$3" nameserver
  fail "$1" "$2" "pct config $3 --current: nameserver \${have:-not set, so the container takes the resolvers of the host}$REPLY"
}

storage_check() { # what where storage
  out=$(pvesm status --storage "$3" 2>&1)
  status=
  while read -r name _ state _; do [ "$name" != "$3" ] || status="$status\${status:+$'\\n'}$state"; done <<< "$out"
  if [ "$status" = active ]; then pass "$1" "$2"; else fail "$1" "$2" "pvesm status --storage $3: \${status:-not found}"; fi
}

# A backup job (cluster-wide, /etc/pve/jobs.cfg) as backup-jobs.sh sets it. pvesh prints the job's jobs.cfg
# section (pve-manager PVE/API2/Backup.pm read_job) as JSON (pve-common CLIFormatter.pm), read by json_flat:
# a boolean as a number (SectionConfig.pm check_value); an option not set is absent, enabled is 1 then
# (Job/Registry.pm parse_config). A list of ids may be in any order. fleecing, performance and prune-backups are
# objects (VZDump/JobBase.pm decode_value) with keys of their own (fleecing's enabled and storage), under paths
# of their own (/fleecing/enabled), apart from the job's (/enabled).
# The ids of a list (separated by commas, semicolons or blanks) as a set: the numbers ascending and each once,
# then any other word (0103 is not guest 103 to vzdump) in byte order, comma-separated: REPLY.
id_set() {
  local -a ids numbers=()
  local id others=''
  IFS=$',; \\t\\n' read -r -d '' -a ids <<< "$1"
  for id in "\${ids[@]}"; do
    if [[ $id =~ ^(0|[1-9][0-9]{0,14})$ ]]; then numbers[id]=$id; else others="$others $id"; fi
  done
  sorted_words "$others"
  REPLY="\${numbers[*]} $REPLY"
  REPLY=\${REPLY% }
  REPLY=\${REPLY# }
  REPLY=\${REPLY// /,}
}
# json_flat's lines of the job: its values by path (the first of a path, as json_get takes it).
declare -A job_values
job_option() { # key expected value-when-absent [ids|text]: "; key found, expected want" added to problems if they differ
  have=\${job_values["/$1"]-$3}
  want=$2
  if [ "$4" = ids ]; then id_set "$have"; have=$REPLY; id_set "$want"; want=$REPLY; fi
  [ "$have" != "$want" ] || return 0
  if [ "$4" = text ]; then have=\${have:+\\"$have\\"}; want=\${want:+\\"$want\\"}; fi
  problems="$problems; $1 \${have:-not set}, expected \${want:-not set}"
}
backup_job_check() { # what where id ${BACKUP_JOB_OPTIONS.map((o) => o.key).join(' ')}
  if ! out=$(pvesh get "/cluster/backup/$3" --output-format json 2>&1) || ! job=$(printf '%s\\n' "$out" | json_flat); then
    flat_of "$out"
    fail "$1" "$2" "pvesh get /cluster/backup/$3: $REPLY"
    return
  fi
  job_values=()
  while IFS=$'\\t' read -r path value; do
    [ -z "$path" ] || [ -n "\${job_values["$path"]+set}" ] || job_values["$path"]=$value
  done <<< "$job"
  problems=
${jobOptionCalls()}
  if [ -z "$problems" ]; then pass "$1" "$2"; else fail "$1" "$2" "pvesh get /cluster/backup/$3: \${problems#; }"; fi
}`;

/** The first and last VLAN id of a word of a VLAN list: an id ("10") or a range ("10-20"). */
export function vidBounds(word: string): [number, number] {
  const [from, to = from] = word.split('-').map(Number);
  return [from!, to!];
}

/** The VLAN ids a list of ids and ranges holds. */
export function vidIds(vids: readonly string[]): Set<number> {
  const ids = new Set<number>();
  for (const v of vids) {
    const [from, to] = vidBounds(v);
    for (let i = from; i <= to; i++) ids.add(i);
  }
  return ids;
}

/** VLAN ids as sorted, merged ranges: how the script's vid_ranges writes what `bridge -compressvlans vlan show` prints. */
export function compressVids(vids: readonly string[]): string {
  const sorted = [...vidIds(vids)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(' ');
}

function bridgeChecks(host: Host, declared: Declared): string[] {
  const out: string[] = [];
  for (const bridge of host.bridges) {
    const where = declared(bridge.path);
    const name = ifname(bridge.name);
    const address = bridge.address !== undefined ? `${ipv4(bridge.address)}/${bridge.prefix}` : '';
    if (bridge.addressVlan !== undefined) {
      // The address is on the bridge's VLAN device; the bridge itself has none.
      const device = ifname(addressInterface(bridge));
      out.push(call('bridge_check', `${name} is an up bridge with no address`, where, [name, '']));
      const carried = bridge.vlanAware ? `, which ${name} carries itself` : '';
      out.push(
        call('vlan_device_check', `${device} is VLAN ${bridge.addressVlan} of ${name}${carried}, up with exactly the address ${address}`, where, [
          device,
          name,
          bridge.addressVlan,
          address,
          bridge.vlanAware ? 1 : 0,
        ]),
      );
    } else {
      out.push(call('bridge_check', `${name} is an up bridge with ${address ? `exactly the address ${address}` : 'no address'}`, where, [name, address]));
    }
    if (bridge.ports.length) out.push(call('ports_check', `${name} bridges ${bridge.ports.join(', ')}`, where, [name, ...bridge.ports.map(ifname)]));
    if (bridge.mtu !== undefined) out.push(call('mtu_check', `${name} and its ports have MTU ${bridge.mtu}`, where, [bridge.mtu, name, ...bridge.ports.map(ifname)]));
    const vids = compressVids(bridge.vids);
    const what = bridge.vlanAware
      ? `${name} is VLAN-aware${bridge.ports.length ? `, its ports carry exactly VLANs ${vids} tagged and VLAN 1 untagged` : ''}`
      : `${name} is not VLAN-aware`;
    out.push(call('vlan_check', what, where, [name, bridge.vlanAware ? 1 : 0, vids, ...(bridge.vlanAware ? bridge.ports.map(ifname) : [])]));
  }
  for (const nic of host.nics) {
    if (nic.address === undefined) continue;
    const where = declared(nic.path);
    const name = ifname(nic.name);
    const address = `${ipv4(nic.address)}/${nic.prefix}`;
    out.push(call('nic_check', `${name} is up, in no bridge, with exactly the address ${address}`, where, [name, address]));
    if (nic.mtu !== undefined) out.push(call('mtu_check', `${name} has MTU ${nic.mtu}`, where, [nic.mtu, name]));
  }
  for (const bond of bondStanzas(host)) {
    const where = declared(host.bonds.find((b) => b.name === bond.name)!.path);
    const policy = bond.xmitHashPolicy !== undefined ? `, xmit_hash_policy ${bond.xmitHashPolicy}` : '';
    // The slave an active-backup bond prefers (ifupdown2 sets IFLA_BOND_PRIMARY from bond-primary; ip -d shows "primary NAME").
    const primary = bond.primary !== undefined ? `, primary ${bond.primary}` : '';
    out.push(call('bond_check', `${bond.name} is an up bond in mode ${bond.mode}${policy} of exactly ${bond.slaves}${primary}`, where, [bond.name, bond.mode, bond.slaves, bond.xmitHashPolicy ?? '', bond.primary ?? '']));
    if (bond.address !== undefined) out.push(call('nic_check', `${bond.name} is up, in no bridge, with exactly the address ${bond.address}`, where, [bond.name, bond.address]));
    if (bond.mtu !== undefined) out.push(call('mtu_check', `${bond.name} and its slaves have MTU ${bond.mtu}`, where, [bond.mtu, bond.name, ...bond.slaves.split(' ')]));
  }
  return out;
}

/** The node name resolves, as pmxcfs resolves it, to one of the host's addresses (targets/proxmox/node-name.ts). */
function nodeNameChecks(host: Host, declared: Declared): string[] {
  const address = nodeNameAddress(host);
  if (address === undefined) return [];
  const all = hostAddresses(host);
  return [call('node_name_check', `node name ${host.name} resolves to an address of the host (pmxcfs's node address)`, declared(host.path), [host.name, all.map(ipv4).join(' '), ipv4(address)])];
}

function routeChecks(model: Model, host: Host, declared: Declared): string[] {
  const networks = new Map(model.networks.map((n) => [n.id, n]));
  // The device a route leaves by: the bridge, or its VLAN device that holds the address.
  const deviceOf = (name: string) => ifname(addressInterface(host.bridges.find((b) => b.name === name) ?? { name }));
  const out: string[] = [];
  if (host.defaultGateway) {
    const bridge = host.bridges.find((b) => b.name === host.defaultGateway!.bridge);
    const device = deviceOf(host.defaultGateway.bridge);
    out.push(call('default_route_check', `the default route goes via ${host.defaultGateway.address} on ${device}`, declared(bridge?.path ?? host.path), [ipv4(host.defaultGateway.address), device]));
  }
  for (const route of host.routes) {
    const network = networks.get(route.network);
    const base = network ? formatIPv4(network.block.base) : cidr(route.destination).split('/')[0]!;
    out.push(
      call(
        'route_check',
        `${cidr(route.destination)} (${network?.name ?? route.network}, behind the firewall) is routed via ${route.via} on ${deviceOf(route.bridge)}`,
        declared(network?.path ?? host.path),
        [base, ipv4(route.via), deviceOf(route.bridge)],
      ),
    );
  }
  return out;
}

/**
 * The NICs guests.sh gives the guests on this host (the firewall's VM, the
 * services' guests, the backup server's VM), from the same resolved guests.
 */
function guestChecks(site: Site, host: Host, declared: Declared): string[] {
  return site.guests
    .filter((guest) => guest.host === host.name)
    .flatMap((guest) =>
      guest.nics.flatMap((nic) => {
        if (nic.bridge === undefined) return [];
        if (guest.purpose === 'firewall') {
          // vtnetK is the K-th virtio NIC of the VM, in netN order.
          if (nic.device === undefined || !/^vtnet\d+$/.test(nic.device)) return [];
          const k = Number(nic.device.slice('vtnet'.length));
          return [call('vm_nic_check', `firewall VM ${guest.id}: ${nic.device} (${nic.interface ?? nic.label}) is on ${nic.bridge}`, declared(nic.path), [guest.id, k, ifname(nic.bridge)])];
        }
        const who = guest.purpose === 'backup-server' ? `VM ${guest.id} (backup server ${guest.name})` : `${guest.kind === 'ct' ? 'container' : 'VM'} ${guest.id} (${guest.name})`;
        // A container's address is in its config (ip=); a VM sets its own.
        const address = guest.kind === 'ct' && nic.address !== undefined ? ipv4(nic.address) : '';
        return [
          ...(guest.kind === 'ct' && guest.dns && nic.index === guest.nics[0]!.index
            ? [call('guest_dns_check', `container ${guest.id} (${guest.name}) resolves through ${guest.dns.servers.join(', ')}`, declared(guest.dns.path), [guest.id, nameservers(guest.dns.servers)])]
            : []),
          call(
            'guest_nic_check',
            `${who} has a NIC on ${nic.bridge}${nic.tag !== undefined ? ` tagged ${nic.tag}` : ''}${address ? ` with ${address}` : ''}`,
            declared(nic.path),
            [guest.kind === 'ct' ? 'pct' : 'qm', guest.id, ifname(nic.bridge), nic.tag ?? '', address],
          ),
        ];
      }),
    );
}

/** What the job backs up, and when, as the check names it. */
function jobText(job: PveBackupJob, backup: PbsBackup): string {
  return `backup job ${job.id} (${job.enabled ? 'enabled' : 'disabled'}, ${job.mode} mode) backs up ${selectionText(job)} to ${backup.pveStorage} on schedule ${job.schedule}, as backup-jobs.sh sets it`;
}

/**
 * backup_job_check's expected values: the options backup-jobs.sh sets (jobOptions), as json_flat decodes pvesh's
 * JSON (the topology has no control characters there, which it would keep escaped), '' for one it unsets.
 */
function jobExpected(job: PveBackupJob, backup: PbsBackup): string[] {
  const options = new Map(jobOptions(job, backup).set);
  // In backup_job_check's order; an option backup-jobs.sh leaves unset (all and repeat-missed when off) as Proxmox VE reads it absent.
  return BACKUP_JOB_OPTIONS.map((o) => options.get(o.key) || o.absent);
}

function storageChecks(site: Site, declared: Declared): string[] {
  if (!site.backup) return [];
  const backup = site.backup;
  return [
    call('storage_check', `the backup storage ${backup.pveStorage} is active`, declared(backup.path), [backup.pveStorage]),
    // Without a job Proxmox VE backs up nothing to the storage (pve-manager PVE/API2/Backup.pm, /cluster/backup).
    // A $ or ` in a comment or notes template is text, single-quoted on purpose.
    ...backup.jobs.map((job) => `# shellcheck disable=SC2016\n  ${call('backup_job_check', jobText(job, backup), declared(job.path), [job.id].concat(jobExpected(job, backup)))}`),
  ];
}

export function proxmoxScriptName(host: Host): string {
  return `proxmox-${host.name}.sh`;
}

export function proxmoxScript(model: Model, site: Site, host: Host, declared: Declared): string {
  const checks = [...bridgeChecks(host, declared), ...nodeNameChecks(host, declared), ...routeChecks(model, host, declared), ...guestChecks(site, host, declared), ...storageChecks(site, declared)];
  return renderScript({
    shell: 'bash',
    box: `Proxmox VE host ${host.name}`,
    site: site.name,
    source: model.source?.file ?? 'the topology',
    file: proxmoxScriptName(host),
    where: 'Run it on the host as root:',
    functions: FUNCTIONS,
    checks,
  });
}
