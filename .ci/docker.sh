#!/usr/bin/env bash
# Docker for CI on a machine without Docker Hub: installs docker.io and debootstrap from Debian,
# starts dockerd (no bridge, no iptables, overlay2), builds a stand-in for node:20-bookworm-slim
# from a debootstrap minbase with git and ca-certificates plus this machine's node and npm, then
# builds the project's Dockerfile unchanged.
#
#   .ci/docker.sh start   → prints "IMAGE=<tag>" on success; writes the dockerd pid to $DOCKER_STATE/pid
#   .ci/docker.sh stop    → stops dockerd by its pid
# Any failure prints "DOCKER_UNAVAILABLE=<reason>" and exits 0, so the container scenarios can
# report themselves skipped with that reason while the bundle scenarios still run.
set -uo pipefail
cd "$(dirname "$0")/.."
STATE="${DOCKER_STATE:-/tmp/csp-docker}"
IMAGE="catalog-scorecard-pipe:ci"
BASE="node:20-bookworm-slim"
mkdir -p "$STATE"

unavailable() { echo "DOCKER_UNAVAILABLE=$1"; exit 0; }

start() {
  if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap) >"$STATE/apt.log" 2>&1 \
      || unavailable "apt-get install docker.io debootstrap failed (see $STATE/apt.log)"
  fi
  if ! docker info >/dev/null 2>&1; then
    dockerd --bridge=none --iptables=false --ip6tables=false --storage-driver=overlay2 \
      --pidfile "$STATE/dockerd.pid" >"$STATE/dockerd.log" 2>&1 &
    echo $! >"$STATE/pid"
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || unavailable "dockerd did not start (see $STATE/dockerd.log)"
  fi
  if ! docker image inspect "$BASE" >/dev/null 2>&1; then
    build_base || unavailable "could not build the $BASE stand-in (see $STATE/base.log)"
  fi
  local version
  version=$(node -p 'require("./package.json").version')
  # Tagged also as the README's image reference, so the Pipelines emulation runs exactly that.
  docker build --network host --build-arg "VERSION=$version" -t "$IMAGE" -t "catalog-scorecard/catalog-scorecard-pipe:$version" . >"$STATE/build.log" 2>&1 \
    || { tail -30 "$STATE/build.log"; unavailable "docker build failed (see $STATE/build.log)"; }
  echo "IMAGE=$IMAGE"
}

# The stand-in mirrors the official image's layout: node and npm under /usr/local, a "node"
# user with uid 1000. It also trusts this machine's CAs, which the registries here require.
build_base() {
  local rootfs="$STATE/rootfs"
  {
    rm -rf "$rootfs"
    debootstrap --variant=minbase --include=ca-certificates,git bookworm "$rootfs" http://deb.debian.org/debian || return 1
    install -m 0755 "$(readlink -f "$(command -v node)")" "$rootfs/usr/local/bin/node"
    local npmdir
    npmdir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
    mkdir -p "$rootfs/usr/local/lib/node_modules"
    cp -a "$npmdir" "$rootfs/usr/local/lib/node_modules/npm"
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/" 2>/dev/null || true
    chroot "$rootfs" update-ca-certificates >/dev/null 2>&1 || cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
    mkdir -p "$rootfs/usr/local/etc"
    printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nfund=false\naudit=false\nupdate-notifier=false\n' >"$rootfs/usr/local/etc/npmrc"
    chroot "$rootfs" groupadd --gid 1000 node
    chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
    rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
    tar -C "$rootfs" -c . | docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["node"]' - "$BASE"
  } >"$STATE/base.log" 2>&1
}

stop() {
  if [[ -f "$STATE/pid" ]]; then
    kill "$(cat "$STATE/pid")" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$(cat "$STATE/pid")" 2>/dev/null || break; sleep 0.5; done
    rm -f "$STATE/pid"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
