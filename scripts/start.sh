#!/usr/bin/env bash
# Sets everything up, then runs the portal on its embedded defaults:
# frontend on http://localhost:3000, backend on http://localhost:7007, SQLite under .data/.
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# TechDocs builds the portal's own docs locally with Debian's mkdocs (installed when missing).
"$(dirname "${BASH_SOURCE[0]}")/system-deps.sh" docs
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
exec yarn start "$@"
