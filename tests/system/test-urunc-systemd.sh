#!/bin/bash
# test-urunc-systemd.sh - urunc under a real systemd (TAP, suite 'system').
# Usage: test-urunc-systemd.sh URUNC HELLO_PVH
#
# One box (lib/systemd-box.sh) for every case.  Inside it, with a private
# --root: a unikernel with limits runs in urunc-<id>.scope in urunc.slice;
# systemctl status/show, the cgroup files, the monitor's /proc/PID/cgroup,
# the journal (journalctl -u / -t urunc), pause/resume, update, the scope
# going away after the guest exits and after delete --force, a stale failed
# unit of the same name, --systemd-cgroup with a "slice:prefix:name"
# cgroupsPath, and the guest console in the journal (com.urunc.console).
set -u
here=$(dirname "$(readlink -f "$0")")
. "$here/lib/tap.sh"
. "$here/lib/systemd-box.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
command -v systemd-nspawn >/dev/null || tap_skip_all "no systemd-nspawn"
command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 is not installed"

URUNC=$(readlink -f "$1") PVH=$(readlink -f "$2")
SRC=$(readlink -f "$here/../..")
export URUNC_SRC=${URUNC_SRC:-$SRC}
# The build dir holding urunc and the guest must be visible in the box.
export URUNC_BUILD=${URUNC_BUILD:-$(dirname "$(dirname "$(dirname "$URUNC")")")}
BOX=urunc-sd-$$
trap 'box_stop "$BOX"' EXIT
trap 'exit 130' INT TERM

NCASES=16
tap_plan $NCASES

# Every case runs in the box with this prelude: U is urunc with a private
# root, bundles are made with tests/lib/bundle.sh, T is the box's scratch.
PRELUDE="set -eu
T=/tmp/urunc-systest; mkdir -p \$T
export URUNC_CONFIG=\$T/config.toml; [ -e \$URUNC_CONFIG ] || : >\$URUNC_CONFIG
URUNC=$URUNC
U() { \$URUNC --root \$T/root \"\$@\"; }
. $SRC/tests/lib/bundle.sh
PVH=$PVH SRC=$SRC BUILD=$URUNC_BUILD
v2() { [ \"\$(stat -f -c %T /sys/fs/cgroup)\" = cgroup2fs ]; }
cg() { systemctl show -P ControlGroup \"\$1\"; }
# file under a unit's cgroup in a controller's hierarchy (v1) or the v2 one
cgfile() { if v2; then echo /sys/fs/cgroup\$(cg \$1)/\$3; else echo /sys/fs/cgroup/\$2\$(cg \$1)/\$3; fi; }
pid_of() { U state \"\$1\" | sed -n 's/.*\"pid\": \\([0-9]*\\).*/\\1/p'; }
status_of() { U state \"\$1\" | sed -n 's/.*\"status\": \"\\([a-z]*\\)\".*/\\1/p'; }
# the journal is written asynchronously: poll (up to 5 s)
journal_has() { local end=\$((SECONDS + 6)); while [ \$SECONDS -lt \$end ]; do
  journalctl --no-pager -q \"\$@\" 2>/dev/null | grep -q -- \"\$PATTERN\" && return 0; sleep 0.1; done
  echo \"no '\$PATTERN' in journalctl \$*:\"; journalctl --no-pager -q \"\$@\" | tail -20; return 1; }
# wait until unit is gone (no loaded unit of that name: not active, not failed)
unit_gone() { local i; for i in \$(seq 100); do
  [ -z \"\$(systemctl list-units --all --plain --no-legend \"\$1\")\" ] && return 0; sleep 0.05; done
  systemctl list-units --all --no-pager \"\$1\"; return 1; }
# console of a container: the monitor holds it open, so never a pipe
start_bg() { U create --bundle \"\$1\" \"\$2\" >\$T/\$2.out 2>\$T/\$2.err </dev/null && U start \"\$2\"; }
"
in_box() { box_run "$BOX" bash -c "$PRELUDE
$1" </dev/null; }

# 1
if ! tap_case "box boots" box_start "$BOX"; then
	for i in $(seq 2 $NCASES); do tap_skip "case $i" "box did not boot"; done
	exit 1
fi
tap_diag "box boot: $(cat "$(box_dir "$BOX")/boot_ms") ms; cgroup layout: $(box_run "$BOX" stat -f -c %T /sys/fs/cgroup)"

# 2  what units/ ships, installed as meson install would (the overlay is thrown away)
tap_case "units/: urunc.slice loads, tmpfiles.d makes the state root 0700" in_box '
	cp $SRC/units/urunc.slice /etc/systemd/system/
	systemctl daemon-reload
	[ "$(systemctl show -P Description urunc.slice)" = "urunc unikernel containers" ]
	[ "$(systemctl show -P LoadState urunc.slice)" = loaded ]
	[ "$(systemctl show -P FragmentPath urunc.slice)" = /etc/systemd/system/urunc.slice ]
	rm -rf /run/urunc
	systemd-tmpfiles --create $BUILD/units/urunc.conf
	[ "$(stat -c "%a %U" /run/urunc)" = "700 root" ]'

# 3  memory 256 MiB (guest 256 - 40 MiB qemu overhead), quota 50%, 512 shares, 32 tasks
tap_case "create + start a unikernel with limits" in_box '
	B_ARGS='\''["hello", "sleep=forever"]'\'' \
	B_RES='\''{"memory": {"limit": 268435456}, "cpu": {"quota": 50000, "period": 100000, "shares": 512}, "pids": {"limit": 32}}'\'' \
		make_bundle $T/b-lim $PVH
	start_bg $T/b-lim lim
	[ "$(status_of lim)" = running ]'

# 4
tap_case "systemctl status: active, description, only the monitor, log lines" in_box '
	pid=$(pid_of lim)
	out=$(systemctl status --no-pager --lines=20 urunc-lim.scope) || { echo "$out"; exit 1; }
	echo "$out"
	echo "$out" | grep -q "urunc-lim.scope - urunc unikernel lim (unikraft on qemu)$"
	echo "$out" | grep -q "Active: active (running)"
	echo "$out" | grep -q "CGroup: /urunc.slice/urunc-lim.scope$"
	procs=$(echo "$out" | sed -n "/CGroup:/,/^$/p" | grep -c "[└├]─[0-9]")
	# the container process (the urunc supervisor) and the VMM it forked
	[ "$procs" = 2 ]
	echo "$out" | grep -q "[└├]─$pid "
	echo "$out" | grep -q "[└├]─[0-9]* .*qemu-system-x86_64"
	# the journal lines under the status: create (urunc) and the monitor process
	PATTERN="created container .lim.: unikraft on qemu" journal_has -u urunc-lim.scope
	systemctl status --no-pager --lines=20 urunc-lim.scope | grep -q "created container .lim."
	systemctl status --no-pager --lines=20 urunc-lim.scope | grep -q "started container .lim."'

# 5  CPUWeight on cgroup v2 (1 + (512 - 2) * 9999 / 262142 = 20); on a v1 cpu
#    controller urunc sends CPUShares (systemd writes CPUWeight there as
#    weight * 1024 / 100 = 204 shares, not 512)
tap_case "systemctl show: MemoryMax, CPUQuotaPerSecUSec, TasksMax, CPU weight/shares" in_box '
	out=$(systemctl show urunc-lim.scope -p MemoryMax -p CPUQuotaPerSecUSec -p TasksMax -p CPUWeight -p CPUShares -p Slice -p CollectMode)
	echo "$out"
	echo "$out" | grep -qx MemoryMax=268435456
	echo "$out" | grep -qx CPUQuotaPerSecUSec=500ms
	echo "$out" | grep -qx TasksMax=32
	echo "$out" | grep -qx Slice=urunc.slice
	echo "$out" | grep -qx CollectMode=inactive-or-failed
	if v2; then echo "$out" | grep -qx CPUWeight=20; else echo "$out" | grep -qx CPUShares=512; fi'

# 6
tap_case "the cgroup files under the scope hold the limits" in_box '
	chk() { local v; v=$(cat "$1"); echo "$1 = $v"; [ "$v" = "$2" ]; }
	if v2; then
		chk $(cgfile urunc-lim.scope - memory.max) 268435456
		chk $(cgfile urunc-lim.scope - cpu.max) "50000 100000"
		chk $(cgfile urunc-lim.scope - cpu.weight) 20
		chk $(cgfile urunc-lim.scope - pids.max) 32
	else
		chk $(cgfile urunc-lim.scope memory memory.limit_in_bytes) 268435456
		chk $(cgfile urunc-lim.scope cpu cpu.cfs_quota_us) 50000
		chk $(cgfile urunc-lim.scope cpu cpu.cfs_period_us) 100000
		chk $(cgfile urunc-lim.scope cpu cpu.shares) 512
		chk $(cgfile urunc-lim.scope pids pids.max) 32
	fi'

# 7
tap_case "the monitor pid (the supervisor) and the VMM are in the scope's cgroup" in_box '
	pid=$(pid_of lim); c=$(cg urunc-lim.scope)
	cat /proc/$pid/cgroup
	[ "$c" = /urunc.slice/urunc-lim.scope ]
	if v2; then
		grep -qx "0::$c" /proc/$pid/cgroup
	else
		for h in name=systemd memory cpu pids; do grep -Eq "^[0-9]+:([^:]*,)?$h(,[^:]*)?:$c\$" /proc/$pid/cgroup; done
	fi
	grep -qx $pid $(cgfile urunc-lim.scope systemd cgroup.procs)
	vmm=$(cut -d" " -f1 /proc/$pid/task/$pid/children)
	grep -qx $vmm $(cgfile urunc-lim.scope systemd cgroup.procs)
	[ "$(U ps --format json lim)" = "[$pid,$vmm]" ]'

# 8  systemd freezes units only on cgroup v2; on v1 urunc uses the v1 freezer
tap_case "pause: state paused, cgroup frozen; resume: running, thawed" in_box '
	frozen() { if v2; then systemctl show -P FreezerState urunc-lim.scope; else cat $(cgfile urunc-lim.scope freezer freezer.state); fi; }
	U pause lim
	s=$(status_of lim); f=$(frozen); echo "after pause: $s $f"
	[ "$s" = paused ] && { [ "$f" = frozen ] || [ "$f" = FROZEN ]; }
	pid=$(pid_of lim); st=$(awk "{print \$3}" /proc/$pid/stat); echo "monitor state $st"
	U resume lim
	s=$(status_of lim); f=$(frozen); echo "after resume: $s $f"
	[ "$s" = running ] && { [ "$f" = running ] || [ "$f" = THAWED ]; }'

# 9
tap_case "update --resources: new memory limit in systemctl show and the cgroup file" in_box '
	echo "{\"memory\": {\"limit\": 335544320}, \"pids\": {\"limit\": 40}}" >$T/res.json
	U update --resources $T/res.json lim
	out=$(systemctl show urunc-lim.scope -p MemoryMax -p TasksMax); echo "$out"
	echo "$out" | grep -qx MemoryMax=335544320
	echo "$out" | grep -qx TasksMax=40
	if v2; then f=$(cgfile urunc-lim.scope - memory.max); else f=$(cgfile urunc-lim.scope memory memory.limit_in_bytes); fi
	echo "$f = $(cat $f)"; [ "$(cat $f)" = 335544320 ]
	PATTERN="updated the limits of container .lim." journal_has -u urunc-lim.scope'

# 10
tap_case "kill + delete: the story in journalctl -u, the scope gone" in_box '
	U kill lim TERM
	for i in $(seq 100); do [ "$(status_of lim)" = stopped ] && break; sleep 0.05; done
	[ "$(status_of lim)" = stopped ]
	unit_gone urunc-lim.scope
	U delete lim
	for p in "created container .lim.: unikraft on qemu, 1 vCPU, 216 MiB" "started container .lim." \
		"paused container .lim." "resumed container .lim." "delivered signal TERM (15) to container .lim." \
		"container .lim. exited" "deleted container .lim."; do
		PATTERN=$p journal_has -u urunc-lim.scope
	done
	journalctl --no-pager -q -u urunc-lim.scope'

# 11
tap_case "journalctl -t urunc: every container, URUNC_CONTAINER_ID, priorities" in_box '
	PATTERN="deleted container .lim." journal_has -t urunc URUNC_CONTAINER_ID=lim
	j=$(journalctl --no-pager -t urunc -o json URUNC_CONTAINER_ID=lim)
	n=$(echo "$j" | grep -c "\"MESSAGE\" *: *\"deleted container")
	[ "$n" = 1 ]
	echo "$j" | grep "deleted container" | grep -q "\"OBJECT_SYSTEMD_UNIT\" *: *\"urunc-lim.scope\""
	echo "$j" | grep "deleted container" | grep -q "\"PRIORITY\" *: *\"6\""
	# an error is logged too, at LOG_ERR, and names the container
	! U kill lim KILL 2>/dev/null
	PATTERN="does not exist" journal_has -t urunc -p err'

# 12
tap_case "guest exits (sleep=2): the scope goes away by itself, nothing failed" in_box '
	B_ARGS='\''["hello", "sleep=2"]'\'' make_bundle $T/b-exit $PVH
	start_bg $T/b-exit ex
	systemctl is-active -q urunc-ex.scope
	for i in $(seq 200); do [ "$(status_of ex)" = stopped ] && break; sleep 0.05; done
	[ "$(status_of ex)" = stopped ]
	unit_gone urunc-ex.scope
	# the supervisor logged the status and why, from inside the scope
	PATTERN="container .ex. exited with status 0: the guest halted" journal_has -u urunc-ex.scope
	U delete ex
	[ -z "$(systemctl list-units --all --plain --no-legend "urunc-*")" ]
	[ -z "$(systemctl list-units --state=failed --plain --no-legend)" ] || systemctl --failed --no-pager'

# 13
tap_case "delete --force of a running container: the scope is gone" in_box '
	B_ARGS='\''["hello", "sleep=forever"]'\'' make_bundle $T/b-force $PVH
	start_bg $T/b-force fo
	systemctl is-active -q urunc-fo.scope
	U delete --force fo
	unit_gone urunc-fo.scope
	[ ! -e $T/root/fo ]
	PATTERN="container .fo. exited: killed by SIGKILL" journal_has -u urunc-fo.scope'

# 14  a scope that ignores SIGTERM, stopped with a short timeout, fails
#     (result timeout) and stays loaded (CollectMode=inactive)
tap_case "a stale failed unit of the same name does not block a new container" in_box '
	( systemd-run --quiet --scope --unit=urunc-stale -p TimeoutStopSec=200ms \
		sh -c "trap \"\" TERM; exec sleep 60" >/dev/null 2>&1 & )
	for i in $(seq 100); do systemctl is-active -q urunc-stale.scope && break; sleep 0.05; done
	systemctl stop urunc-stale.scope || true
	systemctl is-failed -q urunc-stale.scope
	systemctl show -P Result urunc-stale.scope
	B_ARGS='\''["hello", "sleep=forever"]'\'' make_bundle $T/b-stale $PVH
	$URUNC --root $T/root --debug --log $T/stale.log create --bundle $T/b-stale stale >$T/stale.out 2>&1 </dev/null
	U start stale
	grep "exists" $T/stale.log
	systemctl is-active -q urunc-stale.scope
	systemctl show -P Description urunc-stale.scope | grep -qx "urunc unikernel stale (unikraft on qemu)"
	grep -qx $(pid_of stale) $(cgfile urunc-stale.scope systemd cgroup.procs)
	U delete --force stale
	unit_gone urunc-stale.scope'

# 15  what containerd passes with the systemd cgroup driver, and podman'"'"'s form
tap_case "--systemd-cgroup with cgroupsPath slice:prefix:name: scope in that slice" in_box '
	B_ARGS='\''["hello", "sleep=forever"]'\'' make_bundle $T/b-sl $PVH
	sed -i "s|\"linux\": {|\"linux\": { \"cgroupsPath\": \"system.slice:urunc:sl\",|" $T/b-sl/config.json
	B_ARGS='\''["hello", "sleep=forever"]'\'' make_bundle $T/b-pm $PVH
	sed -i "s|\"linux\": {|\"linux\": { \"cgroupsPath\": \"machine.slice:libpod:pm\",|" $T/b-pm/config.json
	for id in sl pm; do
		$URUNC --root $T/root --systemd-cgroup create --bundle $T/b-$id $id >$T/$id.out 2>&1 </dev/null
		$URUNC --root $T/root --systemd-cgroup start $id
	done
	systemctl is-active -q urunc-sl.scope
	[ "$(systemctl show -P Slice urunc-sl.scope)" = system.slice ]
	[ "$(cg urunc-sl.scope)" = /system.slice/urunc-sl.scope ]
	grep -qx $(pid_of sl) $(cgfile urunc-sl.scope systemd cgroup.procs)
	[ "$(systemctl show -P Slice libpod-pm.scope)" = machine.slice ]
	grep -qx $(pid_of pm) $(cgfile libpod-pm.scope systemd cgroup.procs)
	for id in sl pm; do $URUNC --root $T/root --systemd-cgroup delete --force $id; done
	unit_gone urunc-sl.scope; unit_gone libpod-pm.scope
	# every command logged under the scope named by the cgroupsPath
	for p in "created container .pm." "started container .pm." "deleted container .pm."; do
		PATTERN=$p journal_has -u libpod-pm.scope
	done'

# 16
tap_case "com.urunc.console=journal: the guest console in journalctl -u" in_box '
	B_ARGS='\''["hello", "sleep=forever"]'\'' B_ANNOT='\''"com.urunc.console": "journal"'\'' make_bundle $T/b-con $PVH
	start_bg $T/b-con con
	PATTERN="urunc-test-guest: hello (pvh)" journal_has -u urunc-con.scope || { cat $T/con.out $T/con.err; journalctl --no-pager -t urunc-con; exit 1; }
	journalctl --no-pager -u urunc-con.scope -o verbose | grep -q "_SYSTEMD_UNIT=urunc-con.scope"
	[ ! -s $T/con.out ]
	U delete --force con
	unit_gone urunc-con.scope
	[ -z "$(systemctl list-units --all --plain --no-legend "urunc-*")" ]'

tap_done
