#!/usr/bin/env bash
# toolchains/deps/fetch-source.sh - Fetches and unpacks a Debian source package into a cache.
#
#   toolchains/deps/fetch-source.sh <package> <cache-dir>
#
# Unpacks a Debian source of <package> (bookworm, bookworm-updates, bookworm-security: the suites
# of the system's own apt sources, with Debian's patches applied) into
# <cache-dir>/<source>-<debian version>/ and prints that path, alone, on stdout. It tries the
# versions the signed index knows, newest first, and takes the first whose files download and
# whose hashes apt verifies (private-apt.sh says why); on stderr it says which version it took
# and why it skipped each newer one. <cache-dir>/<tree>.origin records the choice for the build
# manifest (toolchains/deps/manifest.cmake). Idempotent: when <cache-dir>/<package>.tree names a
# tree that is there with its origin, it does nothing else (delete that file to fetch again, for
# example once the mirror serves a revision it skipped).
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
  if [ -d "$cache/$tree" ] && [ -s "$cache/$tree.origin" ]; then
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

# Every version the signed index knows for <package>, newest first.
known_versions() {
  apt-cache "${apt_options[@]}" showsrc "$package" 2>/dev/null |
    awk -v want="$package" '/^Package: /{p=$2} /^Version: /{if (p == want) print}' |
    private_apt_versions_newest_first
}

# Downloads <version>'s .dsc, tarballs and patches into its own folder; apt checks each file's
# hash against the signed index. A failed attempt leaves nothing behind.
fetch_version() {
  local version=$1 log=$2 line
  line=$(apt-get "${apt_options[@]}" -qq source --print-uris "$package=$version" 2>"$log" |
         grep -E "\.dsc' " | head -n 1) || true
  [ -n "$line" ] || { echo "E: apt names no .dsc for $package=$version" >>"$log"; return 1; }
  uri=$(echo "$line" | cut -d"'" -f2)
  dsc=$(echo "$line" | cut -d' ' -f2)
  dsc_sha256=$(echo "$line" | sed -nE 's/.* SHA256:([0-9a-f]+).*/\1/p')
  source_name=${dsc%%_*}
  tree="$source_name-${version#*:}" # the Debian revision too: revisions differ in patches
  download="$cache/download/$tree"
  rm -rf "$download"
  mkdir -p "$download"
  say "fetching $source_name $version from ${uri%/*}/"
  if (cd "$download" && apt-get "${apt_options[@]}" -qq source --download-only \
        "$package=$version") >"$log" 2>&1 && [ -f "$download/$dsc" ]; then
    return 0
  fi
  rm -rf "$download"
  return 1
}

private_apt_choose fetch-source "$apt_dir/lists/*_Sources*"
chosen=$PRIVATE_APT_CHOSEN
newest=$PRIVATE_APT_NEWEST
if [ -z "$chosen" ]; then
  if [ ${#PRIVATE_APT_SKIPPED[@]} -eq 0 ]; then
    say "cannot fetch the Debian source package of $package: the system's apt sources name no" \
        "version of it (is there a Debian mirror with deb-src suites in the system's apt" \
        "sources, and network access to it?)"
  else
    say "cannot fetch the Debian source package of $package: every version failed:"
    printf '  %s\n' "${PRIVATE_APT_SKIPPED[@]}" >&2
  fi
  exit 1
fi
fallback=no
if [ "$chosen" != "$newest" ]; then
  fallback=yes
  say "took $source_name $chosen, older than the newest known $newest; skipped:"
  printf '  %s\n' "${PRIVATE_APT_SKIPPED[@]}" >&2
else
  say "took $source_name $chosen, the newest the index knows"
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
private_apt_origin "$cache/$tree.origin" "name=$package" "source=$source_name" \
  "version=$chosen" "upstream=$(private_apt_upstream_version "$chosen")" "kind=source" \
  "from=${uri%/*}/" "dsc_sha256=$dsc_sha256" "newest=$newest" "fallback=$fallback" \
  "skipped=$(printf '%s, ' "${PRIVATE_APT_SKIPPED[@]+"${PRIVATE_APT_SKIPPED[@]}"}" | sed 's/, $//')"
echo "$tree" >"$stamp.partial"
mv "$stamp.partial" "$stamp"
say "unpacked $source_name $chosen ($(du -sh "$cache/$tree" | cut -f1)) in $cache/$tree"
echo "$cache/$tree"
