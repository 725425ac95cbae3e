#!/bin/bash
# Root test of the cgroupfs fallback on a host without systemd (the machine
# itself: PID 1 is not systemd, so the manager "auto" resolves to cgroupfs).
# The limits land in the cgroup files, the monitor is in the cgroup,
# pause/resume use the freezer, update rewrites the limits, delete removes
# the directory in every hierarchy, a bad cgroupsPath leaves nothing.
# On cgroup v2 the monitor is cloned into its cgroup (clone3
# CLONE_INTO_CGROUP), with a fallback when clone3 fails (NO_CLONE3: a
# wrapper that makes it ENOSYS).
# Usage: cgroupfs.sh URUNC HELLO_PVH [NO_CLONE3]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"
. "$here/../lib/urunc.sh"
. "$here/../lib/proc.sh"

[ -d /run/systemd/system ] && tap_skip_all "the host runs systemd: this tests the fallback without it (tests/system covers systemd)"

URUNC=$1 PVH=$2 NO_CLONE3=${3:-}
urunc_test_init cgroupfs
CG=urunc-cgfs-$$ # our own parent cgroup, in every hierarchy
cleanup() {
  urunc_cleanup
  find /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/"$CG" /sys/fs/cgroup/*/"ucgfs$$.slice" -depth -type d -exec rmdir {} + 2>/dev/null
}
trap cleanup EXIT

t0=$(date +%s%N)
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then V2=1; else V2=0; fi
diag "cgroup layout: $([ $V2 = 1 ] && echo unified || echo v1/hybrid)"
# dir CONTROLLER PATH: the cgroup directory of PATH in that hierarchy
dir() { if [ $V2 = 1 ]; then echo "/sys/fs/cgroup$2"; else echo "/sys/fs/cgroup/$1$2"; fi; }
with_path() { sed -i "s|\"linux\": {|\"linux\": { \"cgroupsPath\": \"$2\",|" "$1/config.json"; }
# every directory named like the container's in any hierarchy
dirs_of() { find /sys/fs/cgroup -maxdepth 4 -type d -path "*$1" 2>/dev/null; }

# --- limits, membership --------------------------------------------------------
P=/$CG/lim
B=$T/b-lim
B_ARGS='["hello", "sleep=forever"]' \
B_RES='{"memory": {"limit": 268435456}, "cpu": {"quota": 50000, "period": 100000, "shares": 512}, "pids": {"limit": 32}}' \
  make_bundle "$B" "$PVH"
with_path "$B" "$P"
u create --bundle "$B" lim >"$T/lim.out" 2>"$T/lim.err" </dev/null; rc=$?
expect_eq "create with limits and cgroupsPath '$P': exit 0" 0 "$rc"
[ $rc = 0 ] || sed 's/^/# /' "$T/lim.err"
u start lim
pid=$(pid_of lim)
vmm=$(vmm_of "$pid")
expect_eq "running" running "$(status_of lim)"
if [ $V2 = 1 ]; then
  expect_eq "memory.max" 268435456 "$(cat "$(dir - "$P")/memory.max")"
  expect_eq "cpu.max" "50000 100000" "$(cat "$(dir - "$P")/cpu.max")"
  expect_eq "cpu.weight (1 + (512 - 2) * 9999 / 262142)" 20 "$(cat "$(dir - "$P")/cpu.weight")"
  expect_eq "pids.max" 32 "$(cat "$(dir - "$P")/pids.max")"
  expect_match "the monitor is in the cgroup (/proc/PID/cgroup)" "^0::$P\$" "$(cat /proc/$pid/cgroup)"
else
  expect_eq "memory.limit_in_bytes" 268435456 "$(cat "$(dir memory "$P")/memory.limit_in_bytes")"
  expect_eq "cpu.cfs_quota_us" 50000 "$(cat "$(dir cpu "$P")/cpu.cfs_quota_us")"
  expect_eq "cpu.cfs_period_us" 100000 "$(cat "$(dir cpu "$P")/cpu.cfs_period_us")"
  expect_eq "cpu.shares" 512 "$(cat "$(dir cpu "$P")/cpu.shares")"
  expect_eq "pids.max" 32 "$(cat "$(dir pids "$P")/pids.max")"
  cg=$(cat /proc/$pid/cgroup)
  for c in memory cpu pids freezer; do
    expect_match "the monitor is in the $c cgroup (/proc/PID/cgroup)" "^[0-9]+:([^:]*,)?$c(,[^:]*)?:$P\$" "$cg"
  done
  expect_eq "the supervisor and the VMM are the only processes in cgroup.procs" "$pid $vmm" \
    "$(sort -n "$(dir memory "$P")/cgroup.procs" | paste -sd' ')"
fi
expect_eq "ps lists the supervisor and the VMM" "[$pid,$vmm]" "$(u ps --format json lim)"

# --- pause / resume -------------------------------------------------------------
freezer() { if [ $V2 = 1 ]; then sed -n 's/^frozen //p' "$(dir - "$P")/cgroup.events"; else cat "$(dir freezer "$P")/freezer.state"; fi; }
u pause lim; rc=$?
expect_eq "pause: exit 0" 0 "$rc"
expect_eq "pause: state paused" paused "$(status_of lim)"
expect_match "pause: the freezer says frozen" '^(FROZEN|1)$' "$(freezer)"
# a frozen task sleeps uninterruptibly in the refrigerator (every thread)
states() { cat /proc/$pid/task/*/stat 2>/dev/null | awk '{print $3}' | sort -u | tr -d '\n'; }
expect_eq "pause: every thread of the monitor is frozen (state D)" D "$(states)"
u resume lim; rc=$?
expect_eq "resume: exit 0" 0 "$rc"
expect_eq "resume: state running" running "$(status_of lim)"
expect_match "resume: the freezer says thawed" '^(THAWED|0)$' "$(freezer)"
check "resume: the monitor's threads are no longer all frozen" test "$(states)" != D

# --- update ---------------------------------------------------------------------------
echo '{"memory": {"limit": 335544320}, "pids": {"limit": 40}}' >"$T/res.json"
u update --resources "$T/res.json" lim; rc=$?
expect_eq "update: exit 0" 0 "$rc"
if [ $V2 = 1 ]; then
  expect_eq "update: memory.max" 335544320 "$(cat "$(dir - "$P")/memory.max")"
else
  expect_eq "update: memory.limit_in_bytes" 335544320 "$(cat "$(dir memory "$P")/memory.limit_in_bytes")"
fi
expect_eq "update: pids.max" 40 "$(cat "$(dir pids "$P")/pids.max")"

# --- delete of a paused one: every hierarchy cleaned ----------------------------------
u pause lim
u delete --force lim; rc=$?
expect_eq "delete --force of a paused container: exit 0" 0 "$rc"
# (a zombie until whoever inherited it reaps it)
alive() { local st; st=$(awk '{print $3}' /proc/$1/stat 2>/dev/null); [ -n "$st" ] && [ "$st" != Z ]; }
check "  ... the monitor is gone" eval "! alive $pid"
expect_eq "  ... no cgroup directory left in any hierarchy" "" "$(dirs_of "$P")"

# --- the default path, and a guest that exits by itself ---------------------------
B=$T/b-def; B_ARGS='["hello", "sleep=1"]' make_bundle "$B" "$PVH"
id=cgfs-def-$$
u create --bundle "$B" "$id" >"$T/def.out" 2>&1 </dev/null && u start "$id"
pid=$(pid_of "$id")
expect_match "no cgroupsPath: the cgroup is /urunc/<id>" "^[0-9]+:([^:]*,)?memory(,[^:]*)?:/urunc/$id\$" "$(cat /proc/$pid/cgroup 2>/dev/null)"
wait_for 30 sh -c "[ \"\$($URUNC --root $ROOT state $id 2>/dev/null | grep -c '\"stopped\"')\" = 1 ]"
expect_eq "the guest exited: stopped" stopped "$(status_of "$id")"
u delete "$id"; rc=$?
expect_eq "delete of a stopped container: exit 0" 0 "$rc"
expect_eq "  ... no /urunc/<id> left in any hierarchy" "" "$(dirs_of "/urunc/$id")"

# --- bad cgroupsPath: a clear error, nothing left ---------------------------------------
B=$T/b-bad; B_ARGS='["hello", "sleep=forever"]' make_bundle "$B" "$PVH"
with_path "$B" "/$CG/../../escape"
err=$(u create --bundle "$B" bad 2>&1 </dev/null); rc=$?
check "cgroupsPath with '..' out of the root: create fails" test "$rc" -ne 0
expect_match "  ... naming the cgroupsPath" "cgroupsPath.*escape|escape.*cgroupsPath" "$err"
check "  ... no state left" test ! -e "$ROOT/bad"
expect_eq "  ... no cgroup made" "" "$(dirs_of /escape)"

B=$T/b-sd; B_ARGS='["hello", "sleep=forever"]' make_bundle "$B" "$PVH"
with_path "$B" "/$CG/sd"
"$URUNC" --root "$ROOT" --systemd-cgroup create --bundle "$B" sd >"$T/sd.out" 2>&1 </dev/null; rc=$?
expect_eq "--systemd-cgroup with a path cgroupsPath, no systemd: create exit 0" 0 "$rc"
expect_match "  ... the cgroupfs manager honours the path" "^[0-9]+:([^:]*,)?memory(,[^:]*)?:/$CG/sd\$" \
  "$(cat /proc/"$(pid_of sd)"/cgroup 2>/dev/null)"
u delete --force sd
check "  ... delete: no state left" test ! -e "$ROOT/sd"
expect_eq "  ... delete: no cgroup left" "" "$(dirs_of "/$CG/sd")"

# --- systemd-style path without systemd: laid out as systemd would ------------------
B=$T/b-slice; B_ARGS='["hello", "sleep=forever"]' make_bundle "$B" "$PVH"
SL=ucgfs$$ # no '-': each one is a level of the slice tree
with_path "$B" "$SL-a.slice:urunc:sl"
"$URUNC" --root "$ROOT" --systemd-cgroup create --bundle "$B" sl >"$T/sl.out" 2>&1 </dev/null; rc=$?
expect_eq "--systemd-cgroup 'slice:prefix:name' without systemd: create exit 0" 0 "$rc"
expect_match "  ... cgroup /<slice expanded>/urunc-sl.scope" \
  "^[0-9]+:([^:]*,)?memory(,[^:]*)?:/$SL.slice/$SL-a.slice/urunc-sl.scope\$" "$(cat /proc/$(pid_of sl)/cgroup 2>/dev/null)"
u delete --force sl
expect_eq "  ... delete leaves no scope directory" "" "$(dirs_of "/urunc-sl.scope")"
find /sys/fs/cgroup/*/"$SL.slice" /sys/fs/cgroup/"$SL.slice" -depth -type d -exec rmdir {} + 2>/dev/null

# --- cgroup v2: the monitor is born in its cgroup -----------------------------------
# On a hybrid host, urunc runs in a mount namespace where /sys/fs/cgroup is
# the host's cgroup2 mount (a unified layout; no limits: its controllers
# are v1's here).  The fallback's debug line says which way it went.
v2u() {
  if [ $V2 = 1 ]; then "$@"; else
    unshare -m --propagation private sh -c 'mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup && exec "$@"' sh "$@"
  fi
}
V2ROOT=/sys/fs/cgroup; [ $V2 = 1 ] || V2ROOT=/sys/fs/cgroup/unified
v2case() { # NAME WRAPPER...: create/start/delete, the monitor in 0::/$CG/NAME
  local name=$1 id=cgfs-$1-$$ pid rc; shift
  B=$T/b-$name; B_ARGS='["hello", "sleep=forever"]' make_bundle "$B" "$PVH"
  with_path "$B" "/$CG/$name"
  v2u "$@" "$URUNC" --debug --root "$ROOT" create --bundle "$B" "$id" >"$T/$name.out" 2>"$T/$name.err" </dev/null
  rc=$?
  expect_eq "v2 ($name): create exit 0" 0 "$rc"
  [ $rc = 0 ] || sed 's/^/# /' "$T/$name.err"
  pid=$(pid_of "$id")
  expect_eq "v2 ($name): the monitor is in 0::/$CG/$name" "0::/$CG/$name" \
    "$(grep '^0::' /proc/"$pid"/cgroup 2>/dev/null)"
  expect_eq "v2 ($name): cgroup.procs holds the monitor" "$pid" "$(cat "$V2ROOT/$CG/$name/cgroup.procs" 2>/dev/null)"
  v2u "$URUNC" --root "$ROOT" delete --force "$id"; rc=$?
  expect_eq "v2 ($name): delete --force exit 0" 0 "$rc"
  check "v2 ($name): the cgroup is removed" test ! -e "$V2ROOT/$CG/$name"
}
if [ $V2 = 1 ] || [ -e /sys/fs/cgroup/unified/cgroup.procs ]; then
  v2case clone3
  expect_eq "v2 (clone3): no fallback to a plain clone" "" "$(grep -o 'a plain clone' "$T/clone3.err")"
  if [ -n "$NO_CLONE3" ]; then
    v2case noclone3 "$NO_CLONE3"
    expect_match "v2 (noclone3): clone3 refused, a plain clone then a move" \
      'clone3 into the cgroup: Function not implemented; a plain clone' "$(cat "$T/noclone3.err")"
  else
    skip "v2 without clone3" "no no-clone3 helper (built with libseccomp)"
  fi
  rmdir "$V2ROOT/$CG" 2>/dev/null
else
  skip "v2: the monitor born in its cgroup" "no cgroup v2 hierarchy on this host"
fi

diag "cgroupfs.sh took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
tap_done
