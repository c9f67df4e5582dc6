# shellcheck shell=bash
# Sourced by wg-e2e.sh and wg-verify.sh: an instance's and a client's
# wg-quick files in two private network namespaces joined by a veth pair
# (the underlay), each on wireguard-go. The client's Endpoint is rewritten
# to the instance's underlay address, so no name is resolved and nothing
# leaves the namespaces.
# The sourcing script sets NS_S NS_C (namespaces), IF_S IF_C (interfaces),
# UL_S UL_C (underlay addresses), and calls wg_netns_files SERVER CLIENT.

wg_netns_cleanup() {
  local pids
  pids=$( (ip netns pids "$NS_S"; ip netns pids "$NS_C") 2>/dev/null) || true
  ip -n "$NS_S" link del "$IF_S" 2>/dev/null || true
  ip -n "$NS_C" link del "$IF_C" 2>/dev/null || true
  # wireguard-go ends 1-2 s after its device goes (as after SIGTERM): the namespaces are deleted once
  # it has, in the background, so the caller does not wait for it (that was 1.7 s of each run).
  (
    for p in $pids; do for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; done
    ip netns del "$NS_S" 2>/dev/null || true
    ip netns del "$NS_C" 2>/dev/null || true
  ) </dev/null >/dev/null 2>&1 &
  [[ -n ${WORK:-} ]] && rm -rf "$WORK"
  return 0
}
WORK=$(mktemp -d)
trap wg_netns_cleanup EXIT

# conf_value FILE KEY: the first value of KEY in a wg-quick file (the first of a list).
conf_value() { sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*\([^,[:space:]]*\).*/\1/Ip" "$1" | head -1; }

# wg_netns_files SERVER_CONF CLIENT_CONF: A_S A_C MTU_S PORT, and $WORK/s.wg, $WORK/c.wg for wg setconf.
wg_netns_files() {
  # shellcheck disable=SC2034 # read by the sourcing script
  A_S=$(conf_value "$1" Address); A_C=$(conf_value "$2" Address)
  # shellcheck disable=SC2034 # read by the sourcing script
  MTU_S=$(conf_value "$1" MTU); PORT=$(conf_value "$1" ListenPort)
  cp "$1" "$WORK/$IF_S.conf"; cp "$2" "$WORK/$IF_C.conf"   # wg-quick strip wants IFNAME.conf
  wg-quick strip "$WORK/$IF_S.conf" > "$WORK/s.wg"
  wg-quick strip "$WORK/$IF_C.conf" | sed "s/^[[:space:]]*Endpoint[[:space:]]*=.*/Endpoint = $UL_S:$PORT/I" > "$WORK/c.wg"
}

wg_netns_underlay() {
  ip netns add "$NS_S"; ip netns add "$NS_C"
  ip link add ul-s netns "$NS_S" type veth peer name ul-c netns "$NS_C"
  ip -n "$NS_S" addr add "$UL_S/30" dev ul-s; ip -n "$NS_S" link set ul-s up; ip -n "$NS_S" link set lo up
  ip -n "$NS_C" addr add "$UL_C/30" dev ul-c; ip -n "$NS_C" link set ul-c up; ip -n "$NS_C" link set lo up
}

# The client, after the instance (a handshake sent before it listens is
# retried only 5 s later), with the routes wg-quick would add for its AllowedIPs.
wg_netns_client() {
  ip netns exec "$NS_C" wireguard-go "$IF_C" 2>/dev/null
  ip netns exec "$NS_C" wg setconf "$IF_C" "$WORK/c.wg"
  ip -n "$NS_C" addr add "$A_C" dev "$IF_C"; ip -n "$NS_C" link set "$IF_C" up
  for net in $(ip netns exec "$NS_C" wg show "$IF_C" allowed-ips | cut -f2- | tr ' \t' '\n\n' | grep /); do
    ip -n "$NS_C" route replace "$net" dev "$IF_C"
  done
}
