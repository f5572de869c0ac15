#!/usr/bin/env bash
# Sets everything up and runs every test: type check, lint, unit and integration tests of every
# workspace (jest), the Worker in workerd, the browser tests in Chromium, and the portal's image:
# built with buildah from the Dockerfile, then started and probed (as root: buildah needs it).
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
"$here/setup.sh"
"$here/system-deps.sh"
source "$here/env.sh"
cd "$REPO_ROOT"

step() {
  local name="$1"
  shift
  echo
  echo "=== $name: $*"
  local started=$SECONDS
  "$@"
  echo "=== $name: passed in $((SECONDS - started)) s"
}

step "type check" yarn tsc
step "type check (worker)" yarn workspace @internal/image-worker tsc
step "lint" yarn backstage-cli repo lint
step "formatting" yarn prettier --check .
step "unit and integration tests" yarn backstage-cli repo test --watchAll=false
step "worker tests (workerd)" yarn workspace @internal/image-worker test
step "app production build" yarn workspace app build
step "browser tests (Chromium)" yarn playwright test
step "browser test of the start configuration (Chromium)" yarn playwright test --config playwright.newcomer.config.ts
image=localhost/golden-path-portal:test
step "image build (buildah)" "$REPO_ROOT/scripts/image-build.sh" "$image"
step "image tests" env PORTAL_IMAGE="$image" yarn workspace backend test --watchAll=false src/deploy/image.test.ts
echo
echo "All test steps passed."
