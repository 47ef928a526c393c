#!/usr/bin/env bash
# engine-setup.sh: make a real Docker engine available for the e2e suite (test/e2e).
#
# Idempotent; run as root. Steps, each skipped when already done:
#   1. apt-get install docker.io docker-compose busybox-static (when dockerd,
#      docker-compose or busybox is missing)
#   2. start dockerd (vfs storage, no iptables, no default bridge) in the background
#      when `docker info` fails; log: $CP_ENGINE_LOG, pid: $CP_ENGINE_PIDFILE
#   3. import the test images from /bin/busybox: cp-test:v1, cp-test:v2 (another
#      image id) and busybox:latest (the generated sidecars and init services use it;
#      nothing is pulled, no registry is reachable)
#
# Prints the environment the suite needs (DOCKER_API_VERSION) at the end.
set -euo pipefail

LOG=${CP_ENGINE_LOG:-/var/log/cp-dockerd.log}
PIDFILE=${CP_ENGINE_PIDFILE:-/var/run/cp-dockerd.pid}
WAIT=${CP_ENGINE_WAIT:-60}

say() { echo "engine-setup: $*"; }

if [ "$(id -u)" != 0 ]; then
  say "must run as root" >&2
  exit 2
fi

# 1. packages -----------------------------------------------------------------
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
[ -x /bin/busybox ] || command -v busybox >/dev/null 2>&1 || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
BUSYBOX=$(command -v busybox || echo /bin/busybox)

# The engine from Debian is 20.10 (API 1.41); the 28.x client in /usr/local/bin
# refuses to talk to it unless told to use the older API. docker-compose 1.29
# (docker-py) negotiates by itself but honours the same variable.
api_version() {
  local v
  v=$(DOCKER_API_VERSION= docker version --format '{{.Server.APIVersion}}' 2>/dev/null) || true
  if [ -z "$v" ]; then
    # the newer client may error out on an old daemon before printing; ask the socket
    v=$(curl -s --unix-socket /var/run/docker.sock http://localhost/version 2>/dev/null \
        | sed -n 's/.*"ApiVersion":"\([0-9.]*\)".*/\1/p') || true
  fi
  echo "$v"
}

engine_up() { docker info >/dev/null 2>&1; }

# 2. daemon ---------------------------------------------------------------------
# A legacy volume plugin (like the suite's test plugin) stays registered in the engine
# after its socket is gone: from then on every volume listing or lookup retries it for
# about 15 s. Only a daemon restart forgets it; do that for the dockerd this script
# started (never for another one).
our_pid=$(cat "$PIDFILE" 2>/dev/null || true)
if [ -n "$our_pid" ] && kill -0 "$our_pid" 2>/dev/null && engine_up \
   && ! timeout 8 docker volume ls -q >/dev/null 2>&1; then
  say "volume lookups are slow (a volume plugin that is gone is still registered);" \
      "restarting the dockerd this script started (pid $our_pid)"
  kill "$our_pid"
  for _ in $(seq 1 30); do kill -0 "$our_pid" 2>/dev/null || break; sleep 1; done
  rm -f "$PIDFILE"
fi
if ! engine_up; then
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    say "dockerd (pid $(cat "$PIDFILE")) is running but not answering yet"
  else
    say "starting dockerd (log $LOG)"
    mkdir -p /run/docker/plugins
    nohup dockerd --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none \
      >"$LOG" 2>&1 &
    echo $! >"$PIDFILE"
  fi
  for _ in $(seq 1 "$WAIT"); do
    v=$(api_version)
    if [ -n "$v" ]; then export DOCKER_API_VERSION=$v; fi
    engine_up && break
    sleep 1
  done
fi
v=$(api_version)
[ -n "$v" ] && export DOCKER_API_VERSION=$v
if ! engine_up; then
  say "dockerd did not answer within ${WAIT}s; last log lines:" >&2
  tail -n 20 "$LOG" >&2 || true
  exit 1
fi
say "engine up: $(docker version --format 'server {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}')"

# 3. images ---------------------------------------------------------------------
# REV changes whenever the image content below changes: older images are rebuilt.
REV=2
have_image() {
  [ "$(docker image inspect -f '{{index .Config.Labels "cp-test.rev"}}' "$1" 2>/dev/null)" = "$REV" ]
}

if ! have_image cp-test:v1 || ! have_image cp-test:v2 || ! have_image busybox:latest; then
  say "building test images from $BUSYBOX"
  root=$(mktemp -d /tmp/cp-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root" "$root/home/app" "$root/proc" \
    "$root/sys" "$root/dev" "$root/var" "$root/data"
  chmod 755 "$root"          # mktemp -d makes it 0700: uid 1000 could not reach /bin
  chmod 1777 "$root/tmp"
  cp "$BUSYBOX" "$root/bin/busybox"
  for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  ln -s bin "$root/sbin"
  mkdir -p "$root/usr"
  ln -s ../bin "$root/usr/bin"
  ln -s ../bin "$root/usr/sbin"
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\napp:x:1000:\n' >"$root/etc/group"
  chown 1000:1000 "$root/home/app"
  tar -C "$root" -cf "$root.tar" .
  docker import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' --change "LABEL cp-test.rev=$REV" \
    "$root.tar" cp-test:v1 >/dev/null
  echo 2 >"$root/etc/cp-test-version"
  tar -C "$root" -cf "$root.tar" .
  docker import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' --change "LABEL cp-test.rev=$REV" \
    --change 'LABEL version=2' \
    "$root.tar" cp-test:v2 >/dev/null
  docker tag cp-test:v1 busybox:latest
  rm -f "$root.tar"
fi
id1=$(docker image inspect -f '{{.Id}}' cp-test:v1)
id2=$(docker image inspect -f '{{.Id}}' cp-test:v2)
if [ "$id1" = "$id2" ]; then
  say "cp-test:v1 and cp-test:v2 have the same id" >&2
  exit 1
fi
say "images: cp-test:v1 ${id1:7:12}, cp-test:v2 ${id2:7:12}, busybox:latest"
mkdir -p /run/docker/plugins
say "ready; engine API $DOCKER_API_VERSION (the 28.x client negotiates it down by itself)"
