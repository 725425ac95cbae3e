#!/bin/bash
# Containers that are not unikernels go to the fallback runtime untouched.
# Usage: fallback.sh URUNC
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
# busybox-static's binary: the bundle has no libraries.
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || tap_skip_all "busybox-static is not installed"
command -v runc >/dev/null || tap_skip_all "runc is not installed"

URUNC=$1
T=$(mktemp -d /tmp/urunc-fallback.XXXXXX)
ROOT=$T/root
export URUNC_CONFIG=$T/none.toml
: > "$URUNC_CONFIG"
u() { "$URUNC" --root "$ROOT" "$@"; }
trap 'for id in bb1 bb2 pause1 bad1 term1 det1; do u delete --force $id >/dev/null 2>&1; done; rm -rf "$T"' EXIT

busybox_bundle() {
  local dir=$1
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc"
  cp "$BUSYBOX" "$dir/rootfs/bin/busybox"
  B_NOMETA=1 B_NS='[{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "network"}]' \
    B_EXTRA='"mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}]' make_bundle "$dir" ""
  rmdir "$dir/rootfs/unikernel"
}

B=$T/bb1; B_ARGS='["/bin/busybox", "echo", "hello-from-the-fallback"]' busybox_bundle "$B"
out=$(u run --bundle "$B" bb1 2>"$T/bb1.err"); rc=$?
expect_eq "run of a plain busybox bundle: exit 0 (through runc)" 0 "$rc"
expect_match "  ... prints its output" '^hello-from-the-fallback$' "$out"
check "  ... runc deleted it, the marker is gone too" test ! -e "$ROOT/.fallback-bb1"
out=$(u run --bundle "$B" bb1 2>"$T/bb1.err"); rc=$?
expect_eq "run again with the same id: exit 0 (as runc alone)" 0 "$rc"

# run waits for runc: a SIGTERM sent to urunc reaches the container.
B=$T/term1; B_ARGS='["/bin/busybox", "sh", "-c", "trap \"exit 7\" TERM; touch /up; while :; do sleep 0.1; done"]' busybox_bundle "$B"
"$URUNC" --root "$ROOT" run --bundle "$B" term1 </dev/null >/dev/null 2>"$T/term1.err" &
upid=$!
wait_for 10 test -e "$B/rootfs/up"
kill -TERM "$upid"
wait "$upid"; rc=$?
expect_eq "SIGTERM to urunc run goes on to the container (its trap exits 7)" 7 "$rc"
check "  ... and the id is free again" test ! -e "$ROOT/.fallback-term1"

# run --detach: the container stays, and so does the id.
B=$T/det1; B_ARGS='["/bin/busybox", "sleep", "1000"]' busybox_bundle "$B"
u run --detach --bundle "$B" det1 </dev/null >/dev/null 2>"$T/det1.err"; rc=$?
expect_eq "run --detach: exit 0" 0 "$rc"
check "  ... the marker stays" test -s "$ROOT/.fallback-det1"
expect_match "  ... state goes to runc: running" '"status": "running"' "$(u state det1)"
u delete --force det1; rc=$?
expect_eq "  ... delete --force: exit 0" 0 "$rc"
check "  ... and the marker is gone" test ! -e "$ROOT/.fallback-det1"

# A pause-like container: create, start, state, kill, delete through urunc.
B=$T/pause1; B_ARGS='["/bin/busybox", "sleep", "1000"]' busybox_bundle "$B"
u create --bundle "$B" --pid-file "$T/pause1.pid" pause1; rc=$?
expect_eq "create of a pause-like container: exit 0" 0 "$rc"
check "  ... is marked as the fallback runtime's" test -s "$ROOT/.fallback-pause1"
check "  ... runc's own state is there" test -e "$ROOT/pause1/state.json"
check "  ... pid file written" test -s "$T/pause1.pid"
u start pause1; rc=$?
expect_eq "start goes to runc: exit 0" 0 "$rc"
expect_match "state goes to runc: running" '"status": "running"' "$(u state pause1)"
u kill pause1 KILL; rc=$?
expect_eq "kill goes to runc: exit 0" 0 "$rc"
wait_for 10 sh -c "$URUNC --root $ROOT state pause1 | grep -q '\"stopped\"'"
u delete pause1; rc=$?
expect_eq "delete goes to runc: exit 0" 0 "$rc"
check "  ... and the marker is gone" test ! -e "$ROOT/.fallback-pause1"
check "  ... and runc's state is gone" test ! -e "$ROOT/pause1"

# A create the fallback runtime refuses leaves the id free, as with runc
# alone (runtime-tools' misc_props creates again with the same id).
B=$T/bad1; B_ARGS='["/no-such-binary"]' busybox_bundle "$B"
u create --bundle "$B" bad1 2>"$T/bad1.err"; rc=$?
check "create with a missing binary fails (runc's error; exit $rc)" test "$rc" -ne 0
expect_match "  ... with runc's message" 'no-such-binary' "$(cat "$T/bad1.err")"
check "  ... and no marker is left" test ! -e "$ROOT/.fallback-bad1"
expect_match "  ... state: does not exist" 'does not exist' "$(u state bad1 2>&1)"
B=$T/bad1; B_ARGS='["/bin/busybox", "sleep", "1000"]' busybox_bundle "$B"
u create --bundle "$B" bad1 2>"$T/bad1.err"; rc=$?
expect_eq "create again with the same id: exit 0" 0 "$rc"
expect_match "  ... created" '"status": "created"' "$(u state bad1)"
u delete bad1; rc=$?
expect_eq "  ... delete: exit 0" 0 "$rc"

tap_done
