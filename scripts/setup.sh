#!/usr/bin/env bash
# Installs everything the portal needs to run: Node >= 22 (see env.sh) and the yarn workspaces.
# A second run with unchanged manifests skips the install and returns in a second or two.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

stamp="node_modules/.setup-stamp"
fingerprint() {
  echo "$(node --version) $(cat yarn.lock package.json packages/*/package.json plugins/*/package.json worker/package.json templates/package.json 2>/dev/null | sha256sum | cut -c1-16)"
}
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(fingerprint)" ]; then
  echo "setup: installing dependencies with yarn $(yarn --version) on Node $(node --version)" >&2
  if [ "${CI:-}" = "true" ]; then
    yarn install --immutable
  else
    yarn install
  fi
  fingerprint > "$stamp"
fi

# The scaffolder's cloudflare:worker:deploy action uploads this build of worker/ (a few seconds).
yarn workspace @internal/image-worker build --quiet
