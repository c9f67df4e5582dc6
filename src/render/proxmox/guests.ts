// guests.sh per Proxmox host: idempotent qm/pct commands that set exactly
// what the topology determines on each VM and container (NICs with pinned
// MACs, a container's DNS servers, cores, memory, onboot, the first disk's
// size, the backup server's cache disk), creating a guest only where the
// topology says create, and only once every guest's preconditions hold (one
// run, all or nothing). Beside it,
// qemu-server/<id>.conf and lxc/<id>.conf hold the same settings as the
// lines Proxmox writes into /etc/pve, for review.
import type { Guest, Host, Model } from '../../model.js';
import { cores, diskSize, dnsName, flag, isVmid, lxcNet, memory, nameservers, netKey, newDisk, qmNet, volume } from '../../targets/proxmox/guest-formats.js';
import { scriptHead, shellComment, shellWord } from '../shell.js';
import type { OutputFiles } from '../target.js';
import { appendAll } from '../../arrays.js';

/** The shell functions guests.sh runs on: `qm config`/`pct config` print `key: value` lines, pending values included. */
const FUNCTIONS = [
  '# The value of a config key, "" when unset.',
  'current() {',
  '  "$1" config "$2" | sed -n "s/^$3: //p"',
  '}',
  '',
  'exists() {',
  '  "$1" config "$2" >/dev/null 2>&1',
  '}',
  '',
  '# holder ID: the guest that has the id anywhere in the cluster ("CT 200 on node pve2"), "" when none.',
  '# shellcheck disable=SC2016 # the $ are Perl\'s',
  'holder() {',
  '  pvesh get /cluster/resources --type vm --output-format json |',
  '    perl -MJSON::PP -e \'printf("%s %s on node %s\\n", $_->{type} eq "lxc" ? "CT" : "VM", $_->{vmid}, $_->{node}) for grep { $_->{vmid} == $ARGV[0] } @{ decode_json(join("", <STDIN>)) }\' "$1"',
  '}',
  '',
  '# Every guest is checked before any is changed: guests() runs twice, with phase=check (it only looks,',
  '# and notes each precondition that does not hold), then, when all hold, with phase=apply. A guest',
  '# already changed when a later one turns out to be missing, foreign or running would be half a topology.',
  'phase=check',
  'problems=()',
  '',
  '# problem MESSAGE: a precondition that does not hold. When applying (the node changed since the',
  '# check), stop at once.',
  'problem() {',
  '  if [ "$phase" = apply ]; then',
  '    echo "guests.sh: $1" >&2',
  '    exit 1',
  '  fi',
  '  problems+=("$1")',
  '}',
  '',
  '# guest qm|pct ID WHAT [KEY NAME]: start on a guest; skip=1 when there is nothing to look at or change',
  '# on it. Ids are cluster-wide (qm create and pct create refuse a taken one), and qm config / pct config',
  '# read only this node\'s guests of their kind: a missing guest may be another node\'s or kind\'s. One the',
  '# topology does not create (no KEY NAME) must exist. One it creates (its name is NAME, KEY name or',
  '# hostname) is that guest only while it has that name: another guest at its id (taken by hand, or by',
  '# Proxmox\'s next free id) is not changed, its NICs, memory and disk are not the topology\'s to set.',
  'guest() {',
  '  local held now kind=VM',
  '  skip=1',
  '  [ "$1" = pct ] && kind=CT',
  '  if exists "$1" "$2"; then',
  '    if [ -n "${4:-}" ]; then',
  '      now=$(current "$1" "$2" "$4")',
  '      if [ "$now" != "$5" ]; then',
  '        problem "$kind $2 is ${now:-(unnamed)}, not $5: another guest has the id the topology creates $5 at, and guests.sh changes nothing on it. Give $5 a free id in the topology; or, if this is $5, rename it ($1 set $2 --$4 $5)."',
  '        return',
  '      fi',
  '    fi',
  '    skip=0',
  '    return',
  '  fi',
  '  held=$(holder "$2")',
  '  if [ -n "$held" ]; then',
  '    problem "$3 is not on node $node: id $2 is $held. Give the topology that guest\'s node (host) and kind (vm or container), or a free id."',
  '  elif [ -z "${4:-}" ]; then',
  '    problem "$3 does not exist on node $node: create it, or set create: true for it in the topology"',
  '  fi',
  '}',
  '',
  '# ensure qm|pct ID KEY VALUE: set KEY to VALUE when it differs.',
  'ensure() {',
  '  local now',
  '  [ "$phase" = check ] && return',
  '  now=$(current "$1" "$2" "$3")',
  '  if [ "$now" = "$4" ]; then',
  '    echo "$1 $2: $3 unchanged"',
  '    return',
  '  fi',
  '  echo "$1 $2: $3: ${now:-(unset)} -> $4"',
  '  "$1" set "$2" "--$3" "$4"',
  '}',
  '',
  '# nic_merge qm|pct NOW WANT "KEYS": WANT, then the properties of the NIC as it is (NOW) that gen does',
  '# not manage (KEYS, and a VM\'s model=MAC): multiqueue, MTU, a rate, a service guest\'s Proxmox',
  '# firewall stay as they are. A MAC that differs only in case is the NIC\'s own: Proxmox compares',
  '# the text, and a new spelling would re-plug the NIC.',
  'nic_merge() {',
  '  local out=$3 item key first=1 want',
  '  local -a items',
  '  IFS=, read -r -a items <<<"$2"',
  '  for item in "${items[@]}"; do',
  '    key=${item%%=*}',
  '    if [ "$1" = qm ] && [ "$first" = 1 ]; then',
  '      first=0',
  '      want=${3%%,*}',
  '      [ "${item,,}" = "${want,,}" ] && out="$item${3#"$want"}"',
  '      continue',
  '    fi',
  '    first=0',
  '    if [ "$key" = hwaddr ]; then',
  '      want=hwaddr=$(prop hwaddr "$3")',
  '      [ "${item,,}" = "${want,,}" ] && out=${out/"$want"/"$item"}',
  '      continue',
  '    fi',
  '    case " $4 " in *" $key "*) continue ;; esac',
  '    case ",$3," in *",$key="*) continue ;; esac',
  '    out="$out,$item"',
  '  done',
  '  printf \'%s\\n\' "$out"',
  '}',
  '',
  '# prop KEY VALUE: one property of a NIC value.',
  'prop() {',
  '  tr , \'\\n\' <<<"$2" | sed -n "s/^$1=//p"',
  '}',
  '',
  '# The same properties, in any order (Proxmox prints them sorted).',
  'same_nic() {',
  '  [ "$(tr , \'\\n\' <<<"$1" | sort)" = "$(tr , \'\\n\' <<<"$2" | sort)" ]',
  '}',
  '',
  '# Whether setting NEW over OLD makes Proxmox unplug the NIC of a running guest: a VM\'s model or MAC',
  '# (qemu-server vmconfig_update_net; multiqueue and MTU stay as they are), or a VM NIC without a',
  '# bridge (user-mode networking) that gets one; a container\'s MAC or name (pve-container update_net',
  '# deletes the veth).',
  'replugs() {',
  '  if [ "$1" = qm ]; then',
  '    [ "${2%%,*}" != "${3%%,*}" ] || [ -z "$(prop bridge "$2")" ]',
  '  else',
  '    [ "$(prop hwaddr "$2")" != "$(prop hwaddr "$3")" ] || [ "$(prop name "$2")" != "$(prop name "$3")" ]',
  '  fi',
  '}',
  '',
  '# ensure_nic qm|pct ID KEY WANT "KEYS": set the NIC to WANT, keeping what gen does not manage. A change',
  '# that would unplug the NIC of a guest that is not stopped (running, paused) is a problem: the firewall',
  '# would lose an interface, a service its connections.',
  'ensure_nic() {',
  '  local now value status kind=VM',
  '  [ "$skip" = 1 ] && return',
  '  now=$(current "$1" "$2" "$3")',
  '  value=$(nic_merge "$1" "$now" "$4" "$5")',
  '  if [ -n "$now" ] && same_nic "$now" "$value"; then',
  '    [ "$phase" = check ] || echo "$1 $2: $3 unchanged"',
  '    return',
  '  fi',
  '  status=$("$1" status "$2")',
  '  if [ -n "$now" ] && [ "$status" != "status: stopped" ] && replugs "$1" "$now" "$value"; then',
  '    [ "$1" = pct ] && kind=CT',
  '    problem "$kind $2 is ${status#status: } and $3 changes $now to $value: Proxmox would unplug the NIC from the running guest. Shut it down ($1 shutdown $2) and run guests.sh again."',
  '    return',
  '  fi',
  '  [ "$phase" = check ] && return',
  '  echo "$1 $2: $3: ${now:-(unset)} -> $value"',
  '  "$1" set "$2" "--$3" "$value"',
  '}',
  '',
  '# others qm|pct ID "net0 net1": NICs the topology does not know are reported, never changed.',
  'others() {',
  '  local key',
  '  [ "$phase" = check ] && return',
  '  for key in $("$1" config "$2" | sed -n "s/^\\(net[0-9]*\\): .*/\\1/p"); do',
  '    case " $3 " in',
  '      *" $key "*) ;;',
  '      *) echo "$1 $2: $key is not in the topology: left as it is" ;;',
  '    esac',
  '  done',
  '}',
  '',
  '# grow qm|pct ID DISK GIB: grow the disk to GIB GiB when it is smaller. Proxmox cannot shrink a',
  '# disk, and `qm set scsi0 STORAGE:SIZE` would allocate a new one: resizing is the only way.',
  '# disk_bytes qm|pct ID DISK: the size Proxmox records for the disk, in bytes (size and unit set too).',
  'disk_bytes() {',
  '  local line',
  '  line=$(current "$1" "$2" "$3")',
  '  [[ $line =~ (^|,)size=([0-9]+)([KMGT]?)(,|$) ]] || return 1',
  '  size=${BASH_REMATCH[2]}',
  '  unit=${BASH_REMATCH[3]}',
  '  case $unit in',
  '    K) bytes=$((size << 10)) ;;',
  '    M) bytes=$((size << 20)) ;;',
  '    G) bytes=$((size << 30)) ;;',
  '    T) bytes=$((size << 40)) ;;',
  '    *) bytes=$size ;;',
  '  esac',
  '}',
  '',
  'grow() {',
  '  local size unit bytes want',
  '  [ "$phase" = check ] && return',
  '  if ! disk_bytes "$1" "$2" "$3"; then',
  '    echo "$1 $2: no disk $3 with a size: disk size left alone"',
  '    return',
  '  fi',
  '  want=$(($4 << 30))',
  '  if [ "$bytes" -lt "$want" ]; then',
  '    echo "$1 $2: $3 ${size}${unit} -> $4G"',
  '    if [ "$1" = qm ]; then qm disk resize "$2" "$3" "$4G"; else pct resize "$2" "$3" "$4G"; fi',
  '    # qm exits 0 even when the resize failed (a lock held by a backup): the size it records tells.',
  '    if ! disk_bytes "$1" "$2" "$3" || [ "$bytes" -lt "$want" ]; then',
  '      echo "guests.sh: $1 $2: $3 is still ${size}${unit} after the resize to $4G: see the message above (a backup holding the lock?), then run guests.sh again" >&2',
  '      exit 1',
  '    fi',
  '  elif [ "$bytes" -gt "$want" ]; then',
  '    echo "$1 $2: $3 is ${size}${unit}, more than $4G: left as it is (Proxmox cannot shrink a disk)"',
  '  else',
  '    echo "$1 $2: $3 size unchanged"',
  '  fi',
  '}',
  '',
];

/** Only in the scripts of a node where gen creates a guest from an installer ISO or a container template. */
const NEED_VOLUME = [
  '# need_volume WHAT STORAGE CONTENT VOLUME KIND: creating WHAT reads VOLUME (its installer ISO, its container',
  '# template). qm create and pct create fail on a missing one only once they run, in the apply phase, after',
  '# the guests before it were changed; so it must be where Proxmox lists that content: on storage STORAGE',
  '# of this node, among its CONTENT volumes (pvesm list STORAGE --content CONTENT).',
  '# shellcheck disable=SC2016 # the $ are Perl\'s',
  'need_volume() {',
  '  local listing',
  '  if ! listing=$(pvesh get "/nodes/$node/storage/$2/content" --content "$3" --output-format json 2>&1); then',
  '    problem "$1 cannot be created: the $5s of storage $2 on node $node cannot be listed: ${listing//$\'\\n\'/ }"',
  '  elif ! perl -MJSON::PP -e \'exit(!grep { $_->{volid} eq $ARGV[0] } @{ decode_json(join("", <STDIN>)) })\' "$4" <<<"$listing"; then',
  '    problem "$1 cannot be created: storage $2 on node $node has no $5 $4 (pvesm list $2 --content $3). Put it there (a storage with content $3), or name one it has in the topology."',
  '  fi',
  '}',
  '',
];

/** Only in the scripts of a node with a guest that has a second disk gen adds (the backup server's datastore cache). */
const ADD_DISK = [
  '# add_disk qm ID DISK NEW GIB: give the VM the disk when it has none there (NEW is STORAGE:GIB, the form',
  '# for which qemu-server allocates a new volume), else grow it to GIB. A disk there is never replaced.',
  'add_disk() {',
  '  [ "$phase" = check ] && return',
  '  if [ -z "$(current "$1" "$2" "$3")" ]; then',
  '    echo "$1 $2: $3: (unset) -> new disk $4"',
  '    "$1" set "$2" "--$3" "$4"',
  '    return',
  '  fi',
  '  grow "$1" "$2" "$3" "$5"',
  '}',
  '',
];

export function guestsPath(site: string, host: string): string {
  return `${site}/proxmox/${host}/guests.sh`;
}

function label(guest: Guest): string {
  const what = {
    firewall: `the firewall ${guest.name}: netN is vtnetN inside it`,
    service: `service ${guest.name}`,
    'backup-server': `the Proxmox Backup Server ${guest.name}`,
  }[guest.purpose];
  return `${guest.kind === 'vm' ? 'VM' : 'CT'} ${guest.id}: ${what}`;
}

/** "VM 102 (opnsense)" */
function what(guest: Guest): string {
  return `${guest.kind === 'vm' ? 'VM' : 'CT'} ${guest.id} (${guest.name})`;
}

/** The settings gen owns on a guest, as config key → value in Proxmox's printed form. */
export function guestSettings(guest: Guest): [string, string][] {
  const settings: [string, string][] = [];
  if (guest.cores !== undefined) settings.push(['cores', cores(guest.cores)]);
  if (guest.memoryMb !== undefined) settings.push(['memory', memory(guest.memoryMb)]);
  for (const nic of guest.nics) {
    const value =
      guest.kind === 'vm'
        ? qmNet({ mac: nic.mac, bridge: nic.bridge!, tag: nic.tag, firewall: nic.firewall })
        : lxcNet({ name: 'eth0', mac: nic.mac, bridge: nic.bridge!, ip: `${nic.address}/${nic.prefix}`, gateway: nic.gateway, tag: nic.tag });
    settings.push([netKey(nic.index), value]);
  }
  // Without nameserver, pve-container writes the host's resolvers into the container at every start (Setup/Base.pm lookup_dns_conf).
  if (guest.kind === 'ct' && guest.dns) settings.push(['nameserver', nameservers(guest.dns.servers)]);
  if (guest.onboot !== undefined) settings.push(['onboot', flag(guest.onboot)]);
  return settings;
}

const NEW_VM_CPU = 'x86-64-v2-AES';
const NEW_CT_FEATURES = 'nesting=1';

/** The volume a guest is created from: a VM's installer ISO (ide2), a container's template. */
function sourceVolume(guest: Guest): { storage: string; content: 'iso' | 'vztmpl'; volume: string; kind: string } | undefined {
  const [content, value, kind] = guest.kind === 'vm' ? (['iso', guest.iso, 'ISO image'] as const) : (['vztmpl', guest.template, 'container template'] as const);
  if (value === undefined) return undefined;
  const volid = volume(value, content);
  return { storage: volid.slice(0, volid.indexOf(':')), content, volume: volid, kind };
}

/**
 * A new VM's drives as `qm create` gets them: the system disk, the second
 * disk, and the installer ISO, which qemu-server takes only as a CD-ROM
 * (API2/Qemu.pm: "explicit 'media=cdrom' is required for iso images").
 */
export function createDrives(guest: Guest): [string, string][] {
  const drives: [string, string][] = [['scsi0', newDisk(guest.storage, guest.diskGb!)]];
  if (guest.dataDisk) drives.push([guest.dataDisk.key, newDisk(guest.storage, guest.dataDisk.gb)]);
  if (guest.iso !== undefined) drives.push(['ide2', `${volume(guest.iso, 'iso')},media=cdrom`]);
  return drives;
}

/** The create command: only what creating needs; the settings follow with ensure. */
function createLines(guest: Guest, node: string): string[] {
  const id = String(guest.id);
  const size = newDisk(guest.storage, guest.diskGb!);
  const command =
    guest.kind === 'vm'
      ? [
          // The CPU type the web GUI gives a new VM (pve-manager Architecture.js): kvm64, the default without it, has no AES.
          'qm create', id, `--name ${shellWord(dnsName(guest.name))}`, `--ostype ${shellWord(guest.ostype ?? 'l26')}`, `--cpu ${shellWord(NEW_VM_CPU)}`,
          `--scsihw ${shellWord('virtio-scsi-single')}`,
          ...createDrives(guest).map(([key, value]) => `--${key} ${shellWord(value)}`),
        ]
      : // Nesting, as the web GUI sets for an unprivileged container (CreateWizard.js): systemd 241 and later needs it
        // (pve-container Setup/Base.pm check_systemd_nesting warns at every start without it).
        // Its DNS servers too: the first resolv.conf (post_create_hook) is then already theirs, not the host's.
        [
          'pct create', id, shellWord(volume(guest.template!, 'vztmpl')), `--hostname ${shellWord(dnsName(guest.name))}`, `--rootfs ${shellWord(size)}`, '--unprivileged 1', `--features ${shellWord(NEW_CT_FEATURES)}`,
          ...(guest.dns ? [`--nameserver ${shellWord(nameservers(guest.dns.servers))}`] : []),
        ];
  const tool = guest.kind === 'vm' ? 'qm' : 'pct';
  const name = shellWord(dnsName(guest.name));
  const source = sourceVolume(guest);
  return [
    ...(source ? [`exists ${tool} ${id} || need_volume ${shellWord(what(guest))} ${shellWord(source.storage)} ${source.content} ${shellWord(source.volume)} ${shellWord(source.kind)}`] : []),
    // The check phase found the id free (guest); qm create and pct create refuse a taken one all the same.
    `if [ "$phase" = apply ] && ! exists ${tool} ${id}; then`,
    `  echo ${shellWord(`${tool} ${id}: create on node ${node}`)}`,
    `  ${command.join(' ')}`,
    'fi',
    `guest ${tool} ${id} ${shellWord(what(guest))} ${guest.kind === 'vm' ? 'name' : 'hostname'} ${name}`,
  ];
}

/**
 * The NIC properties gen decides (besides a VM's model=MAC): the rest of a
 * NIC as the node has it stays (multiqueue, MTU, a rate, IPv6, and the
 * Proxmox firewall of a service guest, which gen leaves to the operator;
 * the firewall VM's is gen's: off).
 */
function managedNicKeys(guest: Guest, nic: Guest['nics'][number]): string[] {
  if (guest.kind === 'ct') return ['name', 'hwaddr', 'bridge', 'ip', 'gw', 'tag', 'type'];
  return ['bridge', 'tag', ...(nic.firewall !== undefined ? ['firewall'] : [])];
}

function guestLines(guest: Guest, node: string): string[] {
  if (!isVmid(guest.id)) throw new Error(`guest id ${guest.id} is not a Proxmox VM id`);
  const tool = guest.kind === 'vm' ? 'qm' : 'pct';
  const id = String(guest.id);
  const lines = [`# ${shellComment(label(guest))}`];
  if (guest.create) appendAll(lines, createLines(guest, node));
  else lines.push(`guest ${tool} ${id} ${shellWord(what(guest))}`);
  for (const [key, value] of guestSettings(guest)) {
    const nic = guest.nics.find((n) => `net${n.index}` === key);
    const comment = nic ? `  # ${shellComment([nic.label, nic.device].filter(Boolean).join(', '))}` : '';
    const managed = nic ? ` ${shellWord(managedNicKeys(guest, nic).join(' '))}` : '';
    lines.push(`${key.startsWith('net') ? 'ensure_nic' : 'ensure'} ${tool} ${id} ${key} ${shellWord(value)}${managed}${comment}`);
  }
  if (guest.diskGb !== undefined) {
    diskSize(guest.diskGb);
    lines.push(`grow ${tool} ${id} ${guest.kind === 'vm' ? 'scsi0' : 'rootfs'} ${guest.diskGb}`);
  }
  if (guest.dataDisk) {
    const disk = guest.dataDisk;
    diskSize(disk.gb);
    lines.push(`add_disk ${tool} ${id} ${shellWord(disk.key)} ${shellWord(newDisk(guest.storage, disk.gb))} ${disk.gb}  # ${shellComment(disk.what)}`);
  }
  lines.push(`others ${tool} ${id} ${shellWord(guest.nics.map((n) => `net${n.index}`).join(' '))}`, '');
  return lines;
}

export function guestsScript(site: string, host: Host, guests: readonly Guest[]): string {
  const node = host.name;
  const notes = guests.flatMap((g) => g.notes.map((note) => `echo ${shellWord(`${g.kind === 'vm' ? 'VM' : 'CT'} ${g.id} (${g.name}): ${note}`)}`));
  return [
    ...scriptHead(`The guests of Proxmox VE node ${node} (site ${site}), generated by gen from the topology.`, [
      `Review it, then run it as root on node ${node}. It sets what the topology determines on each guest`,
      'and prints every change; run again, it changes nothing. A missing guest is created only where the',
      'topology says create: true. It first checks every guest, and changes nothing while one is missing,',
      'foreign or would lose a NIC while running. qemu-server/<id>.conf and lxc/<id>.conf show the same settings.',
    ]),
    'node=$(uname -n)',
    'node=${node%%.*}',
    `if [ "$node" != ${shellWord(node)} ]; then`,
    `  echo ${shellWord(`guests.sh: this script is for node ${node}, not`)} "$node" >&2`,
    '  exit 1',
    'fi',
    '',
    ...FUNCTIONS,
    ...(guests.some((g) => g.create && sourceVolume(g)) ? NEED_VOLUME : []),
    ...(guests.some((g) => g.dataDisk) ? ADD_DISK : []),
    '# Every guest of the node, in the phase $phase.',
    'guests() {',
    ...guests
      .flatMap((g) => guestLines(g, node))
      .slice(0, -1)
      .map((line) => (line === '' ? '' : `  ${line}`)),
    '}',
    '',
    'guests',
    'if [ ${#problems[@]} -gt 0 ]; then',
    `  printf 'guests.sh: %s\\n' "\${problems[@]}" >&2`,
    '  echo "guests.sh: nothing changed: ${#problems[@]} problem(s) above; run guests.sh again once they are solved." >&2',
    '  exit 1',
    'fi',
    'phase=apply',
    'guests',
    ...notes,
    '',
  ]
    .join('\n')
    .replace(/\n\n+$/, '\n');
}

/** The review file: the lines gen's settings give in /etc/pve/qemu-server/<id>.conf or /etc/pve/lxc/<id>.conf, sorted as Proxmox writes them. */
export function guestConfig(guest: Guest): string {
  const settings = guestSettings(guest);
  if (guest.create) {
    if (guest.kind === 'vm') settings.push(['name', dnsName(guest.name)], ['ostype', guest.ostype ?? 'l26'], ['cpu', NEW_VM_CPU], ['scsihw', 'virtio-scsi-single']);
    else settings.push(['hostname', dnsName(guest.name)], ['unprivileged', '1'], ['features', NEW_CT_FEATURES]);
  }
  return settings
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}: ${value}\n`)
    .join('');
}

export function renderGuests(model: Model, files: OutputFiles): void {
  for (const site of model.sites) {
    for (const host of site.hosts) {
      const guests = site.guests.filter((g) => g.host === host.name).sort((a, b) => a.id - b.id);
      if (guests.length === 0) continue;
      files.set(guestsPath(site.name, host.name), guestsScript(site.name, host, guests));
      for (const guest of guests) files.set(`${site.name}/proxmox/${host.name}/${guest.kind === 'vm' ? 'qemu-server' : 'lxc'}/${guest.id}.conf`, guestConfig(guest));
    }
  }
}
