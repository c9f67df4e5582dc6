#!/usr/bin/env bash
# Bring a Proxmox-style /etc/network/interfaces up with ifupdown2 inside a
# User-Mode-Linux guest (Debian kernel 6.1 with bridge VLAN filtering, 8021q,
# dummy), then dump links, routes and `bridge vlan` to OUTDIR, and where the
# kernel routes each PROBE address (`ip route get`) to route-get.txt. The host
# kernel lacks VLAN filtering and dummy devices, hence the guest. The guest
# has no network device connected to anything, and sees the host's / read-only.
# Host packages: user-mode-linux kmod ifupdown2 bridge-utils iproute2
# Usage: uml-ifupdown2.sh INTERFACES_FILE OUTDIR [PROBE_ADDRESS...]
# Exits 0 only if ifup and `ifquery --check` pass without any message (after
# one more `ifup -a` where the first lost a race inside ifupdown2: see
# ifupdown2-race.sh; the output then begins with what that run printed, and
# a VLAN device whose bridge still lacks its VID fails the bring-up).
# With PEER=PORT,TAG,ADDRESS/PREFIX in the environment, bridge port PORT is
# one end of a veth pair instead of a dummy; the other end, in its own
# network namespace, carries VLAN TAG with ADDRESS (the firewall's VLAN
# device, as OPNsense has it on its NIC), and the guest pings ADDRESS after
# the bring-up into ping.txt/ping.rc.
# With VERIFY=SCRIPT in the environment, the guest also runs that host
# verification script (bash) after the bring-up, with VERIFY_STUBS (a
# directory of stand-ins for commands the guest lacks, e.g. qm) first in
# PATH, into verify-0.out/.rc; then, for each line of the file VERIFY_DRIFTS,
# runs the line as a command and the script again (verify-1, verify-2, ...).
# With ETCNET=NODE in the environment, the file is the guest's writable
# /etc/network/interfaces and the guest's host name is NODE (see below).
# UML_TIMEOUT (seconds, 600 by default) bounds the guest's whole run: a guest
# spends most of its time in ptrace system calls, whose cost differs
# between hosts and grows with the guests and tests running beside it.
# With IFDOWN=1 in the environment, the guest ends with `ifdown -a` into
# ifdown.log/.rc and the routing table after it into route-after-down.txt
# (a run of ifupdown2 costs a guest about 2 s: only where it is asked).
# With HOSTS=FILE in the environment, a writable copy of FILE is the guest's
# /etc/hosts, which getent (getaddrinfo) reads: the node name resolves there.
# With IFUPDOWN2_TREE=DIR (a tree ifupdown2-pve-tree.sh built), the guest
# runs that ifupdown2 with its configuration and policy files, not Debian's.
set -euo pipefail
FILE=$(readlink -f "$1"); mkdir -p "$2"; OUT=$(readlink -f "$2"); rm -f "$OUT"/*
shift 2
for a in "$@"; do [[ $a =~ ^[0-9.]+$ ]] || { echo "not an IPv4 address: $a"; exit 2; }; done
PROBES=$(IFS=,; echo "$*")
# The guest's kernel boots in about 1.3 s instead of 2.1 with the arguments of uml-boot-args (read by
# the probe of test/system-tools.ts too): it makes none of the 256 legacy BSD ptys (/dev/ptyXX, which
# nothing in the guest opens: 0.8 s of its boot, pty_init) and does not set up zswap's pool for a swap
# it has none of (0.15 s). Seen with initcall_debug.
read -ra UML_BOOT < "$(dirname "$0")/uml-boot-args"
CONF=$(mktemp /tmp/ifupdown2-pve.XXXXXX)
TREE=${IFUPDOWN2_TREE:+$(readlink -f "$IFUPDOWN2_TREE")}
# shellcheck disable=SC1091 # ifupdown2-conf.sh, beside this script
. "$(dirname "$0")/ifupdown2-conf.sh"
ifupdown2_conf "$TREE" > "$CONF"
INIT=$(mktemp /tmp/uml-init.XXXXXX); chmod 755 "$INIT"
trap 'rm -f "$INIT" "$CONF"' EXIT
# The guest's init: the functions of ifupdown2-race.sh, then its own steps. They are written into it, as a
# path of this checkout may lie where the guest sees something else (its /dev is its own devtmpfs).
{ echo '#!/bin/sh'; cat "$(dirname "$0")/ifupdown2-race.sh"; cat <<'GUEST'
# PID 1 inside the guest; root fs = host / via hostfs, read-only.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc; mount -t sysfs sys /sys
mount -t tmpfs tmpfs /run
mkdir -p /run/in; cp "$IFFILE" /run/in/interfaces; cp "$IFCONF" /run/in/ifupdown2.conf
IFFILE=/run/in/interfaces; IFCONF=/run/in/ifupdown2.conf
[ -z "$HOSTSFILE" ] || cp "$HOSTSFILE" /run/in/hosts
if [ -n "$VERIFY" ]; then
  cp "$VERIFY" /run/in/verify.sh; VERIFY=/run/in/verify.sh
  mkdir -p /run/in/stubs; [ -z "$VSTUBS" ] || cp -r "$VSTUBS"/. /run/in/stubs/
  : > /run/in/drifts; [ -z "$VDRIFTS" ] || cp "$VDRIFTS" /run/in/drifts
fi
for d in /tmp /var/tmp /mnt; do mount -t tmpfs tmpfs $d; done
mkdir -p /mnt/lib/modules /mnt/out /run/network /var/tmp/network
ln -s /usr/lib/uml/modules/$(uname -r) /mnt/lib/modules/$(uname -r)
mount -t hostfs hostfs /mnt/out -o "$OUTDIR"
# With ETCNET=NODE, /etc/network is writable and holds the file as /etc/network/interfaces, as on a node
# (the file ifreload -a reads), and the guest's host name is NODE.
if [ -n "$ETCNET" ]; then
  cp -r /etc/network /run/in/etc-network
  mount -t tmpfs tmpfs /etc/network
  cp -r /run/in/etc-network/. /etc/network/
  mkdir -p /etc/network/interfaces.d
  cp "$IFFILE" /etc/network/interfaces; IFFILE=/etc/network/interfaces
  hostname "$ETCNET"
fi
# ifupdown2's vrf addon writes its table map there whenever an interface that has a master comes up (a
# bridge port at a second ifup -a, ifreload): writable, as on a node.
[ ! -d /etc/iproute2/rt_tables.d ] || { cp -r /etc/iproute2/rt_tables.d /run/in/rt_tables.d; mount -t tmpfs tmpfs /etc/iproute2/rt_tables.d; cp -r /run/in/rt_tables.d/. /etc/iproute2/rt_tables.d/; }
mount --bind "$IFCONF" /etc/network/ifupdown2/ifupdown2.conf
if [ -n "$TREE" ]; then
  export PATH="$TREE/sbin:$PATH" PYTHONPATH="$TREE/pylib"
  mount --bind "$TREE/etc/addons.conf" /etc/network/ifupdown2/addons.conf
  mount --bind "$TREE/policy.d" /var/lib/ifupdown2/policy.d
fi
[ -z "$HOSTSFILE" ] || mount --bind /run/in/hosts /etc/hosts
# One modprobe for all: each process costs the guest more than the host (its system calls go through ptrace).
modprobe -a -d /mnt bridge 8021q dummy veth bonding
ip link set lo up
# The node's NICs become dummy devices: every interface the file names (in a
# stanza, bridge-ports, bond-slaves, or as the raw device of a VLAN device
# NAME.VID or vlan-raw-device) that it does not make itself, as it makes
# bridges, bonds and VLAN devices.
NICS=$(awk '
  function name(n) { if (n != "none" && n != "") names[n] = 1 }
  $1 == "iface" { cur = $2; name(cur); if (cur ~ /\./) logical[cur] = 1; next }
  $1 ~ /^(bridge[-_]ports|bond[-_]slaves)$/ { logical[cur] = 1; for (i = 2; i <= NF; i++) name($i); next }
  $1 ~ /^vlan[-_](raw[-_]device|id)$/ { logical[cur] = 1; if ($1 ~ /raw/) name($2) }
  END {
    for (n in names) if (n ~ /\./) { raw = substr(n, 1, index(n, ".") - 1); logical[n] = 1; name(raw) }
    for (n in names) if (!(n in logical) && n != "lo") print n
  }' "$IFFILE" | sort)
PEER_PORT=${PEER%%,*}; PEER_REST=${PEER#*,}; PEER_TAG=${PEER_REST%%,*}; PEER_ADDR=${PEER_REST#*,}
for p in $NICS; do
  if [ -n "$PEER" ] && [ "$p" = "$PEER_PORT" ]; then
    ip netns add peer
    ip link add "$p" type veth peer name peer0 netns peer
    ip -n peer link set peer0 up
    ip -n peer link add link peer0 name peer0.$PEER_TAG type vlan id "$PEER_TAG"
    ip -n peer addr add "$PEER_ADDR" dev peer0.$PEER_TAG
    ip -n peer link set peer0.$PEER_TAG up
  else
    ip link add "$p" type dummy
  fi
done
O=/mnt/out
# Which ifupdown2 ran: the file the ifup command is.
readlink -f "$(command -v ifup)" > $O/ifup-path.txt
ifup -a -i "$IFFILE" > $O/ifup.log 2>&1; echo $? > $O/ifup.rc
# A race lost inside ifupdown2 (ifupdown2-race.sh) is no fault of the file: ifup -a runs once more, as a second
# Apply on a node would, and the first run's log and the kernel's are kept (ifup-race.log, ifup-race-dmesg.txt).
race=
if [ "$(cat $O/ifup.rc)" != 0 ]; then
  ! ifup_lost_race $O/ifup.log || race=1
else
  lost=$(lost_bridge_vids)
  [ -z "$lost" ] || { race=1; printf 'VLAN devices whose VLAN-filtering bridge lacks their VID: %s\n' "$(echo $lost)" >> $O/ifup.log; }
fi
if [ -n "$race" ]; then
  mv $O/ifup.log $O/ifup-race.log; dmesg > $O/ifup-race-dmesg.txt 2>&1
  ifup -a -i "$IFFILE" > $O/ifup.log 2>&1; echo $? > $O/ifup.rc
  # A VID still missing after the second run is no race: the bring-up fails, naming it.
  if [ "$(cat $O/ifup.rc)" = 0 ]; then
    lost=$(lost_bridge_vids)
    [ -z "$lost" ] || printf 'VLAN devices whose VLAN-filtering bridge lacks their VID, after ifup -a ran twice: %s\n' "$(echo $lost)" >> $O/ifup.log
  fi
fi
# The kernel passes a device's carrier on to the devices stacked on it (a
# VLAN device on a bridge) from its linkwatch work, up to a second later
# and longer on a busy host: a VLAN device read at once could still be
# UNKNOWN over a bridge that is UP. Wait (at most 10 s) until none is.
n=0
while [ $n -lt 100 ]; do
  pending=0
  for lower in /sys/class/net/*/lower_*; do
    [ -e "$lower" ] || continue
    dev=${lower%/lower_*}
    if [ "$(cat "$dev/operstate")" = unknown ] && [ "$(cat "$lower/operstate")" = up ]; then pending=1; fi
  done
  [ $pending = 0 ] && break
  n=$((n + 1)); sleep 0.1
done
echo "$n" > $O/settle-tenths
ip -br link > $O/links.txt
ip -j link > $O/links.json
: > $O/route-get.txt
for a in $(echo "$PROBES" | tr ',' ' '); do
  echo "$a $(ip -o route get "$a" 2>&1 | head -1)" >> $O/route-get.txt
done
if [ -n "$PEER" ]; then
  ping -c 1 -W 3 "${PEER_ADDR%/*}" > $O/ping.txt 2>&1; echo $? > $O/ping.rc
fi
ip -br addr > $O/addr.txt
ip route > $O/route.txt
ip -d -j link show type bridge > $O/bridges.json
ip -d -j link show type vlan > $O/vlans.json
ip -d -j link show type bond > $O/bonds.json
bridge -j -compressvlans vlan show > $O/bridge-vlan.json
bridge -compressvlans vlan show > $O/bridge-vlan.txt
ifquery -a -c -i "$IFFILE" > $O/ifquery-check.txt 2>&1; echo $? > $O/ifquery-check.rc
if [ -n "$VERIFY" ]; then
  n=0
  PATH=/run/in/stubs:$PATH bash "$VERIFY" > $O/verify-$n.out 2>&1; echo $? > $O/verify-$n.rc
  while IFS= read -r drift; do
    n=$((n + 1))
    sh -c "$drift" > $O/drift-$n.log 2>&1
    PATH=/run/in/stubs:$PATH bash "$VERIFY" > $O/verify-$n.out 2>&1; echo $? > $O/verify-$n.rc
  done < /run/in/drifts
fi
if [ -n "$IFDOWN" ]; then
  ifdown -a -i "$IFFILE" > $O/ifdown.log 2>&1; echo $? > $O/ifdown.rc
  ip route > $O/route-after-down.txt
fi
echo done > $O/DONE
sync; poweroff -f
GUEST
} > "$INIT"
# At most UML_SLOTS guests (by default one per core) run at once, those of every process of a test run
# together (slots are lock files in TMPDIR, which the run makes its own): a guest spends its time in
# ptrace's context switches, and more guests than cores slow each other down. Six guests at once on two
# cores took 45 s; the same six two at a time, 37 s. A slot is held until this script exits. One waiter
# at a time looks for a free slot (the others wait for the queue's lock without running): waiters that
# each looked every 0.2 s started enough processes to slow the guests down.
uml_slot() {
  local dir=${TMPDIR:-/tmp}/gen-uml-slots n=${UML_SLOTS:-$(nproc)} k queue
  mkdir -p "$dir"
  exec {queue}>> "$dir/queue"
  flock "$queue"
  while :; do
    for ((k = 0; k < n; k++)); do
      exec {UML_SLOT_FD}>> "$dir/$k"
      if flock -n "$UML_SLOT_FD"; then
        exec {queue}>&-
        return 0
      fi
      exec {UML_SLOT_FD}>&-
    done
    sleep 0.3
  done
}
uml_slot
# Kernel arguments KEY=VALUE become init's environment. UML_BOOT: the kernel's own arguments that make
# its boot shorter without changing what the guest does.
timeout "${UML_TIMEOUT:-600}" linux.uml mem=384M rootfstype=hostfs rootflags=/ ro "${UML_BOOT[@]}" init="$INIT" \
  IFFILE="$FILE" IFCONF="$CONF" TREE="$TREE" OUTDIR="$OUT" PROBES="$PROBES" PEER="${PEER:-}" IFDOWN="${IFDOWN:-}" ETCNET="${ETCNET:-}" HOSTSFILE="${HOSTS:+$(readlink -f "$HOSTS")}" VERIFY="${VERIFY:+$(readlink -f "$VERIFY")}" \
  VSTUBS="${VERIFY_STUBS:+$(readlink -f "$VERIFY_STUBS")}" VDRIFTS="${VERIFY_DRIFTS:+$(readlink -f "$VERIFY_DRIFTS")}" con0=fd:0,fd:1 con=null \
  < /dev/null > "$OUT/console.log" 2>&1 || true
[[ -f $OUT/DONE ]] || { echo "UML run failed:"; tail -20 "$OUT/console.log"; exit 2; }
if [[ -f $OUT/ifup-race.log ]]; then
  echo "ifup -a ran twice: ifupdown2 lost the race of its netlink cache the first time (ifupdown2-race.sh), which printed:"
  cat "$OUT/ifup-race.log"
fi
echo "ifup rc=$(cat "$OUT/ifup.rc")  ifquery --check rc=$(cat "$OUT/ifquery-check.rc")"
cat "$OUT/ifup.log"
# The Debian ifupdown2 warns about `bridge-ports none`, which Proxmox VE writes itself.
grep -v 'bridge-ports: invalid value "none"' "$OUT/ifup.log" > "$OUT/ifup-problems.log" || true
[[ $(cat "$OUT/ifup.rc") == 0 && $(cat "$OUT/ifquery-check.rc") == 0 && ! -s $OUT/ifup-problems.log ]]
