#!/usr/bin/env bash
# Builds the Debian base image from Debian's own packages (no registry needed):
# debootstrap a minbase bookworm root filesystem, then `docker import` it.
# Usage: build.sh TAG   (called by scripts/build-images.sh)
set -euo pipefail
tag="$1"
suite="bookworm"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# A fresh Debian machine may lack debootstrap: install it as the services script installs the rest.
if ! command -v debootstrap >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "debootstrap is missing: apt-get install debootstrap (as root)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
root="$(mktemp -d /var/tmp/dockgrader-debootstrap.XXXXXX)"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.log" 2>&1 || { cat "$root.log" >&2; exit 1; }
rm -f "$root.log"
# Keep the image small and reproducible-ish: no apt lists, no caches, no logs.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*
# Like the official debian image: never keep downloaded packages, never install recommends.
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$root/etc/apt/apt.conf.d/90dockgrader-norecommends"
# Fewer files means a faster hard-link copy per sandbox: no documentation, manuals or translations
# (now, and for every package installed later on top of this base).
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/* "$root"/usr/share/locale/*
cat >"$root/etc/dpkg/dpkg.cfg.d/90dockgrader-nodoc" <<'CFG'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/lintian/*
path-exclude=/usr/share/locale/*
CFG
printf 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };\n' >"$root/etc/apt/apt.conf.d/90dockgrader-clean"
tar -C "$root" --numeric-owner -c . | docker import \
  --change 'CMD ["bash"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "$tag" >/dev/null
