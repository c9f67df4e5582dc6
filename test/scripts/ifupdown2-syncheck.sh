#!/usr/bin/env bash
# Parse-only check of an interfaces file with ifupdown2 and Proxmox's settings
# (multiple VLAN-aware bridges allowed, keyword syntax checked). Runs in a
# throwaway network namespace and a private mount namespace, so the host's
# network and /etc stay untouched. Prints ifupdown2's messages and the parsed
# stanzas (ifquery JSON); exits 1 on any error or warning: ifupdown2's own exit
# codes are unreliable.
# With --no-query, checks any number of files in one namespace and prints no
# stanzas; a file with a message is named before its messages.
# Needs root, ifupdown2, iproute2, util-linux.
# With IFUPDOWN2_TREE=DIR (a tree ifupdown2-pve-tree.sh built), checks with
# that ifupdown2 and its configuration and policy files instead of Debian's.
# Usage: ifupdown2-syncheck.sh FILE | ifupdown2-syncheck.sh --no-query FILE...
set -euo pipefail
QUERY=1
if [[ ${1:-} == --no-query ]]; then QUERY=0; shift; fi
if [[ $# -eq 0 || ($QUERY == 1 && $# -ne 1) ]]; then
  echo "usage: $0 FILE | $0 --no-query FILE..." >&2
  exit 2
fi
FILES=()
for f in "$@"; do FILES+=("$(readlink -f "$f")"); done
NS=ifchk-$$
CONF=$(mktemp)
TREE=${IFUPDOWN2_TREE:+$(readlink -f "$IFUPDOWN2_TREE")}
# shellcheck disable=SC1091 # ifupdown2-conf.sh, beside this script
. "$(dirname "$0")/ifupdown2-conf.sh"
ifupdown2_conf "$TREE" > "$CONF"
ip netns add "$NS"
trap 'ip netns del "$NS"; rm -f "$CONF"' EXIT
ip netns exec "$NS" unshare -m bash -s "$CONF" "$QUERY" "$TREE" "${FILES[@]}" <<'IN'
set -euo pipefail
# Debian's Python, as on Proxmox VE (ifup starts with `#!/usr/bin/env python3`): not a python3
# of the caller's PATH, such as a pyenv shim (0.1 s of CPU and 0.2 s of wall per ifup or ifquery).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
CONF=$1 QUERY=$2 TREE=$3
shift 3
mount --make-rprivate /
mkdir -p /run/network /var/tmp/network
mount -t tmpfs tmpfs /run/network; mount -t tmpfs tmpfs /var/tmp/network
mount --bind "$CONF" /etc/network/ifupdown2/ifupdown2.conf
if [[ -n $TREE ]]; then
  export PATH=$TREE/sbin:$PATH PYTHONPATH=$TREE/pylib
  mount --bind "$TREE/etc/addons.conf" /etc/network/ifupdown2/addons.conf
  mount --bind "$TREE/policy.d" /var/lib/ifupdown2/policy.d
fi
status=0
for file in "$@"; do
  # ifupdown2's netlink socket now and then fails with "recv() error: [Errno 22]" when
  # many checks run at once (three tries in a row failed on a busy two-core machine);
  # that says nothing about the file, so try again, for up to about ten seconds.
  for _ in $(seq 20); do
    out=$(ifup -a -s -i "$file" 2>&1 || true)
    grep -q 'recv() error' <<<"$out" || break
    sleep 0.5
  done
  # Proxmox VE writes `bridge-ports none`; only Debian's unpatched ifupdown2 warns about it.
  # An MTU on a bridge draws a warning in syntax-check mode only: when the file is
  # applied, ifupdown2 sets the bridge's MTU from it (and resets a bridge without
  # one to 1500, whatever its ports have), as the bring-up in User-Mode-Linux shows.
  out=$(grep -vE -e 'bridge-ports: invalid value "none"' \
    -e '^warning: [^ ]+: bridge inherits mtu from its ports\. There is no need to assign mtu on a bridge$' <<<"$out" || true)
  if [[ -n $out ]]; then
    if [[ $QUERY == 0 ]]; then echo "FILE: $file"; fi
    echo "$out"
    status=1
    continue
  fi
  if [[ $QUERY == 1 ]]; then
    # The same netlink failure, when ifquery meets it: its JSON would be missing.
    for _ in $(seq 20); do
      rc=0
      json=$(ifquery -a -i "$file" -o json 2>/run/network/ifquery.err) || rc=$?
      grep -q 'recv() error' /run/network/ifquery.err || break
      sleep 0.5
    done
    cat /run/network/ifquery.err >&2
    echo "$json"
    [[ $rc == 0 ]] || status=1
  fi
done
exit "$status"
IN
