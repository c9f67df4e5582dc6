#!/usr/bin/env bash
# usage: run.sh [--nics eno1,eno2] FILE        (after setup.sh, same PVE_PERL_CACHE)
# Parse FILE with Proxmox VE's reader, write it back with PVE's writer (what the
# GUI does on any network edit; Apply then renames interfaces.new over
# interfaces and runs ifreload -a), print `diff -u FILE rewrite`, then the
# semantic verdict. Exit 0 when every line survives, 1 otherwise, 2 on a setup problem.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PVE_PERL_CACHE:?set PVE_PERL_CACHE (run setup.sh first)}
[ -f "$CACHE/pve-common/src/PVE/INotify.pm" ] || { echo "run.sh: no extracted code in $CACHE: run setup.sh" >&2; exit 2; }
args=(); [ "${1:-}" = --nics ] && { args=(--nics "$2"); shift 2; }
FILE=${1:?usage: run.sh [--nics a,b] FILE}
[ -r "$FILE" ] || { echo "run.sh: cannot read $FILE" >&2; exit 2; }
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
echo "# PVE code: $(grep '^pve-common ' "$CACHE/COMMITS" | cut -d' ' -f2-)"
perl -I"$CACHE/pve-common/src" "$HERE/roundtrip.pl" "${args[@]}" "$WORK" "$FILE" > "$WORK/report"
rc=$?
if [ -f "$WORK/interfaces.new" ]; then
  echo "# diff -u <gen file> <PVE rewrite (interfaces.new)>"
  diff -u --label "gen:$(basename "$FILE")" --label "pve:interfaces.new" "$FILE" "$WORK/interfaces.new"
  cp "$WORK/interfaces.new" "$FILE.pve"
fi
cat "$WORK/report"
exit $rc
