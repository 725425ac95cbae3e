#!/bin/bash
# Root integration tests of the lifecycle against real QEMU (KVM or TCG).
# Usage: lifecycle.sh URUNC HELLO_PVH HELLO_MULTIBOOT CONSOLE_RECV CONTROL_PROBE
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"
. "$here/../lib/urunc.sh"
. "$here/../lib/proc.sh"

URUNC=$1 PVH=$2 MB=$3 CONSOLE_RECV=$4 PROBE=$5
urunc_test_init lifecycle 96
trap urunc_cleanup EXIT

# Nothing left of a container: no state, no process, no cgroup.
left_behind() {
  local id=$1 what=""
  [ -e "$ROOT/$id" ] && what="$what state-dir"
  pgrep -f -- "$ROOT/$id/" >/dev/null && what="$what process"
  [ -n "$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" 2>/dev/null)" ] && what="$what cgroup"
  echo "$what"
}

# --- run: output and exit status -------------------------------------------
B=$T/b-run0; B_ARGS='["hello", "alpha", "beta"]' make_bundle "$B" "$PVH"
out=$(u run --bundle "$B" run0 2>"$T/run0.err"); rc=$?
expect_eq "run: exit status 0 for a guest that exits 0" 0 "$rc"
expect_match "run: guest banner on stdout" '^urunc-test-guest: hello \(pvh\)' "$out"
expect_match "run: guest argv passed (unikraft dialect: argv0 ... -- args)" 'arg\[[0-9]+\]: alpha' "$out"
expect_match "run: default memory from the config (96 MiB)" '^mem: 96 MiB' "$out"
expect_eq "run: nothing left behind" "" "$(left_behind run0)"

B=$T/b-run3; B_ARGS='["hello", "exit=3"]' make_bundle "$B" "$PVH"
u run --bundle "$B" run3 >/dev/null 2>&1; rc=$?
expect_eq "run: guest exit 3 through isa-debug-exit is monitor status 7 (2N+1)" 7 "$rc"

B=$T/b-mem; B_ARGS='["hello"]' B_RES='{"memory": {"limit": 209715200}, "cpu": {"quota": 150000, "period": 100000}}' make_bundle "$B" "$PVH"
out=$(u run --bundle "$B" mem 2>/dev/null)
expect_match "run: guest RAM = memory limit 200 MiB - qemu overhead 40 MiB" '^mem: 160 MiB' "$out"

# A pod with a 64 MiB limit runs (QEMU's overhead default is measured:
# README "Performance"); 48 MiB leaves the guest less than 16 MiB.
B=$T/b-mem64; B_ARGS='["hello"]' B_RES='{"memory": {"limit": 67108864}}' make_bundle "$B" "$PVH"
out=$(u run --bundle "$B" mem64 2>"$T/mem64.err"); rc=$?
expect_eq "run: a 64 MiB memory limit runs" 0 "$rc"
expect_match "run: guest RAM = memory limit 64 MiB - qemu overhead 40 MiB" '^mem: 24 MiB' "$out"
B=$T/b-mem48; B_ARGS='["hello"]' B_RES='{"memory": {"limit": 50331648}}' make_bundle "$B" "$PVH"
u run --bundle "$B" mem48 >/dev/null 2>"$T/mem48.err"; rc=$?
expect_eq "run: a 48 MiB memory limit is refused" 1 "$([ "$rc" != 0 ] && echo 1 || echo 0)"
expect_match "run: the refusal names the limit and the overhead" '48 MiB' "$(cat "$T/mem48.err")"
expect_eq "run: nothing left behind after the refusal" "" "$(left_behind mem48)"

B=$T/b-mb; B_ARGS='["hello", "mbarg"]' make_bundle "$B" "$MB"
out=$(u run --bundle "$B" mb 2>/dev/null); rc=$?
expect_match "run: multiboot guest boots (qemu pc)" '^urunc-test-guest: hello \(multiboot\)' "$out"
expect_eq "run: multiboot guest exit status" 0 "$rc"

# --- create / start / state / delete ---------------------------------------
B=$T/b-life; B_ARGS='["hello", "sleep=2"]' make_bundle "$B" "$PVH"
u create --bundle "$B" --pid-file "$T/life.pid" life >"$T/life.out" 2>"$T/life.err"; rc=$?
expect_eq "create: exit 0" 0 "$rc"
expect_eq "state after create: created" created "$(status_of life)"
pidfile=$(cat "$T/life.pid" 2>/dev/null)
expect_eq "pid file holds the state's pid" "$(pid_of life)" "$pidfile"
check "pid file has no newline" test "$(wc -l < "$T/life.pid")" = 0
check "the pid is alive and waiting" kill -0 "$pidfile"
u start life; rc=$?
expect_eq "start: exit 0" 0 "$rc"
expect_eq "state after start: running" running "$(status_of life)"
expect_eq "the container's pid is urunc's supervisor now" urunc:supervise "$(cat "/proc/$pidfile/comm" 2>/dev/null)"
check "  ... and its child is qemu" grep -q qemu "/proc/$(vmm_of "$pidfile")/comm"
wait_for 60 sh -c "[ \"\$($URUNC --root $ROOT state life 2>/dev/null | sed -n 's/.*\"status\": \"\([a-z]*\)\".*/\1/p')\" = stopped ]"
expect_eq "state after the guest exits: stopped" stopped "$(status_of life)"
expect_eq "state of a stopped container has pid 0" 0 "$(pid_of life)"
u delete life; rc=$?
expect_eq "delete of a stopped container: exit 0" 0 "$rc"
expect_eq "delete leaves nothing behind" "" "$(left_behind life)"

# --- kill -------------------------------------------------------------------
for sig in TERM KILL; do
  B=$T/b-kill$sig; B_ARGS='["hello", "sleep=forever"]' make_bundle "$B" "$PVH"
  u create --bundle "$B" kill$sig >/dev/null 2>&1 && u start kill$sig
  expect_eq "kill $sig: running before" running "$(status_of kill$sig)"
  u kill kill$sig $sig; rc=$?
  expect_eq "kill $sig: exit 0" 0 "$rc"
  wait_for 20 sh -c "[ \"\$($URUNC --root $ROOT state kill$sig 2>/dev/null | grep -c '\"stopped\"')\" = 1 ]"
  expect_eq "kill $sig: stopped after" stopped "$(status_of kill$sig)"
  err=$(u kill kill$sig KILL 2>&1); rc=$?
  check "kill of a stopped container fails" test "$rc" -ne 0
  expect_match "kill of a stopped container says 'container not running'" 'container not running' "$err"
  u delete kill$sig
done

# --- delete --force of a running one, delete without --force ---------------
B=$T/b-force; B_ARGS='["hello", "sleep=forever"]' make_bundle "$B" "$PVH"
u create --bundle "$B" force >/dev/null 2>&1 && u start force
err=$(u delete force 2>&1); rc=$?
check "delete of a running container without --force fails" test "$rc" -ne 0
expect_match "  ... and says it is not stopped" 'not stopped: running' "$err"
u delete --force force; rc=$?
expect_eq "delete --force of a running container: exit 0" 0 "$rc"
expect_eq "delete --force leaves nothing behind" "" "$(left_behind force)"

# delete of a created container kills it, as runc does.
B=$T/b-created; B_ARGS='["hello"]' make_bundle "$B" "$PVH"
u create --bundle "$B" created >/dev/null 2>&1
u delete created; rc=$?
expect_eq "delete of a created container: exit 0" 0 "$rc"
expect_eq "  ... and nothing left" "" "$(left_behind created)"

# --- console socket -----------------------------------------------------------
B=$T/b-tty; B_TERMINAL=true B_ARGS='["hello", "echo"]' make_bundle "$B" "$PVH"
"$CONSOLE_RECV" "$T/console.sock" 30 $'ping-through-pty\rquit\r' >"$T/console.out" 2>"$T/console.err" &
recv=$!
wait_for 5 grep -q listening "$T/console.err"
u create --bundle "$B" --console-socket "$T/console.sock" tty >/dev/null 2>&1; rc=$?
expect_eq "create with --console-socket: exit 0" 0 "$rc"
u start tty
wait "$recv"
out=$(tr -d '\r' < "$T/console.out")
expect_match "console: the guest's output arrives on the pty" 'urunc-test-guest: hello' "$out"
expect_match "console: input typed on the pty reaches the guest" 'echo: ping-through-pty' "$out"
u delete --force tty

# --- hooks --------------------------------------------------------------------
cat > "$T/hook.sh" <<'HOOK'
#!/bin/sh
# args: log stage; the state is on stdin
state=$(cat)
echo "$2 $(printf '%s' "$state" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p') $(printf '%s' "$state" | grep -c '"id":"hooks"')" >> "$1"
HOOK
chmod +x "$T/hook.sh"
h() { echo "{\"path\": \"$T/hook.sh\", \"args\": [\"hook.sh\", \"$T/hooks.log\", \"$1\"]}"; }
B=$T/b-hooks
B_HOOKS="{\"createRuntime\": [$(h createRuntime1), $(h createRuntime2)], \"createContainer\": [$(h createContainer)],
  \"startContainer\": [$(h startContainer)], \"poststart\": [$(h poststart)], \"poststop\": [$(h poststop)]}" \
  B_ARGS='["hello"]' make_bundle "$B" "$PVH"
u run --bundle "$B" hooks >/dev/null 2>&1
expect_eq "hooks run in order, each with the state on stdin" \
  "createRuntime1 creating 1|createRuntime2 creating 1|createContainer creating 1|startContainer created 1|poststart running 1|poststop stopped 1" \
  "$(paste -sd'|' "$T/hooks.log")"

B=$T/b-badhook
B_HOOKS="{\"createRuntime\": [{\"path\": \"/bin/false\"}]}" B_ARGS='["hello", "sleep=forever"]' make_bundle "$B" "$PVH"
err=$(u create --bundle "$B" badhook 2>&1); rc=$?
check "a failing createRuntime hook fails create" test "$rc" -ne 0
expect_match "  ... with a message naming the hook" "createRuntime hook '/bin/false' failed with exit status 1" "$err"
expect_eq "  ... and leaves nothing behind" "" "$(left_behind badhook)"

B=$T/b-slowhook
B_HOOKS="{\"createRuntime\": [{\"path\": \"/bin/sleep\", \"args\": [\"sleep\", \"30\"], \"timeout\": 1}]}" make_bundle "$B" "$PVH"
err=$(u create --bundle "$B" slowhook 2>&1); rc=$?
expect_match "a hook over its timeout is killed and fails create" "timed out after 1 s" "$err"
expect_eq "  ... and leaves nothing behind" "" "$(left_behind slowhook)"

# createContainer hooks run in a child of the monitor process (its loop
# keeps serving): their failure still reaches create with the hook's words.
B=$T/b-badcc
B_HOOKS="{\"createContainer\": [{\"path\": \"/bin/false\"}]}" make_bundle "$B" "$PVH"
err=$(u create --bundle "$B" badcc 2>&1); rc=$?
check "a failing createContainer hook fails create" test "$rc" -ne 0
expect_match "  ... with a message naming the hook" "createContainer hook '/bin/false' failed with exit status 1" "$err"
expect_eq "  ... and leaves nothing behind" "" "$(left_behind badcc)"

# --- the control socket: several peers at a time ------------------------------
# The monitor process serves every connection from one event loop: a probe
# is answered while a start runs its startContainer hook, and a connection
# that says nothing holds nobody up (each peer is dropped after the
# timeout without a message).
B=$T/b-peers
B_HOOKS="{\"startContainer\": [{\"path\": \"/bin/sleep\", \"args\": [\"sleep\", \"4\"], \"timeout\": 20}]}" \
  B_ARGS='["hello", "sleep=forever"]' make_bundle "$B" "$PVH"
u create --bundle "$B" peers >/dev/null 2>"$T/peers.err"
sock=$ROOT/peers/control.sock
expect_eq "control socket: a probe finds the container created" created "$(timeout 10 "$PROBE" "$sock" state 2>&1)"
timeout 60 "$PROBE" "$sock" hold 45 & holder=$!
sleep 0.3
u start peers >/dev/null 2>"$T/peers-start.err" & starter=$!
# Until the start is in its hook (4 s long): "created" before, "starting" then.
for _ in $(seq 30); do
  probe=$(timeout 10 "$PROBE" "$sock" state 2>&1)
  [ "$probe" = created ] || break
  sleep 0.1
done
expect_eq "control socket: a probe during the start's hook is answered" starting "$probe"
t0=$(date +%s)
wait "$starter"; rc=$?
expect_eq "start: done while another connection stays silent" 0 "$rc"
check "  ... without waiting for it" test $(( $(date +%s) - t0 )) -lt 20
expect_eq "  ... and running" running "$(status_of peers)"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
u delete --force peers 2>/dev/null

# --- errors -------------------------------------------------------------------
mkdir -p "$T/b-malformed/rootfs"; echo '{"ociVersion": "1.0.2", "process": ' > "$T/b-malformed/config.json"
err=$(u create --bundle "$T/b-malformed" malformed 2>&1); rc=$?
check "malformed config.json: create fails" test "$rc" -ne 0
expect_match "  ... naming the file" 'config.json' "$err"
expect_eq "  ... nothing left" "" "$(left_behind malformed)"

B=$T/b-nokernel; B_BIN=/unikernel/missing make_bundle "$B" ""
err=$(u create --bundle "$B" nokernel 2>&1); rc=$?
check "missing kernel: create fails" test "$rc" -ne 0
expect_match "  ... naming the path" '/unikernel/missing' "$err"
expect_eq "  ... nothing left" "" "$(left_behind nokernel)"

B=$T/b-escape; B_BIN=/unikernel/link make_bundle "$B" ""
ln -s /etc/passwd "$B/rootfs/unikernel/link"
err=$(u create --bundle "$B" escape 2>&1); rc=$?
check "kernel path escaping the rootfs (absolute symlink): create fails" test "$rc" -ne 0
expect_match "  ... naming the path" "unikernel/link" "$err"
B=$T/b-dotdot; B_BIN=/../../../etc/passwd make_bundle "$B" ""
err=$(u create --bundle "$B" dotdot 2>&1); rc=$?
check "kernel path with '..' out of the rootfs: create fails" test "$rc" -ne 0
expect_eq "  ... nothing left" "" "$(left_behind dotdot)"

B=$T/b-badhv; B_HV=vmware make_bundle "$B" "$PVH"
err=$(u create --bundle "$B" badhv 2>&1); rc=$?
check "unknown monitor: create fails" test "$rc" -ne 0
expect_match "  ... naming the key and value" "hypervisor.*vmware|vmware.*hypervisor" "$err"

B=$T/b-dup; B_ARGS='["hello", "sleep=forever"]' make_bundle "$B" "$PVH"
u create --bundle "$B" dup >/dev/null 2>&1
err=$(u create --bundle "$B" dup 2>&1); rc=$?
check "duplicate id: create fails" test "$rc" -ne 0
expect_match "  ... saying it exists" "already exists" "$err"
expect_eq "  ... and the first one is untouched" created "$(status_of dup)"
u start dup
err=$(u start dup 2>&1); rc=$?
check "start twice: the second fails" test "$rc" -ne 0
expect_match "  ... saying it is running" "already running" "$err"
u delete --force dup

err=$(u state nosuch 2>&1); rc=$?
check "state of an unknown id fails" test "$rc" -ne 0
expect_match "  ... saying it does not exist" "does not exist" "$err"
u delete --force nosuch; rc=$?
expect_eq "delete --force of an unknown id succeeds" 0 "$rc"
err=$(u kill nosuch 2>&1); rc=$?
expect_match "kill of an unknown id says it does not exist" "does not exist" "$err"

# --- --log json as containerd reads it ------------------------------------------
"$URUNC" --root "$ROOT" --log "$T/log.json" --log-format json state nosuch 2>/dev/null
expect_match "--log-format json writes level/msg/time lines" '^\{"level":"error","msg":"container .nosuch. does not exist","time":"[0-9T:.-]+Z"\}$' "$(tail -1 "$T/log.json")"

tap_done
