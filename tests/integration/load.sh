#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Root test of load (issue 8): many containers at once and racing commands
# on one id never corrupt state, crash urunc or leave orphans.
#
# Usage: load.sh URUNC HELLO_PVH [N]      (TAP output; N containers, default 100)
#
#  1. N creates with distinct ids in parallel (16 at a time), then start,
#     state and delete --force of all of them, each in parallel: every
#     command succeeds, list agrees at each step, nothing is left.
#  2. Racing commands on one id, several rounds each:
#     create vs create (exactly one wins, the others say "already exists"),
#     start vs delete --force, kill vs delete --force, state (many) vs
#     delete --force, delete --force vs create: no urunc killed by a signal,
#     only the expected messages, a consistent state, nothing left.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"
. "$here/../lib/urunc.sh"

URUNC=${1:?usage: load.sh URUNC HELLO_PVH [N]} PVH=${2:?}
N=${3:-100}
P=16
urunc_test_init load 32
export URUNC ROOT T
trap urunc_cleanup EXIT
t0=$(date +%s)
pre=ld$$

B=$T/bundle; B_ARGS='["hello", "sleep=forever"]' make_bundle "$B" "$PVH"
export B

# run_all VERB ID...: the verb on every id, P at a time; each command's exit
# status in $T/rc/<verb>.<id>, its output in $T/out/<verb>.<id>.
mkdir -p "$T/rc" "$T/out"
run_all() {
  local verb=$1; shift
  printf '%s\n' "$@" | xargs -P "$P" -I{} sh -c '
    verb=$1 id=$2
    case $verb in
      create) set -- create --bundle "$B" --pid-file "$T/out/pid.$id" "$id" ;;
      delete) set -- delete --force "$id" ;;
      *) set -- "$verb" "$id" ;;
    esac
    "$URUNC" --root "$ROOT" "$@" >"$T/out/$verb.$id" 2>&1 </dev/null
    echo $? >"$T/rc/$verb.$id"' sh "$verb" {}
}
# count_rc VERB RC: how many commands of VERB exited with RC
count_rc() { grep -lx -- "$2" "$T/rc/$1".* 2>/dev/null | wc -l; }
status_counts() { u list --format json 2>/dev/null | grep -o '"status": *"[a-z]*"' | sed 's/.*"\([a-z]*\)"$/\1/' | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}'; }
no_procs() { ! pgrep -f -- "$ROOT" >/dev/null; }
# cgroups_of PREFIX: cgroupfs dirs named PREFIX*, or the scopes
# urunc-PREFIX*.scope (the id escaped: '-' is \x2d).
cgroups_of() {
  local esc
  esc=$(printf '%s' "$1" | sed -e 's/-/\\\\x2d/g' -e 's/+/\\\\x2b/g')
  find /sys/fs/cgroup -maxdepth 6 -type d \( -name "$1*" -o -name "urunc-$esc*.scope" \) 2>/dev/null | head -3
}

# --- 1. N containers ----------------------------------------------------------
ids=()
for i in $(seq 1 "$N"); do ids+=("$pre-$i"); done
s=$(date +%s%N)
run_all create "${ids[@]}"
diag "$N creates in $(( ($(date +%s%N) - s) / 1000000 )) ms"
expect_eq "$N parallel creates: all exit 0" "$N" "$(count_rc create 0)"
expect_eq "list: $N created" "created=$N " "$(status_counts)"
bad=0
for id in "${ids[@]}"; do
  pid=$(cat "$T/out/pid.$id" 2>/dev/null)
  [ -n "$pid" ] && [ "$(u state "$id" 2>/dev/null | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')" = "$pid" ] || bad=$((bad + 1))
done
expect_eq "every pid file matches its state" 0 "$bad"
expect_eq "no two containers share a monitor process" "$N" "$(for f in "$T"/out/pid.*; do cat "$f"; echo; done | sort -u | wc -l)"

s=$(date +%s%N)
run_all start "${ids[@]}"
diag "$N starts in $(( ($(date +%s%N) - s) / 1000000 )) ms"
expect_eq "$N parallel starts: all exit 0" "$N" "$(count_rc start 0)"
run_all state "${ids[@]}"
expect_eq "$N parallel states: all exit 0" "$N" "$(count_rc state 0)"
expect_eq "  ... all running" "$N" "$(cat "$T"/out/state.* | grep -c '"status": "running"')"
expect_eq "list: $N running" "running=$N " "$(status_counts)"
expect_eq "each monitor is in its own cgroup" "$N" "$(for id in "${ids[@]}"; do [ -n "$(cgroup_dirs_of "$id")" ] && echo "$id"; done | wc -l)"

s=$(date +%s%N)
run_all delete "${ids[@]}"
diag "$N deletes in $(( ($(date +%s%N) - s) / 1000000 )) ms"
expect_eq "$N parallel delete --force: all exit 0" "$N" "$(count_rc delete 0)"
expect_eq "list: empty" "" "$(u list -q)"
check "no state directory left" test -z "$(ls "$ROOT")"
check "no process left" wait_for 5 no_procs
expect_eq "no cgroup left" "" "$(cgroups_of "$pre-")"
killed=$(cat "$T"/rc/* | awk '$1 >= 128' | wc -l)
expect_eq "no urunc command died of a signal" 0 "$killed"
rm -f "$T"/rc/* "$T"/out/*

# --- 2. racing commands on one id -----------------------------------------------
ROUNDS=6
# bg_u NAME ARGS...: urunc in the background, exit status in $T/rc/NAME
bg_u() { local name=$1; shift; { u "$@" >"$T/out/$name" 2>&1 </dev/null; echo $? >"$T/rc/$name"; } & }
# Processes of id: QEMU has paths in ROOT/id/, urunc and monitor processes
# before exec end their command line with the id.
no_procs_of() { ! pgrep -f -- "$ROOT/$1/" >/dev/null && ! pgrep -f -- "--root $ROOT .* $1\$" >/dev/null; }
left() {
  local id=$1 what=""
  [ -e "$ROOT/$id" ] && what="$what state-dir"
  wait_for 3 no_procs_of "$id" || what="$what process"
  [ -n "$(cgroup_dirs_of "$id")" ] && what="$what cgroup"
  echo "$what"
}
unexpected=""
# note_unexpected NAME REGEX: the output of NAME must be empty or match REGEX
note_unexpected() {
  local out; out=$(grep -v '^urunc: warning: ' "$T/out/$1" 2>/dev/null)
  [ -z "$out" ] || printf '%s' "$out" | grep -Eq -- "$2" || unexpected="$unexpected [$1: $out]"
  [ "$(cat "$T/rc/$1")" -lt 128 ] || unexpected="$unexpected [$1 died: rc $(cat "$T/rc/$1")]"
}

# create vs create: exactly one wins.
wins=""
for r in $(seq 1 $ROUNDS); do
  id=$pre-cc$r
  for k in 1 2 3 4 5 6; do bg_u "cc$r.$k" create --bundle "$B" "$id"; done
  wait
  w=0
  for k in 1 2 3 4 5 6; do
    if [ "$(cat "$T/rc/cc$r.$k")" = 0 ]; then w=$((w + 1)); else note_unexpected "cc$r.$k" "already exists"; fi
  done
  wins="$wins$w"
  [ "$(u state "$id" 2>/dev/null | grep -c '"status": "created"')" = 1 ] || unexpected="$unexpected [$id not created]"
  u delete --force "$id"
  [ -z "$(left "$id")" ] || unexpected="$unexpected [$id left:$(left "$id")]"
done
expect_eq "create vs create (6 at once, $ROUNDS rounds): exactly one wins each round" "$(printf '1%.0s' $(seq 1 $ROUNDS))" "$wins"

# start vs delete --force
for r in $(seq 1 $ROUNDS); do
  id=$pre-sd$r
  u create --bundle "$B" "$id" >/dev/null 2>&1 </dev/null
  bg_u "sd$r.start" start "$id"
  [ $((r % 2)) = 0 ] && sleep 0.0$r
  bg_u "sd$r.delete" delete --force "$id"
  wait
  note_unexpected "sd$r.start" "does not exist|has stopped|went away|died before exec"
  note_unexpected "sd$r.delete" "^$"
  [ "$(cat "$T/rc/sd$r.delete")" = 0 ] || unexpected="$unexpected [sd$r.delete rc $(cat "$T/rc/sd$r.delete")]"
  [ -z "$(left "$id")" ] || unexpected="$unexpected [$id left:$(left "$id")]"
done
# kill vs delete --force
for r in $(seq 1 $ROUNDS); do
  id=$pre-kd$r
  u create --bundle "$B" "$id" >/dev/null 2>&1 </dev/null && u start "$id"
  bg_u "kd$r.kill" kill "$id" KILL
  bg_u "kd$r.delete" delete --force "$id"
  wait
  note_unexpected "kd$r.kill" "does not exist|container not running"
  note_unexpected "kd$r.delete" "^$"
  [ "$(cat "$T/rc/kd$r.delete")" = 0 ] || unexpected="$unexpected [kd$r.delete rc $(cat "$T/rc/kd$r.delete")]"
  [ -z "$(left "$id")" ] || unexpected="$unexpected [$id left:$(left "$id")]"
done
# many state calls while deleting: each says running/stopped or does not exist
for r in $(seq 1 3); do
  id=$pre-st$r
  u create --bundle "$B" "$id" >/dev/null 2>&1 </dev/null && u start "$id"
  for k in $(seq 1 10); do bg_u "st$r.$k" state "$id"; done
  bg_u "st$r.delete" delete --force "$id"
  for k in $(seq 11 20); do bg_u "st$r.$k" state "$id"; done
  wait
  for k in $(seq 1 20); do
    note_unexpected "st$r.$k" '"status": "(running|stopped)"|does not exist'
  done
  [ "$(cat "$T/rc/st$r.delete")" = 0 ] || unexpected="$unexpected [st$r.delete rc $(cat "$T/rc/st$r.delete")]"
  [ -z "$(left "$id")" ] || unexpected="$unexpected [$id left:$(left "$id")]"
done
# delete --force vs create: whoever comes second sees a consistent state
for r in $(seq 1 $ROUNDS); do
  id=$pre-dc$r
  bg_u "dc$r.create" create --bundle "$B" "$id"
  [ $((r % 2)) = 0 ] && sleep 0.0$r
  bg_u "dc$r.delete" delete --force "$id"
  wait
  note_unexpected "dc$r.create" "already exists|deleted while being created|went away"
  note_unexpected "dc$r.delete" "^$"
  st=$(u state "$id" 2>&1)
  printf '%s' "$st" | grep -Eq '"status": "created"|does not exist' || unexpected="$unexpected [$id state: $st]"
  u delete --force "$id"
  [ -z "$(left "$id")" ] || unexpected="$unexpected [$id left:$(left "$id")]"
done
diag "outcomes: start won $(cat "$T"/rc/sd*.start | grep -cx 0)/$ROUNDS against delete," \
  "kill won $(cat "$T"/rc/kd*.kill | grep -cx 0)/$ROUNDS, create won $(cat "$T"/rc/dc*.create | grep -cx 0)/$ROUNDS," \
  "states while deleting: $(cat "$T"/out/st*.[0-9]* | grep -c running) running, $(cat "$T"/out/st*.[0-9]* | grep -c stopped) stopped, $(cat "$T"/out/st*.[0-9]* | grep -c 'does not exist') gone"
expect_eq "start/kill/state/create vs delete --force: only expected outcomes, nothing left" "" "$unexpected"
expect_eq "nothing at all left under the root" "" "$(ls "$ROOT" 2>/dev/null)"
expect_eq "no cgroup left" "" "$(cgroups_of "$pre-")"

diag "load.sh took $(( $(date +%s) - t0 )) s"
tap_done
