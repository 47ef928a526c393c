#!/usr/bin/env bash
# test-images.sh: the images the e2e suite runs (test/e2e), on the engine the docker client
# talks to ($DOCKER_HOST or the default socket). One implementation for both callers:
# scripts/engine-setup.sh and the suite's global setup (test/e2e/global-setup.ts).
#
#   cp-test:v1      busybox with a user app (1000:1000), /home/app, /data
#   cp-test:v2      the same plus /etc/cp-test-version (another image id)
#   busybox:latest  the image the generated sidecars and init services name; when missing,
#                   cp-test:v1 under that name
#
# Only missing images are made; an existing one is never replaced, except with
# --rebuild-stale, which rebuilds a cp-test image (or a busybox:latest made by this script)
# whose cp-test.rev label is not $REV. A busybox:latest of any other origin is kept.
#
# The busybox to build from, first found wins:
#   1. the image busybox:latest, if present;
#   2. `docker pull busybox:latest` (skipped with CP_TEST_PULL=0; 30 s at most);
#   3. a static busybox binary: /bin/busybox, else `busybox` on PATH (CP_BUSYBOX=PATH: that
#      binary and no other).
#
# --record FILE  appends the reference of every image this run made (or pulled) to FILE,
#                one per line, so that the caller can remove exactly those afterwards.
# Exit: 0 done; 3 no busybox source (one line on stderr says what was looked for);
#       1 anything else failed.
set -euo pipefail

REV=2
record=""
rebuild_stale=0
while [ $# -gt 0 ]; do
  case "$1" in
    --record) record=$2; shift 2 ;;
    --rebuild-stale) rebuild_stale=1; shift ;;
    *) echo "test-images: unknown option $1" >&2; exit 2 ;;
  esac
done

say() { echo "test-images: $*"; }
made() { [ -z "$record" ] || echo "$1" >>"$record"; }
exists() { docker image inspect "$1" >/dev/null 2>&1; }
rev_of() { docker image inspect -f '{{index .Config.Labels "cp-test.rev"}}' "$1" 2>/dev/null || true; }

# which of the three to make
want=()
for ref in cp-test:v1 cp-test:v2 busybox:latest; do
  if ! exists "$ref"; then
    want+=("$ref")
  elif [ "$(rev_of "$ref")" != "$REV" ] && { [ "$ref" != busybox:latest ] || [ -n "$(rev_of "$ref")" ]; }; then
    if [ "$rebuild_stale" = 1 ]; then
      want+=("$ref")
    else
      say "note: $ref is of rev '$(rev_of "$ref")', this script builds rev $REV (scripts/engine-setup.sh rebuilds it)"
    fi
  fi
done
[ ${#want[@]} -gt 0 ] || exit 0
needs() { local r; for r in "${want[@]}"; do [ "$r" = "$1" ] && return 0; done; return 1; }

tmp=$(mktemp -d /tmp/cp-test-images.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/rootfs
mkdir "$root"
chmod 755 "$root"  # mktemp -d makes 0700: uid 1000 could not reach /bin

# the source: an image's file system, or a root file system around a static binary
from_image() {
  local cid
  cid=$(docker create "$1" sh) || return 1
  if ! docker export "$cid" | tar -C "$root" -xf -; then
    docker rm -f "$cid" >/dev/null 2>&1 || true
    return 1
  fi
  docker rm -f "$cid" >/dev/null
}
busybox_bin() {
  local b candidates=(/bin/busybox "$(command -v busybox 2>/dev/null || true)")
  # CP_BUSYBOX set: that binary and no other
  [ -z "${CP_BUSYBOX+set}" ] || candidates=("$CP_BUSYBOX")
  for b in "${candidates[@]}"; do
    if [ -n "$b" ] && [ -x "$b" ]; then echo "$b"; return 0; fi
  done
  return 1
}
from_binary() {
  local applet
  mkdir -p "$root/bin" "$root/etc" "$root/root" "$root/proc" "$root/sys" "$root/dev" "$root/var" "$root/usr"
  cp "$1" "$root/bin/busybox"
  for applet in $("$1" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  ln -s bin "$root/sbin"
  ln -s ../bin "$root/usr/bin"
  ln -s ../bin "$root/usr/sbin"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
}

pulled=0
if exists busybox:latest && ! needs busybox:latest; then
  source="image busybox:latest"
  from_image busybox:latest
elif [ "${CP_TEST_PULL:-1}" != 0 ] && timeout 30 docker pull -q busybox:latest >/dev/null 2>&1; then
  source="image busybox:latest (pulled)"
  pulled=1
  # pulled, so not made from cp-test:v1 below; removed with the rest by the caller
  made busybox:latest
  from_image busybox:latest
elif bin=$(busybox_bin); then
  source="binary $bin"
  from_binary "$bin"
else
  echo "test-images: no busybox source: no image busybox:latest, none pulled (CP_TEST_PULL=${CP_TEST_PULL:-1}), and no static busybox binary (${CP_BUSYBOX:-/bin/busybox, busybox on PATH})" >&2
  exit 3
fi

# what the tests need on top of busybox
mkdir -p "$root/tmp" "$root/home/app" "$root/data" "$root/etc"
chmod 1777 "$root/tmp"
grep -q '^app:' "$root/etc/passwd" 2>/dev/null || echo 'app:x:1000:1000:app:/home/app:/bin/sh' >>"$root/etc/passwd"
grep -q '^app:' "$root/etc/group" 2>/dev/null || echo 'app:x:1000:' >>"$root/etc/group"
owner=()
if [ "$(id -u)" = 0 ]; then
  chown 1000:1000 "$root/home/app"
else
  owner=(--owner=0 --group=0)  # a non-root caller cannot chown: every file root-owned
fi
tarball() { tar -C "$root" "${owner[@]}" -cf "$tmp/rootfs.tar" .; }
import_as() {  # ref, extra --change ...
  local ref=$1; shift
  docker import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' --change "LABEL cp-test.rev=$REV" "$@" \
    "$tmp/rootfs.tar" "$ref" >/dev/null
  made "$ref"
}

tarball
if needs cp-test:v1; then import_as cp-test:v1; fi
if needs busybox:latest && [ "$pulled" = 0 ]; then
  if needs cp-test:v1; then docker tag cp-test:v1 busybox:latest; made busybox:latest; else import_as busybox:latest; fi
fi
if needs cp-test:v2; then
  echo 2 >"$root/etc/cp-test-version"
  tarball
  import_as cp-test:v2 --change 'LABEL version=2'
fi

id1=$(docker image inspect -f '{{.Id}}' cp-test:v1)
id2=$(docker image inspect -f '{{.Id}}' cp-test:v2)
if [ "$id1" = "$id2" ]; then
  echo "test-images: cp-test:v1 and cp-test:v2 have the same id" >&2
  exit 1
fi
say "made ${want[*]} from $source"
