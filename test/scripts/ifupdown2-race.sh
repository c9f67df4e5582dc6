# shellcheck shell=sh
# ifup_lost_race LOG: whether LOG, what a failed `ifup -a` printed, holds
# nothing but the error of a race inside ifupdown2 3.3.0 (Proxmox VE 9's),
# one line pair per VLAN device on a VLAN-aware bridge:
#   error: vmbr2.10: cmd '/sbin/bridge fdb replace MAC dev vmbr2 vlan 10 self' failed: returned 255 (RTNETLINK answers: Invalid argument
#   )
# ifupdown2 creates the bridge, then turns VLAN filtering on and writes that
# into its netlink cache; its listener thread then stores the kernel's
# notifications of the link as they come, each a whole new entry, so one sent
# before filtering was on can take it back out of the cache. The VLAN device's
# module asks that cache whether the bridge filters before it adds the VID to
# the bridge (addons/vlan.py _bridge_vid_add_del); the address module, a moment
# later, adds the device's MAC to the bridge's forwarding table on that VID
# (addons/address.py _process_bridge, the bridge's MAC since 3.3.0's
# process_hwaddress), which the kernel refuses for a VID the bridge lacks
# (br_fdb_add: EINVAL). It shows when the guest is starved of CPU (once, with
# the whole test suite on both cores); a second `ifup -a` (as a second Apply
# on a node) then finds the cache current. Any other line, a VID the kernel
# refused for another reason (another errno), or no such line at all, is no
# race: the caller reports the run as it is.
ifup_lost_race() {
  grep -q -E "^error: [^ ]+: cmd '/sbin/bridge fdb replace " "$1" || return 1
  ! grep -v -E \
    -e "^error: [^ ]+: cmd '/sbin/bridge fdb replace ([0-9a-f]{2}:){5}[0-9a-f]{2} dev [^ ]+ vlan [0-9]+ self ?' failed: returned 255 \(RTNETLINK answers: Invalid argument$" \
    -e '^\)$' \
    -e 'bridge-ports: invalid value "none"' \
    "$1" | grep -q .
}

# lost_bridge_vids: "BRIDGE VID" for each VLAN device on a VLAN-filtering
# bridge that does not carry the device's VID itself. Debian's ifupdown2
# (3.0.0) loses the same race without a message: it adds no forwarding entry,
# and the VID is simply not there. Read after a clean `ifup -a`; the caller
# runs it once more for such a device, as for the error above.
lost_bridge_vids() {
  ip -o -d link show type vlan | while IFS= read -r line; do
    raw=$(printf '%s\n' "$line" | sed -n 's/^[0-9]*: [^@:]*@\([^:]*\):.*/\1/p')
    id=$(printf '%s\n' "$line" | sed -n 's/.* vlan protocol [^ ]* id \([0-9]*\).*/\1/p')
    if [ -z "$raw" ] || [ -z "$id" ]; then continue; fi
    [ "$(cat "/sys/class/net/$raw/bridge/vlan_filtering" 2>/dev/null)" = 1 ] || continue
    bridge vlan show dev "$raw" | awk -v id="$id" 'NR > 1 && !/Untagged/ { for (i = 1; i <= NF; i++) if ($i == id) found = 1 } END { exit !found }' || echo "$raw $id"
  done
}
