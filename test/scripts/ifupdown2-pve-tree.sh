#!/usr/bin/env bash
# Builds the ifupdown2 that Proxmox VE 9 ships from source, for the tests
# that bring interfaces files up with it (uml-ifupdown2.sh and
# ifupdown2-syncheck.sh, with IFUPDOWN2_TREE set to the directory printed):
# upstream ifupdown2 3.3.0 (the tree of IFUPDOWN2_COMMIT in the git dir
# IFUPDOWN2_GIT, a mirror of github.com/CumulusNetworks/ifupdown2) with
# every patch of Proxmox's packaging (debian/patches/series at
# IFUPDOWN2_PVE_REF in the git dir IFUPDOWN2_PVE_GIT) that applies, and the
# configuration files and policy files that package installs. A patch that
# does not apply (already upstream, or for the build only) is skipped;
# PATCHES lists the commits and each patch, applied or skipped.
# The result is cached under ${XDG_CACHE_HOME:-$HOME/.cache}/ifupdown2-pve,
# in a directory named after the commits and this script; it holds:
#   sbin/ifup, ifdown, ifquery, ifreload   the commands (as /usr/sbin has them)
#   share/ifupdown2/                        the Python code (/usr/share/ifupdown2)
#   pylib/systemd/journal.py                a stand-in for python3-systemd's journal handler
#   __pycache__/ beside each module         its bytecode, compiled by this python3
#   etc/ifupdown2.conf, etc/addons.conf     as /etc/network/ifupdown2/ has them
#   policy.d/*.json                         as /var/lib/ifupdown2/policy.d/ has them
#   PATCHES
# Needs git, patch, python3 (the one that runs the commands). Usage: ifupdown2-pve-tree.sh (prints the directory)
set -euo pipefail
: "${IFUPDOWN2_GIT:?a git dir of github.com/CumulusNetworks/ifupdown2}"
: "${IFUPDOWN2_PVE_GIT:?a git dir of Proxmox ifupdown2 packaging (debian/patches/pve)}"
# 577b9037: "debian: changelog: new entry: 3.3.0", the release Proxmox VE 9 packages.
UPSTREAM=$(git --git-dir="$IFUPDOWN2_GIT" rev-parse "${IFUPDOWN2_COMMIT:-577b9037}^{commit}")
PACKAGING=$(git --git-dir="$IFUPDOWN2_PVE_GIT" rev-parse "${IFUPDOWN2_PVE_REF:-HEAD}^{commit}")
key=$({ cat "$0"; echo "$UPSTREAM $PACKAGING"; } | sha256sum | cut -c1-16)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/ifupdown2-pve
DIR=$CACHE/$key
[ ! -f "$DIR/PATCHES" ] || { echo "$DIR"; exit 0; }
# Built beside, then renamed into place in one step: a build running at the same time loses the race harmlessly.
mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/out/sbin" "$work/out/share" "$work/out/pylib/systemd" "$work/out/etc" "$work/out/policy.d"
git --git-dir="$IFUPDOWN2_GIT" archive "$UPSTREAM" | tar -x -C "$work/src"
{
  echo "upstream $UPSTREAM $(git --git-dir="$IFUPDOWN2_GIT" log -1 --format='%cs %s' "$UPSTREAM")"
  echo "packaging $PACKAGING $(git --git-dir="$IFUPDOWN2_PVE_GIT" log -1 --format='%cs %s' "$PACKAGING")"
} > "$work/out/PATCHES.tmp"
# In series order; a patch that does not apply whole is skipped whole (a dry run first).
for p in $(git --git-dir="$IFUPDOWN2_PVE_GIT" show "$PACKAGING:debian/patches/series" | sed 's/#.*//'); do
  git --git-dir="$IFUPDOWN2_PVE_GIT" show "$PACKAGING:debian/patches/$p" > "$work/x.patch"
  if patch -d "$work/src" -p1 -N -s --dry-run < "$work/x.patch" > /dev/null 2>&1; then
    patch -d "$work/src" -p1 -N -s < "$work/x.patch" > /dev/null
    echo "applied $p" >> "$work/out/PATCHES.tmp"
  else
    echo "skipped $p" >> "$work/out/PATCHES.tmp"
  fi
done
cp -r "$work/src/ifupdown2" "$work/out/share/ifupdown2"
chmod 755 "$work/out/share/ifupdown2/__main__.py"
# As debian/ifupdown2.links: each command is a link to __main__.py, which acts by its name (argv[0]).
for c in ifup ifdown ifquery ifreload; do ln -s ../share/ifupdown2/__main__.py "$work/out/sbin/$c"; done
cp "$work/src/etc/network/ifupdown2/ifupdown2.conf" "$work/src/etc/network/ifupdown2/addons.conf" "$work/out/etc/"
# debian/ifupdown2.install puts the packaging's debian/*.json into /var/lib/ifupdown2/policy.d/.
for f in $(git --git-dir="$IFUPDOWN2_PVE_GIT" ls-tree --name-only "$PACKAGING" debian/ | grep '\.json$' || true); do
  git --git-dir="$IFUPDOWN2_PVE_GIT" show "$PACKAGING:$f" > "$work/out/policy.d/${f#debian/}"
done
# lib/log.py imports systemd.journal (python3-systemd) only to log errors to the journal.
: > "$work/out/pylib/systemd/__init__.py"
cat > "$work/out/pylib/systemd/journal.py" <<'PY'
import logging


class JournalHandler(logging.NullHandler):
    """No journal here: ifupdown2's messages go to the terminal."""
PY
# Compiled here, with the python3 that runs the commands: the User-Mode-Linux guest sees this tree on a
# read-only root, where Python cannot write its cache, and each ifup, ifquery and ifdown there compiled
# every module again (a bring-up took 16.7 s, against 10.9 s with the cache). Compiled as the tree's
# final place names the files, so that a traceback names them there.
python3 -m compileall -q -s "$work/out" -p "$DIR" "$work/out/share" "$work/out/pylib" > /dev/null
mv "$work/out/PATCHES.tmp" "$work/out/PATCHES"
mv -T "$work/out" "$DIR" 2>/dev/null || [ -f "$DIR/PATCHES" ]
echo "$DIR"
