#!/usr/bin/env bash
# toolchains/deps/fetch-source.sh - Fetches and unpacks a Debian source package into a cache.
#
#   toolchains/deps/fetch-source.sh <package> <cache-dir>
#
# Unpacks <package>'s newest Debian source (bookworm, bookworm-updates, bookworm-security: the
# suites of the system's own apt sources, with Debian's patches applied) into
# <cache-dir>/<source>-<debian version>/ and prints that path, alone, on stdout. What it fetched
# and from where goes to stderr. Idempotent: when <cache-dir>/<package>.tree names a tree that is
# there, it does nothing else (delete that file to fetch a newer Debian revision).
#
# The system's apt configuration is never touched: the system's sources are copied as deb-src
# entries into <cache-dir>/apt/ and apt runs with Dir::Etc::SourceList/SourceParts and
# Dir::State::Lists/Dir::Cache pointed there, so a normal user can run it (needs apt and
# dpkg-source from dpkg-dev; network access to the Debian mirror the system uses). Several build
# directories may share one cache: a lock serialises fetches.
set -euo pipefail

if [ $# -ne 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
  echo "usage: fetch-source.sh <package> <cache-dir>" >&2
  exit 2
fi
package=$1
mkdir -p "$2"
cache=$(cd "$2" && pwd)
say() { echo "fetch-source: $*" >&2; }
# shellcheck source=private-apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"

for tool in apt-get dpkg-source flock; do
  command -v "$tool" >/dev/null || {
    say "$tool not found (apt-get install apt dpkg-dev util-linux)"
    exit 1
  }
done

exec 9>"$cache/.lock"
flock 9

stamp="$cache/$package.tree"
if [ -s "$stamp" ]; then
  tree=$(cat "$stamp")
  if [ -d "$cache/$tree" ]; then
    say "$package already unpacked in $cache/$tree"
    echo "$cache/$tree"
    exit 0
  fi
fi

# ---- a private apt: the system's sources as deb-src ------------------------------------------
apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache" "$apt_dir/archives/partial"
private_apt_sources "$apt_dir" deb-src

apt_options=(
  -o Dir::Etc::SourceList=/dev/null
  -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::Cache::archives=$apt_dir/archives"
  -o "APT::Sandbox::User=$(id -un)" # root or not: download as whoever runs this
  -o Acquire::Languages=none
)

update_lists() {
  say "updating the source package lists in $apt_dir/lists"
  # A third-party repository without sources fails its part of the update; Debian's are enough.
  apt-get "${apt_options[@]}" -qq update >&2 || say "apt-get update reported errors (continuing)"
}

# The newest version's .dsc: its URI, file name and so the source name and version.
dsc_line() {
  apt-get "${apt_options[@]}" -qq source --print-uris "$package" 2>/dev/null | grep -E "\.dsc' " |
    head -n 1
}

# Two attempts: the second after fresh lists (none yet, or older than the package's newest upload,
# whose predecessor the mirror may have dropped).
compgen -G "$apt_dir/lists/*_Sources*" >/dev/null || update_lists
for attempt in 1 2; do
  [ "$attempt" -eq 1 ] || update_lists
  line=$(dsc_line || true)
  [ -n "$line" ] || continue
  uri=$(echo "$line" | cut -d"'" -f2)
  dsc=$(echo "$line" | cut -d' ' -f2)
  source_name=${dsc%%_*}
  version=${dsc#*_}
  version=${version%.dsc}
  tree="$source_name-$version" # the Debian revision too: revisions differ in patches
  download="$cache/download/$tree"
  mkdir -p "$download"
  say "fetching $source_name $version from ${uri%/*}/"
  if (cd "$download" && apt-get "${apt_options[@]}" -qq source --download-only "$package" >&2) &&
     [ -f "$download/$dsc" ]; then
    break
  fi
  line=""
done
if [ -z "$line" ]; then
  say "cannot fetch the Debian source package of $package (is there a Debian mirror in the" \
      "system's apt sources, and network access to it?)"
  exit 1
fi

rm -rf "$cache/$tree.partial"
# apt checked every file's hash against the signed Release; dpkg-source checks them again against
# the .dsc and applies Debian's patches. Its warning about the .dsc's own signature (no
# debian-keyring here) is expected.
dpkg-source --no-copy -x "$download/$dsc" "$cache/$tree.partial" >"$cache/$tree.log" 2>&1 || {
  cat "$cache/$tree.log" >&2
  say "dpkg-source could not unpack $dsc"
  exit 1
}
rm -rf "${cache:?}/$tree"
mv "$cache/$tree.partial" "$cache/$tree"
echo "$tree" >"$stamp.partial"
mv "$stamp.partial" "$stamp"
say "unpacked $source_name $version ($(du -sh "$cache/$tree" | cut -f1)) in $cache/$tree"
echo "$cache/$tree"
