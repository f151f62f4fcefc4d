#!/usr/bin/env bash
# toolchains/deps/fetch-binary.sh - Fetches and unpacks a Debian binary package of another architecture.
#
#   toolchains/deps/fetch-binary.sh <package> <debian-arch> <cache-dir>
#
# The fallback for a dependency whose Debian source package the mirror does not serve (libinih's
# orig tarball has answered 404 on this project's mirror, its binaries have not): downloads <package> for
# <debian-arch> (arm64, armhf, ...) as Debian built it and unpacks it with dpkg-deb into
# <cache-dir>/<package>_<version>_<arch>/, whose path it prints, alone, on stdout. Idempotent
# like fetch-source.sh (the stamp is <cache-dir>/<package>_<arch>.tree), and like it, it falls
# back through the versions the signed index knows, newest first, saying why it skipped each,
# and records its choice in <cache-dir>/<tree>.origin for the build manifest.
#
# Nothing is installed and the system's apt and dpkg configuration is never touched (no
# `dpkg --add-architecture`, see docs/CROSS.md): a private apt in <cache-dir>/apt-<arch>/ reads
# the system's sources as `deb` entries for that one architecture, with an empty dpkg status.
set -euo pipefail

if [ $# -ne 3 ] || [ -z "$1" ] || [ -z "$2" ] || [ -z "$3" ]; then
  echo "usage: fetch-binary.sh <package> <debian-arch> <cache-dir>" >&2
  exit 2
fi
package=$1
arch=$2
mkdir -p "$3"
cache=$(cd "$3" && pwd)
say() { echo "fetch-binary: $*" >&2; }
# shellcheck source=private-apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"

for tool in apt-get dpkg-deb flock; do
  command -v "$tool" >/dev/null || { say "$tool not found"; exit 1; }
done

exec 9>"$cache/.lock-$arch"
flock 9

stamp="$cache/${package}_$arch.tree"
if [ -s "$stamp" ] && [ -d "$cache/$(cat "$stamp")" ] && [ -s "$cache/$(cat "$stamp").origin" ]; then
  say "$package:$arch already unpacked in $cache/$(cat "$stamp")"
  echo "$cache/$(cat "$stamp")"
  exit 0
fi

apt_dir="$cache/apt-$arch"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/download"
private_apt_sources "$apt_dir" deb

apt_options=(
  -o Dir::Etc::SourceList=/dev/null
  -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o Dir::State::status=/dev/null
  -o "APT::Architecture=$arch"
  -o "APT::Architectures::=$arch"
  -o "APT::Sandbox::User=$(id -un)"
  -o Acquire::Languages=none
)

update_lists() {
  say "updating the $arch package lists in $apt_dir/lists"
  # The mirror's armhf security index is stale (CROSS.md): errors there are expected.
  apt-get "${apt_options[@]}" -qq update >&2 || say "apt-get update reported errors (continuing)"
}

# Every version of <package> for <arch> that the signed index knows, newest first.
known_versions() {
  apt-cache "${apt_options[@]}" show "$package:$arch" 2>/dev/null | private_apt_versions_newest_first
}

# Downloads <version>'s .deb; apt checks its hash against the signed index. A failed attempt
# leaves nothing behind.
fetch_version() {
  local version=$1 log=$2
  line=$(apt-get "${apt_options[@]}" -qq download --print-uris "$package:$arch=$version" \
         2>"$log" | head -n 1) || true
  [ -n "$line" ] || { echo "E: apt names no .deb for $package:$arch=$version" >>"$log"; return 1; }
  uri=$(echo "$line" | cut -d"'" -f2)
  deb_sha256=$(echo "$line" | sed -nE 's/.* SHA256:([0-9a-f]+).*/\1/p')
  deb="$apt_dir/download/$(echo "$line" | cut -d' ' -f2)"
  rm -f "$deb"
  say "fetching $package $version for $arch from ${uri%/*}/"
  if (cd "$apt_dir/download" && apt-get "${apt_options[@]}" -qq download \
        "$package:$arch=$version") >"$log" 2>&1 && [ -f "$deb" ]; then
    return 0
  fi
  rm -f "$deb"
  return 1
}

private_apt_choose fetch-binary "$apt_dir/lists/*_Packages*"
chosen=$PRIVATE_APT_CHOSEN
newest=$PRIVATE_APT_NEWEST
if [ -z "$chosen" ]; then
  if [ ${#PRIVATE_APT_SKIPPED[@]} -eq 0 ]; then
    say "no $package for $arch in the system's apt sources"
  else
    say "cannot fetch $package for $arch: every version failed:"
    printf '  %s\n' "${PRIVATE_APT_SKIPPED[@]}" >&2
  fi
  exit 1
fi
fallback=no
if [ "$chosen" != "$newest" ]; then
  fallback=yes
  say "took $package $chosen, older than the newest known $newest; skipped:"
  printf '  %s\n' "${PRIVATE_APT_SKIPPED[@]}" >&2
else
  say "took $package $chosen for $arch, the newest the index knows"
fi

tree="${package}_${chosen#*:}_$arch"
rm -rf "${cache:?}/$tree.partial"
dpkg-deb -x "$deb" "$cache/$tree.partial"
rm -rf "${cache:?}/$tree"
mv "$cache/$tree.partial" "$cache/$tree"
private_apt_origin "$cache/$tree.origin" "name=$package" "source=$package" "version=$chosen" \
  "upstream=$(private_apt_upstream_version "$chosen")" "kind=binary" "arch=$arch" \
  "from=${uri%/*}/" "deb_sha256=$deb_sha256" "newest=$newest" "fallback=$fallback" \
  "skipped=$(printf '%s, ' "${PRIVATE_APT_SKIPPED[@]+"${PRIVATE_APT_SKIPPED[@]}"}" | sed 's/, $//')"
echo "$tree" >"$stamp.partial"
mv "$stamp.partial" "$stamp"
say "unpacked $deb in $cache/$tree"
echo "$cache/$tree"
