#!/bin/bash
# The verbs that containerd's shim (CRI), ctr and podman call, on a unikernel
# container in every state, against runc's exit statuses and the stderr
# wording engines match (issue 12); a pod's sandbox with the pod's
# unikernel annotations goes to the fallback; a plain bundle cannot take a
# running unikernel's id (issue 13, point 8).
#
# Each cell asserts runc 1.1.5's known behaviour; where runc and busybox are
# installed, the same cell is also run through runc on a busybox bundle
# and the exit statuses compared.
# Usage: verbs.sh URUNC HELLO_PVH
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"
. "$here/../lib/urunc.sh"

URUNC=$1 PVH=$2
urunc_test_init verbs 64
RROOT=$T/runc-root
S=$$
# Monitors started by this test, killed at exit whatever the code under
# test did with them (a hijacked id leaves an orphan on broken code).
PIDS=""
cleanup() {
  local p
  for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
  if [ -n "$RUNC" ]; then
    for p in $(runc --root "$RROOT" list -q 2>/dev/null); do runc --root "$RROOT" delete --force "$p" >/dev/null 2>&1; done
  fi
  urunc_cleanup
}
trap cleanup EXIT

RUNC=$(command -v runc || true)
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || BUSYBOX=""
if [ -z "$RUNC" ] || [ -z "$BUSYBOX" ]; then
  diag "runc or busybox-static missing: asserting runc's known behaviour only, no side-by-side run"
  RUNC=""
fi

status_of() { "$@" 2>/dev/null | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p'; }

# A guest that never exits by itself (QEMU is only ended by signals here).
UB=$T/b-unikernel
B_ARGS='["hello", "sleep=forever"]' make_bundle "$UB" "$PVH"
# A busybox bundle for runc, and for urunc's fallback.
busybox_bundle() {
  local dir=$1
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc"
  cp "$BUSYBOX" "$dir/rootfs/bin/busybox"
  B_NOMETA=${B_NOMETA-1} B_ARGS='["/bin/busybox", "sleep", "1000"]' \
    B_EXTRA='"mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}]' make_bundle "$dir" ""
  rmdir "$dir/rootfs/unikernel" 2>/dev/null
}
RB=$T/b-busybox
[ -n "$BUSYBOX" ] && busybox_bundle "$RB"

# --- bringing a container to a state -----------------------------------------
# ur_to STATE ID / rc_to STATE ID: create (and start, pause, stop) a container.
wait_status() { # WANT CMD...
  local want=$1 i; shift
  for i in $(seq 100); do [ "$(status_of "$@")" = "$want" ] && return 0; sleep 0.05; done
  return 1
}
ur_to() {
  local st=$1 id=$2
  [ "$st" = unknown ] && return 0
  u create --bundle "$UB" "$id" </dev/null >"$T/$id.out" 2>&1 || { diag "urunc create $id failed: $(cat "$T/$id.out")"; return 1; }
  PIDS="$PIDS $(u state "$id" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')"
  [ "$st" = created ] && return 0
  u start "$id" || return 1
  case $st in
    paused) u pause "$id" ;;
    stopped) u kill "$id" KILL && wait_status stopped u state "$id" ;;
  esac
}
r() { runc --root "$RROOT" "$@"; }
rc_to() {
  local st=$1 id=$2
  [ "$st" = unknown ] && return 0
  r create --bundle "$RB" "$id" </dev/null >/dev/null 2>&1 || return 1
  [ "$st" = created ] && return 0
  r start "$id" || return 1
  case $st in
    paused) r pause "$id" ;;
    stopped) r kill "$id" KILL && wait_status stopped r state "$id" ;;
  esac
}

echo '{"cpu": {"shares": 512}, "pids": {"limit": 64}}' >"$T/res.json"

# --- the matrix ----------------------------------------------------------------
# STATE | VERB (container id is appended, or {} stands for it) | runc's exit
# status | a regex stderr must match (empty: stderr must be empty) |
# "same": runc's exit status must be the same (else why it is not).
# Verbs that change the container get a fresh one; the others share one.
MATRIX=$(cat <<'EOF'
created|kill {} 9|0||same
created|kill --all {} 9|0||same
created|delete {}|0||same
created|delete --force {}|0||same
created|state {}|0||same
created|ps --format json {}|0||same
created|update --resources RES {}|0||same
created|update -r - {}|0||same
created|resume {}|1|container not paused|same
created|pause {}|1|container not running|runc freezes a created container; urunc's created monitor process waits for start and is not frozen
created|exec {} true|255|exec is not supported for unikernel container|runc can exec into its container; a unikernel has no second process
created|start {}|0||same
running|kill {} 9|0||same
running|kill --all {} 9|0||same
running|kill {} 15|0||same
running|delete {}|1|cannot delete container .*that is not stopped: running|same
running|delete --force {}|0||same
running|state {}|0||same
running|ps --format json {}|0||same
running|update --resources RES {}|0||same
running|update -r - {}|0||same
running|resume {}|1|container not paused|same
running|start {}|1|cannot start an already running container|same
running|exec {} true|255|exec is not supported for unikernel container|runc can exec into its container; a unikernel has no second process
running|pause {}|0||same
paused|kill {} 9|0||same
paused|kill --all {} 9|0||same
paused|delete {}|1|cannot delete container .*that is not stopped: paused|same
paused|delete --force {}|0||same
paused|state {}|0||same
paused|ps --format json {}|0||same
paused|update --resources RES {}|0||same
paused|pause {}|1|container not running|same
paused|start {}|1|cannot start a container in the paused state|same
paused|exec {} true|255|exec is not supported for unikernel container|same
paused|resume {}|0||same
stopped|kill {} 15|1|container not running|same
stopped|kill {} 9|1|container not running|same
stopped|kill --all {} 9|0||same
stopped|--log LOG --log-format json kill --all {} 9|0||same
stopped|--log LOG --log-format json kill {} 9|1|container not running|same
stopped|state {}|0||same
stopped|ps --format json {}|0||same
stopped|update --resources RES {}|1|container not running|same
stopped|update -r - {}|1|container not running|same
stopped|pause {}|1|container not running|same
stopped|resume {}|1|container not paused|same
stopped|start {}|1|cannot start a container that has stopped|same
stopped|exec {} true|255|exec is not supported for unikernel container|same
stopped|delete {}|0||same
stopped|delete --force {}|0||same
unknown|kill {} 15|1|does not exist|same
unknown|kill --all {} 9|1|does not exist|same
unknown|--log LOG --log-format json kill --all {} 9|1|does not exist|same
unknown|delete {}|1|does not exist|same
unknown|delete --force {}|0||same
unknown|state {}|1|does not exist|same
unknown|ps --format json {}|1|does not exist|same
unknown|update --resources RES {}|1|does not exist|same
unknown|pause {}|1|does not exist|same
unknown|resume {}|1|does not exist|same
unknown|start {}|1|does not exist|same
unknown|exec {} true|255|does not exist|same
EOF
)

# Verbs after which the container is not the same any more.
changes() {
  case $1 in
    *kill*|delete*|start*|pause*|resume*) return 0 ;;
  esac
  return 1
}

# argv for one cell: {} -> id, RES -> the resources file, LOG -> a fresh log.
cell_argv() { # VERB ID LOG
  local w
  CELL=()
  for w in $1; do
    case $w in
      {}) CELL+=("$2") ;;
      RES) CELL+=("$T/res.json") ;;
      LOG) CELL+=("$3") ;;
      *) CELL+=("$w") ;;
    esac
  done
}

n=0 ucur="" rcur="" ustate="" rstate=""
while IFS='|' read -r st verb want_rc want_err same; do
  [ -n "$st" ] || continue
  n=$((n + 1))
  desc="$st: ${verb//\{\}/ID}"
  # urunc
  if [ "$ustate" != "$st" ] || [ -z "$ucur" ] || [ "$st" = unknown ]; then
    [ -n "$ucur" ] && u delete --force "$ucur" >/dev/null 2>&1
    ucur=uv$n-$S
    ustate=$st
    if ! ur_to "$st" "$ucur"; then not_ok "$desc (urunc): cannot bring a container to $st"; ustate=""; continue; fi
  fi
  rm -f "$T/u.log"
  cell_argv "$verb" "$ucur" "$T/u.log"
  u "${CELL[@]}" <"$T/res.json" >"$T/u.out" 2>"$T/u.err"; urc=$?
  changes "$verb" && ustate=""
  if [ "$same" = same ]; then
    expect_eq "$desc: urunc exits $want_rc as runc" "$want_rc" "$urc"
  else
    expect_eq "$desc: urunc exits $want_rc (not as runc: $same)" "$want_rc" "$urc"
  fi
  if [ -n "$want_err" ]; then
    expect_match "  ... stderr says what runc says ('$want_err')" "$want_err" "$(cat "$T/u.err")"
  else
    expect_eq "  ... nothing on stderr" "" "$(cat "$T/u.err")"
  fi
  case $verb in
    --log*)
      if [ "$want_rc" != 0 ]; then
        expect_match "  ... the error is also in the --log file as JSON" "^\{\"level\":\"error\",\"msg\":\"[^\"]*$want_err" "$(cat "$T/u.log" 2>/dev/null)"
      fi ;;
    state*)
      [ "$st" != unknown ] && expect_eq "  ... status $st" "$st" "$(status_of cat "$T/u.out")" ;;
    ps*)
      if [ "$st" = stopped ]; then
        expect_match "  ... an empty JSON list" '^(\[\]|null)$' "$(cat "$T/u.out")"
      elif [ "$st" != unknown ]; then
        expect_match "  ... a JSON list of pids" '^\[[0-9]+(,[0-9]+)*\]$' "$(cat "$T/u.out")"
      fi ;;
  esac
  # runc, side by side
  [ -n "$RUNC" ] || continue
  if [ "$rstate" != "$st" ] || [ -z "$rcur" ] || [ "$st" = unknown ]; then
    [ -n "$rcur" ] && r delete --force "$rcur" >/dev/null 2>&1
    rcur=rv$n-$S
    rstate=$st
    if ! rc_to "$st" "$rcur"; then not_ok "$desc (runc): cannot bring a container to $st"; rstate=""; continue; fi
  fi
  rm -f "$T/r.log"
  cell_argv "$verb" "$rcur" "$T/r.log"
  r "${CELL[@]}" <"$T/res.json" >"$T/r.out" 2>"$T/r.err"; rrc=$?
  changes "$verb" && rstate=""
  if [ "$same" = same ]; then
    expect_eq "  ... runc itself exits $want_rc here" "$want_rc" "$rrc"
    [ -n "$want_err" ] && [ "$want_err" != "exec is not supported for unikernel container" ] &&
      expect_match "  ... and says '$want_err' too" "$want_err" "$(cat "$T/r.err")"
  else
    diag "known difference: runc exits $rrc; $same"
  fi
done <<<"$MATRIX"
[ -n "$ucur" ] && u delete --force "$ucur" >/dev/null 2>&1
[ -n "$RUNC" ] && [ -n "$rcur" ] && r delete --force "$rcur" >/dev/null 2>&1

# --- kill --all signals the whole cgroup, as runc ---------------------------------
# A process put into the container's cgroup beside the monitor.
join_cgroup_of() { # MONITOR_PID PID
  local _h ctrl path d n=0
  while IFS=: read -r _h ctrl path; do
    [ "$path" = / ] && continue
    if [ -z "$ctrl" ]; then d=/sys/fs/cgroup$path; else d=/sys/fs/cgroup/${ctrl#name=}$path; fi
    [ -w "$d/cgroup.procs" ] && echo "$2" >"$d/cgroup.procs" && n=$((n + 1))
  done <"/proc/$1/cgroup"
  [ "$n" -gt 0 ]
}
gone() { [ ! -e "/proc/$1" ] || [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" = Z ]; }
id=ka$((++n))-$S
ur_to running "$id"
mpid=$(u state "$id" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
sleep 1000 & extra=$!
if join_cgroup_of "$mpid" "$extra"; then
  u kill --all "$id" 9; rc=$?
  expect_eq "kill --all of a running container: exit 0" 0 "$rc"
  wait_for 10 gone "$mpid"
  check "  ... the monitor is killed" gone "$mpid"
  wait_for 10 gone "$extra"
  check "  ... and the other process in its cgroup too" gone "$extra"
  u delete --force "$id" >/dev/null 2>&1
  id=ks$((++n))-$S
  ur_to running "$id"
  mpid=$(u state "$id" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
  sleep 1000 & extra2=$!
  join_cgroup_of "$mpid" "$extra2"
  u kill "$id" 9
  wait_status stopped u state "$id"
  check "kill without --all: only the monitor (the other process lives on)" kill -0 "$extra2"
  u kill --all "$id" 9; rc=$?
  expect_eq "kill --all of the stopped container: exit 0" 0 "$rc"
  wait_for 10 gone "$extra2"
  check "  ... and what was left in its cgroup is killed" gone "$extra2"
  kill -9 "$extra2" 2>/dev/null
else
  skip "kill --all of the container's cgroup" "no writable cgroup of the monitor (cgroup manager none?)"
fi
kill -9 "$extra" 2>/dev/null
wait 2>/dev/null
u delete --force "$id" >/dev/null 2>&1

# --- exec of a fallback container: the command after the id is left alone ------
if [ -n "$RUNC" ]; then
  id=fbx-$S
  u create --bundle "$RB" "$id" </dev/null >/dev/null 2>&1 && u start "$id"
  out=$(u exec "$id" /bin/busybox ls -la /bin 2>&1); rc=$?
  expect_eq "exec ID ls -la of a fallback container: runc runs it (exit 0)" 0 "$rc"
  expect_match "  ... with the command's own options" 'busybox' "$out"
  out=$(u exec --env A=x "$id" /bin/busybox sh -c 'echo A=$A' 2>&1)
  expect_eq "  ... runc's exec options reach runc (--env)" "A=x" "$out"
  u delete --force "$id" >/dev/null 2>&1
else
  skip "exec of a fallback container" "runc or busybox-static is not installed"
fi

# --- a pod's sandbox with the pod's unikernel annotations (issue 12) ------------
# containerd copies pod annotations into the pause container's spec; the
# kernel they name is not in the pause image.
pod_annot="\"com.urunc.unikernel.unikernelType\": \"$(b64 unikraft)\",
  \"com.urunc.unikernel.hypervisor\": \"$(b64 qemu)\",
  \"com.urunc.unikernel.binary\": \"$(b64 /unikernel/net.pvh)\""
if [ -n "$RUNC" ]; then
  for mark in '"io.kubernetes.cri.container-type": "sandbox"' '"io.kubernetes.cri-o.ContainerType": "sandbox"'; do
    id=sb$((++n))-$S
    B=$T/b-$id
    B_ANNOT="$mark, $pod_annot, \"io.kubernetes.cri.sandbox-id\": \"$id\"" busybox_bundle "$B"
    u --log "$T/$id.log" --log-format json create --bundle "$B" --pid-file "$T/$id.pid" "$id" </dev/null >/dev/null 2>"$T/$id.err"; rc=$?
    expect_eq "sandbox ($mark) with the pod's unikernel annotations: create exits 0" 0 "$rc"
    expect_eq "  ... nothing on stderr" "" "$(cat "$T/$id.err")"
    check "  ... it went to the fallback runtime" test -s "$ROOT/.fallback-$id"
    u start "$id"; rc=$?
    expect_eq "  ... start exits 0" 0 "$rc"
    expect_eq "  ... running (runc's state)" running "$(status_of u state "$id")"
    check "  ... the pause-like process is busybox" grep -q busybox "/proc/$(cat "$T/$id.pid" 2>/dev/null || echo 0)/cmdline"
    u kill "$id" KILL; wait_status stopped u state "$id"
    u kill --all "$id" 9; rc=$?
    expect_eq "  ... kill --all after it stopped: exit 0" 0 "$rc"
    u delete "$id"; rc=$?
    expect_eq "  ... delete exits 0" 0 "$rc"
    expect_eq "  ... nothing left in the state root" "" "$(ls -A "$ROOT" | grep -F -- "$id")"
  done
else
  skip "sandbox with pod annotations" "runc or busybox-static is not installed"
fi
# The pod's unikernel container gets the same annotations and is one.
id=ctr$((++n))-$S
B=$T/b-$id
B_BIN=/unikernel/net.pvh B_ARGS='["hello", "sleep=forever"]' \
  B_ANNOT='"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": "x"' make_bundle "$B" "$PVH"
u create --bundle "$B" "$id" </dev/null >"$T/$id.out" 2>&1; rc=$?
PIDS="$PIDS $(u state "$id" 2>/dev/null | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')"
expect_eq "the pod's container (container-type: container) with the pod's annotations: create exits 0" 0 "$rc"
check "  ... it is a unikernel (urunc's own state)" test -s "$ROOT/$id/urunc-state.json"
check "  ... not the fallback's" test ! -e "$ROOT/.fallback-$id"
u delete --force "$id" >/dev/null 2>&1
# A container of a pod whose image has /urunc.json (a sidecar's image does
# not): a unikernel.
id=uj$((++n))-$S
B=$T/b-$id
B_NOMETA=1 B_ARGS='["hello", "sleep=forever"]' B_ANNOT='"io.kubernetes.cri.container-type": "container"' make_bundle "$B" "$PVH"
printf '{"com.urunc.unikernel.unikernelType": "unikraft", "com.urunc.unikernel.hypervisor": "qemu", "com.urunc.unikernel.binary": "/unikernel/hello.pvh"}' >"$B/rootfs/urunc.json"
u create --bundle "$B" "$id" </dev/null >"$T/$id.out" 2>&1; rc=$?
PIDS="$PIDS $(u state "$id" 2>/dev/null | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')"
expect_eq "a pod's container with /urunc.json in its image: create exits 0" 0 "$rc"
check "  ... it is a unikernel" test -s "$ROOT/$id/urunc-state.json"
u delete --force "$id" >/dev/null 2>&1

# --- a plain bundle cannot take a running unikernel's id (issue 13, point 8) ----
id=hj$((++n))-$S
ur_to running "$id"
upid=$(u state "$id" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
before=$(ls -A "$ROOT" | sort)
if [ -n "$BUSYBOX" ]; then HB=$RB; else HB=$T/b-plain; B_NOMETA=1 make_bundle "$HB" ""; fi
u --log "$T/hj.log" --log-format json create --bundle "$HB" "$id" </dev/null >/dev/null 2>"$T/hj.err"; rc=$?
expect_eq "create of a plain bundle with a running unikernel's id: exit 1" 1 "$rc"
expect_match "  ... 'already exists' on stderr (runc: 'container with given ID already exists')" "container with id .$id. already exists" "$(cat "$T/hj.err")"
expect_match "  ... and in the --log file" 'already exists' "$(cat "$T/hj.log" 2>/dev/null)"
check "  ... no .fallback-$id marker" test ! -e "$ROOT/.fallback-$id"
expect_eq "  ... nothing else added to the state root" "$before" "$(ls -A "$ROOT" | sort)"
expect_eq "  ... state still answers for the unikernel: running" running "$(status_of u state "$id")"
check "  ... the monitor still runs" kill -0 "$upid"
u delete --force "$id"; rc=$?
expect_eq "  ... delete --force acts on the unikernel: exit 0" 0 "$rc"
wait_for 10 sh -c "! kill -0 $upid 2>/dev/null"
check "  ... and its monitor is gone" sh -c "! kill -0 $upid 2>/dev/null"
check "  ... and its state" test ! -e "$ROOT/$id"
# The reverse: a unikernel bundle cannot take a fallback container's id.
if [ -n "$RUNC" ]; then
  id=hf$((++n))-$S
  u create --bundle "$RB" "$id" </dev/null >/dev/null 2>&1
  u create --bundle "$UB" "$id" </dev/null >/dev/null 2>"$T/hf.err"; rc=$?
  expect_eq "create of a unikernel with a fallback container's id: exit 1" 1 "$rc"
  expect_match "  ... 'already exists'" "container with id .$id. already exists" "$(cat "$T/hf.err")"
  expect_eq "  ... the fallback container is untouched (runc: created)" created "$(status_of u state "$id")"
  u delete --force "$id" >/dev/null 2>&1
fi

tap_done
