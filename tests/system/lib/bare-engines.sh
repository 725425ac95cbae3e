#!/bin/bash
# bare-engines.sh - containerd and podman on the bare host (no systemd),
# fully private: nothing touches /run/containerd, /var/lib/containerd,
# /var/lib/containers, /run/containers, /run/libpod, /run/runc, /opt/containerd
# or the host's network.
#
# How: a holder process keeps a private mount + network namespace in which
# /run and /var/lib are fresh tmpfs (so every default path an engine, a shim,
# conmon or runc writes to lands there) and only loopback exists. Engines and
# their clients run inside it with nsenter; their roots, states and sockets
# live in $BARE_DIR (a temp dir, visible from the host too). Stopping kills
# every process of that namespace, removes the cgroups the engines created
# and the directory.
#
# API (one instance per shell; state in BARE_* variables)
#   bare_start [DIR]        make DIR (default: mktemp /tmp/bare-engines.XXXXXX)
#                           and the namespace; sets BARE_DIR, BARE_EXEC
#   bare_run CMD...         run CMD inside the namespace (BARE_EXEC CMD...)
#   bare_containerd_start   start a private containerd (snapshotter
#                           $BARE_SNAPSHOTTER, default overlayfs; config in
#                           $BARE_DIR/containerd/config.toml, log in .../log);
#                           sets BARE_CTR_ADDR, BARE_CTR_NS (bare-$$)
#   bare_ctr ARGS...        ctr -a $BARE_CTR_ADDR -n $BARE_CTR_NS ARGS (inside)
#   bare_podman ARGS...     podman with private --root/--runroot/--tmpdir,
#                           --cgroup-manager cgroupfs, --events-backend file
#   bare_podman_run ARGS... bare_podman run --ulimit nofile=N:N --ulimit nproc=N:N
#                           (N = current hard limits, nproc at most 32768:
#                           nothing may raise an rlimit here, and podman gives
#                           conmon/runc nproc 32768) --cgroup-parent=/$BARE_CGROUP ARGS...
#   bare_podman_args        print the global podman options (one per line)
#   bare_stop               tear everything down (idempotent, trap-safe)
#
# Cgroups: containers of ctr end up in /<BARE_CTR_NS>/<id>, those of podman
# in /$BARE_CGROUP/libpod-<id> of every hierarchy; bare_stop removes both.
#
# Example
#   . tests/system/lib/bare-engines.sh; . tests/system/lib/images.sh
#   trap bare_stop EXIT
#   bare_start
#   bare_containerd_start
#   bare_ctr image import /tmp/bb.tar
#   bare_ctr run --rm --runc-binary runc docker.io/library/bb:test t1 /bin/busybox echo hi
#   IMAGE_EXEC_PREFIX=$BARE_EXEC image_import_podman /tmp/bb.tar $(bare_podman_args)
#   bare_podman_run --rm --runtime runc --network none docker.io/library/bb:test echo hi

BARE_DIR=${BARE_DIR:-}
BARE_SNAPSHOTTER=${BARE_SNAPSHOTTER:-overlayfs}
BARE_CGROUP=${BARE_CGROUP:-bare-podman-$$}
BARE_CTR_NS=${BARE_CTR_NS:-bare-$$}

_bare_log() { printf '# bare: %s\n' "$*" >&2; }

bare_start() {
	[ "$(id -u)" = 0 ] || { echo "bare_start: needs root" >&2; return 2; }
	if [ -n "${1:-}" ]; then
		BARE_DIR=$1; mkdir -p "$BARE_DIR" || return 1
	else
		BARE_DIR=$(mktemp -d /tmp/bare-engines.XXXXXX) || return 1
	fi
	BARE_DIR=$(readlink -f "$BARE_DIR")
	case $BARE_DIR in /run/*|/var/lib/*)
		echo "bare_start: $BARE_DIR would be hidden by the namespace's tmpfs" >&2; return 1 ;;
	esac
	# the holder: private mount + network namespace, tmpfs over /run and
	# /var/lib, loopback up; it sleeps until killed
	setsid unshare --mount --net --propagation private sh -c '
		mount -n -t tmpfs -o mode=0755 bare-run /run &&
		mkdir -p /run/lock &&
		mount -n -t tmpfs -o mode=0755 bare-varlib /var/lib &&
		ip link set lo up &&
		echo ready >"$1/ns.ready" &&
		exec sleep infinity' bare-holder "$BARE_DIR" </dev/null >"$BARE_DIR/ns.log" 2>&1 &
	echo $! >"$BARE_DIR/ns.pid"
	disown $! 2>/dev/null   # no "Killed" job notice at bare_stop
	for _ in $(seq 250); do
		[ -e "$BARE_DIR/ns.ready" ] && break
		kill -0 "$(cat "$BARE_DIR/ns.pid")" 2>/dev/null || break
		sleep 0.02
	done
	if [ ! -e "$BARE_DIR/ns.ready" ]; then
		_bare_log "namespace holder failed:"; cat "$BARE_DIR/ns.log" >&2
		bare_stop; return 1
	fi
	BARE_EXEC="nsenter --target $(cat "$BARE_DIR/ns.pid") --mount --net"
	export BARE_DIR BARE_EXEC
}

bare_run() {
	[ -n "${BARE_EXEC:-}" ] || { echo "bare_run: bare_start first" >&2; return 125; }
	$BARE_EXEC "$@"
}

bare_containerd_start() {
	local c=$BARE_DIR/containerd
	mkdir -p "$c/root" "$c/state" "$c/opt" || return 1
	BARE_CTR_ADDR=$c/containerd.sock
	cat >"$c/config.toml" <<EOF
version = 2
root = "$c/root"
state = "$c/state"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]
[grpc]
  address = "$BARE_CTR_ADDR"
[ttrpc]
  address = "$BARE_CTR_ADDR.ttrpc"
[debug]
  address = "$c/debug.sock"
  level = "info"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$c/opt"
[plugins."io.containerd.service.v1.diff-service"]
  default = ["walking"]
EOF
	bare_run containerd --config "$c/config.toml" </dev/null >"$c/log" 2>&1 &
	echo $! >"$c/pid"
	disown $! 2>/dev/null
	for _ in $(seq 500); do
		bare_run ctr -a "$BARE_CTR_ADDR" version >/dev/null 2>&1 && break
		if ! kill -0 "$(cat "$c/pid")" 2>/dev/null; then
			_bare_log "containerd exited:"; tail -20 "$c/log" >&2; return 1
		fi
		sleep 0.02
	done
	bare_run ctr -a "$BARE_CTR_ADDR" version >/dev/null 2>&1 || {
		_bare_log "containerd not answering after 10 s"; tail -20 "$c/log" >&2; return 1; }
	export BARE_CTR_ADDR BARE_CTR_NS
	export CONTAINERD_SNAPSHOTTER=$BARE_SNAPSHOTTER
}

bare_ctr() {
	bare_run ctr -a "$BARE_CTR_ADDR" -n "$BARE_CTR_NS" "$@"
}

bare_podman_args() {
	local p=$BARE_DIR/podman
	mkdir -p "$p/root" "$p/runroot" "$p/tmp" "$p/volumes"
	printf '%s\n' --root "$p/root" --runroot "$p/runroot" --tmpdir "$p/tmp" \
		--volumepath "$p/volumes" --cgroup-manager cgroupfs --events-backend file
}

bare_podman() {
	local -a g
	mapfile -t g < <(bare_podman_args)
	bare_run podman "${g[@]}" "$@"
}

bare_podman_run() {
	local nofile nproc
	nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
	[ "$nofile" = unlimited ] && nofile=1048576
	[ "$nproc" = unlimited ] && nproc=4194304
	# podman hands conmon (and so runc) RLIMIT_NPROC 32768 here: asking
	# for more than that fails with EPERM in runc init (rlimit type 6)
	[ "$nproc" -gt 32768 ] && nproc=32768
	bare_podman run --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" \
		--cgroup-parent="/$BARE_CGROUP" "$@"
}

# every cgroup hierarchy's mount point (v1 controllers, named, v2)
_bare_cgroup_mounts() {
	awk '$0 ~ / - cgroup2? / {print $5}' /proc/self/mountinfo
}

bare_stop() {
	[ -n "${BARE_DIR:-}" ] && [ -d "$BARE_DIR" ] || return 0
	local holder nsid p
	holder=$(cat "$BARE_DIR/ns.pid" 2>/dev/null)
	# polite first: containerd gets SIGTERM (shims and containers follow)
	if [ -s "$BARE_DIR/containerd/pid" ]; then
		kill -TERM "$(cat "$BARE_DIR/containerd/pid")" 2>/dev/null
	fi
	# then every process living in the private mount namespace
	if [ -n "$holder" ] && nsid=$(stat -L -c %i "/proc/$holder/ns/mnt" 2>/dev/null); then
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			local -a victims
			mapfile -t victims < <(stat -L -c '%i %n' /proc/[0-9]*/ns/mnt 2>/dev/null |
				awk -v ns="$nsid" '$1 == ns { split($2, a, "/"); print a[3] }')
			[ ${#victims[@]} -gt 0 ] || break
			kill -KILL "${victims[@]}" 2>/dev/null
			sleep 0.05
		done
	fi
	# cgroups created for containers by runc (ctr: /<ns>/<id>; podman:
	# /<cgroup-parent>/libpod-<id>); processes left there are ours
	local mp cg
	for mp in $(_bare_cgroup_mounts); do
		for cg in "$mp/$BARE_CTR_NS" "$mp/$BARE_CGROUP"; do
			[ -d "$cg" ] || continue
			# shellcheck disable=SC2046
			kill -KILL $(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null) 2>/dev/null
			find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
			[ -d "$cg" ] && _bare_log "could not remove $cg"
		done
	done
	rm -rf "$BARE_DIR"
	BARE_DIR=""; BARE_EXEC=""
}
