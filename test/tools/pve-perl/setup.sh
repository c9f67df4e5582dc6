#!/usr/bin/env bash
# Extracts Proxmox VE's own Perl code (schema and access-control modules) from bare git mirrors into
# a cache directory outside the repository, for optcheck.sh and run.sh, and prints that directory.
# Nothing upstream is written into the repo.
#   PVE_MIRROR      directory holding proxmox+<repo>/repo bare mirrors (required)
#   PVE_PERL_CACHE  where the extracted trees go (default: a directory named after this script and
#                   the commits extracted, under ${XDG_CACHE_HOME:-$HOME/.cache}/pve-perl, so every
#                   test file and every later run uses one extraction until a mirror or this script changes)
#   PVE_REF         git ref to extract from every repo (default HEAD)
# Exit 2 with the reason (and the apt-get line) when something is missing; it never installs anything.
# Safe to run concurrently: one run extracts under a lock, into a temporary directory whose trees are
# renamed into place, COMMITS last (what optcheck.sh and run.sh look for).
set -euo pipefail
: "${PVE_MIRROR:?set PVE_MIRROR to the directory holding the proxmox+<repo>/repo mirrors}"
REF=${PVE_REF:-HEAD}
REPOS=(pve-common pve-storage qemu-server pve-container pve-access-control pve-cluster pve-guest-common)

# Debian packages providing the CPAN modules the extracted code loads.
declare -A PKG=(
  [Clone]=libclone-perl [Linux::Inotify2]=liblinux-inotify2-perl [Date::Format]=libtimedate-perl
  [Filesys::Df]=libfilesys-df-perl [String::ShellQuote]=libstring-shellquote-perl [Net::IP]=libnet-ip-perl
  [Devel::Cycle]=libdevel-cycle-perl [HTTP::Status]=libhttp-message-perl [Encode::Locale]=libencode-locale-perl
  [URI::Escape]=liburi-perl [File::chdir]=libfile-chdir-perl [POSIX::strptime]=libposix-strptime-perl
  [IO::Multiplex]=libio-multiplex-perl [UUID]=libuuid-perl [MIME::Base32]=libmime-base32-perl
  [Crypt::OpenSSL::Random]=libcrypt-openssl-random-perl [Crypt::OpenSSL::RSA]=libcrypt-openssl-rsa-perl
  [Authen::PAM]=libauthen-pam-perl [Net::LDAP]=libnet-ldap-perl [Net::DBus]=libnet-dbus-perl
  # pve-common PVE/Network.pm, PVE/RESTEnvironment.pm; pve-storage PVE/GuestImport/OVF.pm
  [NetAddr::IP]=libnetaddr-ip-perl [AnyEvent]=libanyevent-perl [XML::LibXML]=libxml-libxml-perl
)
# Every run checks (a cache made before a package went away would otherwise fail later, without the
# apt-get line). One Perl looking for the files on @INC: a Perl per module (perl -M) cost 0.4 s.
mapfile -t absent < <(perl -e 'M: for my $m (@ARGV) { (my $f = "$m.pm") =~ s{::}{/}g; -f "$_/$f" and next M for grep { !ref } @INC; print "$m\n" }' "${!PKG[@]}")
if ((${#absent[@]})); then
  missing=()
  for m in "${absent[@]}"; do missing+=("${PKG[$m]}"); done
  echo "setup: Perl modules missing; install: apt-get install -y ${missing[*]}" >&2
  exit 2
fi

declare -A COMMIT
for repo in "${REPOS[@]}"; do
  git="$PVE_MIRROR/proxmox+$repo/repo"
  if [ ! -d "$git" ]; then
    echo "setup: no mirror at $git" >&2
    exit 2
  fi
  COMMIT[$repo]=$(git --git-dir="$git" rev-parse "$REF^{commit}")
done
if [ -z "${PVE_PERL_CACHE:-}" ]; then
  key=$({ cat "$0"; for repo in "${REPOS[@]}"; do echo "$repo ${COMMIT[$repo]}"; done; } | sha256sum | cut -c1-16)
  PVE_PERL_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/pve-perl/$key
fi

mkdir -p "$PVE_PERL_CACHE"
exec 9>"$PVE_PERL_CACHE/.lock"
flock 9
if [ -f "$PVE_PERL_CACHE/COMMITS" ]; then
  echo "$PVE_PERL_CACHE"
  exit 0
fi

work=$(mktemp -d "$PVE_PERL_CACHE/.extract.XXXXXX")
trap 'rm -rf "$work"' EXIT
extract() { # repo subdir
  local repo=$1 sub=$2 git="$PVE_MIRROR/proxmox+$1/repo" c=${COMMIT[$1]}
  mkdir -p "$work/$repo"
  # shellcheck disable=SC2086 # $sub is a list of paths
  git --git-dir="$git" archive "$c" $sub | tar -x -C "$work/$repo"
  printf '%s %s %s\n' "$repo" "$c" "$(git --git-dir="$git" log -1 --format='%cs %s' "$c")" >>"$work/COMMITS"
}
extract pve-common "src test/etc_network_interfaces"
for repo in "${REPOS[@]:1}"; do
  extract "$repo" src
done
# Upstream's own interfaces test suite must pass against what was extracted (run.sh uses that code).
(cd "$work/pve-common/test/etc_network_interfaces" && perl runtest.pl >/dev/null) || {
  echo "setup: upstream etc_network_interfaces tests fail" >&2
  exit 2
}
for repo in "${REPOS[@]}"; do
  rm -rf "${PVE_PERL_CACHE:?}/$repo"
  mv "$work/$repo" "$PVE_PERL_CACHE/$repo"
done
mv "$work/COMMITS" "$PVE_PERL_CACHE/COMMITS"
echo "$PVE_PERL_CACHE"
