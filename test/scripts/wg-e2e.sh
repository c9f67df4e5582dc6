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

# shellcheck source=wg-netns.sh
source "$(dirname "$0")/wg-netns.sh"
wg_netns_files "$1" "$2"

wg_netns_underlay
ip -n "$NS_S" addr add fd00:254::1/64 dev ul-s nodad; ip -n "$NS_C" addr add fd00:254::2/64 dev ul-c nodad
ip -n "$NS_C" -6 route add default via fd00:254::1 dev ul-c

ip netns exec "$NS_S" wireguard-go "$IF_S" 2>/dev/null
ip netns exec "$NS_S" wg setconf "$IF_S" "$WORK/s.wg"
ip -n "$NS_S" addr add "$A_S" dev "$IF_S"; ip -n "$NS_S" link set "$IF_S" up
wg_netns_client
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
