#!/usr/bin/env bash
# Sets everything up, then runs the portal on its embedded defaults:
# frontend on http://localhost:3000, backend on http://localhost:7007, SQLite under .data/, and the
# local git server the service template publishes to on http://127.0.0.1:7008 (localGit in
# app-config.yaml), its repositories under .data/git/.
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# TechDocs builds docs locally with Debian's mkdocs, the local git server runs git (installed when
# missing).
"$(dirname "${BASH_SOURCE[0]}")/system-deps.sh" docs
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
# Creating repositories and pushing need this token; the server and the portal get it for this run.
export LOCAL_GIT_TOKEN="${LOCAL_GIT_TOKEN:-$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))')}"
node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON plugins/local-git-node/src/serve.ts "$@" &
git_server=$!
trap 'kill "$git_server" 2>/dev/null || true' EXIT
yarn start "$@"
