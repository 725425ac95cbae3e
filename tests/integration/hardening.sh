#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root tests of the monitor's hardening (SECURITY in urunc(8)): seccomp on
# and off, the policy killing a stand-in, no_new_privs and capabilities,
# the confined root, non-root monitors.  Real QEMU (TCG where /dev/kvm is
# missing).
# Usage: hardening.sh URUNC HELLO_PVH SECCOMP_STAND_IN POLICY_DIR [HAVE_SECCOMP]
# (HAVE_SECCOMP 0: urunc built with -Dseccomp=disabled, the checks of its
# filter are skipped.)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"
. "$here/../lib/urunc.sh"
. "$here/../lib/proc.sh"

URUNC=$1 PVH=$2 STAND_IN=$3 POLICY_DIR=$4 HAVE_SECCOMP=${5:-1}
# sc CHECK...: a check of urunc's own filter, skipped without libseccomp.
sc() {
  if [ "$HAVE_SECCOMP" = 1 ]; then "$@"; else skip "$2" "urunc built without seccomp"; fi
}
urunc_test_init hardening 64
S=h$$- # unique ids
printf '[security]\npolicy_dir = "%s"\n' "$POLICY_DIR" >>"$URUNC_CONFIG"
trap urunc_cleanup EXIT
t0=$(date +%s%N)

SECCOMP='"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": []}'
status_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s '\t ' ' '; }
# start_sleeper ID [make_bundle variables...]: a running hello.pvh; the
# container's pid (urunc's supervisor) in $sup, the VMM's (its child) in $pid.
start_sleeper() {
  local id=$1; shift
  env "$@" B_ARGS='["hello", "sleep=forever"]' bash -c ". '$here/../lib/bundle.sh'; make_bundle '$T/b-$id' '$PVH'"
  u create --bundle "$T/b-$id" "$S$id" >"$T/$id.out" 2>"$T/$id.err" 7<"$here/hardening.sh" && u start "$S$id" 2>>"$T/$id.err"
  sup=$(pid_of "$S$id")
  # The guest's banner on stdout: QEMU is up and running the guest.
  wait_for 30 grep -q '^urunc-test-guest: hello' "$T/$id.out"
  pid=$(vmm_of "$sup")
}

# --- seccomp on ----------------------------------------------------------------
start_sleeper on B_LINUX="$SECCOMP"
expect_eq "seccomp on: the monitor is qemu" qemu-system-x86 "$(cat /proc/$pid/comm 2>/dev/null)"
sc expect_eq "seccomp on: /proc/PID/status Seccomp: 2 (filter)" 2 "$(status_field "$pid" Seccomp)"
sc expect_match "seccomp on: urunc's filter and QEMU's own (-sandbox)" '^[2-9]' "$(status_field "$pid" Seccomp_filters)"
check "seccomp on: qemu has -sandbox on" grep -qa -- '-sandbox' "/proc/$pid/cmdline"
expect_eq "no_new_privs: NoNewPrivs 1" 1 "$(status_field "$pid" NoNewPrivs)"
expect_eq "capabilities: CapEff 0" 0000000000000000 "$(status_field "$pid" CapEff)"
expect_eq "capabilities: CapPrm 0" 0000000000000000 "$(status_field "$pid" CapPrm)"
expect_eq "capabilities: CapBnd 0 (a root uid regains nothing through exec)" 0000000000000000 "$(status_field "$pid" CapBnd)"
expect_eq "uid stays 0 for process.user uid 0" "0 0 0 0" "$(status_field "$pid" Uid)"
# The supervisor (the container's pid) holds no more than the VMM, and only
# what it needs: stdin/stdout on /dev/null, stderr, the --log file (none
# here), its signalfd and the QMP socket.
expect_eq "supervisor: named urunc:supervise" urunc:supervise "$(cat /proc/$sup/comm 2>/dev/null)"
expect_eq "supervisor: CapEff 0" 0000000000000000 "$(status_field "$sup" CapEff)"
expect_eq "supervisor: CapBnd 0" 0000000000000000 "$(status_field "$sup" CapBnd)"
expect_eq "supervisor: NoNewPrivs 1" 1 "$(status_field "$sup" NoNewPrivs)"
sc expect_eq "supervisor: its own seccomp filter (Seccomp 2)" 2 "$(status_field "$sup" Seccomp)"
want_fds="0 /dev/null|1 /dev/null|2 $T/on.err|3 signalfd|4 socket"
# With journald, the supervisor's journal socket (connected before the
# confinement) comes first.
[ -S /run/systemd/journal/socket ] && want_fds="0 /dev/null|1 /dev/null|2 $T/on.err|3 socket|4 signalfd|5 socket"
expect_eq "supervisor: fds 0-1 /dev/null, 2 stderr, [journal,] signalfd, QMP socket" \
  "$want_fds" "$(fds_of "$sup" | paste -sd'|')"
expect_eq "the fd create's caller left open (7, not --preserve-fds) reaches neither the VMM nor the supervisor" "" \
  "$( (fds_of "$pid"; fds_of "$sup") | grep hardening.sh)"

# --- the confined root ------------------------------------------------------------
R=/proc/$pid/root
top=$(ls "$R/" 2>/dev/null | paste -sd' ')
expect_eq "confined: / holds only dev etc lib lib64 proc tmp usr" "dev etc lib lib64 proc tmp usr" "$top"
check "confined: no /etc/shadow" sh -c "[ -n '$pid' ] && [ -d '$R/usr' ] && [ ! -e '$R/etc/shadow' ]"
expect_eq "confined: /etc holds only ld.so.cache" "ld.so.cache" "$(ls "$R/etc" | paste -sd' ')"
expect_eq "confined: /usr/bin holds only the monitor" qemu-system-x86_64 "$(ls "$R/usr/bin" | paste -sd' ')"
devs="full net null random urandom zero"
[ -c /dev/kvm ] && devs="$devs kvm"
[ -c /dev/vhost-net ] && devs="$devs vhost-net"
expect_eq "confined: /dev holds fresh nodes only" "$(printf '%s\n' $devs | sort | paste -sd' ')" "$(ls "$R/dev" | paste -sd' ')"
expect_eq "confined: /proc is the container's pid namespace (1 the supervisor, 2 the VMM)" "1 2" "$(ls "$R/proc" | grep -E '^[0-9]+$' | sort -n | paste -sd' ')"
check "confined: the kernel at its own path, read-only" sh -c "test -f '$R$T/b-on/rootfs/unikernel/hello.pvh' &&
  ! touch '$R$T/b-on/rootfs/unikernel/hello.pvh' 2>/dev/null"
check "confined: the bundle's config.json is not there" sh -c "[ -n '$pid' ] && [ -d '$R/usr' ] && [ ! -e '$R$T/b-on/config.json' ]"
check "confined: the state dir shows the monitor's own files only (qmp.sock)" \
  test "$(ls "$R$ROOT/${S}on" | paste -sd' ')" = qmp.sock
check "confined: the root is read-only" sh -c "[ -n '$pid' ] && [ -d '$R/usr' ] && ! mkdir '$R/x' 2>/dev/null"
check "host: QMP socket in <state>/monitor/" test -S "$ROOT/${S}on/monitor/qmp.sock"
u delete --force "${S}on"

# --- seccomp off ---------------------------------------------------------------------
start_sleeper unconf B_LINUX="$SECCOMP" B_ANNOT='"com.urunc.seccomp": "unconfined"'
expect_eq "annotation com.urunc.seccomp=unconfined: Seccomp 0" 0 "$(status_field "$pid" Seccomp)"
check "  ... and no -sandbox for qemu" sh -c "[ -n '$pid' ] && grep -qa qemu /proc/$pid/cmdline && ! grep -qa -- '-sandbox' /proc/$pid/cmdline"
expect_eq "  ... capabilities still dropped" 0000000000000000 "$(status_field "$pid" CapEff)"
expect_eq "  ... no_new_privs still set" 1 "$(status_field "$pid" NoNewPrivs)"
expect_match "  ... and create says so loudly" "monitor seccomp: OFF" "$(cat "$T/unconf.err")"
u delete --force "${S}unconf"

# --- the default posture: no linux.seccomp, no mount namespace -------------------------------
# Confinement and the monitor's policy do not depend on the spec (issue 13):
# a spec with neither still gets both, and nothing the caller of create left
# open (a directory fd on /etc, an fd on /etc/shadow, a pipe) reaches the
# VMM or the supervisor.
exec 8</etc 9</etc/shadow
exec {pw}> >(cat >/dev/null)
start_sleeper bare B_NS='[{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}]'
exec 8<&- 9<&- {pw}>&-
check "no seccomp, no mount namespace: the VMM runs" test -n "$pid"
sc expect_eq "  ... Seccomp: 2 all the same" 2 "$(status_field "$pid" Seccomp)"
check "  ... qemu has -sandbox on" sh -c "[ -n '$pid' ] && grep -qa -- '-sandbox' /proc/$pid/cmdline"
check "  ... a mount namespace of its own" sh -c "[ -n '$pid' ] && [ \"\$(readlink /proc/$pid/ns/mnt)\" != \"\$(readlink /proc/self/ns/mnt)\" ]"
expect_eq "  ... its confined root (no view of the host's files)" "dev etc lib lib64 proc tmp usr" "$(ls "/proc/$pid/root/" 2>/dev/null | paste -sd' ')"
check "  ... no /etc/shadow" sh -c "[ -n '$pid' ] && [ -d /proc/$pid/root/usr ] && [ ! -e /proc/$pid/root/etc/shadow ]"
expect_eq "  ... the VMM's fds: 0-2 and its own only (nothing on /etc, no pipe)" "" \
  "$(fds_of "$pid" | grep -E '^[0-9]+ (/etc|pipe:)')"
check "  ... (and the VMM has fds to look at)" sh -c "[ -n '$pid' ] && [ -e /proc/$pid/fd/0 ]"
expect_eq "  ... the supervisor's fds: none of the caller's either" "" \
  "$(fds_of "$sup" | grep -E '^[0-9]+ (/etc|pipe:)')"
check "  ... (and the supervisor has fds to look at)" sh -c "[ -n '$sup' ] && [ -e /proc/$sup/fd/0 ]"
{ echo "# grep Seccomp /proc/VMM/status:"; grep Seccomp "/proc/$pid/status"; echo "# ls -l /proc/VMM/fd:"
  ls -l "/proc/$pid/fd"; echo "# ls /proc/VMM/root/:"; ls "/proc/$pid/root/"; } 2>&1 | sed 's/^/# /'
sc expect_eq "  ... the supervisor: Seccomp 2 too" 2 "$(status_field "$sup" Seccomp)"
u kill "${S}bare" TERM
wait_for 20 sh -c "$URUNC --root $ROOT state ${S}bare 2>/dev/null | grep -q '\"stopped\"'"
check "  ... under its filter the supervisor still forwards a signal and reaps the VMM" \
  sh -c "$URUNC --root $ROOT state ${S}bare 2>/dev/null | grep -q '\"stopped\"'"
u delete --force "${S}bare"

# podman and docker always put their default profile in the spec: it is
# not applied to the monitor (the monitor's own policy is), the VMM survives.
if [ -r /usr/share/containers/seccomp.json ] && command -v jq >/dev/null; then
  PODMAN_SECCOMP="\"seccomp\": $(jq -c '{defaultAction, defaultErrnoRet, architectures: [.archMap[].architecture],
    syscalls: [.syscalls[] | {names, action} + (if .args then {args} else {} end)]}' /usr/share/containers/seccomp.json)"
  B_ARGS='["hello", "exit=5"]' B_LINUX="$PODMAN_SECCOMP" make_bundle "$T/b-podsec" "$PVH"
  u run --bundle "$T/b-podsec" "${S}podsec" >"$T/podsec.out" 2>&1; rc=$?
  expect_eq "podman's default seccomp profile in the spec: the guest runs to its end (exit 5 is status 11)" 11 "$rc"
else
  skip "podman's default seccomp profile in the spec" "no /usr/share/containers/seccomp.json or no jq"
fi

# --- the guest's files are pinned at create -------------------------------------------------
# Swapping the kernel and the block image between create and start (for a
# symlink to a host file, for another file) changes nothing: the VMM gets
# the files create checked (the same inodes).
swap_case() { # ID HOW
  local id=$1 how=$2 d=$T/b-$1 k blk kino bino vk vb
  B_ARGS='["hello", "sleep=forever"]' B_ANNOT="\"com.urunc.unikernel.block\": \"$(b64 /data/disk.img)\"" \
    B_NS='[{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}]' make_bundle "$d" "$PVH"
  mkdir -p "$d/rootfs/data"; head -c 1048576 /dev/zero > "$d/rootfs/data/disk.img"
  k=$d/rootfs/unikernel/hello.pvh blk=$d/rootfs/data/disk.img
  kino=$(stat -c %i "$k") bino=$(stat -c %i "$blk")
  u create --bundle "$d" "$S$id" >"$T/$id.out" 2>"$T/$id.err"
  mv "$k" "$k.orig"; mv "$blk" "$blk.orig"
  case $how in
    symlink) ln -s /etc/shadow "$k"; ln -s /etc/shadow "$blk" ;;
    file) cp /etc/passwd "$k"; cp /etc/passwd "$blk" ;;
  esac
  u start "$S$id" 2>>"$T/$id.err"
  sup=$(pid_of "$S$id")
  wait_for 30 grep -q '^urunc-test-guest: hello' "$T/$id.out"
  pid=$(vmm_of "$sup")
  expect_match "swapped for a $how after create: the original kernel still boots" '^urunc-test-guest: hello' "$(cat "$T/$id.out")"
  vk=$(stat -L -c %i "/proc/$pid/root$k" 2>/dev/null)
  expect_eq "  ... the VMM's root has the original kernel (inode $kino)" "$kino" "$vk"
  vb=$(for f in /proc/$pid/fd/*; do [ "$(readlink "$f")" = "$blk" ] && stat -L -c %i "$f"; done 2>/dev/null | sort -u)
  expect_eq "  ... the VMM's open block image is the original (inode $bino)" "$bino" "$vb"
  u delete --force "$S$id"
}
swap_case swapln symlink
swap_case swapfile file

# --- the opt-outs -----------------------------------------------------------------------------
printf '[security]\npolicy_dir = "%s"\nconfine = false\n' "$POLICY_DIR" > "$T/noconfine.toml"
URUNC_CONFIG=$T/noconfine.toml start_sleeper noconf B_NS='[{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}]'
check "[security] confine = false: the monitor sees the host's root" test -e "/proc/$pid/root/etc/shadow"
sc expect_eq "  ... seccomp still on" 2 "$(status_field "$pid" Seccomp)"
expect_match "  ... and create says so loudly" "confinement: OFF" "$(cat "$T/noconf.err")"
u delete --force "${S}noconf"

# --- a syscall outside the policy kills the monitor --------------------------------------------
cat > "$T/stand-in.toml" <<TOML
[monitors.qemu]
binary_path = "$STAND_IN"
[security]
policy_dir = "$POLICY_DIR"
TOML
standin() { # ID SYSCALL [make_bundle variables...]
  local id=$1 sc=$2; shift 2
  env "$@" B_ARGS="[\"hello\", \"syscall=$sc\"]" bash -c ". '$here/../lib/bundle.sh'; make_bundle '$T/b-$id' '$PVH'"
  URUNC_CONFIG=$T/stand-in.toml timeout 60 "$URUNC" --root "$ROOT" run --bundle "$T/b-$id" "$S$id" \
    >"$T/$id.out" 2>"$T/$id.err"
}
for sc in kexec_load ptrace mount; do
  standin "kill-$sc" $sc B_LINUX="$SECCOMP"; rc=$?
  sc expect_eq "seccomp: the stand-in calling $sc is killed by SIGSYS (run exits 128+31)" 159 "$rc"
  sc expect_eq "  ... after its first line, before the second" "stand-in: calling $sc" "$(cat "$T/kill-$sc.out")"
  sc expect_match "  ... and the container's stderr says it was seccomp" "killed by seccomp \(SIGSYS\): a system call outside the monitor's policy" "$(cat "$T/kill-$sc.err")"
done
standin allowed kexec_load B_LINUX="$SECCOMP" B_ANNOT='"com.urunc.seccomp": "unconfined"'; rc=$?
expect_eq "unconfined: the same stand-in survives (exit 0)" 0 "$rc"
expect_match "  ... and says so (the kernel refuses: no capabilities, or no kexec)" 'survived kexec_load \(-1, ' "$(cat "$T/allowed.out")"
echo "seccomp_log = true" >> "$T/stand-in.toml"
standin logged kexec_load B_LINUX="$SECCOMP"; rc=$?
sc expect_eq "[security] seccomp_log = true: logged, not killed (exit 0)" 0 "$rc"

# --- errors name what was wrong -----------------------------------------------------------------
B_ARGS='["hello"]' B_LINUX="$SECCOMP" B_ANNOT='"com.urunc.seccomp": "sometimes"' make_bundle "$T/b-badannot" "$PVH"
# (Output to a file: a create that wrongly succeeds leaves a monitor
# process holding its stdout, which a $(...) would wait for.)
u create --bundle "$T/b-badannot" "${S}badannot" >"$T/badannot.err" 2>&1; rc=$?; err=$(cat "$T/badannot.err")
check "a bad com.urunc.seccomp value fails create" test "$rc" -ne 0
expect_match "  ... naming the annotation and the value" "com.urunc.seccomp': unknown value 'sometimes'" "$err"
mkdir -p "$T/badpol"
printf 'read\nwrite   # fine\nnot_a_syscall\n' > "$T/badpol/qemu.policy"
B_ARGS='["hello"]' B_LINUX="$SECCOMP" make_bundle "$T/b-badpol" "$PVH"
printf '[security]\npolicy_dir = "%s"\n' "$T/badpol" > "$T/badpol.toml"
URUNC_CONFIG=$T/badpol.toml u create --bundle "$T/b-badpol" "${S}badpol" >"$T/badpol.err" 2>&1; rc=$?
err=$(cat "$T/badpol.err")
sc check "a policy with an unknown syscall fails create" test "$rc" -ne 0
sc expect_match "  ... naming the file and the line" "badpol/qemu.policy:3: unknown syscall 'not_a_syscall'" "$err"
sc check "  ... and leaves nothing behind" test ! -e "$ROOT/${S}badpol"

# --- a non-root monitor -------------------------------------------------------------------------------
USER_JSON='{"uid": 4242, "gid": 4343, "additionalGids": [4444, 4545]}'
start_sleeper user B_LINUX="$SECCOMP" B_USER="$USER_JSON"
expect_match "non-root: the guest runs" '^urunc-test-guest: hello' "$(cat "$T/user.out")"
expect_eq "non-root: Uid 4242 (real, effective, saved, fs)" "4242 4242 4242 4242" "$(status_field "$pid" Uid)"
expect_eq "non-root: Gid 4343" "4343 4343 4343 4343" "$(status_field "$pid" Gid)"
expect_eq "non-root: Groups 4444 4545" "4444 4545" "$(status_field "$pid" Groups | sed 's/ $//')"
expect_eq "non-root: CapEff 0" 0000000000000000 "$(status_field "$pid" CapEff)"
sc expect_eq "non-root: Seccomp 2" 2 "$(status_field "$pid" Seccomp)"
expect_eq "non-root: the state dir stays root's, 0700" "root 700" "$(stat -c '%U %a' "$ROOT/${S}user")"
expect_eq "non-root: the monitor owns only its own dir and QMP socket" \
  "$ROOT/${S}user/monitor $ROOT/${S}user/monitor/qmp.sock" "$(find "$ROOT" -uid 4242 | sort | paste -sd' ')"
expect_eq "non-root: state and saved config stay root's" "root root" \
  "$(stat -c %U "$ROOT/${S}user/urunc-state.json" "$ROOT/${S}user/config.json" | paste -sd' ')"
u kill "${S}user" KILL
wait_for 20 sh -c "$URUNC --root $ROOT state ${S}user 2>/dev/null | grep -q '\"stopped\"'"
u delete "${S}user"; rc=$?
expect_eq "non-root: delete afterwards" 0 "$rc"

B_ARGS='["hello", "exit=5"]' B_LINUX="$SECCOMP" B_USER="$USER_JSON" make_bundle "$T/b-userrun" "$PVH"
u run --bundle "$T/b-userrun" "${S}userrun" >"$T/userrun.out" 2>&1; rc=$?
expect_eq "non-root: run to the end, guest exit 5 is status 11" 11 "$rc"

# Without the confined root ([security] confine = false) a non-root monitor
# has no directory of its own in the root-only state dir: refused.
B_ARGS='["hello"]' B_USER="$USER_JSON" B_NS='[{"type": "pid"}, {"type": "ipc"}]' make_bundle "$T/b-usernomnt" "$PVH"
URUNC_CONFIG=$T/noconfine.toml u create --bundle "$T/b-usernomnt" "${S}usernomnt" >"$T/usernomnt.err" 2>&1; rc=$?; err=$(cat "$T/usernomnt.err")
check "non-root without confinement: create fails" test "$rc" -ne 0
expect_match "  ... saying why" "process.user.uid 4242: .* confined root, which \[security\] confine = false turns off" "$err"
check "  ... and leaves nothing behind" test ! -e "$ROOT/${S}usernomnt"

diag "hardening.sh took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
tap_done
