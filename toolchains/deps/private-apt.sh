# toolchains/deps/private-apt.sh - Sourced by fetch-source.sh and fetch-binary.sh: a private apt
# (the system's sources, our own lists and cache), the versions it knows, and the fallback through
# them.
#
#   private_apt_sources <dir> <deb|deb-src>
#   private_apt_versions_newest_first            (reads `Version: ` lines on stdin)
#   private_apt_fetch_first <what> <fetch-fn> <versions...>
#   private_apt_choose <what> <lists-glob>     (calls the script's update_lists, known_versions,
#                                               fetch_version)
#   private_apt_origin <file> <key=value>...
#
# Mirrors lag and drop files: an index may name a security revision whose files the mirror does
# not serve (zlib 1:1.2.13.dfsg-1+deb12u1 answered 404 while 1:1.2.13.dfsg-1 downloaded). So a
# fetch never insists on one revision: it tries every version the signed index knows, newest
# first, and takes the first whose files download and pass apt's hash check. Each skipped
# version, and why, is said on stderr and recorded in the build manifest (origin files), so a
# fallback to an older revision is visible on the device.

# Writes <dir>/sources.list.d/ with every source the system's apt knows (deb822 .sources files and
# one-line .list files), each turned into entries of the given type, so that apt run with
# Dir::Etc::SourceParts=<dir>/sources.list.d sees the system's mirrors and suites for binaries or
# for sources. The system's own configuration is only read. EDGECUR_APT_ETC names another folder
# laid out like /etc/apt to read instead (tests/deps point it at a mirror on 127.0.0.1).
private_apt_sources() {
  local dir=$1 type=$2 file etc=${EDGECUR_APT_ETC:-/etc/apt}
  mkdir -p "$dir/sources.list.d"
  rm -f "$dir/sources.list.d/"*
  shopt -s nullglob
  for file in "$etc"/sources.list.d/*.sources; do # deb822: every stanza becomes <type>
    sed -E "s/^Types:.*/Types: $type/" "$file" >"$dir/sources.list.d/$(basename "$file")"
  done
  for file in "$etc"/sources.list "$etc"/sources.list.d/*.list; do # one-line format
    [ -f "$file" ] || continue
    sed -nE "s/^[[:space:]]*deb([[:space:]])/$type\\1/p" "$file" \
      >"$dir/sources.list.d/$(basename "$file" | tr / _).list"
  done
  shopt -u nullglob
}

# The distinct versions of the `Version: ` lines on stdin, newest first by Debian's ordering
# (dpkg --compare-versions: epochs, ~, revisions), one a line.
private_apt_versions_newest_first() {
  local version sorted=() i j
  while read -r version; do
    [ -n "$version" ] || continue
    for i in "${sorted[@]+"${sorted[@]}"}"; do
      [ "$i" != "$version" ] || continue 2
    done
    sorted+=("$version")
    # Insertion: a handful of versions at most (one per suite).
    for ((i = ${#sorted[@]} - 1; i > 0; i--)); do
      j=$((i - 1))
      dpkg --compare-versions "${sorted[i]}" gt "${sorted[j]}" || break
      version=${sorted[i]}; sorted[i]=${sorted[j]}; sorted[j]=$version
    done
  done < <(sed -n 's/^Version: *//p')
  [ ${#sorted[@]} -eq 0 ] || printf '%s\n' "${sorted[@]}"
}

# The gist of a failed apt download: its first error line, without apt's "E: Failed to fetch"
# and the URL's scheme noise, e.g. "zlib_1.2.13.dfsg-1+deb12u1.dsc: 404 Not Found" or
# "zlib_1.2.13.dfsg.orig.tar.bz2: Hash Sum mismatch".
private_apt_failure_gist() {
  local log=$1 line file reason
  line=$(grep -m 1 -E '^(E|W): ' "$log" || true)
  if [ -z "$line" ]; then
    line=$(grep -m 1 . "$log" || true)
    echo "${line:-apt failed without a message}"
    return
  fi
  line=${line#?: }
  if [[ $line =~ ^Failed\ to\ fetch\ ([^[:space:]]+)[[:space:]]+(.*)$ ]]; then
    file=${BASH_REMATCH[1]##*/}
    reason=${BASH_REMATCH[2]}
    reason=${reason%% \[IP:*}
    reason=$(echo "$reason" | sed -E 's/^[[:space:]]+//; s/[[:space:]]+/ /g')
    echo "${file//%2b/+}: $reason"
  else
    echo "$line"
  fi
}

# Tries <fetch-fn> <version> <log-file> for each version in order and stops at the first that
# returns 0; its version is left in PRIVATE_APT_CHOSEN. Every skipped version gets a line on
# stderr and an entry in PRIVATE_APT_SKIPPED ("<version>: <gist>"). Returns 1 when none worked.
private_apt_fetch_first() {
  local what=$1 fetch=$2 version log
  shift 2
  PRIVATE_APT_CHOSEN=""
  log=$(mktemp)
  for version in "$@"; do
    if "$fetch" "$version" "$log"; then
      PRIVATE_APT_CHOSEN=$version
      rm -f "$log"
      return 0
    fi
    PRIVATE_APT_SKIPPED+=("$version: $(private_apt_failure_gist "$log")")
    echo "${what}: skipped $version (${PRIVATE_APT_SKIPPED[-1]#*: })" >&2
  done
  rm -f "$log"
  return 1
}

# The whole choice, in two passes: the second after fresh lists (none yet, or older than the
# package's newest upload, whose predecessor the mirror may have dropped). The calling script
# defines update_lists, known_versions (newest first) and fetch_version <version> <log>. Leaves
# the version taken in PRIVATE_APT_CHOSEN ("" when none), the newest the index knows in
# PRIVATE_APT_NEWEST, and the last pass's failures in PRIVATE_APT_SKIPPED.
private_apt_choose() {
  local what=$1 lists_glob=$2 updated=0 versions
  PRIVATE_APT_SKIPPED=()
  PRIVATE_APT_CHOSEN=""
  PRIVATE_APT_NEWEST=""
  if ! compgen -G "$lists_glob" >/dev/null; then
    update_lists
    updated=1
  fi
  while :; do
    mapfile -t versions < <(known_versions)
    [ ${#versions[@]} -eq 0 ] || PRIVATE_APT_NEWEST=${versions[0]}
    if [ ${#versions[@]} -gt 0 ] && private_apt_fetch_first "$what" fetch_version "${versions[@]}"
    then
      return 0
    fi
    [ "$updated" -eq 0 ] || return 0
    update_lists
    updated=1
    PRIVATE_APT_SKIPPED=() # the final word is the pass with fresh lists
  done
}

# Writes an origin file atomically: one key=value a line, read by toolchains/deps/manifest.cmake.
private_apt_origin() {
  local file=$1
  shift
  printf '%s\n' "$@" >"$file.partial"
  mv "$file.partial" "$file"
}

# "1:1.2.13.dfsg-1+deb12u1" -> "1.2.13.dfsg": without the epoch and the Debian revision.
private_apt_upstream_version() {
  local version=${1#*:}
  echo "${version%-*}"
}
