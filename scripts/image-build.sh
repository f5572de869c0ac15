#!/usr/bin/env bash
# Builds the portal's image with buildah from the repository's Dockerfile, unchanged, on the base
# scripts/image-base.sh assembles (passed as the Dockerfile's NODE_IMAGE argument), every stage.
# Fails when the Dockerfile or the build context (.dockerignore) breaks the build.
#
#   scripts/image-build.sh [tag]     # default localhost/golden-path-portal:test
#
# Layers are cached in buildah's store (--layers): an unchanged dependency set reuses the install
# layer, an unchanged context the whole build.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tag="${1:-localhost/golden-path-portal:test}"

if [ "$(id -u)" != 0 ]; then
  echo "image-build: buildah builds the portal's image as root here (--isolation chroot); run as root, or run scripts/test.sh as root" >&2
  exit 1
fi

started=$SECONDS
base="$("$here/image-base.sh")"
echo "image-build: base $base ready in $((SECONDS - started)) s" >&2

build_started=$SECONDS
revision="$(git -C "$here/.." rev-parse HEAD 2>/dev/null || echo unknown)"
buildah bud --isolation chroot --layers --force-rm \
  --build-arg "NODE_IMAGE=$base" \
  --label "org.opencontainers.image.revision=$revision" \
  -f "$here/../Dockerfile" -t "$tag" "$here/.."
echo "image-build: $tag built in $((SECONDS - build_started)) s" >&2

# The layer cache grows with every changed build; past a bound, drop the layers no tagged image
# uses (the next build then installs its dependencies again).
store="$(buildah info --format '{{.store.GraphRoot}}')"
used_gb="$(du -s --block-size=1G "$store" 2>/dev/null | cut -f1)"
if [ "${used_gb:-0}" -gt "${IMAGE_CACHE_MAX_GB:-30}" ]; then
  echo "image-build: buildah's store holds ${used_gb} GB; removing untagged layers" >&2
  buildah rmi --prune >/dev/null || true
fi
