#!/usr/bin/env bash
# End-to-end WireGuard test inside two private network namespaces joined by a
# veth pair: the instance's and a client's wg-quick files come up with
# wireguard-go (the kernel here has no WireGuard), complete a handshake and
# pass a ping from the client to the instance's tunnel address. The client's
# Endpoint is rewritten to the server's veth address, so no name is resolved
# and nothing leaves the namespaces.
# Needs root, wireguard-tools, wireguard-go, iproute2, iputils-ping.
# Usage: wg-e2e.sh SERVER_CONF CLIENT_CONF [ADDRESS...]
#   Each IPv4 ADDRESS is put on the server namespace's loopback and pinged from
#   the client too: it must reach it through the tunnel, by the client's AllowedIPs.
#   Each IPv6 ADDRESS is only routed: the client namespace has IPv6 of its own
#   (a default route over the underlay, as a client on a dual-stack network
#   has), and the address must go into the tunnel rather than around it.
set -euo pipefail
NS_S=wgs-$$; NS_C=wgc-$$
IF_S=wgs$$; IF_C=wgc$$; IF_S=${IF_S:0:15}; IF_C=${IF_C:0:15}   # /var/run/wireguard is shared by all namespaces
UL_S=10.254.254.1; UL_C=10.254.254.2                          # underlay, only inside the namespaces
umask 077

cleanup() {
  local pids
  pids=$( (ip netns pids "$NS_S"; ip netns pids "$NS_C") 2>/dev/null) || true
  ip -n "$NS_S" link del "$IF_S" 2>/dev/null || true
  ip -n "$NS_C" link del "$IF_C" 2>/dev/null || true
  for p in $pids; do for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; done
  ip netns del "$NS_S" 2>/dev/null || true
  ip netns del "$NS_C" 2>/dev/null || true
  [[ -n ${WORK:-} ]] && rm -rf "$WORK"
  return 0
}
WORK=$(mktemp -d)
trap cleanup EXIT

addr_of() { sed -n 's/^[[:space:]]*Address[[:space:]]*=[[:space:]]*\([^,[:space:]]*\).*/\1/Ip' "$1" | head -1; }
A_S=$(addr_of "$1"); A_C=$(addr_of "$2")
PORT=$(sed -n 's/^[[:space:]]*ListenPort[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/Ip' "$1" | head -1)
cp "$1" "$WORK/$IF_S.conf"; cp "$2" "$WORK/$IF_C.conf"   # wg-quick strip wants IFNAME.conf
wg-quick strip "$WORK/$IF_S.conf" > "$WORK/s.wg"
wg-quick strip "$WORK/$IF_C.conf" | sed "s/^[[:space:]]*Endpoint[[:space:]]*=.*/Endpoint = $UL_S:$PORT/I" > "$WORK/c.wg"

ip netns add "$NS_S"; ip netns add "$NS_C"
ip link add ul-s netns "$NS_S" type veth peer name ul-c netns "$NS_C"
ip -n "$NS_S" addr add "$UL_S/30" dev ul-s; ip -n "$NS_S" link set ul-s up; ip -n "$NS_S" link set lo up
ip -n "$NS_C" addr add "$UL_C/30" dev ul-c; ip -n "$NS_C" link set ul-c up; ip -n "$NS_C" link set lo up
ip -n "$NS_S" addr add fd00:254::1/64 dev ul-s nodad; ip -n "$NS_C" addr add fd00:254::2/64 dev ul-c nodad
ip -n "$NS_C" -6 route add default via fd00:254::1 dev ul-c

ip netns exec "$NS_S" wireguard-go "$IF_S" 2>/dev/null
ip netns exec "$NS_C" wireguard-go "$IF_C" 2>/dev/null
ip netns exec "$NS_S" wg setconf "$IF_S" "$WORK/s.wg"
ip netns exec "$NS_C" wg setconf "$IF_C" "$WORK/c.wg"
ip -n "$NS_S" addr add "$A_S" dev "$IF_S"; ip -n "$NS_S" link set "$IF_S" up
ip -n "$NS_C" addr add "$A_C" dev "$IF_C"; ip -n "$NS_C" link set "$IF_C" up
# The routes wg-quick would add for the client's AllowedIPs.
for net in $(ip netns exec "$NS_C" wg show "$IF_C" allowed-ips | cut -f2- | tr ' \t' '\n\n' | grep /); do
  ip -n "$NS_C" route replace "$net" dev "$IF_C"
done
echo "client routes:"; ip -n "$NS_C" route show dev "$IF_C"

ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 2 "${A_S%/*}"
HS=$(ip netns exec "$NS_C" wg show "$IF_C" latest-handshakes | awk '{print $2}')
echo "client latest-handshake: $HS"
for extra in "${@:3}"; do
  if [[ $extra == *:* ]]; then
    route=$(ip netns exec "$NS_C" ip -6 route get "$extra")
    echo "IPv6 $extra: $route"
    grep -q "dev $IF_C" <<<"$route" || { echo "FAIL: IPv6 $extra bypasses the tunnel"; exit 1; }
    continue
  fi
  ip -n "$NS_S" addr add "$extra/32" dev lo
  ip netns exec "$NS_C" ip route get "$extra" | grep -q "dev $IF_C" || { echo "FAIL: $extra is not routed into the tunnel"; exit 1; }
  ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 2 "$extra"
done
[[ ${HS:-0} -gt 0 ]] || { echo "FAIL: no handshake"; exit 1; }
echo "server transfer: $(ip netns exec "$NS_S" wg show "$IF_S" transfer)"
echo "OK: handshake + ping through the tunnel"
