#!/usr/bin/env bash
# The firewall's verification script against a live WireGuard instance: the
# instance (wg0, from `gen wg export-instance`) runs on wireguard-go in a
# private network namespace, a client (from `gen wg export`) in a second one
# joined by a veth pair; they complete a handshake and a ping. Then, inside
# the instance's namespace, the verification script runs with the real `wg`
# and, for the FreeBSD tools, shims that print this namespace's state in
# FreeBSD's formats (VERIFY_SHIMS) and stubs for the rest (VERIFY_STUBS).
# After each DRIFT command (run there too, e.g. `wg set wg0 peer KEY remove`)
# it runs again. The client's namespace is left up for CLIENT_COMMAND.
# Needs root, wireguard-tools, wireguard-go, iproute2, iputils-ping.
# Usage: wg-verify.sh SERVER_CONF CLIENT_CONF SCRIPT [DRIFT...]
#   env: VERIFY_SHIMS, VERIFY_STUBS (PATH entries), FIXTURES, REAL_OPENSSL,
#        VERIFY_ARGS (extra script options), CLIENT_COMMAND (run in the
#        client's namespace after the handshake, output after "=== client"),
#        SERVER_ADDRESSES (put on the instance namespace's loopback: hosts
#        behind the firewall for the client to reach through the tunnel)
# Output: "=== run N (rc=R)" then the script's output, for the run before
# the first drift (N=0) and after each drift.
set -euo pipefail
NS_S=wvs-$$; NS_C=wvc-$$
IF_S=wg0; IF_C=wvc$$; IF_C=${IF_C:0:15}
UL_S=10.254.253.1; UL_C=10.254.253.2
umask 077

# shellcheck source=wg-netns.sh
source "$(dirname "$0")/wg-netns.sh"
wg_netns_files "$1" "$2"
SCRIPT=$3; shift 3

wg_netns_underlay

# The instance as wg0, in a mount namespace of its own (`ip netns exec`
# makes one) with a private /var/run/wireguard, so that wg0's socket meets
# no other test's. Later commands enter that namespace through the
# wireguard-go process that keeps it alive.
mkdir -p /var/run/wireguard
ip netns exec "$NS_S" bash -c "set -e; mount -t tmpfs tmpfs /var/run/wireguard; wireguard-go wg0 2>/dev/null; wg setconf wg0 '$WORK/s.wg'; ip addr add '$A_S' dev wg0; ip link set wg0 mtu '${MTU_S:-1420}' up"
PID=$(ip netns pids "$NS_S" | head -1)
srv() { nsenter --target "$PID" --mount --net -- "$@"; }
for a in ${SERVER_ADDRESSES:-}; do ip -n "$NS_S" addr add "$a/32" dev lo; done

wg_netns_client

ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 2 "${A_S%/*}" > "$WORK/ping.log" 2>&1 || { echo "FAIL: no ping through the tunnel"; cat "$WORK/ping.log"; exit 1; }
echo "handshake and ping: OK"
if [[ -n ${CLIENT_COMMAND:-} ]]; then
  echo "=== client"
  rc=0; ip netns exec "$NS_C" bash -c "$CLIENT_COMMAND" 2>&1 || rc=$?
  echo "=== client rc=$rc"
fi

run=0
verify() {
  local out rc=0
  # shellcheck disable=SC2086
  out=$(srv env PATH="$VERIFY_SHIMS:$VERIFY_STUBS:$PATH" sh "$SCRIPT" ${VERIFY_ARGS:-} 2>&1) || rc=$?
  echo "=== run $run (rc=$rc)"; echo "$out"
  run=$((run + 1))
}
verify
for drift in "$@"; do
  srv bash -c "$drift"
  verify
done
