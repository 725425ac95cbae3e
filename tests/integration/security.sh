#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Root tests of issue 13 (secure by default) that drive urunc: hooks and
# SIGPIPE, images naming host devices, spec fields applied or refused,
# namespace types, leftovers of refused creates.  No guest boots: containers
# are created (the monitor process waits for start) and deleted.
#
# Usage: security.sh URUNC HELLO_PVH
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"
. "$here/../lib/urunc.sh"

URUNC=$1 PVH=$2
urunc_test_init security 96
holder="" nsproc=""
cleanup() {
  [ -n "$holder$nsproc" ] && kill -KILL $nsproc $holder 2>/dev/null
  urunc_cleanup
}
trap cleanup EXIT
S=$$ # suffix of ids, so that parallel runs of other tests cannot collide

# Nothing left of a container: no state, no process, no scope or cgroup.
left_behind() {
  local id=$1 what="" unit
  unit=$(systemd-escape "urunc-$id").scope
  [ -e "$ROOT/$id" ] && what="$what state-dir"
  pgrep -f -- "$ROOT/$id/" >/dev/null && what="$what process"
  [ -n "$(find /sys/fs/cgroup -maxdepth 5 -type d \( -name "$unit" -o -name "$id" \) 2>/dev/null)" ] &&
    what="$what cgroup"
  echo "$what"
}

# create_err ID BUNDLE: create, print its stderr, return its status.  Not
# err=$(u create ...): a create that wrongly succeeds leaves a monitor
# process holding the substitution's pipe open.
create_err() {
  u create --bundle "$2" "$1" >"$T/$1.err" 2>&1
  local rc=$?
  cat "$T/$1.err"
  return $rc
}

# --- hooks: SIGPIPE, the whole state on stdin (point 12) ---------------------
# A hook that exits without reading its stdin used to kill urunc with
# SIGPIPE (exit 141) in about a third of the runs.  strace delays urunc's
# fcntl calls (the last one before the state is written) so that the hook
# has always exited by then; without strace, 20 plain runs.
B=$T/b-false; B_HOOKS='{"poststop": [{"path": "/bin/false"}], "createRuntime": [{"path": "/bin/true"}]}' \
  make_bundle "$B" "$PVH"
slow=()
strace -V >/dev/null 2>&1 && slow=(strace -o /dev/null -e trace=fcntl -e inject=fcntl:delay_exit=200000)
bad=""
for i in $(seq 1 $([ ${#slow[@]} -gt 0 ] && echo 3 || echo 20)); do
  id=false$i-$S
  u create --bundle "$B" "$id" >/dev/null 2>&1 || { bad="$bad create$i"; continue; }
  "${slow[@]}" "$URUNC" --root "$ROOT" delete "$id" >/dev/null 2>&1; rc=$?
  [ "$rc" = 0 ] || bad="$bad delete$i=$rc"
  [ -z "$(left_behind "$id")" ] || bad="$bad left$i"
done
expect_eq "delete with a /bin/false poststop hook${slow:+ (fcntl delayed by strace)}: exit 0, nothing left" "" "$bad"

# A state larger than a pipe buffer (64 KiB) reaches the hook whole.
cat > "$T/count.sh" <<'HOOK'
#!/bin/sh
cat > "$1"
HOOK
chmod +x "$T/count.sh"
B=$T/b-big
B_HOOKS="{\"createRuntime\": [{\"path\": \"$T/count.sh\", \"args\": [\"count.sh\", \"$T/big.state\"]}]}" \
  make_bundle "$B" "$PVH"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["annotations"].update({"org.example.big": "x" * 150000, "org.example.end": "the-end"}); json.dump(c, open(sys.argv[1], "w"))' "$B/config.json"
u create --bundle "$B" big-$S >/dev/null 2>"$T/big.err"; rc=$?
expect_eq "create with a 150 kB annotation and a createRuntime hook: exit 0" 0 "$rc"
check "  ... the hook got the whole state (valid JSON with every annotation)" \
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); a=s["annotations"]; sys.exit(not (len(a["org.example.big"]) == 150000 and a["org.example.end"] == "the-end"))' "$T/big.state"
u delete --force big-$S >/dev/null 2>&1

# --- the image cannot name a host device (point 3) ---------------------------
# A device node in the rootfs named by the block (or kernel, initrd) key was
# accepted and handed read-write to the monitor.  Regular files only.
B=$T/b-blkdev; B_ANNOT="\"com.urunc.unikernel.block\": \"$(b64 /unikernel/disk)\"" make_bundle "$B" "$PVH"
mknod "$B/rootfs/unikernel/disk" b 7 0
err=$(create_err blkdev-$S "$B"); rc=$?
check "an annotation 'block' naming a block device node is refused" test "$rc" -ne 0
expect_match "  ... naming the key, the path and its type" \
  "com.urunc.unikernel.block'.*'/unikernel/disk' is a block device, not a regular file" "$err"
expect_eq "  ... and leaves nothing behind" "" "$(left_behind blkdev-$S)"

B=$T/b-chrjson; B_NOMETA=1 make_bundle "$B" "$PVH"
mknod "$B/rootfs/unikernel/initrd" c 1 3
cat > "$B/rootfs/urunc.json" <<JSON
{"com.urunc.unikernel.unikernelType": "$(b64 unikraft)", "com.urunc.unikernel.hypervisor": "$(b64 qemu)",
 "com.urunc.unikernel.binary": "$(b64 /unikernel/$(basename "$PVH"))",
 "com.urunc.unikernel.initrd": "$(b64 /unikernel/initrd)"}
JSON
err=$(create_err chrjson-$S "$B"); rc=$?
check "a urunc.json 'initrd' naming a character device node is refused" test "$rc" -ne 0
expect_match "  ... naming the key, the path and its type" \
  "urunc.json key 'com.urunc.unikernel.initrd'.*'/unikernel/initrd' is a character device, not a regular file" "$err"
expect_eq "  ... and leaves nothing behind" "" "$(left_behind chrjson-$S)"

# --- namespaces: hooks in the runtime's, paths of the right type (7, 11) ------
# A process in its own pid and network namespaces, whose namespaces the
# specs below join by path.
unshare --pid --net --fork --kill-child sleep 600 >/dev/null 2>&1 </dev/null &
holder=$!
wait_for 5 sh -c "[ \"\$(readlink /proc/$holder/ns/pid)\" != \"$(readlink /proc/self/ns/pid)\" ] || pgrep -P $holder >/dev/null"
nsproc=$(pgrep -P "$holder" | head -1)
[ -n "$nsproc" ] || nsproc=$holder
cat > "$T/nshook.sh" <<'HOOK'
#!/bin/sh
readlink /proc/self/ns/pid > "$1"
HOOK
chmod +x "$T/nshook.sh"
h() { echo "{\"path\": \"$T/nshook.sh\", \"args\": [\"nshook.sh\", \"$T/ns-$1\"]}"; }
B=$T/b-joinpid
B_NS="[{\"type\": \"pid\", \"path\": \"/proc/$nsproc/ns/pid\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}]" \
  B_HOOKS="{\"prestart\": [$(h prestart)], \"createRuntime\": [$(h createRuntime)]}" make_bundle "$B" "$PVH"
create_err joinpid-$S "$B" >/dev/null; rc=$?
expect_eq "create joining an existing pid namespace: exit 0" 0 "$rc"
own=$(readlink /proc/self/ns/pid)
check "  ... (the joined namespace is not ours)" test "$(readlink /proc/$nsproc/ns/pid)" != "$own"
expect_eq "  ... prestart and createRuntime hooks run in the runtime's pid namespace" "$own $own" \
  "$(cat "$T/ns-prestart" 2>/dev/null) $(cat "$T/ns-createRuntime" 2>/dev/null)"
u delete --force joinpid-$S >/dev/null 2>&1

B=$T/b-wrongns
B_NS="[{\"type\": \"pid\"}, {\"type\": \"ipc\", \"path\": \"/proc/$nsproc/ns/net\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}]" \
  make_bundle "$B" "$PVH"
err=$(create_err wrongns-$S "$B"); rc=$?
check "an ipc namespace path naming a network namespace is refused" test "$rc" -ne 0
expect_match "  ... naming the path and both types" \
  "ipc namespace path '/proc/$nsproc/ns/net' is a network namespace" "$err"
expect_eq "  ... and leaves nothing behind" "" "$(left_behind wrongns-$S)"
kill -KILL "$nsproc" "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# --- the spec is applied or refused (point 11) --------------------------------
for v in invalid 2.0.0; do
  B=$T/b-ver$v; make_bundle "$B" "$PVH"
  sed -i "s/\"ociVersion\": \"1.0.2\"/\"ociVersion\": \"$v\"/" "$B/config.json"
  err=$(create_err ver$v-$S "$B"); rc=$?
  check "ociVersion '$v' is refused" test "$rc" -ne 0
  expect_match "  ... naming the version" "ociVersion '$v'" "$err"
  expect_eq "  ... and leaves nothing behind" "" "$(left_behind ver$v-$S)"
done
B=$T/b-noproc; make_bundle "$B" "$PVH"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); del c["process"]; json.dump(c, open(sys.argv[1], "w"))' "$B/config.json"
err=$(create_err noproc-$S "$B"); rc=$?
check "a bundle without 'process' is refused at create" test "$rc" -ne 0
expect_match "  ... saying so" "missing 'process'" "$err"
expect_eq "  ... and leaves nothing behind" "" "$(left_behind noproc-$S)"

B=$T/b-swappiness; B_RES='{"memory": {"limit": 268435456, "swappiness": 10}}' make_bundle "$B" "$PVH"
err=$(create_err swappiness-$S "$B"); rc=$?
check "memory.swappiness (no cgroup v2 knob) is refused" test "$rc" -ne 0
expect_match "  ... naming the field" "linux.resources.memory.swappiness" "$err"
expect_eq "  ... and leaves nothing behind" "" "$(left_behind swappiness-$S)"

# Applied: swap (memory+swap 384 MiB over a 256 MiB limit: swap.max 128 MiB)
# on the monitor's cgroup, rlimits on the monitor; devices and hugepage
# limits as engines send them are accepted.
B=$T/b-applied
B_RES='{"memory": {"limit": 268435456, "swap": 402653184, "disableOOMKiller": false}, "devices": [{"allow": false, "access": "rwm"}], "hugepageLimits": [{"pageSize": "2MB", "limit": 0}]}' \
  make_bundle "$B" "$PVH"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 1000, "hard": 1001}]; json.dump(c, open(sys.argv[1], "w"))' "$B/config.json"
err=$(create_err applied-$S "$B"); rc=$?
expect_eq "create with swap, rlimits, devices and hugepage limits: exit 0" 0 "$rc"
mpid=$(u state applied-$S 2>/dev/null | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
if [ -n "$mpid" ] && [ "$mpid" != 0 ]; then
  v1=$(sed -n 's/^[0-9]*:memory://p' "/proc/$mpid/cgroup")
  if [ -n "$v1" ]; then
    expect_eq "  ... memory.memsw.limit_in_bytes of the monitor's cgroup (v1) is swap" 402653184 \
      "$(cat "/sys/fs/cgroup/memory$v1/memory.memsw.limit_in_bytes" 2>&1)"
  else
    cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$mpid/cgroup")
    expect_eq "  ... memory.swap.max of the monitor's cgroup is swap - limit" 134217728 \
      "$(cat "$cg/memory.swap.max" 2>&1)"
  fi
  expect_eq "  ... the monitor's RLIMIT_NOFILE is soft 1000 hard 1001" "1000 1001" \
    "$(awk '/^Max open files/ {print $4, $5}' "/proc/$mpid/limits")"
else
  not_ok "  ... the monitor's pid is known (state: '$mpid')"
  not_ok "  ... (no rlimit to check)"
fi
u delete --force applied-$S >/dev/null 2>&1

# --- leftovers (point 13) ------------------------------------------------------
# A value the kernel refuses (a cpuset of CPUs the host lacks) fails create
# with nothing left, not even in the controllers written before it.
B=$T/b-badcpus; B_RES='{"cpu": {"cpus": "0-4000"}, "memory": {"limit": 268435456}, "pids": {"limit": 100}}' \
  make_bundle "$B" "$PVH"
err=$(create_err badcpus-$S "$B"); rc=$?
check "a cpuset the host cannot give fails create" test "$rc" -ne 0
expect_match "  ... naming the value" "0-4000|AllowedCPUs|cpuset" "$err"
expect_eq "  ... and leaves nothing behind (no cgroup in any controller)" "" "$(left_behind badcpus-$S)"

# A cgroup that cannot be removed (a process urunc did not put there stays
# in it) fails delete and keeps the record; delete --force retries once the
# process is gone.  With a systemd scope, stopping it kills that process:
# nothing fails, so the check needs cgroupfs.
B=$T/b-stuck; make_bundle "$B" "$PVH"
create_err stuck-$S "$B" >/dev/null
mpid=$(u state stuck-$S 2>/dev/null | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
if [ -z "$mpid" ] || [ "$mpid" = 0 ]; then
  not_ok "a container to make stuck (create failed: $(cat "$T/stuck-$S.err"))"
elif grep -q '\.scope$' "/proc/$mpid/cgroup"; then
  skip "delete keeps the record while the cgroup cannot be removed" "the monitor is in a systemd scope, whose stop kills every process in it"
  u delete --force stuck-$S >/dev/null 2>&1
else
  sleep 600 >/dev/null 2>&1 </dev/null &
  stuck=$!
  while IFS=: read -r _ ctl path; do
    case $ctl in name=*) continue ;; esac
    dir=/sys/fs/cgroup${ctl:+/$ctl}$path
    [ "$path" != / ] && [ -w "$dir/cgroup.procs" ] && echo "$stuck" > "$dir/cgroup.procs"
  done < "/proc/$mpid/cgroup"
  u delete --force stuck-$S >"$T/stuck.del" 2>&1; rc=$?
  check "delete --force fails while the cgroup cannot be removed" test "$rc" -ne 0
  expect_match "  ... saying the state is kept" "state is kept: retry with delete --force" "$(cat "$T/stuck.del")"
  check "  ... and the record is still there" test -e "$ROOT/stuck-$S"
  kill -KILL "$stuck"; wait "$stuck" 2>/dev/null
  u delete --force stuck-$S >/dev/null 2>&1; rc=$?
  expect_eq "delete --force again once the process is gone: exit 0" 0 "$rc"
  expect_eq "  ... and nothing left" "" "$(left_behind stuck-$S)"
fi

tap_done
