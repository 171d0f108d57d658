# Helpers shared by the download scripts (sourced, not run).
set -euo pipefail

die() { echo "error: $*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

# target_dir "$@": the target folder (first argument), created if needed, printed as an absolute path.
target_dir() {
  [ $# -ge 1 ] && [ -n "$1" ] || die "usage: $(basename "$0") <folder>   (the dataset goes into <folder>)"
  mkdir -p "$1" || die "cannot create $1"
  (cd "$1" && pwd)
}

# fetch URL FILE: downloads (resuming a partial file) with curl or wget.
fetch() {
  local url="$1" out="$2"
  log "downloading $url"
  if command -v curl >/dev/null; then
    curl -fL --retry 3 -C - -o "$out" "$url" || die "download failed: $url"
  elif command -v wget >/dev/null; then
    wget -c -O "$out" "$url" || die "download failed: $url"
  else
    die "neither curl nor wget is installed (sudo apt-get install curl)"
  fi
}

# check_md5 FILE MD5: compares with the checksum the dataset's authors publish.
check_md5() {
  local file="$1" want="$2" got
  got="$(md5sum "$file" | cut -d' ' -f1)"
  [ "$got" = "$want" ] || die "$file: md5 $got, expected $want (published). Delete it and run again."
  log "md5 ok: $(basename "$file")"
}

# check_size FILE BYTES: an extracted file must have exactly this size.
check_size() {
  local file="$1" want="$2" got
  [ -f "$file" ] || die "missing after extraction: $file"
  got="$(stat -c %s "$file")"
  [ "$got" = "$want" ] || die "$file: $got bytes, expected $want"
}

# count_files DIR PATTERN N: DIR must hold exactly N files whose names match PATTERN (recursively).
count_files() {
  local dir="$1" pattern="$2" want="$3" got
  got="$(find "$dir" -type f -name "$pattern" | wc -l)"
  [ "$got" = "$want" ] || die "$dir: $got files matching $pattern, expected $want"
  log "$dir: $got files"
}
