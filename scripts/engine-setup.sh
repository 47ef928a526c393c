#!/usr/bin/env bash
# engine-setup.sh: make a real Docker engine available for the e2e suite (test/e2e).
#
# Idempotent; run as root. Steps, each skipped when already done:
#   1. apt-get install docker.io docker-compose busybox-static (when dockerd,
#      docker-compose or busybox is missing)
#   2. start dockerd (vfs storage, no iptables, no default bridge) in the background
#      when `docker info` fails; log: $CP_ENGINE_LOG, pid: $CP_ENGINE_PIDFILE
#   3. make the test images with scripts/test-images.sh: cp-test:v1, cp-test:v2
#      (another image id) and busybox:latest (the generated sidecars and init services
#      use it), from a busybox image when present or pullable, else from /bin/busybox
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
# one implementation with the suite's global setup: scripts/test-images.sh (from the image
# busybox:latest when present or pullable, else from the static binary); here it also
# rebuilds test images of an older revision
bash "$(dirname "$0")/test-images.sh" --rebuild-stale
id1=$(docker image inspect -f '{{.Id}}' cp-test:v1)
id2=$(docker image inspect -f '{{.Id}}' cp-test:v2)
if [ "$id1" = "$id2" ]; then
  say "cp-test:v1 and cp-test:v2 have the same id" >&2
  exit 1
fi
say "images: cp-test:v1 ${id1:7:12}, cp-test:v2 ${id2:7:12}, busybox:latest"
mkdir -p /run/docker/plugins
say "ready; engine API $DOCKER_API_VERSION (the 28.x client negotiates it down by itself)"
