#!/usr/bin/env bash
# Validate wg-quick files with the real tools, one after the other on one
# wireguard-go interface in an empty network namespace (nothing can be sent):
#   wg-quick strip -> wg setconf   (wireguard-tools' parser: keys, CIDRs, ports, unknown lines)
#   Address / MTU  -> applied with ip(8) on the interface
#   PrivateKey     -> shown back unchanged by `wg show` (keys are clamped)
# Endpoint hosts become 127.0.0.1 so that wg never resolves names (the port
# is still parsed). Prints "OK file (N peers)" or "FAIL file: reason" per file.
# Needs root, wireguard-tools, wireguard-go, iproute2.  Usage: wg-validate.sh FILE...
set -uo pipefail
NS=wgval-$$; IF=wgv$$; IF=${IF:0:15}
T=$(mktemp -d)
ip netns add "$NS" || exit 2
cleanup() {
  local pids; pids=$(ip netns pids "$NS" 2>/dev/null)
  ip -n "$NS" link del "$IF" 2>/dev/null
  # wireguard-go ends 1-2 s after its device goes: the namespace is deleted once it has, in the
  # background, so the caller does not wait for it (that was 1.7 s of each run).
  (
    for p in $pids; do for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; done
    ip netns del "$NS" 2>/dev/null
  ) </dev/null >/dev/null 2>&1 &
  rm -rf "$T"
}
trap cleanup EXIT
ip netns exec "$NS" wireguard-go "$IF" >/dev/null 2>&1 || { echo "wireguard-go failed"; exit 2; }
fail=0
for f in "$@"; do
  cp "$f" "$T/$IF.conf"   # wg-quick wants IFNAME.conf
  if ! wg-quick strip "$T/$IF.conf" > "$T/stripped" 2> "$T/err"; then
    echo "FAIL $f: $(cat "$T/err")"; fail=1; continue
  fi
  sed -i -E 's/^([[:space:]]*Endpoint[[:space:]]*=[[:space:]]*)(\[[^]]*\]|[^:[:space:]]+):/\1127.0.0.1:/I' "$T/stripped"
  ip netns exec "$NS" wg setconf "$IF" /dev/null 2>/dev/null
  ip -n "$NS" addr flush dev "$IF"
  if ! out=$(ip netns exec "$NS" wg setconf "$IF" "$T/stripped" 2>&1); then
    echo "FAIL $f: $out"; fail=1; continue
  fi
  ok=1
  # The device keeps the clamped private key: a key that is not clamped comes back changed.
  want=$(sed -n 's/^[[:space:]]*PrivateKey[[:space:]]*=[[:space:]]*//Ip' "$f")
  got=$(ip netns exec "$NS" wg show "$IF" private-key)
  [[ $got == "$want" ]] || { echo "FAIL $f: the device shows the private key as $got"; ok=0; }
  for a in $(sed -n 's/^[[:space:]]*Address[[:space:]]*=//Ip' "$f" | tr ',' ' '); do
    out=$(ip -n "$NS" addr add "$a" dev "$IF" 2>&1) || { echo "FAIL $f: Address $a: $out"; ok=0; }
  done
  for m in $(sed -n 's/^[[:space:]]*MTU[[:space:]]*=//Ip' "$f"); do
    out=$(ip -n "$NS" link set dev "$IF" mtu "$m" 2>&1) || { echo "FAIL $f: MTU $m: $out"; ok=0; }
  done
  if [[ $ok == 1 ]]; then echo "OK   $f ($(ip netns exec "$NS" wg show "$IF" peers | wc -l) peers)"; else fail=1; fi
done
exit $fail
