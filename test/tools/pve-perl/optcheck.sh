#!/usr/bin/env bash
# usage: optcheck.sh [--stubs] [FILE...]     (reads stdin without FILE)
# Validates guest and access option strings with Proxmox VE's own schema code (PVE::JSONSchema plus
# the formats qemu-server, pve-container and pve-access-control register), extracted by setup.sh
# into $PVE_PERL_CACHE. One OK/ERROR line per input line; exit 1 if any line is an ERROR, 2 when the
# extracted code is missing (run setup.sh first). See README.md.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${PVE_PERL_CACHE:?set PVE_PERL_CACHE to the directory setup.sh extracted into}"
if [ ! -f "$PVE_PERL_CACHE/COMMITS" ]; then
  echo "optcheck: nothing extracted in $PVE_PERL_CACHE: run setup.sh first" >&2
  exit 2
fi
inc=()
for r in pve-common qemu-server pve-container pve-access-control pve-cluster pve-guest-common pve-storage; do
  inc+=(-I"$PVE_PERL_CACHE/$r/src")
done
exec perl "${inc[@]}" "$HERE/optcheck.pl" "$@"
