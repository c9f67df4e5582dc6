#!/usr/bin/env bash
# Extract Proxmox VE's own network-config Perl code (pve-common) from a local
# bare git mirror into a cache directory outside the repository; nothing
# upstream is ever written into the repository.
#   PVE_MIRROR      directory holding the mirror proxmox+pve-common/repo (required)
#   PVE_PERL_CACHE  where the extracted tree goes (required; one per test run)
#   PVE_REF         git ref to extract (default: HEAD, the mirror's default branch)
# Exit 2 when the mirror or a Debian package is missing (PVE_PERL_INSTALL=1 as
# root installs the packages instead).
set -euo pipefail
MIRROR=${PVE_MIRROR:?set PVE_MIRROR to the directory holding proxmox+pve-common/repo}
CACHE=${PVE_PERL_CACHE:?set PVE_PERL_CACHE to a directory outside the repository}
REF=${PVE_REF:-HEAD}

# Debian packages providing the CPAN modules pve-common's network code loads.
declare -A PKG=(
  [Clone]=libclone-perl [Linux::Inotify2]=liblinux-inotify2-perl [Date::Format]=libtimedate-perl
  [Filesys::Df]=libfilesys-df-perl [String::ShellQuote]=libstring-shellquote-perl [Net::IP]=libnet-ip-perl
  [Devel::Cycle]=libdevel-cycle-perl [HTTP::Status]=libhttp-message-perl [Encode::Locale]=libencode-locale-perl
  [URI::Escape]=liburi-perl [File::chdir]=libfile-chdir-perl [POSIX::strptime]=libposix-strptime-perl
  [NetAddr::IP]=libnetaddr-ip-perl
)
missing=()
for m in "${!PKG[@]}"; do perl -M"$m" -e1 2>/dev/null || missing+=("${PKG[$m]}"); done
if ((${#missing[@]})); then
  if [[ ${PVE_PERL_INSTALL:-} == 1 && $(id -u) == 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing Perl modules; install: apt-get install -y ${missing[*]}"; exit 2
  fi
fi

GIT=$MIRROR/proxmox+pve-common/repo
[[ -d $GIT ]] || { echo "setup: no mirror at $GIT (set PVE_MIRROR)"; exit 2; }
mkdir -p "$CACHE"
COMMIT=$(git --git-dir="$GIT" rev-parse "$REF^{commit}")
rm -rf "${CACHE:?}/pve-common"; mkdir -p "$CACHE/pve-common"
git --git-dir="$GIT" archive "$COMMIT" src test/etc_network_interfaces | tar -x -C "$CACHE/pve-common"
printf 'pve-common %s %s\n' "$COMMIT" "$(git --git-dir="$GIT" log -1 --format='%cs %s' "$COMMIT")" > "$CACHE/COMMITS"
# Upstream's own interfaces test suite must pass against what was extracted.
(cd "$CACHE/pve-common/test/etc_network_interfaces" && perl runtest.pl >/dev/null) || { echo "setup: upstream etc_network_interfaces tests fail"; exit 2; }
cat "$CACHE/COMMITS"
