#!/usr/bin/env bash
# private-dockerd.sh: a throw-away Docker engine for the e2e tests that change an engine
# for good (85-swarm: swarm membership; 90-plugin: a legacy volume plugin, which the engine
# keeps registered after its socket is gone, until it restarts).
#
#   private-dockerd.sh start DIR   start one, wait for it, give it the test images
#   private-dockerd.sh stop DIR    stop it (by its pid) and delete DIR
#
# Everything of it lives in DIR: data root, exec root, pid file, socket (DIR/docker.sock),
# log (DIR/dockerd.log). It runs in its own mount and network namespaces (unshare), so:
#   - legacy plugin sockets: DIR/plugins is its /run/docker/plugins; the host's engine never
#     sees a plugin started there (it scans /run/docker/plugins on every volume listing);
#   - its containerd, shims and runc state are under a private /run/containerd;
#   - swarm ports (2377, 7946, 4789), docker_gwbridge and project bridges are in its own
#     network namespace, with only a loopback.
# Its test images are copied from the engine DOCKER_HOST names (else the default one), or
# else built by scripts/test-images.sh. Needs root, dockerd, unshare, ip and mount.
# Prints DOCKER_HOST=unix://DIR/docker.sock.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: private-dockerd.sh start|stop DIR" >&2
  exit 2
fi
say() { echo "private-dockerd: $*" >&2; }
WAIT=${CP_ENGINE_WAIT:-60}
here=$(cd "$(dirname "$0")" && pwd)

case "$cmd" in
start)
  [ "$(id -u)" = 0 ] || { say "needs root"; exit 3; }
  for c in dockerd unshare ip mount; do
    command -v "$c" >/dev/null 2>&1 || { say "needs $c on PATH"; exit 3; }
  done
  mkdir -p "$dir/plugins" "$dir/root" "$dir/exec" /run/docker/plugins /run/containerd
  echo '{}' >"$dir/daemon.json"  # not /etc/docker/daemon.json: its settings may clash with these flags
  export DIR=$dir
  parent=${DOCKER_HOST:-}
  # unshare without --fork execs: its pid is the shell's, then dockerd's
  setsid unshare --mount --net --propagation private sh -c '
    set -e
    ip link set lo up
    mount -t tmpfs -o mode=0711 tmpfs /run/containerd
    mount --bind "$DIR/plugins" /run/docker/plugins
    exec dockerd --config-file "$DIR/daemon.json" --data-root "$DIR/root" --exec-root "$DIR/exec" \
      --pidfile "$DIR/dockerd.pid" -H "unix://$DIR/docker.sock" --storage-driver=vfs \
      --iptables=false --ip6tables=false --bridge=none
  ' </dev/null >"$dir/dockerd.log" 2>&1 &
  echo $! >"$dir/pid"
  export DOCKER_HOST="unix://$dir/docker.sock"
  up=0
  for _ in $(seq 1 $((WAIT * 4))); do
    if docker info >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.25
  done
  if [ "$up" != 1 ]; then
    say "dockerd did not answer within ${WAIT}s; last log lines:"
    tail -n 20 "$dir/dockerd.log" >&2 || true
    "$0" stop "$dir" || true
    exit 1
  fi
  # the test images: the ones the engine we came from has (the same image ids), else built
  # from a static busybox (an empty engine has no busybox image to build from)
  images=(cp-test:v1 cp-test:v2 busybox:latest)
  if ! { if [ -n "$parent" ]; then DOCKER_HOST=$parent docker save "${images[@]}"; else env -u DOCKER_HOST docker save "${images[@]}"; fi; } 2>/dev/null \
      | docker load -q >/dev/null 2>&1; then
    CP_TEST_PULL=${CP_TEST_PULL:-0} bash "$here/../../scripts/test-images.sh" >&2
  fi
  echo "DOCKER_HOST=$DOCKER_HOST"
  ;;
stop)
  pid=$(cat "$dir/dockerd.pid" 2>/dev/null || cat "$dir/pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # its containers first: a shim still running keeps the namespaces (and mounts) alive
    export DOCKER_HOST="unix://$dir/docker.sock"
    ids=$(timeout 30 docker ps -aq 2>/dev/null || true)
    [ -z "$ids" ] || timeout 60 docker rm -f $ids >/dev/null 2>&1 || true
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      say "dockerd (pid $pid) still running after 30 s: SIGKILL"
      kill -KILL "$pid" || true
      sleep 1
    fi
  fi
  # the mounts were in its namespace, gone with it: only plain files are left
  rm -rf "$dir"
  ;;
*)
  echo "usage: private-dockerd.sh start|stop DIR" >&2
  exit 2
  ;;
esac
