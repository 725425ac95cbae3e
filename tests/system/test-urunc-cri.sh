#!/bin/bash
# test-urunc-cri.sh - Kubernetes' path: containerd's CRI plugin driven as
# kubelet drives it, with urunc as the runtime handler, in a box with a
# real systemd (TAP, suite 'system').
#
# The node (tests/system/cri/cri-box.sh): containerd 1.6 with the CRI plugin,
# a config the test writes with contrib/kubernetes/containerd-config-v2.toml
# appended as the README says, a bridge + host-local CNI network, a pause
# image built offline, images of the test guests.  The client
# (tests/system/cri/cri.py) speaks runtime.v1 over gRPC with messages from
# our own cri.proto, compiled by protoc at test time.
#
# Cases: a runc pod (the node works), then unikernel pods whose metadata
# comes from /urunc.json in the image, from container annotations and from
# pod annotations; containerd restarted under a running pod; a guest that
# exits by itself; a routed pod (docs/sidecar-network.md) whose busybox
# sidecar reaches the guest.  Every pod ends with StopContainer, RemoveContainer,
# StopPodSandbox, RemovePodSandbox and a search for anything left.
#
# Usage: test-urunc-cri.sh [URUNC HELLO_PVH NET_PVH]
#        test-urunc-cri.sh --bench N [URUNC HELLO_PVH NET_PVH]
#   --bench N: no TAP; N times RunPodSandbox -> first HTTP 200 on the pod IP
#   for a unikernel pod (urunc + net.pvh) and a runc pod (busybox httpd),
#   alternating, same box, same CNI; prints one line per pod
#   ("bench urunc|runc run=MS create=MS start=MS http=MS") and the medians
#   with their ratio.  tests/bench/urunc-bench (section cri) calls it.
set -u
here=$(dirname "$(readlink -f "$0")")
. "$here/lib/tap.sh"
. "$here/lib/systemd-box.sh"

BENCH=0
if [ "${1:-}" = --bench ]; then
	BENCH=${2:-}
	case $BENCH in ''|*[!0-9]*|0) echo "test-urunc-cri.sh: --bench wants a number >= 1" >&2; exit 2 ;; esac
	shift 2
fi
skip_all() {
	if [ "$BENCH" != 0 ]; then echo "test-urunc-cri.sh: skipped: $*" >&2; exit 77; fi
	tap_skip_all "$@"
}

[ "$(id -u)" = 0 ] || skip_all "not root"
for c in systemd-nspawn containerd ctr runc buildah busybox qemu-system-x86_64 curl gcc protoc; do
	command -v $c >/dev/null || skip_all "no $c"
done
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] ||
	skip_all "no CNI plugins in /usr/lib/cni (containernetworking-plugins)"
/usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
	skip_all "no python3-grpcio / python3-protobuf for /usr/bin/python3"
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || [ -e /usr/lib/libc.a ] || skip_all "no static libc (libc6-dev) for the pause binary"

SRC=$(readlink -f "$here/../..")
export URUNC_SRC=${URUNC_SRC:-$SRC}
BUILD=${URUNC_BUILD:-${MESON_BUILD_ROOT:-}}
URUNC=${1:-$BUILD/src/cli/urunc}
HELLO=${2:-$BUILD/tests/guests/hello.pvh}
NETG=${3:-$BUILD/tests/guests/net.pvh}
for f in "$URUNC" "$HELLO" "$NETG"; do
	[ -f "$f" ] || skip_all "$f not built (run from meson, or set URUNC_BUILD)"
done
URUNC=$(readlink -f "$URUNC") HELLO=$(readlink -f "$HELLO") NETG=$(readlink -f "$NETG")
BOX_BINDS="$URUNC_SRC $(dirname "$URUNC") $(dirname "$HELLO")"
export BOX_BINDS
BOX=cri-$$
trap 'box_stop "$BOX"' EXIT
trap 'exit 130' INT TERM

# Run a script in the box, set -e, with the node's helpers.
in_box() {
	box_run "$BOX" env SRC="$URUNC_SRC" URUNC="$URUNC" HELLO="$HELLO" NETG="$NETG" \
		bash -c "set -eux; . \"\$SRC/tests/system/cri/cri-box.sh\"; $1" </dev/null
}

# ---- bench mode ---------------------------------------------------------------
if [ "$BENCH" != 0 ]; then
	quiet() { # DESC CMD...
		local out desc=$1; shift
		out=$("$@" 2>&1) || { printf 'test-urunc-cri.sh: %s failed:\n%s\n' "$desc" "$out" >&2; exit 1; }
	}
	quiet "box boot" box_start "$BOX"
	quiet "node setup" in_box 'cri_setup_node'
	quiet "images" in_box 'cri_build_images'
	in_box "n=$BENCH"'
	t=/tmp/bench; mkdir -p $t /etc/urunc
	# urunc timestamps its phases (start-exec: it execs QEMU), one append
	# each; the box is an overlay, the host config is untouched
	grep -qs "^\[timestamps\]" /etc/urunc/config.toml ||
		printf "\n[timestamps]\nenabled = true\ndestination = \"%s\"\n" $t/ts.log >>/etc/urunc/config.toml
	ts=$(sed -n "/^\[timestamps\]/,/^\[/s/^destination *= *\"\(.*\)\"/\1/p" /etc/urunc/config.toml)
	for i in $(seq $n); do
		for rt in urunc runc; do
			if [ $rt = urunc ]; then img=$CRI_IMG/net:test; else img=docker.io/library/bb-httpd:test; fi
			name=bench-$rt-$i log=/var/log/pods/default_bench-$rt-${i}_$(pod_uid bench-$rt-$i)/web/0.log
			rm -rf "${log%/web/0.log}"
			podjson $name >$t/pod.json
			ctrjson web $img >$t/ctr.json
			line=$(cri podup $t/pod.json $t/ctr.json $rt 60)
			pod=$(echo "$line" | sed -n "s/^pod=\([^ ]*\) .*/\1/p")
			rest=${line#* ip=* } marks=""
			if [ $rt = urunc ]; then
				cid=$(echo "$line" | sed -n "s/.* ctr=\([^ ]*\) .*/\1/p")
				marks=" $(cri_bench_marks $cid ${rest##*wall0=} $log ${ts:-/var/log/urunc/timestamps.log})"
				[ $i != 1 ] || echo "bench-accel $(tr "\0" " " </proc/$(pgrep -n -x qemu-system-x86)/cmdline | sed -n "s/.*-accel \([a-z]*\).*/\1/p")"
			fi
			echo "bench $rt ${rest% wall0=*}$marks"
			cri down $pod 2
		done
	done
	cri_leftovers >&2' 2>/tmp/cri-bench.$$.err | tee /tmp/cri-bench.$$.out | grep '^bench'
	rc=${PIPESTATUS[0]}
	if [ "$rc" != 0 ]; then
		echo "test-urunc-cri.sh: bench failed (status $rc):" >&2
		grep -v '^+' /tmp/cri-bench.$$.err | tail -20 >&2
		rm -f /tmp/cri-bench.$$.*
		exit 1
	fi
	# the medians of every figure, the ratio, the machine
	awk -v cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" -v cores="$(nproc)" \
		-v load="$(cut -d' ' -f1-3 /proc/loadavg)" '
	$1 == "bench-accel" { accel = $2 }
	$1 == "bench" { n[$2]++; for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[2] != "-") v[$2, kv[1], ++c[$2, kv[1]]] = kv[2] + 0 } }
	function median(rt, k,   i, j, t, m) {
		m = c[rt, k]
		if (!m) return "-"
		for (i = 1; i <= m; i++) a[i] = v[rt, k, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return sprintf("%.1f", m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2)
	}
	END {
		u = median("urunc", "http"); r = median("runc", "http")
		printf "RunPodSandbox -> first HTTP 200, median of %d: urunc pod (net.pvh) %s ms, runc pod (busybox httpd) %s ms, ratio urunc/runc %.2f\n", n["urunc"], u, r, u / r
		printf "  on %s, %s cores, QEMU accel %s in the box, load %s\n", cpu, cores, accel ? accel : "?", load
		printf "  urunc pod, ms from RunPodSandbox: RunPodSandbox returned %s, CreateContainer %s, StartContainer %s (urunc execs QEMU at %s), first console line %s, net: ready %s, first HTTP 200 %s\n", \
			median("urunc", "run"), median("urunc", "create"), median("urunc", "start"), median("urunc", "qemu"), median("urunc", "first"), median("urunc", "ready"), u
		printf "  runc pod, ms from RunPodSandbox: RunPodSandbox returned %s, CreateContainer %s, StartContainer %s, first HTTP 200 %s\n", \
			median("runc", "run"), median("runc", "create"), median("runc", "start"), r
	}' /tmp/cri-bench.$$.out
	rm -f /tmp/cri-bench.$$.*
	exit 0
fi

# ---- test mode ----------------------------------------------------------------
NCASES=26
tap_plan $NCASES

if ! tap_case "box boots" box_start "$BOX"; then
	for i in $(seq 2 $NCASES); do tap_skip "case $i" "box did not boot"; done
	exit 1
fi
if box_run "$BOX" test -c /dev/kvm; then tap_diag "the box has /dev/kvm (BOX_KVM=no hides it)"; else tap_diag "no /dev/kvm in the box: QEMU uses TCG"; fi

tap_case "node: urunc installed, containerd config + contrib/kubernetes/containerd-config-v2.toml, CNI; CRI answers" in_box '
	cri_setup_node | tee /dev/stderr | grep -qE "^containerd .* v1$"
	ctr plugins ls | grep -E "io.containerd.grpc.v1 +cri .* ok *$"
	containerd config dump | grep -A3 "runtimes.urunc.options\]" | grep -q "BinaryName = \"/usr/local/sbin/urunc\""'

tap_case "images built offline (pause from C, unikernels, busybox httpd), imported into k8s.io" in_box '
	cri_build_images | tee /dev/stderr | grep -v "^sha256:" | sort | tr "\n" " " | grep -qx "docker.io/library/bb-httpd:test docker.io/urunc/hello:test docker.io/urunc/net-bare:test docker.io/urunc/net:test docker.io/urunc/pause:test "'

tap_case "runc pod (busybox httpd): HTTP 200 on the pod IP; down; nothing left" in_box '
	podjson r1 >/tmp/r1.pod; ctrjson web docker.io/library/bb-httpd:test >/tmp/r1.ctr
	line=$(cri podup /tmp/r1.pod /tmp/r1.ctr runc 30); echo "$line"
	ip=${line#* ip=}; ip=${ip%% *}
	[ "$(http_code $ip)" = 200 ]
	# busybox httpd as PID 1 has no SIGTERM handler: StopContainer then
	# waits out its timeout before SIGKILL, as it would for kubelet
	cri down "$(echo "$line" | sed "s/^pod=\([^ ]*\) .*/\1/")" 2
	cri_leftovers'

# ---- a unikernel pod, step by step; metadata from /urunc.json ---------------
tap_case "RunPodSandbox (handler urunc): READY, pod IP on the CNI subnet, pause under runc in the pod slice" in_box '
	podjson a >/tmp/a.pod
	pod=$(cri runp /tmp/a.pod urunc); echo $pod >/tmp/a.id
	[ "$(pod_state $pod)" = SANDBOX_READY ]
	ip=$(cri inspectp $pod | jget "d[\"status\"][\"network\"][\"ip\"]"); echo $ip >/tmp/a.ip
	case $ip in $CRI_NET.*) ;; *) echo "pod IP $ip"; exit 1 ;; esac
	cri inspectp $pod | jget "d[\"status\"][\"runtime_handler\"]" | grep -qx urunc
	# urunc handed the pause container to runc: runc state in the same root
	test -e /run/containerd/runc/k8s.io/$pod/state.json
	pid=$(cat /run/containerd/io.containerd.runtime.v2.task/k8s.io/$pod/init.pid)
	[ "$(cat /proc/$pid/comm)" = pause ]
	systemctl show -P Slice cri-containerd-$pod.scope | grep -qx "kubepods-burstable-pod$(pod_uid a).slice"'

tap_case "CreateContainer + StartContainer (net.pvh): CONTAINER_RUNNING, the task is QEMU" in_box '
	pod=$(cat /tmp/a.id)
	ctrjson web $CRI_IMG/net:test >/tmp/a.ctr
	cid=$(cri create $pod /tmp/a.ctr /tmp/a.pod); echo $cid >/tmp/a.cid
	[ "$(ctr_state $cid)" = CONTAINER_CREATED ]
	cri start $cid
	[ "$(ctr_state $cid)" = CONTAINER_RUNNING ]
	pid=$(ctr_pid $cid)
	# the task is the urunc supervisor, QEMU its child
	[ "$(cat /proc/$pid/comm)" = urunc:supervise ]
	vmm=$(cut -d" " -f1 /proc/$pid/task/$pid/children); [ "$(cat /proc/$vmm/comm)" = qemu-system-x86 ]'

tap_case "the CRI log file has the guest console; guest RAM = 256 MiB limit - 40 MiB QEMU overhead" in_box '
	log=/var/log/pods/default_a_$(pod_uid a)/web/0.log
	for i in $(seq 100); do grep -q " stdout F net: ready$" $log 2>/dev/null && break; sleep 0.1; done
	cat $log
	grep -q " stdout F urunc-test-guest: net (pvh)$" $log
	grep -q " stdout F mem: 216 MiB$" $log
	grep -q " stdout F net: ip=$(cat /tmp/a.ip)/24 " $log
	grep -q " stdout F net: ready$" $log
	cri inspect $(cat /tmp/a.cid) | jget "d[\"status\"][\"log_path\"]" | grep -qx $log'

tap_case "limits: cri-containerd-<id>.scope in the pod slice, MemoryMax 256M, CPU quota 1 CPU, in the cgroup files" in_box '
	cid=$(cat /tmp/a.cid) pid=$(ctr_pid $(cat /tmp/a.cid))
	u=cri-containerd-$cid.scope
	systemctl show -p Slice -p MemoryMax -p CPUQuotaPerSecUSec -p ControlGroup $u | tee /dev/stderr >/tmp/a.unit
	grep -qx "Slice=kubepods-burstable-pod$(pod_uid a).slice" /tmp/a.unit
	grep -qx MemoryMax=268435456 /tmp/a.unit
	grep -qx CPUQuotaPerSecUSec=1s /tmp/a.unit
	cg=$(sed -n "s/^ControlGroup=//p" /tmp/a.unit)
	grep -qx $pid /sys/fs/cgroup/systemd$cg/cgroup.procs
	[ "$(cat /sys/fs/cgroup/memory$cg/memory.limit_in_bytes)" = 268435456 ]
	[ "$(cat /sys/fs/cgroup/cpu$cg/cpu.cfs_quota_us)" = 100000 ]'

tap_case "HTTP 200 from the guest on the pod IP" in_box '
	ip=$(cat /tmp/a.ip)
	for i in $(seq 100); do [ "$(http_code $ip)" = 200 ] && break; sleep 0.1; done
	curl -s -m 3 -i http://$ip/ | tee /dev/stderr | head -1 | grep -q "^HTTP/1.0 200"'

tap_case "StopContainer: CONTAINER_EXITED, QEMU gone, scope gone" in_box '
	cid=$(cat /tmp/a.cid) pid=$(ctr_pid $(cat /tmp/a.cid))
	cri stop $cid 10
	[ "$(ctr_state $cid)" = CONTAINER_EXITED ]
	! kill -0 $pid 2>/dev/null
	[ -z "$(systemctl list-units --all --plain --no-legend cri-containerd-$cid.scope)" ]'

tap_case "RemoveContainer: gone from ListContainers and from the runtime root" in_box '
	cid=$(cat /tmp/a.cid)
	cri rm $cid
	! cri ps | grep -q "\"$cid\""
	! test -e /run/containerd/runc/k8s.io/$cid'

tap_case "StopPodSandbox (NOTREADY), RemovePodSandbox (gone)" in_box '
	pod=$(cat /tmp/a.id)
	cri stopp $pod
	[ "$(pod_state $pod)" = SANDBOX_NOTREADY ]
	cri rmp $pod
	! cri pods | grep -q "\"$pod\""'

tap_case "nothing left: processes, units, runc/urunc state, shim dirs, netns, veth, tap, IP lease" in_box 'cri_leftovers'

# ---- where the metadata comes from -------------------------------------------
# shellcheck disable=SC2016
ANN='{"com.urunc.unikernel.unikernelType": "unikraft", "com.urunc.unikernel.hypervisor": "qemu", "com.urunc.unikernel.binary": "/unikernel/net.pvh"}'

tap_case "metadata in container annotations (image without /urunc.json): HTTP 200; down; nothing left" in_box '
	podjson b >/tmp/b.pod; ctrjson web $CRI_IMG/net-bare:test '"'$ANN'"' >/tmp/b.ctr
	line=$(cri podup /tmp/b.pod /tmp/b.ctr urunc 60); echo "$line"
	pod=$(echo "$line" | sed "s/^pod=\([^ ]*\) .*/\1/")
	cid=$(echo "$line" | sed "s/.* ctr=\([^ ]*\) .*/\1/")
	pid=$(ctr_pid $cid); [ "$(cat /proc/$pid/comm)" = urunc:supervise ]
	vmm=$(cut -d" " -f1 /proc/$pid/task/$pid/children); [ "$(cat /proc/$vmm/comm)" = qemu-system-x86 ]
	cri down $pod
	cri_leftovers'

tap_case "metadata in pod annotations: the sandbox is not a unikernel (RunPodSandbox works)" in_box '
	podjson c '"'$ANN'"' >/tmp/c.pod
	pod=$(cri runp /tmp/c.pod urunc); echo $pod >/tmp/c.id
	[ "$(pod_state $pod)" = SANDBOX_READY ]
	pid=$(cat /run/containerd/io.containerd.runtime.v2.task/k8s.io/$pod/init.pid)
	[ "$(cat /proc/$pid/comm)" = pause ]'

tap_case "metadata in pod annotations: the unikernel container boots it, HTTP 200; StopPodSandbox with it running; nothing left" in_box '
	pod=$(cat /tmp/c.id)
	ctrjson web $CRI_IMG/net-bare:test >/tmp/c.ctr
	cid=$(cri create $pod /tmp/c.ctr /tmp/c.pod)
	cri start $cid
	pid=$(ctr_pid $cid); [ "$(cat /proc/$pid/comm)" = urunc:supervise ]
	vmm=$(cut -d" " -f1 /proc/$pid/task/$pid/children); [ "$(cat /proc/$vmm/comm)" = qemu-system-x86 ]
	ip=$(cri inspectp $pod | jget "d[\"status\"][\"network\"][\"ip\"]")
	for i in $(seq 100); do [ "$(http_code $ip)" = 200 ] && break; sleep 0.1; done
	[ "$(http_code $ip)" = 200 ]
	# no StopContainer first: StopPodSandbox stops what still runs in the pod
	pid=$(ctr_pid $cid)
	cri stopp $pod
	[ "$(ctr_state $cid)" = CONTAINER_EXITED ]
	! kill -0 $pid 2>/dev/null
	cri rm $cid
	cri rmp $pod
	cri_leftovers'

# ---- containerd restarted under a running pod ---------------------------------
tap_case "systemctl restart containerd under a running pod: same shim and QEMU, RUNNING, HTTP 200" in_box '
	podjson d >/tmp/d.pod; ctrjson web $CRI_IMG/net:test >/tmp/d.ctr
	line=$(cri podup /tmp/d.pod /tmp/d.ctr urunc 60); echo "$line"
	echo "$line" >/tmp/d.line
	pod=$(echo "$line" | sed "s/^pod=\([^ ]*\) .*/\1/")
	cid=$(echo "$line" | sed "s/.* ctr=\([^ ]*\) .*/\1/")
	ip=${line#* ip=}; ip=${ip%% *}
	pid=$(ctr_pid $cid)
	shims=$(pgrep -x containerd-shim | sort | tr "\n" " ")
	systemctl restart containerd
	for i in $(seq 100); do cri version >/dev/null 2>&1 && break; sleep 0.1; done
	[ "$(pgrep -x containerd-shim | sort | tr "\n" " ")" = "$shims" ]
	[ "$(ctr_state $cid)" = CONTAINER_RUNNING ]
	[ "$(ctr_pid $cid)" = $pid ]
	[ "$(pod_state $pod)" = SANDBOX_READY ]
	[ "$(http_code $ip)" = 200 ]'

tap_case "after the restart: StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox; nothing left" in_box '
	pod=$(sed "s/^pod=\([^ ]*\) .*/\1/" /tmp/d.line)
	cri down $pod
	cri_leftovers'

# ---- a guest that exits by itself -----------------------------------------------
tap_case "a guest that exits (exit=3): CONTAINER_EXITED, exit code 7 as kubelet reads it, console in the log" in_box '
	podjson e >/tmp/e.pod; ctrjson app $CRI_IMG/hello:test >/tmp/e.ctr
	pod=$(cri runp /tmp/e.pod urunc); echo $pod >/tmp/e.id
	cid=$(cri create $pod /tmp/e.ctr /tmp/e.pod)
	cri start $cid
	cri wait $cid CONTAINER_EXITED 30
	cri inspect $cid | tee /dev/stderr >/tmp/e.status
	# QEMU turns the guest status N into (N << 1) | 1 (isa-debug-exit);
	# that is the container exit status urunc reports (src/vmm/qemu.c)
	jget "d[\"status\"].get(\"exit_code\", 0)" </tmp/e.status | grep -qx 7
	jget "d[\"status\"][\"reason\"]" </tmp/e.status | grep -qx Error
	[ "$(jget "int(d[\"status\"][\"finished_at\"])" </tmp/e.status)" -gt 0 ]
	grep -q " stdout F exit: 3$" /var/log/pods/default_e_$(pod_uid e)/app/0.log'

tap_case "the exited pod goes away: down; nothing left" in_box '
	cri down $(cat /tmp/e.id)
	cri_leftovers'

# ---- a sidecar reaches the unikernel: routed network mode ---------------------
# shellcheck disable=SC2016
RANN='{"com.urunc.network": "routed", "com.urunc.network.ports": "80"}'

tap_case "routed pod (pod annotations com.urunc.network=routed, ports 80): net.pvh + busybox sidecar RUNNING" in_box '
	podjson s '"'$RANN'"' >/tmp/s.pod
	pod=$(cri runp /tmp/s.pod urunc); echo $pod >/tmp/s.id
	ctrjson web $CRI_IMG/net:test >/tmp/s-web.ctr
	ctrjson side docker.io/library/bb-httpd:test "{}" "[\"/bin/busybox\", \"sh\", \"/sidecar.sh\"]" >/tmp/s-side.ctr
	cid=$(cri create $pod /tmp/s-web.ctr /tmp/s.pod); echo $cid >/tmp/s-web.cid
	cri start $cid
	sid=$(cri create $pod /tmp/s-side.ctr /tmp/s.pod); echo $sid >/tmp/s-side.cid
	cri start $sid
	[ "$(ctr_state $cid)" = CONTAINER_RUNNING ]
	[ "$(ctr_state $sid)" = CONTAINER_RUNNING ]
	pid=$(ctr_pid $cid); [ "$(cat /proc/$pid/comm)" = urunc:supervise ]
	vmm=$(cut -d" " -f1 /proc/$pid/task/$pid/children); [ "$(cat /proc/$vmm/comm)" = qemu-system-x86 ]
	[ "$(cat /proc/$(ctr_pid $sid)/comm)" = busybox ]
	ip=$(cri inspectp $pod | jget "d[\"status\"][\"network\"][\"ip\"]"); echo $ip >/tmp/s.ip
	log=/var/log/pods/default_s_$(pod_uid s)/web/0.log
	for i in $(seq 100); do grep -q " stdout F net: ready$" $log 2>/dev/null && break; sleep 0.1; done
	grep -q " stdout F net: ip=169.254.100.2/30 gw=169.254.100.1 " $log'

tap_case "the sidecar gets 200 from the guest at 169.254.100.2, 127.0.0.1:80 and the pod IP; its ping to the gateway is answered" in_box '
	log=/var/log/pods/default_s_$(pod_uid s)/side/0.log ip=$(cat /tmp/s.ip)
	ok() { grep -q " stdout F sidecar $1" $log; }
	for i in $(seq 150); do
		ok "GET 169.254.100.2: HTTP/1.. 200" && ok "GET 127.0.0.1: HTTP/1.. 200" &&
			ok "GET $ip: HTTP/1.. 200" && ok "ping $CRI_NET.1: ok" && break
		sleep 0.1
	done
	tail -8 $log
	ok "GET 169.254.100.2: HTTP/1.. 200"
	ok "GET 127.0.0.1: HTTP/1.. 200"
	ok "GET $ip: HTTP/1.. 200"
	ok "ping $CRI_NET.1: ok"'

tap_case "from the node: the pod IP :80 is the guest (200), :8012 the sidecar's own httpd" in_box '
	ip=$(cat /tmp/s.ip)
	[ "$(http_code $ip)" = 200 ]
	curl -s -m 3 http://$ip/ | tee /dev/stderr | grep -qx "urunc-test-guest net ok"
	curl -s -m 3 http://$ip:8012/ | tee /dev/stderr | grep -qx "busybox httpd ok"'

tap_case "StopContainer of the guest: the pod namespace (kept by the sidecar) has no nft table, tap or address left" in_box '
	pod=$(cat /tmp/s.id) cid=$(cat /tmp/s-web.cid)
	pid=$(cat /run/containerd/io.containerd.runtime.v2.task/k8s.io/$pod/init.pid)
	nsenter -t $pid -n nft list tables | tee /dev/stderr | grep -q "^table ip urunc-"
	cri stop $cid 10
	[ "$(ctr_state $cid)" = CONTAINER_EXITED ]
	[ -z "$(nsenter -t $pid -n nft list tables)" ]
	[ -z "$(nsenter -t $pid -n ip -o link show type tun)" ]
	! nsenter -t $pid -n ip -o addr show | grep -F 169.254.100.1
	[ "$(ctr_state $(cat /tmp/s-side.cid))" = CONTAINER_RUNNING ]'

tap_case "the routed pod goes away: down; nothing left" in_box '
	cri down $(cat /tmp/s.id) 2
	cri_leftovers'

tap_case "box stops; nothing left on the host" box_stop "$BOX"

tap_done
