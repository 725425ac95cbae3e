#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Root test of crash safety (issue 8): a create or start killed at any point
# (SIGKILL of urunc, of the monitor process, or of both; URUNC_TEST_CRASH,
# see src/util/crash.h) is reported truthfully by state and list, and
# delete --force removes everything: state dir, processes, the cgroup dir in
# every hierarchy, and in a networked case the tap and the ingress qdiscs.
#
# Usage: crash.sh URUNC HELLO_PVH      (TAP output)
#
# Expected after a crash:
#   urunc create killed (WHO self/both): create fails; the container shows as
#     "stopped" in state and list (a bare directory too: nothing is being
#     created any more); the id stays taken until delete --force.
#   the monitor process killed (WHO monitor, monitor-* points before start):
#     create fails and undoes everything itself: "does not exist".
#   the monitor process killed during start: start fails, "stopped".
#   urunc start killed after the exec: "running"; delete --force stops it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"
. "$here/../lib/urunc.sh"

URUNC=${1:?usage: crash.sh URUNC HELLO_PVH} PVH=${2:?}
urunc_test_init crash 32
NS=urcr-n$$ PEER=urcrp$$
NET_IP=10.206.$(($$ % 250 + 1)).2
cleanup() {
  urunc_cleanup
  ip netns del "$NS" 2>/dev/null
  ip link del "$PEER" 2>/dev/null
}
trap cleanup EXIT
start_s=$(date +%s)

listed_status() { u list 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'; }
# Processes of this test's root: urunc create/start and monitor processes
# before exec carry "--root ROOT" in their command line, QEMU paths in ROOT.
procs() { pgrep -f -- "$ROOT" | tr '\n' ' '; }
no_procs() { ! pgrep -f -- "$ROOT" >/dev/null; }
# Nothing left of a container: no state, no process, no cgroup, no tap or
# ingress qdisc in the test namespace.
left_behind() {
  local id=$1 what=""
  [ -e "$ROOT/$id" ] && what="$what state-dir"
  # The monitor process of a create killed before it recorded it leaves by
  # itself when it sees create hang up: give it a moment.
  wait_for 3 no_procs || what="$what process($(procs))"
  [ -n "$(cgroup_dirs_of "$id")" ] && what="$what cgroup"
  if ip netns list 2>/dev/null | grep -qw "$NS"; then
    ip -n "$NS" -o link show 2>/dev/null | grep -q ' urt' && what="$what tap"
    tc -n "$NS" qdisc show dev eth0 2>/dev/null | grep -q ingress && what="$what qdisc"
  fi
  echo "$what"
}

B=$T/b-plain; B_ARGS='["hello", "sleep=forever"]' make_bundle "$B" "$PVH"

# create_crash ID POINT[:WHO] EXPECT   EXPECT: stopped (create killed) or gone
create_crash() {
  local id=$1 spec=$2 expect=$3 err rc st
  # Into a file, not $(...): a monitor process that survives by mistake
  # would hold the pipe open.
  URUNC_TEST_CRASH=$spec u create --bundle "$B" --pid-file "$T/$id.pid" "$id" >"$T/$id.err" 2>&1; rc=$?
  err=$(cat "$T/$id.err")
  check "$spec: create fails" test "$rc" -ne 0
  if [ "$expect" = gone ]; then
    expect_match "$spec: create reports the monitor process's death" \
      'the monitor process went away|connect to the monitor process' "$err"
    expect_eq "$spec: state says it does not exist" "" "$(u state "$id" 2>/dev/null)"
    expect_eq "$spec: create undid everything itself" "" "$(left_behind "$id")"
  else
    # A monitor process that outlives create for a moment may still show
    # "created" or "creating"; then it must become "stopped".
    st=$(status_of "$id")
    case "$st" in stopped | created | creating) ok "$spec: state right after: '$st'" ;;
      *) not_ok "$spec: state right after: '$st'" ;; esac
    wait_for 5 sh -c "[ \"\$(\"$URUNC\" --root \"$ROOT\" state $id 2>/dev/null | grep -c '\"status\": \"stopped\"')\" = 1 ]"
    expect_eq "$spec: state says stopped" stopped "$(status_of "$id")"
    expect_eq "$spec: list shows it stopped" stopped "$(listed_status "$id")"
    u create --bundle "$B" "$id" >"$T/$id.err2" 2>&1
    err=$(cat "$T/$id.err2")
    expect_match "$spec: the id stays taken" "already exists" "$err"
  fi
  u delete --force "$id"; rc=$?
  expect_eq "$spec: delete --force exit 0" 0 "$rc"
  expect_eq "$spec: nothing left" "" "$(left_behind "$id")"
}

n=0
for point in after-mkdir after-lock; do
  n=$((n + 1)); create_crash "cr$$-$n" "$point" stopped
done
for point in after-clone after-cgroup after-init after-hooks after-state before-commit; do
  for who in self monitor both; do
    n=$((n + 1))
    if [ "$who" = monitor ]; then
      create_crash "cr$$-$n" "$point:$who" gone
    else
      create_crash "cr$$-$n" "$point:$who" stopped
    fi
  done
done
n=$((n + 1)); create_crash "cr$$-$n" monitor-after-setup gone

# The pid file: written only by a create that got as far as committing.
check "no pid file from a create killed before it" test ! -e "$T/cr$$-3.pid"

# --- start ------------------------------------------------------------------
# start_crash ID BUNDLE POINT[:WHO] EXPECT   EXPECT: stopped or running
start_crash() {
  local id=$1 b=$2 spec=$3 expect=$4 rc cenv="" senv=""
  # The monitor process is a clone of create: it has create's environment.
  case "$spec" in monitor-*) cenv=$spec ;; *) senv=$spec ;; esac
  URUNC_TEST_CRASH=$cenv u create --bundle "$b" "$id" >/dev/null 2>&1
  expect_eq "$spec: created" created "$(status_of "$id")"
  URUNC_TEST_CRASH=$senv u start "$id" >/dev/null 2>"$T/$id.err"; rc=$?
  if [ "$expect" = running ]; then
    check "$spec: start killed" test "$rc" -eq 137
  elif [ "$spec" = start-after-exec:monitor ]; then
    # start got as far as the exec: it succeeds, the container is dead.
    expect_eq "$spec: start succeeded" 0 "$rc"
    wait_for 5 sh -c "[ \"\$(\"$URUNC\" --root \"$ROOT\" state $id 2>/dev/null | grep -c '\"status\": \"stopped\"')\" = 1 ]"
  else
    check "$spec: start fails" test "$rc" -ne 0
    wait_for 5 sh -c "[ \"\$(\"$URUNC\" --root \"$ROOT\" state $id 2>/dev/null | grep -c '\"status\": \"stopped\"')\" = 1 ]"
  fi
  expect_eq "$spec: state says $expect" "$expect" "$(status_of "$id")"
  expect_eq "$spec: list says $expect" "$expect" "$(listed_status "$id")"
  u delete --force "$id"; rc=$?
  expect_eq "$spec: delete --force exit 0" 0 "$rc"
  expect_eq "$spec: nothing left" "" "$(left_behind "$id")"
}
n=$((n + 1)); start_crash "cr$$-$n" "$B" monitor-before-exec stopped
n=$((n + 1)); start_crash "cr$$-$n" "$B" start-after-exec running
n=$((n + 1)); start_crash "cr$$-$n" "$B" start-after-exec:monitor stopped

# --- networked: a joined namespace holding a veth with an address -------------
if command -v ip >/dev/null && command -v tc >/dev/null && [ -c /dev/net/tun ] &&
  ip netns add "$NS" 2>/dev/null; then
  ip link add "$PEER" type veth peer name eth0 netns "$NS"
  ip -n "$NS" addr add "$NET_IP/24" dev eth0
  ip -n "$NS" link set eth0 up
  ip -n "$NS" link set lo up
  ip link set "$PEER" up
  BN=$T/b-net
  B_NS="[{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"network\", \"path\": \"/var/run/netns/$NS\"}]" \
    B_ARGS='["hello", "sleep=forever"]' make_bundle "$BN" "$PVH"
  for spec in monitor-after-network monitor-before-exec; do
    n=$((n + 1)); start_crash "cr$$-$n" "$BN" "$spec" stopped
  done
  n=$((n + 1)); start_crash "cr$$-$n" "$BN" start-after-exec running
  check "net: the veth keeps its address" sh -c "ip -n $NS -4 addr show dev eth0 | grep -q $NET_IP"
else
  skip "networked crash points" "no ip/tc/tun or netns"
fi

diag "crash.sh took $(( $(date +%s) - start_s )) s"
tap_done
