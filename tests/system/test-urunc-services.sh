#!/bin/bash
# test-urunc-services.sh - unikernels as systemd services (TAP, suite
# 'system'; issue 17).  Usage: test-urunc-services.sh URUNC NET_PVH HELLO_PVH
#
# One box (lib/systemd-box.sh).  contrib/systemd is installed in it as meson
# install would (the configured units from the build dir, urunc and the
# urunc-service helper at the paths they name).  Then: urunc@web runs the
# bundle /var/lib/urunc/bundles/web (the net guest, HTTP on port 80) with
# limits; READY=1 once port 80 answers; systemctl status shows urunc run, the
# monitor and QEMU under the limits; the journal has urunc's story and the
# guest console; the guest has a netns with a veth and an address from the
# service subnet (CNI bridge + host-local); systemctl stop is graceful and
# leaves nothing (netns, veth, tap, state, lease, limits); Restart=on-failure
# restarts a crashing guest; socket activation: the first connection starts
# the guest, idle stops it, the next starts it again, a hand-started
# urunc@web survives the proxy's idle exit.  The time from connect() to the
# first byte is printed for each (cold, warm through the proxy, direct).
# machinectl: opt-in registration (annotation, config key), list, status,
# terminate, unregistered on exit and delete.
set -u
here=$(dirname "$(readlink -f "$0")")
. "$here/lib/tap.sh"
. "$here/lib/systemd-box.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
for c in systemd-nspawn qemu-system-x86_64 curl ip; do
	command -v $c >/dev/null || tap_skip_all "$c is not installed"
done
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] ||
	tap_skip_all "no CNI bridge/host-local plugins (containernetworking-plugins)"
[ -x /lib/systemd/systemd-socket-proxyd ] || tap_skip_all "no /lib/systemd/systemd-socket-proxyd"

URUNC=$(readlink -f "$1") NETG=$(readlink -f "$2") HELLO=$(readlink -f "$3")
SRC=$(readlink -f "$here/../..")
export URUNC_SRC=${URUNC_SRC:-$SRC}
export URUNC_BUILD=${URUNC_BUILD:-$(dirname "$(dirname "$(dirname "$URUNC")")")}
BUILD=$URUNC_BUILD
BOX=urunc-svc-$$
trap 'box_stop "$BOX"' EXIT
trap 'exit 130' INT TERM

NCASES=18
tap_plan $NCASES

PRELUDE="set -eu
SRC=$SRC BUILD=$BUILD URUNC=$URUNC NETG=$NETG HELLO=$HELLO
. \$SRC/tests/lib/bundle.sh
# the journal is written asynchronously: poll (up to 5 s)
journal_has() { local end=\$((SECONDS + 6)); while [ \$SECONDS -lt \$end ]; do
  journalctl --no-pager -q \"\$@\" 2>/dev/null | grep -q -- \"\$PATTERN\" && return 0; sleep 0.1; done
  echo \"no '\$PATTERN' in journalctl \$*:\"; journalctl --no-pager -q \"\$@\" | tail -20; return 1; }
# until unit's ActiveState is \$2 (10 s)
wait_state() { local i; for i in \$(seq 200); do
  [ \"\$(systemctl show -P ActiveState \"\$1\")\" = \"\$2\" ] && return 0; sleep 0.05; done
  systemctl status --no-pager \"\$1\" || true; return 1; }
# connect() to first byte of an HTTP GET, in ms (curl's time_starttransfer - time_connect)
first_byte_ms() { local t; t=\$(curl -s -o /tmp/fb.out -m 30 -w '%{time_connect} %{time_starttransfer}' \"\$1\") || return 1
  grep -q 'urunc-test-guest net ok' /tmp/fb.out || { cat /tmp/fb.out; return 1; }
  echo \"\$t\" | awk '{ printf \"%d\", (\$2 - \$1) * 1000 }'; }
# a figure for the TAP diagnostics (printed after the case)
figure() { echo \"\$*\" >>/tmp/figures; }
# nothing of urunc@NAME left: process, state, netns, veth, lease, limits
nothing_left() {
  local s; s=\$(systemctl show -P ActiveState urunc@\$1)
  [ \"\$s\" = inactive ] || [ \"\$s\" = failed ] || { echo \"urunc@\$1 is \$s\"; return 1; }
  ! pgrep -x qemu-system-x86 >/dev/null || { echo 'QEMU left:'; pgrep -ax qemu-system-x86; return 1; }
  ! pgrep -x urunc >/dev/null || { echo 'urunc left:'; pgrep -ax urunc; return 1; }
  [ ! -e /run/urunc/\$1 ] || { echo 'state left:'; ls -la /run/urunc/\$1; return 1; }
  [ \"\$(\$URUNC list -q)\" = '' ] || { echo 'urunc list:'; \$URUNC list; return 1; }
  ! ip netns list | grep -q urunc-\$1 || { echo 'netns left:'; ip netns list; return 1; }
  [ -z \"\$(ip -o link show type veth)\" ] || { echo 'veth left:'; ip -o link show type veth; return 1; }
  [ -z \"\$(ls /run/urunc-services/.cni/urunc-services 2>/dev/null | grep -E '^[0-9.]+\$')\" ] || { echo 'lease left:'; ls /run/urunc-services/.cni/urunc-services; return 1; }
  [ ! -e /run/urunc-services/\$1 ] || { echo \"/run/urunc-services/\$1 left\"; return 1; }
  [ ! -e /run/systemd/system.control/urunc@\$1.service.d ] || { echo 'limits left:'; ls /run/systemd/system.control/urunc@\$1.service.d; return 1; }
}
"
in_box() { box_run "$BOX" bash -c "$PRELUDE
$1" </dev/null; }
figures() { tap_diag "$(box_run "$BOX" sh -c 'cat /tmp/figures 2>/dev/null; rm -f /tmp/figures')"; }

# 1
if ! tap_case "box boots" box_start "$BOX"; then
	for i in $(seq 2 $NCASES); do tap_skip "case $i" "box did not boot"; done
	exit 1
fi
tap_diag "box boot: $(cat "$(box_dir "$BOX")/boot_ms") ms; /dev/kvm in the box: $(box_run "$BOX" sh -c '[ -e /dev/kvm ] && echo yes || echo no')"

# 2  what meson install ships, installed at the paths the units name
install_units() {
	local inst f
	inst=$(meson introspect "$BUILD" --installed) || return 1
	for f in urunc@.service urunc-proxy@.service urunc-proxy@.socket urunc-service; do
		echo "$inst" | grep -q "/$f\"" || { echo "meson install does not ship $f"; return 1; }
	done
	in_box '
	libexec=$(sed -n "s|^ExecStartPre=\(.*\)/urunc-service start-pre %i\$|\1|p" $BUILD/contrib/systemd/urunc@.service)
	bin=$(sed -n "s|^ExecStart=\(.*\)/urunc run --service .*|\1|p" $BUILD/contrib/systemd/urunc@.service)
	echo "libexec $libexec bin $bin"; [ -n "$libexec" ] && [ -n "$bin" ]
	install -D -m755 $BUILD/contrib/systemd/urunc-service $libexec/urunc-service
	mkdir -p $bin; ln -sf $URUNC $bin/urunc
	cp $BUILD/contrib/systemd/urunc@.service $BUILD/contrib/systemd/urunc-proxy@.service \
		$SRC/contrib/systemd/urunc-proxy@.socket $SRC/units/urunc.slice /etc/systemd/system/
	systemctl daemon-reload
	for u in urunc@x.service urunc-proxy@x.service; do
		[ "$(systemctl show -P LoadState $u)" = loaded ]
	done
	# the bundles: the net guest, forever, with limits; one that crashes
	B_ARGS='"'"'["net", "sleep=forever"]'"'"' \
	B_NS='"'"'[{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "network"}]'"'"' \
	B_RES='"'"'{"memory": {"limit": 268435456}, "cpu": {"quota": 50000, "period": 100000}, "pids": {"limit": 32}}'"'"' \
		make_bundle /var/lib/urunc/bundles/web $NETG
	B_ARGS='"'"'["net", "sleep=1", "exit=7"]'"'"' B_NS='"'"'[{"type": "pid"}, {"type": "network"}]'"'"' \
		make_bundle /var/lib/urunc/bundles/crash $NETG
	mkdir -p /etc/urunc/services
	echo URUNC_SERVICE_PORT=80 >/etc/urunc/services/web.env'
}
tap_case "meson install ships the units and the helper; installed in the box" install_units

# 3
tap_case "systemctl start urunc@web: active once port 80 answers (READY=1 from urunc run)" in_box '
	timeout 60 systemctl start urunc@web
	[ "$(systemctl show -P ActiveState urunc@web)" = active ]
	[ "$(systemctl show -P StatusText urunc@web)" = "container '\''web'\'' is running, its port answers" ]
	# "answers" is logged before systemd saw READY=1
	PATTERN="Started urunc@web.service" journal_has -u urunc@web
	journalctl --no-pager -q -u urunc@web -o cat | grep -E "answers|^Started" | head -2 | tee /dev/stderr | head -1 | grep -q "10.89.0.[0-9]*:80 answers"'

# 4
tap_case "systemctl status: urunc run, the monitor and QEMU in the service, the bundle's limits; no NOTIFY_SOCKET below urunc run" in_box '
	out=$(systemctl status --no-pager --lines=0 urunc@web) || { echo "$out"; exit 1; }
	echo "$out"
	echo "$out" | grep -q "Active: active (running)"
	echo "$out" | grep -q "CGroup: /urunc.slice/urunc@web.service$"
	echo "$out" | grep -q "Tasks: .*(limit: 32)"
	echo "$out" | grep -q "Memory: .*(max: 256.0M"
	main=$(systemctl show -P MainPID urunc@web)
	procs=$(systemctl show -P ControlGroup urunc@web)
	cg=/sys/fs/cgroup/systemd$procs; [ -d $cg ] || cg=/sys/fs/cgroup$procs
	pids=$(cat $cg/cgroup.procs | sort -n); echo "pids: $pids"
	[ "$(echo "$pids" | wc -l)" = 3 ]
	echo "$pids" | grep -qx $main
	mon=$($URUNC state web | sed -n "s/.*\"pid\": \\([0-9]*\\).*/\\1/p"); echo "$pids" | grep -qx $mon
	qemu=$(pgrep -P $mon); echo "$pids" | grep -qx $qemu
	[ "$(cat /proc/$qemu/comm)" = qemu-system-x86 ]
	tr "\0" "\n" </proc/$main/environ | grep -q ^NOTIFY_SOCKET=
	! tr "\0" "\n" </proc/$qemu/environ | grep ^NOTIFY_SOCKET=
	out=$(systemctl show urunc@web -p MemoryMax -p TasksMax -p CPUQuotaPerSecUSec); echo "$out"
	echo "$out" | grep -qx MemoryMax=268435456
	echo "$out" | grep -qx TasksMax=32
	echo "$out" | grep -qx CPUQuotaPerSecUSec=500ms
	if [ -e /sys/fs/cgroup/memory$procs/memory.limit_in_bytes ]; then
		[ "$(cat /sys/fs/cgroup/memory$procs/memory.limit_in_bytes)" = 268435456 ]
	else
		[ "$(cat /sys/fs/cgroup$procs/memory.max)" = 268435456 ]
	fi'

# 5
tap_case "journalctl -u urunc@web: urunc's story and the guest console" in_box '
	for p in "urunc-service: urunc-web: guest address 10.89.0." "container .web. is in service .urunc@web.service." \
		"created container .web.: unikraft on qemu" "started container .web." \
		"urunc-test-guest: net (pvh)" "net: ip=10.89.0.[0-9]*/24 gw=10.89.0.1" "net: ready"; do
		PATTERN=$p journal_has -u urunc@web
	done'

# 6
tap_case "network: netns urunc-web, eth0 with the leased address, tap, default route; HTTP from the host" in_box '
	addr=$(/usr/local/libexec/urunc/urunc-service address web 2>/dev/null || cat /run/urunc-services/web/address)
	echo "address $addr"
	echo "$addr" | grep -Eqx "10\.89\.0\.[0-9]+"
	ip netns list | grep -q "^urunc-web"
	ip -n urunc-web -4 -o addr show dev eth0 | grep -q "inet $addr/24"
	ip -n urunc-web route show default | grep -q "default via 10.89.0.1 dev eth0"
	ip -n urunc-web -o link show type tun | grep -q urt
	ip -o link show type veth | grep -q "master urunc0"
	[ -e /run/urunc-services/.cni/urunc-services/$addr ]
	ms=$(first_byte_ms http://$addr/); figure "always-on guest, direct: connect -> first byte $ms ms"'
figures

# 7
tap_case "systemctl stop: graceful (TERM to the guest, status 0), nothing left" in_box '
	timeout 40 systemctl stop urunc@web
	[ "$(systemctl show -P Result urunc@web)" = success ]
	PATTERN="container .web. exited with status 0" journal_has -u urunc@web
	PATTERN="deleted container .web." journal_has -u urunc@web
	! journalctl --no-pager -q -u urunc@web | grep -E "SIGKILL|Killing process"
	nothing_left web'

# 8
tap_case "Restart=on-failure: a guest exiting non-zero is started again; stop leaves nothing" in_box '
	timeout 60 systemctl start urunc@crash
	for i in $(seq 300); do [ "$(systemctl show -P NRestarts urunc@crash)" -ge 2 ] && break; sleep 0.05; done
	systemctl show -p NRestarts -p Result urunc@crash
	[ "$(systemctl show -P NRestarts urunc@crash)" -ge 2 ]
	PATTERN="container .crash. exited with status [1-9]" journal_has -u urunc@crash
	PATTERN="Scheduled restart job, restart counter is at 2" journal_has -u urunc@crash
	timeout 40 systemctl stop urunc@crash
	nothing_left crash
	systemctl reset-failed urunc@crash 2>/dev/null || true'

# 9
tap_case "bad input: no bundle (start fails naming the path, nothing set up); run --service outside a service; a bad --ready-port" in_box '
	! timeout 30 systemctl start urunc@nobundle 2>/dev/null
	PATTERN="urunc@nobundle: no OCI bundle: /var/lib/urunc/bundles/nobundle/config.json does not exist" journal_has -u urunc@nobundle
	# Restart=on-failure tries again until the start limit (5 in 10 s)
	for i in $(seq 150); do [ "$(systemctl show -P ActiveState urunc@nobundle)" = failed ] && break; sleep 0.1; done
	systemctl show -p Result -p NRestarts urunc@nobundle
	[ "$(systemctl show -P ActiveState urunc@nobundle)" = failed ]
	nothing_left nobundle
	systemctl reset-failed urunc@nobundle
	out=$(systemd-run --scope --quiet $URUNC run --service --bundle /var/lib/urunc/bundles/web svcx 2>&1) && exit 1
	echo "$out"; echo "$out" | grep -q "run: --service: urunc is not in a systemd service (unit: run-.*scope)"
	out=$($URUNC run --ready-port 70000 --bundle /var/lib/urunc/bundles/web svcx 2>&1) && exit 1
	echo "$out"; echo "$out" | grep -q "run: --ready-port: invalid port 70000"
	nothing_left svcx'

# 10
tap_case "socket activation: enable --now urunc-proxy@web.socket (ListenStream=8080 drop-in); nothing runs yet" in_box '
	mkdir -p /etc/systemd/system/urunc-proxy@web.socket.d
	printf "[Socket]\nListenStream=127.0.0.1:8080\n" >/etc/systemd/system/urunc-proxy@web.socket.d/listen.conf
	printf "URUNC_SERVICE_PORT=80\nURUNC_PROXY_IDLE=3s\n" >/etc/urunc/services/web.env
	systemctl daemon-reload
	systemctl enable --now urunc-proxy@web.socket
	[ "$(systemctl show -P ActiveState urunc-proxy@web.socket)" = active ]
	[ "$(systemctl show -P ActiveState urunc@web)" = inactive ]'

# 11
tap_case "first connection: the unikernel starts, the request is answered" in_box '
	ms=$(first_byte_ms http://127.0.0.1:8080/); figure "scale from zero (first start): connect -> first byte $ms ms"
	[ "$(systemctl show -P ActiveState urunc@web)" = active ]
	[ -e /run/urunc-services/.proxy/web.started ]
	ms=$(first_byte_ms http://127.0.0.1:8080/); figure "running guest, through the proxy: connect -> first byte $ms ms"
	ms=$(first_byte_ms http://$(cat /run/urunc-services/web/address)/); figure "running guest, direct: connect -> first byte $ms ms"'
figures

# 12
tap_case "idle (3 s): the proxy exits and stops the unikernel it started; nothing left" in_box '
	sleep 3
	wait_state urunc-proxy@web.service inactive
	wait_state urunc@web inactive
	for i in $(seq 100); do nothing_left web >/dev/null 2>&1 && break; sleep 0.1; done
	nothing_left web
	[ "$(systemctl show -P ActiveState urunc-proxy@web.socket)" = active ]'

# 13
tap_case "second cold start after the idle stop: answered again" in_box '
	ms=$(first_byte_ms http://127.0.0.1:8080/); figure "scale from zero after an idle stop: connect -> first byte $ms ms"
	[ "$(systemctl show -P ActiveState urunc@web)" = active ]
	wait_state urunc-proxy@web.service inactive
	wait_state urunc@web inactive'
figures

# 14
tap_case "a hand-started urunc@web keeps running after the proxy's idle exit" in_box '
	timeout 60 systemctl start urunc@web
	first_byte_ms http://127.0.0.1:8080/ >/dev/null
	[ "$(systemctl show -P ActiveState urunc-proxy@web.service)" = active ]
	[ ! -e /run/urunc-services/.proxy/web.started ]
	sleep 3
	wait_state urunc-proxy@web.service inactive
	sleep 0.5
	[ "$(systemctl show -P ActiveState urunc@web)" = active ]
	first_byte_ms http://127.0.0.1:8080/ >/dev/null
	timeout 40 systemctl stop urunc-proxy@web.socket urunc-proxy@web.service urunc@web
	nothing_left web'

# 15
tap_case "no failed units; the journal has no urunc errors" in_box '
	systemctl reset-failed urunc@nobundle 2>/dev/null || true
	failed=$(systemctl list-units --state=failed --plain --no-legend "urunc*")
	[ -z "$failed" ] || { echo "$failed"; exit 1; }
	! journalctl --no-pager -q -t urunc -p err | grep -v "svcx\|--service\|--ready-port\|does not exist"'

# 16
tap_case "systemctl stop takes < 5 s (TERM to the guest, not the KILL after TimeoutStopSec=30s)" in_box '
	timeout 60 systemctl start urunc@web
	t0=$(date +%s%N); timeout 40 systemctl stop urunc@web; t1=$(date +%s%N)
	figure "systemctl stop urunc@web: $(( (t1 - t0) / 1000000 )) ms"
	[ $(( (t1 - t0) / 1000000 )) -lt 5000 ]
	nothing_left web'
figures

# 17
tap_case "machinectl (annotation com.urunc.register-machine): list/status show the VM, terminate stops it, delete --force unregisters; a bad value is refused" in_box '
	U() { $URUNC --root /tmp/mroot "$@"; }
	B_ARGS='"'"'["hello", "sleep=forever"]'"'"' make_bundle /tmp/b-plain $HELLO
	B_ARGS='"'"'["hello", "sleep=forever"]'"'"' B_ANNOT='"'"'"com.urunc.register-machine": "true"'"'"' make_bundle /tmp/b-m $HELLO
	U create --bundle /tmp/b-plain plain </dev/null >/dev/null 2>&1; U start plain
	for id in m1 m2; do U create --bundle /tmp/b-m $id </dev/null >/dev/null 2>&1; U start $id; done
	out=$(machinectl list --no-pager --no-legend); echo "$out"
	echo "$out" | grep -Eq "^m1 +vm +urunc"; echo "$out" | grep -Eq "^m2 +vm +urunc"
	! echo "$out" | grep -q "^plain"
	pid=$(U state m1 | sed -n "s/.*\"pid\": \([0-9]*\).*/\1/p")
	[ "$(machinectl show --value --property=Leader m1)" = $pid ]
	[ "$(machinectl show --value --property=Unit m1)" = urunc-m1.scope ]
	[ "$(machinectl show --value --property=Class m1)" = vm ]
	machinectl status --no-pager m1 | grep -q "Unit: urunc-m1.scope"
	timeout 20 machinectl terminate m1
	for i in $(seq 100); do U state m1 | grep -q "\"status\": \"stopped\"" && break; sleep 0.05; done
	U state m1 | grep -q "\"status\": \"stopped\""
	! machinectl list --no-pager --no-legend | grep -q "^m1 "
	U delete m1
	U delete --force m2
	U delete --force plain
	[ -z "$(machinectl list --no-pager --no-legend)" ]
	B_ANNOT='"'"'"com.urunc.register-machine": "yes"'"'"' make_bundle /tmp/b-bad $HELLO
	out=$(U create --bundle /tmp/b-bad bad </dev/null 2>&1) && exit 1
	echo "$out"; echo "$out" | grep -q "annotation .com.urunc.register-machine.: unknown value .yes. (expected true or false)"
	[ ! -e /tmp/mroot/bad ]
	[ "$(U list -q)" = "" ]'

# 18
tap_case "machinectl ([systemd] register_machine = true): urunc@web is a machine in its service; terminate stops the service cleanly" in_box '
	mkdir -p /etc/urunc; [ ! -e /etc/urunc/config.toml ] || cp /etc/urunc/config.toml /tmp/config.toml.orig
	printf "[systemd]\nregister_machine = true\n" >>/etc/urunc/config.toml
	timeout 60 systemctl start urunc@web
	[ "$(machinectl show --value --property=Unit web)" = urunc@web.service ]
	[ "$(machinectl show --value --property=Leader web)" = "$($URUNC state web | sed -n "s/.*\"pid\": \([0-9]*\).*/\1/p")" ]
	timeout 40 machinectl terminate web
	wait_state urunc@web inactive
	[ "$(systemctl show -P Result urunc@web)" = success ]
	[ -z "$(machinectl list --no-pager --no-legend)" ]
	if [ -e /tmp/config.toml.orig ]; then mv /tmp/config.toml.orig /etc/urunc/config.toml; else rm /etc/urunc/config.toml; fi
	nothing_left web'

tap_done
