#!/bin/bash
# systemd-box.sh - boot a real systemd (systemd-nspawn -b) over a throw-away
# overlay of the host's own root, and run commands in it.
#
# Source it (". tests/system/lib/systemd-box.sh") or run it as a command:
#   systemd-box.sh start NAME | run NAME CMD... | stop NAME | shell NAME
#
# API
#   box_start NAME        boot; returns when `systemctl is-system-running`
#                         says running/degraded (BOX_BOOT_TIMEOUT, 30 s).
#                         Sets BOX_BOOT_MS (boot time in ms) and prints
#                         "# box NAME booted in N ms" on stderr.
#   box_run NAME CMD...   run CMD inside (all namespaces of the box, clean
#                         environment, cwd /); stdin/stdout/stderr pass
#                         through, exit status is CMD's.
#   box_unit NAME CMD...  run CMD inside as a transient service of the
#                         box's systemd (systemd-run --pipe --wait): proper
#                         cgroup, journal attribution; exit status is CMD's.
#   box_stop NAME         stop and remove everything (idempotent; trap-safe):
#                         SIGKILL to the box's PID 1 (BOX_STOP_GRACEFUL=1:
#                         poweroff first, up to 10 s), then kill leftovers in
#                         the box's cgroups and remove them in every hierarchy.
#   box_leader NAME       print the box's PID 1 as seen from the host.
#   box_dir NAME          print the box's state directory.
#
# Parameters (environment)
#   BOX_BINDS       space-separated host paths bound at the same path inside
#                   (default: $URUNC_SRC or the git top-level of this file,
#                   plus $URUNC_BUILD/$MESON_BUILD_ROOT when set)
#   BOX_STATE_ROOT  where state directories live (default /tmp)
#   BOX_BOOT_TIMEOUT seconds to wait for boot (default 30)
#   BOX_KEEP_ENABLED=1 keep the host's enabled services (default: the
#                   *.target.wants links of /etc/systemd/system are removed
#                   in the overlay, so postgres, timers, containerd... do not
#                   start; tests start what they need)
#   BOX_NSPAWN_ARGS extra systemd-nspawn arguments (word-split)
#   BOX_KVM=auto|yes|no  give the box its own /dev/kvm node (c 10:232, 0666):
#                   auto = iff the host has /dev/kvm; yes = always (a node
#                   that cannot be opened when the host has no KVM)
#   BOX_STOP_GRACEFUL=1  box_stop powers off first instead of SIGKILL
#
# What the box gives: cgroups v1/hybrid like the host, with every v1
# controller remounted read-write and systemd re-executed so that
# MemoryMax=/CPUQuota=/TasksMax= are really applied; all capabilities;
# keyctl syscalls; tmpfs on /tmp, /var/lib/containerd, /var/lib/containers;
# /dev/net/tun; /dev/kvm (own node) when the host has it; a private network
# namespace (loopback only).

BOX_STATE_ROOT=${BOX_STATE_ROOT:-/tmp}
BOX_BOOT_TIMEOUT=${BOX_BOOT_TIMEOUT:-30}
_BOX_PATH_ENV='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

box_dir() { printf '%s/systemd-box.%s\n' "$BOX_STATE_ROOT" "$1"; }

_box_log() { printf '# box: %s\n' "$*" >&2; }

_box_now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

# Print "MOUNTPOINT RELPATH" for every cgroup hierarchy the calling process
# is in (v1 controllers, named hierarchies, and the v2/unified one).
_box_cgroups() {
	local line ctrl path mp opts
	while IFS= read -r line; do
		line=${line#*:}
		ctrl=${line%%:*}; path=${line#*:}
		mp=""
		while read -r _ _ _ _ m _rest; do
			opts=${_rest##* - }
			set -- $opts
			if [ -z "$ctrl" ] && [ "$1" = cgroup2 ]; then
				mp=$m; break
			fi
			if [ -n "$ctrl" ] && [ "$1" = cgroup ]; then
				# super options: rw,ctrl1,ctrl2 or rw,name=systemd
				local so=",$3," want ok=1 c
				IFS=, read -ra want <<<"$ctrl"
				for c in "${want[@]}"; do
					case $so in *",$c,"*) ;; *) ok=0 ;; esac
				done
				if [ $ok = 1 ]; then mp=$m; break; fi
			fi
		done </proc/self/mountinfo
		[ -n "$mp" ] && printf '%s %s\n' "$mp" "$path"
	done </proc/self/cgroup
}

_box_default_binds() {
	local src=${URUNC_SRC:-}
	if [ -z "$src" ]; then
		src=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel 2>/dev/null) || src=""
	fi
	local b
	for b in "$src" "${URUNC_BUILD:-}" "${MESON_BUILD_ROOT:-}"; do
		[ -n "$b" ] && [ -d "$b" ] && printf '%s\n' "$(readlink -f "$b")"
	done | sort -u | tr '\n' ' '
}

# alive = exists and not a zombie (an unreaped nspawn is gone for us)
_box_alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

box_leader() {
	local d; d=$(box_dir "$1")
	[ -s "$d/leader" ] && cat "$d/leader"
}

box_start() {
	local name=$1
	[ -n "$name" ] || { echo "box_start NAME" >&2; return 2; }
	[ "$(id -u)" = 0 ] || { echo "box_start: needs root" >&2; return 2; }
	local d; d=$(box_dir "$name")
	if [ -e "$d" ]; then
		echo "box_start: $d exists (box running or not cleaned; box_stop $name)" >&2
		return 1
	fi
	mkdir -p "$d" || return 1
	local t0; t0=$(_box_now_ms)

	# 1. sub-cgroup in every hierarchy (else nspawn lands at the roots)
	local mp rel cg
	: >"$d/cgroups"
	while read -r mp rel; do
		cg="$mp${rel%/}/systemd-box-$name"
		mkdir -p "$cg" 2>/dev/null || continue
		# v1 cpuset: a new group starts with no cpus/mems (ENOSPC on join)
		local f
		for f in cpuset.cpus cpuset.mems; do
			[ -f "$cg/$f" ] && [ -z "$(cat "$cg/$f")" ] && cat "${cg%/*}/$f" >"$cg/$f"
		done
		echo "$cg" >>"$d/cgroups"
	done < <(_box_cgroups)

	# 2. device nodes of our own (bind targets the box may chmod freely)
	local -a extra=()
	# (created by the launcher on its tmpfs, which is not nodev)
	local kvm=0
	case ${BOX_KVM:-auto} in
	yes) kvm=1 ;;
	# A real KVM node is c 10:232: /dev/null bound over /dev/kvm (the
	# recipe that hides KVM, docs/HACKING.md) is a character device too.
	auto) [ -c /dev/kvm ] && [ "$(stat -c %t:%T /dev/kvm)" = a:e8 ] && kvm=1 ;;
	esac
	[ $kvm = 1 ] && extra+=("--bind=$d/mnt/kvm:/dev/kvm")
	local b
	for b in ${BOX_BINDS:-$(_box_default_binds)}; do
		extra+=("--bind=$b")
	done
	# shellcheck disable=SC2206
	extra+=(${BOX_NSPAWN_ARGS:-})

	# 3. launcher: private mount namespace holding the overlay; it moves
	#    itself into the sub-cgroups and execs nspawn (same pid), so when
	#    nspawn exits every mount of the box goes away with the namespace.
	cat >"$d/launch.sh" <<'EOF'
set -e
d=$1 name=$2 keep=$3 kvm=$4; shift 4
while read -r cg; do echo $$ >"$cg/cgroup.procs"; done <"$d/cgroups"
mount -n -t tmpfs -o mode=0755 box "$d/mnt"
mkdir "$d/mnt/upper" "$d/mnt/work" "$d/mnt/root"
# own /dev/kvm node: a bind of the host's would let the box's tmpfiles
# chmod/chgrp the host's node
[ "$kvm" = 1 ] && mknod -m 0666 "$d/mnt/kvm" c 10 232
mount -n -t overlay -o lowerdir=/,upperdir="$d/mnt/upper",workdir="$d/mnt/work" boxroot "$d/mnt/root"
r=$d/mnt/root
# fresh identity
cat /proc/sys/kernel/random/uuid | tr -d - >"$r/etc/machine-id"
echo "$name" >"$r/etc/hostname"
if [ "$keep" != 1 ]; then
	rm -f "$r"/etc/systemd/system/*.target.wants/* 2>/dev/null || true
fi
# v1 controllers are mounted read-only by nspawn: a unit remounts them
# read-write before anything else runs, then systemd re-executes so that
# it notices that it may write limits.
mkdir -p "$r/etc/systemd/system/sysinit.target.wants"
cat >"$r/etc/systemd/system/box-cgroup-rw.service" <<'UNIT'
[Unit]
Description=Remount v1 cgroup controllers read-write (systemd-box)
DefaultDependencies=no
Before=sysinit.target
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'for c in /sys/fs/cgroup/*; do [ -L "$c" ] && continue; mountpoint -q "$c" && mount -o remount,bind,rw "$c"; done; true'
UNIT
ln -sf ../box-cgroup-rw.service "$r/etc/systemd/system/sysinit.target.wants/box-cgroup-rw.service"
exec systemd-nspawn -q -b -D "$r" -M "$name" \
	--register=no --keep-unit --link-journal=no --console=read-only \
	--capability=all --system-call-filter='add_key keyctl request_key' \
	--private-network \
	--tmpfs=/tmp:mode=1777 --tmpfs=/var/lib/containerd --tmpfs=/var/lib/containers \
	--resolv-conf=off --timezone=off \
	"$@"
EOF
	mkdir -p "$d/mnt"
	setsid unshare --mount --propagation private \
		bash "$d/launch.sh" "$d" "$name" "${BOX_KEEP_ENABLED:-0}" "$kvm" "${extra[@]}" \
		</dev/null >"$d/console.log" 2>&1 &
	local npid=$!
	echo "$npid" >"$d/nspawn.pid"

	# 4. find the box's PID 1: the process in a new pid namespace below nspawn
	local deadline=$(( $(_box_now_ms) + BOX_BOOT_TIMEOUT * 1000 )) leader=""
	while [ -z "$leader" ]; do
		if ! _box_alive "$npid"; then
			_box_log "nspawn exited early:"; sed 's/^/#   /' "$d/console.log" >&2
			box_stop "$name"; return 1
		fi
		local c
		for c in $(pgrep -P "$npid"); do
			if [ "$(readlink "/proc/$c/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] &&
			   [ "$(cat "/proc/$c/comm" 2>/dev/null)" = systemd ]; then
				leader=$c
			fi
		done
		[ -n "$leader" ] && break
		[ "$(_box_now_ms)" -gt "$deadline" ] && break
		sleep 0.02
	done
	if [ -z "$leader" ]; then
		_box_log "no systemd leader after ${BOX_BOOT_TIMEOUT}s"; box_stop "$name"; return 1
	fi
	echo "$leader" >"$d/leader"

	# 5. wait for the remount unit, re-exec, wait for boot to settle
	local left=$(( (deadline - $(_box_now_ms)) / 1000 + 1 ))
	if ! box_run "$name" timeout "$left" sh -c \
		'until systemctl is-active -q box-cgroup-rw.service 2>/dev/null; do sleep 0.02; done' ; then
		_box_log "cgroup remount unit did not finish"; box_run "$name" systemctl status box-cgroup-rw.service >&2
		box_stop "$name"; return 1
	fi
	box_run "$name" systemctl daemon-reexec || { box_stop "$name"; return 1; }
	left=$(( (deadline - $(_box_now_ms)) / 1000 + 1 ))
	local st
	st=$(box_run "$name" timeout "$left" systemctl is-system-running --wait 2>/dev/null)
	case $st in
	running|degraded) ;;
	*)
		_box_log "system state '$st' after ${BOX_BOOT_TIMEOUT}s"
		box_run "$name" systemctl --failed --no-pager >&2
		box_stop "$name"; return 1 ;;
	esac
	BOX_BOOT_MS=$(( $(_box_now_ms) - t0 ))
	echo "$BOX_BOOT_MS" >"$d/boot_ms"
	_box_log "$name booted ($st) in $BOX_BOOT_MS ms"
}

box_run() {
	local name=$1; shift
	local leader; leader=$(box_leader "$name") || { echo "box_run: no box $name" >&2; return 125; }
	nsenter --target "$leader" --mount --uts --ipc --net --pid --cgroup --root --wd \
		env -i "$_BOX_PATH_ENV" HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
		container=systemd-nspawn "$@"
}

box_unit() {
	local name=$1; shift
	box_run "$name" systemd-run --quiet --wait --pipe --collect \
		--setenv="$_BOX_PATH_ENV" --working-directory=/ "$@"
}

box_stop() {
	local name=$1
	local d; d=$(box_dir "$name")
	[ -d "$d" ] || return 0
	local npid leader
	npid=$(cat "$d/nspawn.pid" 2>/dev/null)
	leader=$(cat "$d/leader" 2>/dev/null)
	if [ -n "$npid" ] && _box_alive "$npid"; then
		if [ "${BOX_STOP_GRACEFUL:-0}" = 1 ] && [ -n "$leader" ]; then
			# SIGRTMIN+4 to PID 1 = orderly poweroff; nspawn then exits
			kill -s RTMIN+4 "$leader" 2>/dev/null
			for _ in $(seq 200); do _box_alive "$npid" || break; sleep 0.05; done
			_box_alive "$npid" && _box_log "$name: no clean poweroff in 10 s, killing"
		fi
		# SIGKILL to the box's PID 1 takes its whole pid namespace down;
		# nspawn exits, and with it the private mount namespace (overlay,
		# tmpfs) and the network namespace.
		[ -n "$leader" ] && kill -KILL "$leader" 2>/dev/null
		for _ in $(seq 100); do _box_alive "$npid" || break; sleep 0.02; done
		_box_alive "$npid" && kill -KILL "$npid" 2>/dev/null
	fi
	[ -n "$npid" ] && wait "$npid" 2>/dev/null   # reap if it is our child
	# anything left in the box's cgroups (stragglers, or nspawn itself),
	# then the sub-cgroups themselves, deepest first, in every hierarchy
	if [ -s "$d/cgroups" ]; then
		local -a cgs=()
		local cg procs
		while read -r cg; do [ -d "$cg" ] && cgs+=("$cg"); done <"$d/cgroups"
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			[ ${#cgs[@]} -gt 0 ] || break
			procs=$(find "${cgs[@]}" -name cgroup.procs -exec cat {} + 2>/dev/null)
			[ -z "$procs" ] && break
			# shellcheck disable=SC2086
			kill -KILL $procs 2>/dev/null
			sleep 0.1
		done
		[ ${#cgs[@]} -gt 0 ] && find "${cgs[@]}" -depth -type d -exec rmdir {} + 2>/dev/null
		for cg in "${cgs[@]}"; do
			[ -d "$cg" ] && _box_log "$name: could not remove $cg"
		done
	fi
	# the mounts lived in the launcher's private namespace; if something
	# leaked into ours, undo it
	if mountpoint -q "$d/mnt" 2>/dev/null; then umount -R -l "$d/mnt"; fi
	rm -rf "$d"
}

box_shell() { box_run "$1" bash -l; }

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	cmd=${1:-}; shift || true
	case $cmd in
	start|run|stop|unit|shell|leader|dir) "box_$cmd" "$@" ;;
	*) echo "usage: $0 start|run|unit|stop|shell|leader|dir NAME [CMD...]" >&2; exit 2 ;;
	esac
fi
