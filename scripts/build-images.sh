#!/usr/bin/env bash
# Builds the sandbox image and the course images from Debian packages, cached by content hash.
# Idempotent: an image whose tag dockgrader/<name>:<hash> exists is skipped. Works from an engine
# with no image at all (no registry needed). Writes images/.built/manifest.json.
#
#   scripts/build-images.sh            # offline stand-ins (default)
#   DOCKGRADER_IMAGES=real scripts/build-images.sh   # pull the official course images instead
#                                                     # (needs a registry or a mirror in the engine)
# Env: DOCKGRADER_BUILD_JOBS (parallel builds, default 4), DEBIAN_MIRROR (debootstrap mirror).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOCKER_BUILDKIT=0 # the Debian engine has no BuildKit; the classic builder handles ARG-before-FROM
mode="${DOCKGRADER_IMAGES:-standin}"
jobs="${DOCKGRADER_BUILD_JOBS:-4}"
out="images/.built"
mkdir -p "$out/logs"

declare -A CTX PARENT KIND TAGS HASH
ORDER=()
while read -r name ctx parent kind tags; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  CTX[$name]="$ctx"; PARENT[$name]="$parent"; KIND[$name]="$kind"; TAGS[$name]="$tags"; ORDER+=("$name")
done <images/catalog.tsv

# Hashes in catalog order (parents are listed before children).
for name in "${ORDER[@]}"; do
  p="${PARENT[$name]}"; ph="-"; [[ "$p" != "-" ]] && ph="${HASH[$p]}"
  HASH[$name]="$(scripts/images-hash.sh "${CTX[$name]}" "$ph")"
done

tag_of() { echo "dockgrader/$1:${HASH[$1]}"; }
# Seconds since $1 (an $EPOCHREALTIME value), one decimal, without bc.
elapsed() { local us=$(( (${EPOCHREALTIME/./} - ${1/./}) / 100000 )); echo "$((us / 10)).$((us % 10))"; }
exists() { docker image inspect "$1" >/dev/null 2>&1; }

build_one() {
  local name="$1" tag t0 status log
  tag="$(tag_of "$name")"; t0=$EPOCHREALTIME; log="$out/logs/$name.log"
  if exists "$tag"; then status=cached
  elif [[ "$mode" == real && "${KIND[$name]}" == course ]]; then
    local first="${TAGS[$name]%%,*}"
    docker pull "$first" >"$log" 2>&1 && docker tag "$first" "$tag" || { echo "FAILED $name (see $log)" >&2; tail -20 "$log" >&2; return 1; }
    status=pulled
  elif [[ "$name" == base && "$mode" == real ]]; then
    docker pull debian:bookworm >"$log" 2>&1 && docker tag debian:bookworm "$tag" || { echo "FAILED $name" >&2; return 1; }
    status=pulled
  elif [[ "$name" == base ]]; then
    bash images/base/build.sh "$tag" >"$log" 2>&1 || { echo "FAILED $name (see $log)" >&2; tail -20 "$log" >&2; return 1; }
    status=built
  else
    local labels=(--label "org.dockgrader.content-hash=${HASH[$name]}" --label "org.dockgrader.image=$name")
    [[ "${KIND[$name]}" == course ]] && labels+=(--label "org.dockgrader.stand-in=true")
    docker build -q --build-arg "BASE=$(tag_of "${PARENT[$name]}")" "${labels[@]}" -t "$tag" "${CTX[$name]}" >"$log" 2>&1 \
      || { echo "FAILED $name (see $log)" >&2; tail -30 "$log" >&2; return 1; }
    status=built
  fi
  if [[ "${TAGS[$name]}" != "-" ]]; then
    local IFS=','; for t in ${TAGS[$name]}; do docker tag "$tag" "$t"; done
  fi
  printf '%-15s %-7s %6.1fs  %s\n' "$name" "$status" "$(elapsed "$t0")" "$tag"
}

# Build level by level (an image waits for its parent), up to $jobs builds at once within a level.
declare -A DONE
t_all=$(date +%s)
remaining=("${ORDER[@]}")
while ((${#remaining[@]})); do
  ready=(); later=()
  for name in "${remaining[@]}"; do
    p="${PARENT[$name]}"
    if [[ "$p" == "-" || -n "${DONE[$p]:-}" ]]; then ready+=("$name"); else later+=("$name"); fi
  done
  ((${#ready[@]})) || { echo "catalog has a cycle or an unknown parent: ${later[*]}" >&2; exit 1; }
  pids=(); failed=0
  for name in "${ready[@]}"; do
    build_one "$name" & pids+=($!)
    while (($(jobs -rp | wc -l) >= jobs)); do sleep 0.2; done
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  ((failed == 0)) || exit 1
  for name in "${ready[@]}"; do DONE[$name]=1; done
  remaining=("${later[@]}")
done

# Manifest for the TypeScript side (image-catalog.ts): tags, hashes and image ids.
{
  echo '{'
  echo "  \"mode\": \"$mode\","
  echo '  "images": {'
  n=0
  for name in "${ORDER[@]}"; do
    n=$((n + 1)); tag="$(tag_of "$name")"; id="$(docker image inspect -f '{{.Id}}' "$tag")"
    tags="${TAGS[$name]}"; [[ "$tags" == "-" ]] && tags=""
    tl=""; IFS=',' read -ra arr <<<"$tags"; for t in "${arr[@]}"; do tl+="${tl:+, }\"$t\""; done
    printf '    "%s": { "tag": "%s", "hash": "%s", "kind": "%s", "id": "%s", "tags": [%s] }%s\n' \
      "$name" "$tag" "${HASH[$name]}" "${KIND[$name]}" "$id" "$tl" "$([[ $n -lt ${#ORDER[@]} ]] && echo ,)"
  done
  echo '  }'
  echo '}'
} >"$out/manifest.json.tmp" && mv "$out/manifest.json.tmp" "$out/manifest.json"
echo "all images ready in $(($(date +%s) - t_all))s (manifest: $out/manifest.json)"
