#!/bin/bash
# engines-bare.sh - a private containerd and podman (cgroupfs, no systemd)
# on the bare host run a unikernel image through urunc (TAP).
# Usage: engines-bare.sh URUNC HELLO_PVH
#
# Everything lives in the private namespace of tests/system/lib/bare-engines.sh
# (tmpfs over /run and /var/lib, loopback only).  Inside it /usr/local/sbin
# is a tmpfs holding urunc, the path contrib/podman/containers.conf names
# (and /usr/local/share one holding its seccomp policies), and podman reads
# that file through CONTAINERS_CONF.
set -u
here=$(cd "$(dirname "$0")" && pwd)
SRC=$(readlink -f "$here/../..")
. "$SRC/tests/system/lib/tap.sh"
. "$SRC/tests/system/lib/bare-engines.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
for c in containerd ctr podman conmon runc buildah qemu-system-x86_64 nsenter unshare; do
	command -v $c >/dev/null || tap_skip_all "no $c"
done
URUNC=$(readlink -f "$1") HELLO=$(readlink -f "$2")

trap 'bare_stop' EXIT
trap 'exit 130' INT TERM
tap_plan 9

bare_start && bare_containerd_start
started=$?
tap_case "private namespace + containerd" test $started = 0
[ $started = 0 ] || exit 1

in_bare() {
	bare_run env URUNC="$URUNC" HELLO="$HELLO" SRC="$SRC" BARE_DIR="$BARE_DIR" \
		CONTAINERS_CONF="$SRC/contrib/podman/containers.conf" bash -c "set -eux; $1"
}
ctr_() { bare_ctr "$@"; }

tap_case "urunc at /usr/local/sbin (namespace-private); image built offline with contrib/images" in_bare '
	mount -n -t tmpfs -o mode=0755 engines-sbin /usr/local/sbin
	install -m 0755 "$URUNC" /usr/local/sbin/urunc
	# the seccomp policies where `meson install` (default prefix) puts them
	mount -n -t tmpfs -o mode=0755 engines-share /usr/local/share
	install -D -m 0644 -t /usr/local/share/urunc/seccomp "$SRC"/policy/seccomp/*.policy
	cd "$BARE_DIR"
	"$SRC/contrib/images/build-unikernel-image.sh" --cmd "[\"hello\",\"exit=3\"]" "$HELLO" docker.io/urunc/hello:test hello.tar'

tap_case "ctr image import" ctr_ image import "$BARE_DIR/hello.tar"

ctr_run() {
	local out rc=0
	out=$(bare_ctr run --rm --runc-binary "$URUNC" docker.io/urunc/hello:test r1) || rc=$?
	echo "$out (rc $rc)"
	echo "$out" | grep -q "^urunc-test-guest: hello (pvh)" && [ $rc = 7 ]
}
tap_case "ctr run --rm --runc-binary urunc (cgroupfs): output, exit=3 -> 7" ctr_run

ctr_detached() {
	local pid root=/run/containerd/runc/$BARE_CTR_NS
	bare_ctr run -d --runc-binary "$URUNC" docker.io/urunc/hello:test d1 hello sleep=forever || return 1
	bare_ctr task ls | grep -E "^d1 .* RUNNING" || return 1
	pid=$(bare_ctr task ls | awk '$1 == "d1" {print $2}')
	# cgroupfs: the monitor is in /<namespace>/d1 (ctr's cgroupsPath)
	grep -q "/$BARE_CTR_NS/d1$" "/proc/$pid/cgroup" || { cat "/proc/$pid/cgroup"; return 1; }
	bare_ctr task kill -s SIGKILL d1
	for _ in $(seq 100); do bare_ctr task ls | grep -qE "^d1 .* STOPPED" && break; sleep 0.05; done
	bare_ctr task delete d1 2>&1 | grep -q "exit code 137" || return 1
	bare_ctr container rm d1
	[ -z "$(bare_run ls -A "$root")" ] || { bare_run ls -lA "$root"; return 1; }
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -path "*/$BARE_CTR_NS/d1" 2>/dev/null)" ]
}
tap_case "ctr run -d, task ls, cgroupfs cgroup, kill -s KILL (137), delete: nothing left" ctr_detached

# shellcheck disable=SC2046
tap_case "podman load" env IMAGE_EXEC_PREFIX="$BARE_EXEC" bash -c '. "$1"; shift; image_import_podman "$@"' _ \
	"$SRC/tests/system/lib/images.sh" "$BARE_DIR/hello.tar" $(bare_podman_args)

podman_rm() {
	local out rc=0
	out=$(CONTAINERS_CONF=$SRC/contrib/podman/containers.conf bare_podman_run --rm --runtime urunc \
		--network none docker.io/urunc/hello:test) || rc=$?
	echo "$out (rc $rc)"
	echo "$out" | grep -q "^urunc-test-guest: hello (pvh)" && [ $rc = 7 ]
}
tap_case "podman --cgroup-manager cgroupfs --runtime urunc run --rm: output, 7" podman_rm

podman_detached() {
	export CONTAINERS_CONF=$SRC/contrib/podman/containers.conf
	local id pid t0 ms
	id=$(bare_podman_run -d --name p1 --runtime urunc --network none docker.io/urunc/hello:test hello sleep=forever) || return 1
	pid=$(bare_podman inspect -f '{{.State.Pid}}' p1)
	grep -q "/$BARE_CGROUP/libpod-$id" "/proc/$pid/cgroup" || { cat "/proc/$pid/cgroup"; return 1; }
	for _ in $(seq 50); do bare_podman logs p1 | grep -q "^mem:" && break; sleep 0.1; done
	bare_podman logs p1 | head -1 | grep -qx "urunc-test-guest: hello (pvh)" || return 1
	t0=$(date +%s%N)
	bare_podman stop p1 || return 1
	ms=$(( ($(date +%s%N) - t0) / 1000000 )); echo "stop: $ms ms"
	[ $ms -lt 5000 ] || return 1
	bare_podman inspect -f '{{.State.Status}} {{.State.ExitCode}}' p1 | grep -qx "exited 0" || return 1
	bare_podman rm p1
}
tap_case "podman run -d, logs, stop (SIGTERM, < 5 s), inspect exited 0, rm" podman_detached

teardown() {
	local dir=$BARE_DIR
	bare_stop
	[ ! -e "$dir" ] || { echo "$dir left"; return 1; }
	[ ! -e /usr/local/sbin/urunc ] || { echo "urunc leaked into the host's /usr/local/sbin"; return 1; }
	! pgrep -f "qemu-system-x86_64 .*$dir" || return 1
}
tap_case "bare_stop: nothing left" teardown

tap_done
