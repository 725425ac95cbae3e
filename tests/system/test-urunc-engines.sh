#!/bin/bash
# test-urunc-engines.sh - containerd, podman and the Kubernetes pod pattern
# run unikernel images through urunc, in a box with a real systemd (TAP).
#
# Images are built offline, inside the box, with contrib/images/
# build-unikernel-image.sh from the test guests.  containerd is configured
# with contrib/containerd/config.toml (imported as is) and podman with
# contrib/podman/containers.conf (CONTAINERS_CONF), so the snippets users
# copy are the ones tested.  urunc is installed at the path those snippets
# name (/usr/local/sbin/urunc, with its seccomp policies in
# /usr/local/share/urunc) in the throw-away overlay of the box.
#
# Usage: test-urunc-engines.sh [URUNC HELLO_PVH NET_PVH]
#   (default: $URUNC_BUILD/src/cli/urunc and $URUNC_BUILD/tests/guests/*)
set -u
here=$(dirname "$(readlink -f "$0")")
. "$here/lib/tap.sh"
. "$here/lib/systemd-box.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
for c in systemd-nspawn containerd ctr podman conmon runc buildah busybox qemu-system-x86_64 curl python3; do
	command -v $c >/dev/null || tap_skip_all "no $c"
done

SRC=$(readlink -f "$here/../..")
export URUNC_SRC=${URUNC_SRC:-$SRC}
BUILD=${URUNC_BUILD:-${MESON_BUILD_ROOT:-}}
URUNC=${1:-$BUILD/src/cli/urunc}
HELLO=${2:-$BUILD/tests/guests/hello.pvh}
NETG=${3:-$BUILD/tests/guests/net.pvh}
for f in "$URUNC" "$HELLO" "$NETG"; do
	[ -f "$f" ] || { echo "1..0 # SKIP $f not built (run from meson, or set URUNC_BUILD)"; exit 0; }
done
URUNC=$(readlink -f "$URUNC") HELLO=$(readlink -f "$HELLO") NETG=$(readlink -f "$NETG")
BOX_BINDS="$URUNC_SRC $(dirname "$URUNC") $(dirname "$HELLO")"
export BOX_BINDS
BOX=engines-$$
trap 'box_stop "$BOX"' EXIT
trap 'exit 130' INT TERM

NCASES=31
tap_plan $NCASES

# Run a script in the box with the test's variables; set -e.
in_box() {
	box_run "$BOX" env SRC="$URUNC_SRC" URUNC="$URUNC" HELLO="$HELLO" NETG="$NETG" \
		bash -c "set -eux; ctr() { command ctr -n eng \"\$@\"; }; $1"
}

if ! tap_case "box boots" box_start "$BOX"; then
	for i in $(seq 2 $NCASES); do tap_skip "case $i" "box did not boot"; done
	exit 1
fi

# ---- setup: urunc installed where contrib says, images, containerd -------
tap_case "install urunc at /usr/local/sbin; containerd config + contrib/containerd/config.toml; CRI plugin ok" in_box '
	# as `meson install` with the default prefix: binary and seccomp policies
	install -m 0755 "$URUNC" /usr/local/sbin/urunc
	install -D -m 0644 -t /usr/local/share/urunc/seccomp "$SRC"/policy/seccomp/*.policy
	mkdir -p /etc/containerd
	touch /etc/containerd/config.toml
	# As its header says: the config of the distribution, then the
	# tables of the fragment appended unchanged.
	grep -q "^version = 2" /etc/containerd/config.toml || sed -i "1i version = 2" /etc/containerd/config.toml
	grep -v "^version = " "$SRC/contrib/containerd/config.toml" >>/etc/containerd/config.toml
	systemctl start containerd
	ctr plugins ls | grep -E "io.containerd.grpc.v1 +cri .* ok *$"'

# What containerd made of the fragment: the runtime, its binary, the driver.
tap_case "containerd parsed the fragment: runtime urunc, runc shim, BinaryName, annotations" in_box '
	containerd config dump >/tmp/dump.toml
	python3 - <<"PY" || { cat /etc/containerd/config.toml; systemctl status containerd; exit 1; }
import tomllib
cfg = tomllib.load(open("/tmp/dump.toml", "rb"))
rt = cfg["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["urunc"]
print(rt)
assert rt["runtime_type"] == "io.containerd.runc.v2", rt
assert rt["pod_annotations"] == ["com.urunc.unikernel.*", "com.urunc.network*"], rt
assert rt["container_annotations"] == ["com.urunc.unikernel.*", "com.urunc.network*"], rt
open("/tmp/binary", "w").write(rt["options"]["BinaryName"])
open("/tmp/systemd-cgroup", "w").write(str(rt["options"]["SystemdCgroup"]).lower())
# containerd 2.x (config version 3, not runnable here): the same runtime
import os
src = os.environ["SRC"] + "/contrib/kubernetes/"
v3 = tomllib.load(open(src + "containerd-config-v3.toml", "rb"))
assert v3["version"] == 3
r3 = v3["plugins"]["io.containerd.cri.v1.runtime"]["containerd"]["runtimes"]
for k in ("runtime_type", "pod_annotations", "container_annotations", "options"):
    assert r3["urunc"][k] == rt[k] or k == "options" and all(rt[k][o] == v for o, v in r3["urunc"][k].items()), k
assert "runc" in r3
v2 = tomllib.load(open(src + "containerd-config-v2.toml", "rb"))
assert "urunc" in v2["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]
PY
	# the RuntimeClass handler is the runtime name
	grep -qx "handler: urunc" "$SRC/contrib/kubernetes/runtimeclass.yaml"
	grep -qx "  runtimeClassName: urunc" "$SRC/contrib/kubernetes/pod.yaml"
	test -x "$(cat /tmp/binary)"'

tap_case "build images offline (contrib/images/build-unikernel-image.sh) and import them" in_box '
	B=$SRC/contrib/images/build-unikernel-image.sh
	cd /tmp
	$B --cmd "[\"hello\",\"exit=3\"]" "$HELLO" docker.io/urunc/hello:test hello.tar
	$B --cmd "[\"net\"]" "$NETG" docker.io/urunc/net:test net.tar
	$B --hypervisor nosuchvmm --cmd "[\"hello\"]" "$HELLO" docker.io/urunc/bad:test bad.tar
	. $SRC/tests/system/lib/images.sh
	image_busybox_rootfs /tmp/bbroot
	image_build_oci /tmp/bb.tar docker.io/library/bb:test /tmp/bbroot --cmd "[\"/bin/sh\"]"
	for i in hello net bad bb; do ctr image import /tmp/$i.tar >/dev/null; done
	tar -xOf hello.tar index.json >/dev/null
	ctr image ls -q | sort | tr "\n" " "'

# ---- containerd -----------------------------------------------------------
tap_case "ctr run --rm --runc-binary <build>: guest output, exit=3 -> status 7" in_box '
	rc=0
	out=$(ctr run --rm --runtime io.containerd.runc.v2 --runc-binary "$URUNC" docker.io/urunc/hello:test r1) || rc=$?
	echo "$out"
	echo "$out" | grep -q "^urunc-test-guest: hello (pvh)"
	echo "$out" | grep -q "^exit: 3"
	[ $rc = 7 ] || { echo "rc $rc, want 7"; exit 1; }'

tap_case "ctr run --rm with the configured BinaryName, guest argv from the command line" in_box '
	rc=0
	out=$(ctr run --rm --runc-binary "$(cat /tmp/binary)" docker.io/urunc/hello:test r2 hello one two exit=5 2>/tmp/r2.err) || rc=$?
	echo "$out"
	echo "$out" | grep -q "^arg\[[0-9]*\]: one$"
	[ $rc = 11 ] || { echo "rc $rc, want 11"; exit 1; }
	# urunc warnings (no KVM here) go to the --log file, not the container stderr
	! grep -q "^urunc:" /tmp/r2.err || { cat /tmp/r2.err; exit 1; }'

tap_case "ctr run -d; task ls RUNNING; task ps lists the monitor; scope active" in_box '
	ctr run -d --runc-binary "$(cat /tmp/binary)" docker.io/urunc/hello:test d1 hello sleep=forever
	ctr task ls | tee /dev/stderr | grep -E "^d1 +[0-9]+ +RUNNING"
	pid=$(ctr task ls | awk "\$1 == \"d1\" {print \$2}")
	ctr task ps d1 | tee /dev/stderr | grep -qE "^$pid\b"
	[ "$(cat /proc/$pid/comm)" = urunc:supervise ]; vmm=$(cut -d" " -f1 /proc/$pid/task/$pid/children); [ "$(cat /proc/$vmm/comm)" = qemu-system-x86 ]
	test -s /run/containerd/io.containerd.runtime.v2.task/eng/d1/init.pid
	[ "$(cat /run/containerd/io.containerd.runtime.v2.task/eng/d1/init.pid)" = "$pid" ]
	# the monitor has the stdio the shim handed to create (its fifos); the
	# supervisor keeps only stderr of them (its stdout is /dev/null)
	ls -l /proc/$vmm/fd/1 /proc/$vmm/fd/2 | tee /dev/stderr | grep -c pipe: | grep -qx 2
	ls -l /proc/$pid/fd/2 | grep -q pipe:
	systemctl is-active urunc-d1.scope
	grep -qx "$pid" "/sys/fs/cgroup/systemd$(systemctl show -P ControlGroup urunc-d1.scope)/cgroup.procs"'

tap_case "ctr task kill (SIGTERM) stops it within 5 s; exit status 0" in_box '
	t0=$(date +%s%N)
	ctr task kill d1
	for i in $(seq 100); do ctr task ls | grep -qE "^d1 .* STOPPED" && break; sleep 0.05; done
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	echo "stopped in $ms ms"
	ctr task ls | grep -E "^d1 .* STOPPED"
	[ $ms -lt 5000 ]
	# ctr task delete warns about a non-zero exit status, if any
	ctr task delete d1 2>&1 | tee /tmp/d1.del
	! grep -q "exit code" /tmp/d1.del'

tap_case "ctr container rm: nothing left (runtime root, bundle, scope)" in_box '
	ctr container rm d1
	[ -z "$(ls -A /run/containerd/runc/eng)" ] || { ls -lA /run/containerd/runc/eng; exit 1; }
	[ -z "$(ls -A /run/containerd/io.containerd.runtime.v2.task/eng)" ] || exit 1
	[ -z "$(systemctl list-units --all --no-legend "urunc-*.scope")" ] || { systemctl list-units --all "urunc-*"; exit 1; }'

tap_case "ctr task kill -s KILL: status 137; ps --format json; runc wording after exit" in_box '
	ctr run -d --runc-binary "$(cat /tmp/binary)" docker.io/urunc/hello:test d2 hello sleep=forever
	u() { urunc --root /run/containerd/runc/eng "$@"; }
	u ps --format json d2 | tee /dev/stderr | grep -q "^\[[0-9]"
	ctr task kill -s SIGKILL d2
	for i in $(seq 100); do ctr task ls | grep -qE "^d2 .* STOPPED" && break; sleep 0.05; done
	u state d2 | grep -q "\"status\": \"stopped\""
	out=$(u kill d2 15 2>&1) && exit 1
	echo "$out" | grep -q "container not running"
	ctr task delete d2 2>&1 | tee /tmp/d2.del
	grep -q "exit code 137" /tmp/d2.del
	ctr container rm d2
	[ -z "$(ls -A /run/containerd/runc/eng)" ]'

# d3: exec is refused; then containerd restart recovery: the shims outlive
# containerd (KillMode=process), which reconnects to them; task ps goes
# through urunc's `ps --format json`.
tap_case "ctr task exec on a unikernel: urunc's message in ctr's error; task still running" in_box '
	ctr run -d --runc-binary "$(cat /tmp/binary)" docker.io/urunc/hello:test d3 hello sleep=forever
	rc=0
	out=$(ctr task exec --exec-id e1 d3 /bin/sh 2>&1) || rc=$?
	echo "$out (rc $rc)"
	[ $rc != 0 ]
	echo "$out" | grep -q "OCI runtime exec failed: exec is not supported for unikernel container .d3."
	ctr task ls | grep -E "^d3 +[0-9]+ +RUNNING"'

tap_case "systemctl restart containerd: same shim, task d3 RUNNING with the same pid, task ps" in_box '
	pid=$(ctr task ls | awk "\$1 == \"d3\" {print \$2}")
	shim=$(pgrep -f "^[^ ]*containerd-shim-runc-v2 -namespace eng -id d3 ")
	[ -n "$shim" ]
	systemctl restart containerd
	for i in $(seq 50); do ctr version >/dev/null 2>&1 && break; sleep 0.1; done
	[ "$(pgrep -f "^[^ ]*containerd-shim-runc-v2 -namespace eng -id d3 ")" = "$shim" ]
	ctr task ls | tee /dev/stderr | grep -E "^d3 +$pid +RUNNING"
	ctr task ps d3 | tee /dev/stderr | grep -qE "^$pid\b"
	[ "$(cat /proc/$pid/comm)" = urunc:supervise ]; vmm=$(cut -d" " -f1 /proc/$pid/task/$pid/children); [ "$(cat /proc/$vmm/comm)" = qemu-system-x86 ]
	systemctl is-active urunc-d3.scope'

tap_case "after the restart: task kill -s SIGKILL (137), delete, container rm; nothing left" in_box '
	ctr task kill -s SIGKILL d3
	for i in $(seq 100); do ctr task ls | grep -qE "^d3 .* STOPPED" && break; sleep 0.05; done
	ctr task delete d3 2>&1 | tee /tmp/d3.del
	grep -q "exit code 137" /tmp/d3.del
	ctr container rm d3
	[ -z "$(ls -A /run/containerd/runc/eng)" ] || { ls -lA /run/containerd/runc/eng; exit 1; }
	[ -z "$(ls -A /run/containerd/io.containerd.runtime.v2.task/eng)" ]
	[ -z "$(systemctl list-units --all --no-legend "urunc-*")" ] || { systemctl list-units --all "urunc-*"; exit 1; }
	! pgrep -x qemu-system-x86'

tap_case "runc behaviours the shims rely on: delete of a created container, --force of an unknown id" in_box '
	mkdir -p /tmp/cb/rootfs/unikernel
	cp "$HELLO" /tmp/cb/rootfs/unikernel/
	cat >/tmp/cb/config.json <<JSON
{"ociVersion":"1.0.2","process":{"args":["hello","sleep=forever"],"env":["PATH=/bin"],"cwd":"/","user":{"uid":0,"gid":0}},
 "root":{"path":"rootfs"},"annotations":{"com.urunc.unikernel.unikernelType":"unikraft",
 "com.urunc.unikernel.hypervisor":"qemu","com.urunc.unikernel.binary":"/unikernel/hello.pvh"},
 "linux":{"namespaces":[{"type":"pid"},{"type":"mount"}]}}
JSON
	u() { urunc --root /run/containerd/runc/eng "$@"; }
	u create --bundle /tmp/cb --pid-file /tmp/cb/pid cr1
	pid=$(cat /tmp/cb/pid)
	[ "$(wc -c </tmp/cb/pid)" = ${#pid} ]   # the bare number, no newline
	u state cr1 | grep -q "\"status\": \"created\""
	u delete cr1
	! kill -0 "$pid" 2>/dev/null
	u delete --force nosuch
	out=$(u kill nosuch 9 2>&1) && exit 1; echo "$out" | grep -q "does not exist"
	[ -z "$(ls -A /run/containerd/runc/eng)" ]'

tap_case "ctr run of an image with broken metadata: urunc's message in ctr's error, nothing left" in_box '
	rc=0
	out=$(ctr run --rm --runc-binary "$(cat /tmp/binary)" docker.io/urunc/bad:test b1 2>&1) || rc=$?
	echo "$out (rc $rc)"
	[ $rc != 0 ]
	echo "$out" | grep -q "OCI runtime create failed: .*unknown hypervisor '\''nosuchvmm'\''"
	ctr container rm b1 2>/dev/null || true
	[ -z "$(ls -A /run/containerd/runc/eng)" ]
	[ -z "$(ls -A /run/containerd/io.containerd.runtime.v2.task/eng)" ]
	[ -z "$(systemctl list-units --all --no-legend "urunc-*.scope" "ctr-*.scope")" ]'

tap_case "SystemdCgroup (--runc-systemd-cgroup, cgroupsPath slice:prefix:name): scope in that slice" in_box '
	[ "$(cat /tmp/systemd-cgroup)" = true ]
	ctr run -d --runc-binary "$(cat /tmp/binary)" --runc-systemd-cgroup --cgroup "engtest.slice:ctr:s1" \
		--memory-limit 268435456 docker.io/urunc/hello:test s1 hello sleep=forever
	systemctl show -p Slice -p ControlGroup -p MemoryMax -p Description ctr-s1.scope | tee /dev/stderr >/tmp/s1
	grep -qx Slice=engtest.slice /tmp/s1
	grep -qx ControlGroup=/engtest.slice/ctr-s1.scope /tmp/s1
	grep -qx MemoryMax=268435456 /tmp/s1
	grep -q "^Description=urunc unikernel s1" /tmp/s1
	pid=$(ctr task ls | awk "\$1 == \"s1\" {print \$2}")
	grep -qx "$pid" /sys/fs/cgroup/systemd/engtest.slice/ctr-s1.scope/cgroup.procs
	ctr task kill -s SIGKILL s1
	for i in $(seq 50); do ctr task ls | grep -qE "^s1 .* STOPPED" && break; sleep 0.1; done
	ctr task delete s1
	ctr container rm s1
	[ -z "$(systemctl list-units --all --no-legend "ctr-s1.scope")" ]'

# ---- the pod pattern ------------------------------------------------------
tap_case "pod: pause container (busybox) through urunc's fallback to runc" in_box '
	ctr run -d --runc-binary "$(cat /tmp/binary)" docker.io/library/bb:test pause /bin/busybox sleep 1000
	test -s /run/containerd/runc/eng/.fallback-pause
	test -e /run/containerd/runc/eng/pause/state.json
	pid=$(ctr task ls | awk "\$1 == \"pause\" {print \$2}")
	[ "$(cat /proc/$pid/comm)" = busybox ]
	echo $pid >/tmp/pause.pid
	ctr task ls | grep -E "^pause .* RUNNING"'

tap_case "pod: CNI-like plumbing (veth, pod IP 10.88.7.2/24, default route)" in_box '
	pid=$(cat /tmp/pause.pid)
	ip link add vh-eng type veth peer name eth0 netns /proc/$pid/ns/net
	ip addr add 10.88.7.1/24 dev vh-eng
	ip link set vh-eng up
	nsenter --net=/proc/$pid/ns/net sh -c "ip link set lo up; ip addr add 10.88.7.2/24 dev eth0;
		ip link set eth0 up; ip route add default via 10.88.7.1"
	busybox ping -c1 -W2 10.88.7.2 >/dev/null'

tap_case "pod: unikernel (net.pvh) joins the pause netns by path; ping and HTTP on the pod IP" in_box '
	pid=$(cat /tmp/pause.pid)
	ctr run -d --runc-binary "$(cat /tmp/binary)" --with-ns "network:/proc/$pid/ns/net" \
		docker.io/urunc/net:test web >/dev/null
	ok=0
	for i in $(seq 150); do
		if busybox ping -c1 -W1 10.88.7.2 >/dev/null 2>&1 && curl -s -m 3 http://10.88.7.2/ >/tmp/web.out; then ok=1; break; fi
		sleep 0.2
	done
	[ $ok = 1 ] || { nsenter --net=/proc/$pid/ns/net sh -c "ip -d link; tc qdisc show"; exit 1; }
	busybox ping -c3 -W2 10.88.7.2
	head -3 /tmp/web.out
	[ -s /tmp/web.out ]
	nsenter --net=/proc/$pid/ns/net tc qdisc show dev eth0 | grep -q ingress'

tap_case "pod: stop the unikernel; its tap and qdiscs leave the pod netns; then the pause" in_box '
	pid=$(cat /tmp/pause.pid)
	ctr task kill -s SIGKILL web
	for i in $(seq 50); do ctr task ls | grep -qE "^web .* STOPPED" && break; sleep 0.1; done
	ctr task delete web
	ctr container rm web
	nsenter --net=/proc/$pid/ns/net ip -o link | tee /dev/stderr | awk -F": " "{print \$2}" | sed "s/@.*//" | sort | tr "\n" " " | grep -qx "eth0 lo "
	! nsenter --net=/proc/$pid/ns/net tc qdisc show dev eth0 | grep -q ingress
	ctr task kill -s SIGKILL pause
	for i in $(seq 50); do ctr task ls | grep -qE "^pause .* STOPPED" && break; sleep 0.1; done
	ctr task delete pause
	ctr container rm pause
	ip link del vh-eng 2>/dev/null || true
	[ -z "$(ls -A /run/containerd/runc/eng)" ] || { ls -lA /run/containerd/runc/eng; exit 1; }
	[ -z "$(ls -A /run/containerd/io.containerd.runtime.v2.task/eng)" ]
	[ -z "$(systemctl list-units --all --no-legend "urunc-*.scope")" ]'

# ---- podman (systemd cgroup manager) ---------------------------------------
# shellcheck disable=SC2016
P='export CONTAINERS_CONF=$SRC/contrib/podman/containers.conf; p() { podman --cgroup-manager systemd "$@"; };'

tap_case "podman: load images; contrib containers.conf registers runtime urunc" in_box "$P"'
	p load -q -i /tmp/hello.tar
	p load -q -i /tmp/bad.tar
	p info --format "{{.Host.CgroupManager}}" | grep -qx systemd
	# podman resolves the name through [engine.runtimes]
	p --runtime urunc info --format "{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}" | tee /dev/stderr |
		grep -qx "urunc /usr/local/sbin/urunc"'

tap_case "podman --runtime urunc run --rm: output and exit status 7" in_box "$P"'
	rc=0
	out=$(p --runtime urunc run --rm --network none docker.io/urunc/hello:test) || rc=$?
	echo "$out"
	echo "$out" | grep -q "^urunc-test-guest: hello (pvh)"
	[ $rc = 7 ] || { echo "rc $rc"; exit 1; }'

tap_case "podman --runtime <path> run --rm (no runtimes table needed)" in_box "$P"'
	rc=0
	out=$(podman --cgroup-manager systemd --runtime "$URUNC" run --rm --network none docker.io/urunc/hello:test hello exit=1) || rc=$?
	echo "$out" | grep -q "^exit: 1"
	[ $rc = 3 ] || { echo "rc $rc"; exit 1; }'

tap_case "podman run -d; ps; logs (guest only: runtime_supports_json); scope in systemd" in_box "$P"'
	id=$(p --runtime urunc run -d --name p1 --network none docker.io/urunc/hello:test hello sleep=forever)
	echo $id >/tmp/p1.id
	p ps --format "{{.Names}} {{.Status}}" | tee /dev/stderr | grep -q "^p1 Up"
	for i in $(seq 50); do p logs p1 | grep -q "^mem:" && break; sleep 0.1; done
	p logs p1 | tee /dev/stderr | head -1 | grep -qx "urunc-test-guest: hello (pvh)"
	! p logs p1 | grep -q "^urunc"
	systemctl show -p Description -p ActiveState "libpod-$id.scope" | tee /dev/stderr >/tmp/p1.unit
	grep -qx ActiveState=active /tmp/p1.unit
	grep -q "^Description=urunc unikernel $id" /tmp/p1.unit
	pid=$(p inspect -f "{{.State.Pid}}" p1)
	[ "$(cat /proc/$pid/comm)" = urunc:supervise ]; vmm=$(cut -d" " -f1 /proc/$pid/task/$pid/children); [ "$(cat /proc/$vmm/comm)" = qemu-system-x86 ]
	# podman passes no --root: the default root, and state without flags
	test -d /run/urunc/$id
	urunc state $id | grep -q "\"status\": \"running\""'

tap_case "podman stop: SIGTERM stops it well before the 10 s timeout; inspect exited 0" in_box "$P"'
	t0=$(date +%s%N)
	p stop p1
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	echo "stop took $ms ms"
	[ $ms -lt 5000 ]
	p inspect -f "{{.State.Status}} {{.State.ExitCode}}" p1 | tee /dev/stderr | grep -qx "exited 0"
	p rm p1
	[ -z "$(systemctl list-units --all --no-legend "libpod-$(cat /tmp/p1.id).scope")" ]'

tap_case "podman kill: exit code 137; rm -f" in_box "$P"'
	p --runtime urunc run -d --name p2 --network none docker.io/urunc/hello:test hello sleep=forever >/dev/null
	p kill p2
	[ "$(p wait p2)" = 137 ]
	p inspect -f "{{.State.Status}} {{.State.ExitCode}}" p2 | grep -qx "exited 137"
	p rm -f p2'

tap_case "podman run -d then rm -f of a running container" in_box "$P"'
	p --runtime urunc run -d --name p3 --network none docker.io/urunc/hello:test hello sleep=forever >/dev/null
	p inspect -f "{{.State.Status}}" p3 | grep -qx running
	p rm -f -t 2 p3
	! p container exists p3'

tap_case "podman run of broken metadata: urunc's message in podman's error" in_box "$P"'
	rc=0
	out=$(p --runtime urunc run --rm --network none docker.io/urunc/bad:test 2>&1) || rc=$?
	echo "$out (rc $rc)"
	[ $rc = 126 ]
	echo "$out" | grep -q "unknown hypervisor '\''nosuchvmm'\''"'

tap_case "podman: nothing left (urunc root, scopes, qemu)" in_box "$P"'
	[ -z "$(p ps -aq)" ]
	[ -z "$(ls -A /run/urunc 2>/dev/null)" ] || { ls -lA /run/urunc; exit 1; }
	[ -z "$(systemctl list-units --all --no-legend "libpod-*.scope")" ]
	! pgrep -x qemu-system-x86'

tap_case "journal tells the story of d1 (created, started, signal, deleted)" in_box '
	journalctl -q --no-pager -o cat SYSLOG_IDENTIFIER=urunc >/tmp/journal
	grep -E "^(created|started|deleted) container .d1.|^delivered signal TERM \(15\) to container .d1." /tmp/journal |
		tee /dev/stderr | grep -c "" | grep -qx 4'

tap_case "box stops; nothing left on the host" box_stop "$BOX"

tap_done
