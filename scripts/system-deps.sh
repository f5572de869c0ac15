#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: Chromium (browser tests),
# PostgreSQL (the production database path), Prometheus (the dashboard's PromQL), Python
# (the generated service's code), buildah and debootstrap (the portal's image, built from the
# Dockerfile on a base assembled here: scripts/image-base.sh), and mkdocs with mkdocs-material
# (TechDocs).
#
# `system-deps.sh docs` installs only what `start.sh` needs: what TechDocs builds the docs with
# locally (Debian's mkdocs and mkdocs-material) and git (the local git server the service template
# publishes to); without root it says what to install and lets the portal start.
set -euo pipefail
need=()
# TechDocs builds docs locally with mkdocs and the Material theme (techdocs.generator.runIn: local).
command -v mkdocs >/dev/null 2>&1 || need+=(mkdocs)
/usr/bin/python3 -c 'import material' 2>/dev/null || need+=(mkdocs-material)
# The local git server (plugins/local-git-node) serves repositories with `git http-backend`.
command -v git >/dev/null 2>&1 || need+=(git)
if [ "${1:-}" = docs ]; then
  if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" != 0 ]; then
    echo "system-deps: the local portal needs Debian's ${need[*]} (TechDocs builds docs with mkdocs and mkdocs-material, the local git server runs git); install them as root: apt-get install -y ${need[*]}" >&2
    exit 0
  fi
fi
if [ "${1:-}" != docs ]; then
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
# The service template's tests compile and run the generated Python app's metrics module.
[ -x /usr/bin/python3 ] || need+=(python3)
/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null || need+=(python3-prometheus-client)
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "system-deps: missing Debian packages: ${need[*]}; install them as root: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "system-deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Installing services must not start them (PostgreSQL, Prometheus): the tests start their own.
  own_policy=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    own_policy=true
  fi
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  if $own_policy; then rm -f /usr/sbin/policy-rc.d; fi
fi
