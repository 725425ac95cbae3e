#!/bin/bash
# test-bare-engines.sh - containerd and podman on the bare host (no systemd),
# private roots/sockets/namespaces, proven with a busybox image and runc (TAP).
set -u
here=$(dirname "$(readlink -f "$0")")
. "$here/lib/tap.sh"
. "$here/lib/images.sh"
. "$here/lib/bare-engines.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
for c in containerd ctr podman conmon runc buildah busybox nsenter unshare; do
	command -v $c >/dev/null || tap_skip_all "no $c"
done

trap 'bare_stop' EXIT
trap 'exit 130' INT TERM
tap_plan 8

# host state that must not change
snapshot_host() {
	ls -d /run/containerd /var/lib/containerd /run/containers /var/lib/containers \
		/run/libpod /run/runc /run/crun /opt/containerd 2>/dev/null

}
before=$(snapshot_host)

# tap_case runs in a subshell: set the state up in this shell first
bare_start && bare_containerd_start
started=$?
tap_case "private namespace + containerd started" test $started = 0
tap_diag "dir $BARE_DIR, ctr namespace $BARE_CTR_NS, snapshotter $BARE_SNAPSHOTTER"

work=$BARE_DIR/work
build() {
	mkdir -p "$work" && image_busybox_rootfs "$work/root" &&
	image_build_oci "$work/bb.tar" docker.io/library/bb:test "$work/root" \
		--cmd '["/bin/busybox","echo","hi"]' --label test=bare
}
tap_case "image_build_oci busybox (offline, private storage)" build

tap_case "ctr image import" bare_ctr image import "$work/bb.tar"

ctr_run() {
	local out
	out=$(bare_ctr run --rm --runc-binary runc docker.io/library/bb:test t1 /bin/busybox echo hi) || return 1
	echo "$out"; [ "$out" = hi ]
}
tap_case "ctr run --rm --runc-binary runc ... echo hi" ctr_run

# shellcheck disable=SC2046
tap_case "podman load (image_import_podman)" \
	env IMAGE_EXEC_PREFIX="$BARE_EXEC" bash -c '. "$1"; shift; image_import_podman "$@"' _ \
	"$here/lib/images.sh" "$work/bb.tar" $(bare_podman_args)

podman_run() {
	local out
	out=$(bare_podman_run --rm --runtime runc --network none docker.io/library/bb:test /bin/busybox echo hi) || return 1
	echo "$out"; [ "$out" = hi ]
}
tap_case "podman run --cgroup-manager cgroupfs --rm ... echo hi" podman_run

podman_limits() {
	local out
	out=$(bare_podman_run --rm --runtime runc --network none --memory 64m --pids-limit 20 \
		docker.io/library/bb:test /bin/sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max') || return 1
	echo "$out"; [ "$(echo $out)" = "67108864 20" ]
}
tap_case "podman run with --memory/--pids-limit (cgroupfs limits applied)" podman_limits

teardown() {
	local dir=$BARE_DIR cgs
	bare_stop
	[ ! -e "$dir" ] || { echo "$dir left"; return 1; }
	cgs=$(find /sys/fs/cgroup -maxdepth 2 -name "bare-*$$" 2>/dev/null)
	[ -z "$cgs" ] || { echo "cgroups left: $cgs"; return 1; }
	local after; after=$(snapshot_host)
	[ "$before" = "$after" ] || { echo "host changed:"; diff <(echo "$before") <(echo "$after"); return 1; }
}
tap_case "bare_stop: nothing left, host defaults untouched" teardown

tap_done
