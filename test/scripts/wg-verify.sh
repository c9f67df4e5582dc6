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
IF_C=wvc$$; IF_C=${IF_C:0:15}
UL_S=10.254.253.1; UL_C=10.254.253.2
umask 077

cleanup() {
  local pids
  pids=$( (ip netns pids "$NS_S"; ip netns pids "$NS_C") 2>/dev/null) || true
  ip -n "$NS_S" link del wg0 2>/dev/null || true
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
MTU_S=$(sed -n 's/^[[:space:]]*MTU[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/Ip' "$1" | head -1)
PORT=$(sed -n 's/^[[:space:]]*ListenPort[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/Ip' "$1" | head -1)
cp "$1" "$WORK/wg0.conf"; cp "$2" "$WORK/$IF_C.conf"   # wg-quick strip wants IFNAME.conf
wg-quick strip "$WORK/wg0.conf" > "$WORK/s.wg"
wg-quick strip "$WORK/$IF_C.conf" | sed "s/^[[:space:]]*Endpoint[[:space:]]*=.*/Endpoint = $UL_S:$PORT/I" > "$WORK/c.wg"
SCRIPT=$3; shift 3

ip netns add "$NS_S"; ip netns add "$NS_C"
ip link add ul-s netns "$NS_S" type veth peer name ul-c netns "$NS_C"
ip -n "$NS_S" addr add "$UL_S/30" dev ul-s; ip -n "$NS_S" link set ul-s up; ip -n "$NS_S" link set lo up
ip -n "$NS_C" addr add "$UL_C/30" dev ul-c; ip -n "$NS_C" link set ul-c up; ip -n "$NS_C" link set lo up

# The instance as wg0, in a mount namespace of its own (`ip netns exec`
# makes one) with a private /var/run/wireguard, so that wg0's socket meets
# no other test's. Later commands enter that namespace through the
# wireguard-go process that keeps it alive.
mkdir -p /var/run/wireguard
ip netns exec "$NS_S" bash -c "set -e; mount -t tmpfs tmpfs /var/run/wireguard; wireguard-go wg0 2>/dev/null; wg setconf wg0 '$WORK/s.wg'; ip addr add '$A_S' dev wg0; ip link set wg0 mtu '${MTU_S:-1420}' up"
PID=$(ip netns pids "$NS_S" | head -1)
srv() { nsenter --target "$PID" --mount --net -- "$@"; }
for a in ${SERVER_ADDRESSES:-}; do ip -n "$NS_S" addr add "$a/32" dev lo; done

# The client, after the instance (a handshake sent before it listens is
# retried only 5 s later): a wireguard-go socket in the shared /var/run/wireguard.
ip netns exec "$NS_C" wireguard-go "$IF_C" 2>/dev/null
ip netns exec "$NS_C" wg setconf "$IF_C" "$WORK/c.wg"
ip -n "$NS_C" addr add "$A_C" dev "$IF_C"; ip -n "$NS_C" link set "$IF_C" up
for net in $(ip netns exec "$NS_C" wg show "$IF_C" allowed-ips | cut -f2- | tr ' \t' '\n\n' | grep /); do
  ip -n "$NS_C" route replace "$net" dev "$IF_C"
done

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
