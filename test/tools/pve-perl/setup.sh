#!/usr/bin/env bash
# Extracts Proxmox VE's own Perl code (schema and access-control modules) from bare git mirrors into
# a cache directory outside the repository, for optcheck.sh. Nothing upstream is written into the repo.
#   PVE_MIRROR      directory holding proxmox+<repo>/repo bare mirrors (required)
#   PVE_PERL_CACHE  where the extracted trees go (required; a temporary directory per test run)
#   PVE_REF         git ref to extract from every repo (default HEAD)
# Exit 2 with the reason (and the apt-get line) when something is missing; it never installs anything.
# Safe to run concurrently: one run extracts under a lock, into a temporary directory renamed into place.
set -euo pipefail
: "${PVE_MIRROR:?set PVE_MIRROR to the directory holding the proxmox+<repo>/repo mirrors}"
: "${PVE_PERL_CACHE:?set PVE_PERL_CACHE to a directory for the extracted code}"
REF=${PVE_REF:-HEAD}

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
missing=()
for m in "${!PKG[@]}"; do perl -M"$m" -e1 2>/dev/null || missing+=("${PKG[$m]}"); done
if ((${#missing[@]})); then
  echo "setup: Perl modules missing; install: apt-get install -y ${missing[*]}" >&2
  exit 2
fi

mkdir -p "$PVE_PERL_CACHE"
exec 9>"$PVE_PERL_CACHE/.lock"
flock 9
[ -f "$PVE_PERL_CACHE/COMMITS" ] && exit 0

work=$(mktemp -d "$PVE_PERL_CACHE/.extract.XXXXXX")
trap 'rm -rf "$work"' EXIT
extract() { # repo subdir
  local repo=$1 sub=$2 git="$PVE_MIRROR/proxmox+$1/repo" c
  if [ ! -d "$git" ]; then
    echo "setup: no mirror at $git" >&2
    exit 2
  fi
  c=$(git --git-dir="$git" rev-parse "$REF^{commit}")
  mkdir -p "$work/$repo"
  # shellcheck disable=SC2086 # $sub is a list of paths
  git --git-dir="$git" archive "$c" $sub | tar -x -C "$work/$repo"
  printf '%s %s %s\n' "$repo" "$c" "$(git --git-dir="$git" log -1 --format='%cs %s' "$c")" >>"$work/COMMITS"
}
extract pve-common "src test/etc_network_interfaces"
for repo in pve-storage qemu-server pve-container pve-access-control pve-cluster pve-guest-common; do
  extract "$repo" src
done
# Upstream's own interfaces test suite must pass against what was extracted (run.sh uses that code).
(cd "$work/pve-common/test/etc_network_interfaces" && perl runtest.pl >/dev/null) || {
  echo "setup: upstream etc_network_interfaces tests fail" >&2
  exit 2
}
for repo in pve-common pve-storage qemu-server pve-container pve-access-control pve-cluster pve-guest-common; do
  rm -rf "${PVE_PERL_CACHE:?}/$repo"
  mv "$work/$repo" "$PVE_PERL_CACHE/$repo"
done
mv "$work/COMMITS" "$PVE_PERL_CACHE/COMMITS"
