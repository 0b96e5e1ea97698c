#!/usr/bin/env bash
# Content hash of one image build context: every file's relative path, mode and sha256, then the
# parent image's hash. src/sandbox/image-hash.ts computes the same value (a unit test checks it).
# Usage: images-hash.sh CONTEXT_DIR PARENT_HASH_OR_DASH
set -euo pipefail
dir="$1"; parent="${2:--}"
{
  (cd "$dir" && find . -type f -print | LC_ALL=C sort | while IFS= read -r f; do
    printf '%s %s %s\n' "${f#./}" "$(stat -c %a "$f")" "$(sha256sum <"$f" | cut -d' ' -f1)"
  done)
  printf 'parent %s\n' "$parent"
} | sha256sum | cut -c1-16
