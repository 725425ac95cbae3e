#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root tests of urunc's supervisor (the container's process after start,
# the VMM's parent; "Supervisor" in docs/HACKING.md, EXIT STATUS in
# urunc(8)): exit statuses per guest family, a VM that QEMU stops for good
# ends the container (no hang), signals reach monitors that do not handle
# them, the VMM never outlives the supervisor.  Real QEMU (KVM when
# /dev/kvm works, else TCG).
# Usage: supervise.sh URUNC HELLO_PVH HELLO_MULTIBOOT
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"
. "$here/../lib/urunc.sh"
. "$here/../lib/proc.sh"

URUNC=$1 PVH=$2 MB=$3
urunc_test_init supervise 64
S=sv$$- # unique ids
trap urunc_cleanup EXIT
QEMU=$(command -v qemu-system-x86_64)
KVM=no
if [ -w /dev/kvm ]; then
  timeout 30 "$QEMU" -accel kvm -cpu host,-arch-capabilities -nodefaults -no-user-config -display none -no-reboot \
    -M microvm,x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off -m 64 -device isa-debug-exit,iobase=0x501,iosize=2 \
    -kernel "$PVH" -append exit=0 </dev/null >/dev/null 2>&1
  [ $? = 83 ] && KVM=yes
fi
diag "KVM: $KVM"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
gone() { ! kill -0 "$1" 2>/dev/null; }
# No bundle's mount namespace: a monitor that is a script (the wrappers
# below) is not confined, so its interpreter stays reachable.
NS_NOMNT='[{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}]'

# runc ID [CONFIG]: `urunc run` of $T/b-ID in the foreground, bounded;
# status in RC, milliseconds in MS, stdout/stderr in $T/ID.out/.err.
runc() {
  local t0; t0=$(now_ms)
  URUNC_CONFIG=${2:-$URUNC_CONFIG} timeout 120 "$URUNC" --root "$ROOT" --log "$T/$1.log" run \
    --bundle "$T/b-$1" "$S$1" >"$T/$1.out" 2>"$T/$1.err" </dev/null
  RC=$?
  MS=$(($(now_ms) - t0))
  diag "$1: status $RC in $MS ms"
}

# --- exit statuses -------------------------------------------------------------
B_ARGS='["hello", "exit=0"]' make_bundle "$T/b-uk0" "$PVH"
runc uk0
expect_eq "unikraft: exit=0 (halt code 41 at 0x501, QEMU 83) -> 0" 0 "$RC"
B_ARGS='["hello", "exit=3"]' make_bundle "$T/b-uk3" "$PVH"
runc uk3
expect_eq "unikraft: exit=3 (QEMU 2N+1 = 7) -> 7, QEMU's as it is" 7 "$RC"
B_ARGS='["hello", "crash"]' make_bundle "$T/b-ukc" "$PVH"
runc ukc
expect_eq "unikraft: a crash (code 42 at 0x501, QEMU 85) -> 134" 134 "$RC"
expect_match "  ... and the container's stderr says so" "container '${S}ukc': the guest crashed \(Unikraft's crash code 42 on port 0x501\)" "$(cat "$T/ukc.err")"
expect_match "  ... and the log" "exited with status 134: the guest crashed" "$(cat "$T/ukc.log")"
B_TYPE=hermit B_ARGS='["hello", "exit=0"]' make_bundle "$T/b-he0" "$MB"
runc he0
expect_eq "hermit: exit=0 (1 at 0xf4, QEMU 3) -> 0" 0 "$RC"
B_TYPE=hermit B_ARGS='["hello", "crash"]' make_bundle "$T/b-hec" "$MB"
runc hec
expect_eq "hermit: a crash of the test guest (127 at 0xf4, QEMU 255) -> 255, QEMU's as it is" 255 "$RC"

# --- a VM that QEMU stops for good ends the container --------------------------------
# A QEMU that keeps a VM after a shutdown or reset (-no-shutdown) and pauses
# on a guest panic: what an emulation failure does, on every accelerator.
printf '#!/bin/sh\nexec %s "$@" -no-shutdown -device pvpanic -action panic=pause\n' "$QEMU" >"$T/qemu-keep"
chmod +x "$T/qemu-keep"
# Scripts as the monitor need the host's /bin/sh: they run with the
# confinement opt-out (the monitor is confined by default, issue 13).
NOCONF='[security]\nconfine = false\n'
printf "[monitors.qemu]\\ndefault_memory_mb = 64\\nbinary_path = \"%s\"\\n$NOCONF" "$T/qemu-keep" >"$T/keep.toml"

B_NS=$NS_NOMNT B_ARGS='["hello", "reset"]' make_bundle "$T/b-reset" "$PVH"
runc reset "$T/keep.toml"
expect_eq "triple fault, QEMU keeps the VM: run exits 134" 134 "$RC"
check "  ... within 10 s" test "$MS" -lt 10000
expect_match "  ... saying QEMU stopped the VM for good" \
  "container '${S}reset': QEMU stopped the VM for good \((shutdown|internal-error): " "$(cat "$T/reset.err")"
expect_eq "  ... and nothing is left (state, QEMU)" "" "$(ls "$ROOT" | grep -F "${S}reset"; pgrep -f -- "$T/b-reset/")"

B_NS=$NS_NOMNT B_ARGS='["hello", "panic"]' make_bundle "$T/b-panic" "$PVH"
runc panic "$T/keep.toml"
expect_eq "pvpanic, QEMU pauses on a panic: run exits 134" 134 "$RC"
check "  ... within 10 s" test "$MS" -lt 10000
expect_match "  ... saying why" "QEMU stopped the VM for good \(guest-panicked: the guest reported a panic\)" "$(cat "$T/panic.err")"

# Detached: state turns stopped by itself; kill and delete work after it.
B_NS=$NS_NOMNT B_ARGS='["hello", "sleep=1", "reset"]' make_bundle "$T/b-det" "$PVH"
URUNC_CONFIG=$T/keep.toml u --log "$T/det.log" create --bundle "$T/b-det" "${S}det" >"$T/det.out" 2>"$T/det.err" </dev/null &&
  URUNC_CONFIG=$T/keep.toml u start "${S}det"
expect_eq "detached: running after start" running "$(status_of "${S}det")"
wait_for 30 sh -c "[ \"\$($URUNC --root $ROOT state ${S}det 2>/dev/null | sed -n 's/.*\"status\": \"\([a-z]*\)\".*/\1/p')\" = stopped ]"
expect_eq "detached: stopped once QEMU stopped the VM" stopped "$(status_of "${S}det")"
expect_match "detached: the supervisor's log says why" "exited with status 134: QEMU stopped the VM for good" "$(cat "$T/det.log")"
u kill "${S}det" TERM >/dev/null 2>&1; rc=$?
check "detached: kill of the stopped container is refused (not running)" test "$rc" -ne 0
u delete "${S}det"; rc=$?
expect_eq "detached: delete exits 0" 0 "$rc"
expect_eq "detached: nothing left" "" "$(ls "$ROOT" | grep -F "${S}det"; pgrep -f -- "$T/b-det/")"

# The real thing where this machine's KVM has it: a triple fault under KVM
# is a reset on most hosts (QEMU exits 0, -no-reboot) and an internal error
# on some nested ones (QEMU pauses the VM): either way run returns.
if [ "$KVM" = yes ]; then
  B_ARGS='["hello", "reset"]' make_bundle "$T/b-kvmreset" "$PVH"
  runc kvmreset
  check "KVM: a triple fault ends the container within 20 s (status $RC)" test "$MS" -lt 20000
  if grep -q 'KVM internal error' "$T/kvmreset.err"; then
    expect_eq "KVM internal error here: status 134" 134 "$RC"
    expect_match "  ... named" "QEMU stopped the VM for good \(internal-error: " "$(cat "$T/kvmreset.err")"
  else
    expect_eq "a reset here: status 0 (QEMU -no-reboot)" 0 "$RC"
  fi
else
  skip "KVM: a triple fault" "no usable /dev/kvm (the -no-shutdown cases above cover the watcher)"
fi

# --- signals -----------------------------------------------------------------------------
# A monitor without a SIGTERM handler (solo5-spt has none): the pid
# namespace's init would never see TERM; the supervisor's child dies of it.
printf '#!/bin/sh\nexec sleep 600\n' >"$T/nohandler"
chmod +x "$T/nohandler"
printf "[monitors.qemu]\\nbinary_path = \"%s\"\\n$NOCONF" "$T/nohandler" >"$T/nohandler.toml"
B_NS=$NS_NOMNT make_bundle "$T/b-term" "$PVH"
URUNC_CONFIG=$T/nohandler.toml u --log "$T/term.log" create --bundle "$T/b-term" "${S}term" >/dev/null 2>&1 </dev/null &&
  URUNC_CONFIG=$T/nohandler.toml u start "${S}term"
sup=$(pid_of "${S}term")
vmm=$(vmm_of "$sup")
expect_eq "no-handler monitor: running, the supervisor's child is it" sleep "$(cat /proc/"$vmm"/comm 2>/dev/null)"
u kill "${S}term" TERM
wait_for 10 gone "$sup"
expect_eq "kill TERM ends a monitor that has no handler" stopped "$(status_of "${S}term")"
expect_match "  ... status 143 (128+TERM) in the log" "exited with status 143: monitor 'qemu' was killed by SIGTERM" "$(cat "$T/term.log")"
u delete "${S}term"

# Forwarding: a monitor that records the signals it gets.
printf '#!/bin/sh\nfor s in USR1 USR2 HUP WINCH; do trap "echo $s >>%s" $s; done\nwhile :; do sleep 0.05; done\n' \
  "$T/got" >"$T/recorder"
chmod +x "$T/recorder"
printf "[monitors.qemu]\\nbinary_path = \"%s\"\\n$NOCONF" "$T/recorder" >"$T/recorder.toml"
# (/bin/sh and sleep make calls outside QEMU's policy: seccomp off too.)
UNCONF='"com.urunc.seccomp": "unconfined"'
B_ANNOT=$UNCONF B_NS=$NS_NOMNT make_bundle "$T/b-fwd" "$PVH"
URUNC_CONFIG=$T/recorder.toml u create --bundle "$T/b-fwd" "${S}fwd" >/dev/null 2>&1 </dev/null &&
  URUNC_CONFIG=$T/recorder.toml u start "${S}fwd"
sleep 0.3
for s in USR1 WINCH USR2 HUP; do u kill "${S}fwd" $s; wait_for 5 grep -qsx "$s" "$T/got"; done
expect_eq "USR1, WINCH, USR2, HUP reach the monitor" "USR1 WINCH USR2 HUP" "$(paste -sd' ' "$T/got" 2>/dev/null)"

# SIGKILL to the supervisor: the VMM goes too, with and without a pid namespace.
for ns in pid nopid; do
  nsj=$NS_NOMNT
  [ $ns = nopid ] && nsj='[{"type": "ipc"}, {"type": "uts"}]'
  B_ANNOT=$UNCONF B_NS=$nsj make_bundle "$T/b-k$ns" "$PVH"
  URUNC_CONFIG=$T/recorder.toml u create --bundle "$T/b-k$ns" "${S}k$ns" >/dev/null 2>&1 </dev/null &&
    URUNC_CONFIG=$T/recorder.toml u start "${S}k$ns"
  sup=$(pid_of "${S}k$ns")
  vmm=$(vmm_of "$sup")
  check "$ns: the supervisor has its VMM child" test -n "$vmm"
  kill -KILL "$sup"
  wait_for 10 gone "$vmm"
  check "$ns: SIGKILL to the supervisor ends the VMM (pid $vmm)" gone "$vmm"
  u delete --force "${S}k$ns"
done
u delete --force "${S}fwd"

tap_done
