#!/bin/bash
# test-box.sh - self-test of the systemd-box harness (TAP).
# Proves that a box gives what urunc's system tests need: a booted systemd
# that applies cgroup limits of transient scopes, a journal, containerd and
# podman (systemd cgroup manager), and offline-built images running with runc.
set -u
here=$(dirname "$(readlink -f "$0")")
. "$here/lib/tap.sh"
. "$here/lib/systemd-box.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
command -v systemd-nspawn >/dev/null || tap_skip_all "no systemd-nspawn"

SRC=$(readlink -f "$here/../..")
BOX=selftest-$$
export URUNC_SRC=${URUNC_SRC:-$SRC}
trap 'box_stop "$BOX"' EXIT
trap 'exit 130' INT TERM

tap_plan 15

in_box() { box_run "$BOX" bash -c "set -eu; $1"; }

# 1
if ! tap_case "box boots (systemd running or degraded)" box_start "$BOX"; then
	# nothing else can work
	for i in $(seq 2 15); do tap_skip "case $i" "box did not boot"; done
	exit 1
fi
tap_diag "boot time: $(cat "$(box_dir "$BOX")/boot_ms") ms"

# 2
run_io() {
	local out
	out=$(printf 'abc\n' | box_run "$BOX" sh -c 'read x; echo "in:$x"; echo err >&2; exit 7' 2>&1)
	local rc=$?
	echo "$out (rc $rc)"
	[ "$out" = "in:abc
err" ] && [ $rc = 7 ] || return 1
	out=$(box_unit "$BOX" sh -c 'echo unit; exit 3'); rc=$?
	[ "$out" = unit ] && [ $rc = 3 ] || { echo "box_unit: '$out' rc $rc"; return 1; }
}
tap_case "box_run/box_unit: stdin, stdout, stderr, exit status" run_io

# 3
tap_case "cgroup controllers writable in the box" in_box '
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		grep -q " /sys/fs/cgroup rw," /proc/self/mountinfo; exit
	fi
	bad=$(awk '\''$5 ~ "^/sys/fs/cgroup/" && $0 ~ / - cgroup2? / && $6 !~ /^rw/ {print $5}'\'' /proc/self/mountinfo)
	[ -z "$bad" ] || { echo "read-only: $bad"; exit 1; }'

# 4
tap_case "transient scope with MemoryMax/CPUQuota/TasksMax" in_box '
	systemd-run --quiet --scope --unit=box-selftest -p MemoryMax=64M -p CPUQuota=50% -p TasksMax=20 \
		sleep 30 >/dev/null 2>&1 &
	echo $! >/run/box-selftest.pid
	for i in $(seq 250); do systemctl is-active -q box-selftest.scope && break; sleep 0.02; done
	out=$(systemctl show box-selftest.scope -p MemoryMax -p TasksMax -p CPUQuotaPerSecUSec)
	echo "$out"
	echo "$out" | grep -qx MemoryMax=67108864
	echo "$out" | grep -qx TasksMax=20
	echo "$out" | grep -qx CPUQuotaPerSecUSec=500ms'

# 5
tap_case "limits are in the scope's cgroup files" in_box '
	cg=$(systemctl show -P ControlGroup box-selftest.scope)
	[ -n "$cg" ]
	chk() { v=$(cat "$1"); echo "$1 = $v"; [ "$v" = "$2" ]; }
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		chk /sys/fs/cgroup$cg/memory.max 67108864
		chk /sys/fs/cgroup$cg/cpu.max "50000 100000"
		chk /sys/fs/cgroup$cg/pids.max 20
	else
		chk /sys/fs/cgroup/memory$cg/memory.limit_in_bytes 67108864
		chk /sys/fs/cgroup/cpu$cg/cpu.cfs_quota_us 50000
		chk /sys/fs/cgroup/cpu$cg/cpu.cfs_period_us 100000
		chk /sys/fs/cgroup/pids$cg/pids.max 20
	fi'

# 6
tap_case "the scope's process is in the scope's cgroup" in_box '
	pid=$(cat /run/box-selftest.pid)
	cg=$(systemctl show -P ControlGroup box-selftest.scope)
	[ "$(cat /proc/$pid/comm)" = sleep ]
	cat /proc/$pid/cgroup
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		grep -qx "$pid" /sys/fs/cgroup$cg/cgroup.procs
	else
		for c in memory cpu pids systemd; do grep -qx "$pid" /sys/fs/cgroup/$c$cg/cgroup.procs; done
	fi
	systemctl stop box-selftest.scope'

# 7
tap_case "journal: logger -t boxtest / journalctl -t boxtest" in_box '
	logger -t boxtest "hello from $$"
	for i in $(seq 100); do
		journalctl -q -t boxtest --no-pager | grep -q "hello from $$" && exit 0
		sleep 0.05
	done
	journalctl -q -t boxtest --no-pager; exit 1'

# 8
tap_case "devices: /dev/net/tun, /dev/kvm iff the host has it" in_box "
	test -c /dev/net/tun
	if [ $([ -c /dev/kvm ] && [ "$(stat -c %t:%T /dev/kvm)" = a:e8 ] && echo 1 || echo 0) = 1 ]; then
		test -c /dev/kvm && stat -c '%t:%T' /dev/kvm | grep -qx a:e8
	else
		echo 'host has no /dev/kvm'; test ! -e /dev/kvm
	fi"

# 9
tap_case "private network: only loopback, veth creatable" in_box '
	[ "$(ls /sys/class/net)" = lo ]
	ip link add bxa type veth peer name bxb
	ip link del bxa'

# 10
tap_case "containerd starts; ctr version" in_box '
	systemctl start containerd
	ctr version'

# 11
tap_case "podman info (systemd cgroup manager)" in_box '
	podman info --format "{{.Host.CgroupManager}} {{.Host.CgroupsVersion}} {{.Store.GraphDriverName}}" | tee /dev/stderr |
		grep -q "^systemd "'

# 12
tap_case "image_build_oci: busybox image, offline" in_box "
	. $here/lib/images.sh
	image_busybox_rootfs /tmp/bbroot
	image_build_oci /tmp/bb.tar docker.io/library/bb:test /tmp/bbroot --label test=box --cmd '[\"/bin/busybox\",\"echo\",\"hi\"]'
	tar -xOf /tmp/bb.tar index.json | grep -q docker.io/library/bb:test"

# 13
tap_case "containerd: import + ctr run --runc-binary runc" in_box "
	. $here/lib/images.sh
	image_import_containerd /run/containerd/containerd.sock default /tmp/bb.tar
	out=\$(ctr -n default run --rm --runc-binary runc docker.io/library/bb:test t1 /bin/busybox echo hi)
	echo \"\$out\"; [ \"\$out\" = hi ]"

# 14
tap_case "podman: load + run --cgroup-manager systemd" in_box "
	. $here/lib/images.sh
	image_import_podman /tmp/bb.tar
	out=\$(podman run --rm --cgroup-manager systemd --runtime runc --network none docker.io/library/bb:test /bin/busybox echo hi)
	echo \"\$out\"; [ \"\$out\" = hi ]"

# 15
teardown() {
	local d cgs
	d=$(box_dir "$BOX")
	cgs=$(cat "$d/cgroups")
	box_stop "$BOX" || return 1
	[ ! -e "$d" ] || { echo "$d left"; return 1; }
	local cg
	for cg in $cgs; do [ ! -e "$cg" ] || { echo "$cg left"; return 1; }; done
	! grep -q "$d" /proc/self/mountinfo || { echo "mounts left"; return 1; }
	! pgrep -f "systemd-nspawn .*-M $BOX " || { echo "nspawn left"; return 1; }
}
tap_case "box_stop removes box, mounts and sub-cgroups" teardown

tap_done
