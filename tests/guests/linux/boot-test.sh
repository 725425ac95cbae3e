#!/bin/bash
# Boot the Linux test guest under QEMU/TCG and check argv, env, exit status,
# the block root and the network.  TAP output.  Needs root (netns, tap).
#
#   boot-test.sh GUEST_DIR        (GUEST_DIR holds what build.sh produced)
#
# QEMU_ACCEL (default tcg) and QEMU (default qemu-system-x86_64) can be set.
set -u

dir=${1:-${GUEST_LINUX_DIR:-}}
qemu=${QEMU:-qemu-system-x86_64}
accel=${QEMU_ACCEL:-tcg}

if [ "$(id -u)" -ne 0 ]; then echo "1..0 # SKIP needs root"; exit 0; fi
if ! command -v "$qemu" >/dev/null; then echo "1..0 # SKIP no $qemu"; exit 0; fi
if [ -z "$dir" ] || ! [ -s "$dir/initrd.img" ]; then
	echo "1..0 # SKIP no guest (build.sh OUTDIR first)"; exit 0
fi

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # description, command...
	local d=$1; shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
diag() { tr -d '\r' | sed 's/^/# /'; }

tmp=$(mktemp -d /tmp/urunc-linux-guest.XXXXXX)
ns=urunc-lg-$$
cleanup() {
	[ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

kernel=$dir/vmlinux
[ -s "$kernel" ] || kernel=$dir/bzImage # no PVH: the compressed kernel
khz=$(awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)
[ -n "$khz" ] && [ "$khz" -gt 0 ] || khz=2000000

microvm=(-M microvm,x-option-roms=off,rtc=on,pit=off,pic=off)
common=(-accel "$accel" -m 256 -smp 1 -nodefaults -no-user-config -nographic
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$kernel"
	-initrd "$dir/initrd.img")
base="panic=-1 console=ttyS0 quiet tsc_early_khz=$khz"

echo "1..14"

# boot LOG APPEND [qemu args...]: runs to the end, sets $rc, $ms (to banner)
boot() {
	local log=$1 append=$2 t0 t1
	shift 2
	t0=$(date +%s%N)
	timeout 90 "$qemu" "${microvm[@]}" "${common[@]}" -serial "file:$log" \
		-monitor none "$@" -append "$append" </dev/null >"$log.qemu" 2>&1
	rc=$?
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
}
# serial output has CRLF line ends
has() { tr -d '\r' <"$1" | grep -qxF -- "$2"; }

# 1-5: initrd, argv, env, exit status N
boot "$tmp/a.log" "$base FOO=bar BAZ=\"two words\" rdinit=/bin/guest -- exit 7 x y"
check "microvm+initrd: banner (qemu ran ${ms} ms)" has "$tmp/a.log" "urunc-linux-guest: up"
check "microvm+initrd: argv after --" has "$tmp/a.log" "args: exit 7 x y"
check "microvm+initrd: env from bare K=V" has "$tmp/a.log" "env: FOO=bar"
check "microvm+initrd: quoted env value" has "$tmp/a.log" "env: BAZ=two words"
check "microvm+initrd: exit 7 -> qemu status 15 (got $rc)" test "$rc" -eq 15
[ "$rc" -eq 15 ] || diag <"$tmp/a.log"

# 6: exit 0 -> poweroff -> qemu 0
boot "$tmp/b.log" "$base rdinit=/bin/guest -- exit 0"
check "microvm+initrd: exit 0 -> qemu status 0 (got $rc, qemu ran ${ms} ms)" test "$rc" -eq 0
[ "$rc" -eq 0 ] && has "$tmp/b.log" "urunc-linux-guest: exit 0" || diag <"$tmp/b.log"

# 7: a guest panic ends QEMU with status 1 through pvpanic
boot "$tmp/p.log" "$base rdinit=/bin/guest -- sh -c \"echo c >/proc/sysrq-trigger\"" \
	-device pvpanic -action panic=exit-failure
check "microvm+initrd: guest panic -> pvpanic -> qemu status 1 (got $rc)" test "$rc" -eq 1

# 8-10: block root through the initrd (root= + init=)
cp --sparse=always "$dir/rootfs.ext4" "$tmp/root.ext4"
boot "$tmp/c.log" "$base root=/dev/vda rw K1=v1 init=/bin/guest -- sh -c \"grep -q '^/dev/vda / ext4 rw' /proc/mounts && echo ok >/written && exit 3; exit 9\"" \
	-drive "file=$tmp/root.ext4,format=raw,if=none,id=d0" -device virtio-blk-device,drive=d0
check "microvm+block root: banner, env (qemu ran ${ms} ms)" has "$tmp/c.log" "env: K1=v1"
check "microvm+block root: / is /dev/vda rw, exit 3 -> 7 (got $rc)" test "$rc" -eq 7
[ "$rc" -eq 7 ] || diag <"$tmp/c.log"
check "microvm+block root: write reached the image" \
	sh -c "debugfs -R 'cat /written' '$tmp/root.ext4' 2>/dev/null | grep -qx ok"

# 11-14: network: tap in a private namespace, httpd in the guest
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add dev tap0 mode tap
ip -n "$ns" addr add 10.201.0.1/24 dev tap0
ip -n "$ns" link set tap0 up
t0=$(date +%s%N)
ip netns exec "$ns" timeout 120 "$qemu" "${microvm[@]}" "${common[@]}" \
	-serial "file:$tmp/d.log" -monitor none \
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=off \
	-device virtio-net-device,netdev=n0,mac=52:54:00:12:34:56 \
	-append "$base ip=10.201.0.2::10.201.0.1:255.255.255.0:guest:eth0:off rdinit=/bin/guest -- httpd" \
	</dev/null >"$tmp/d.log.qemu" 2>&1 &
qpid=$!
got=
for _ in $(seq 1 600); do
	if ip netns exec "$ns" curl -s -m 2 http://10.201.0.2/ 2>/dev/null >"$tmp/page"; then
		got=1; break
	fi
	kill -0 "$qpid" 2>/dev/null || break
	sleep 0.1
done
ms=$((($(date +%s%N) - t0) / 1000000))
check "network: guest configured eth0 from ip=" \
	has "$tmp/d.log" "urunc-linux-guest: net eth0 10.201.0.2/24 gw 10.201.0.1"
check "network: http page fetched (${ms} ms)" test -n "$got"
check "network: page content" has "$tmp/page" "urunc-linux-guest httpd ok"
pingit() { ip netns exec "$ns" busybox ping -c 1 -W 5 10.201.0.2 >/dev/null; }
check "network: ping" pingit
[ -n "$got" ] || diag <"$tmp/d.log"
kill "$qpid" 2>/dev/null
wait "$qpid" 2>/dev/null
qpid=

[ "$failed" -eq 0 ]
