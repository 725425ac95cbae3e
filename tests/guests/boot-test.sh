#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# guest-boot: boot the test guests directly under QEMU and check what they
# print and how QEMU exits (see README.md for the protocol).  TAP output.
#
#   boot-test.sh HELLO_PVH HELLO_MULTIBOOT NET_PVH
#
# Environment: QEMU (default qemu-system-x86_64), GUEST_TEST_ACCEL
# (auto|kvm|tcg, default auto: KVM when /dev/kvm works, else TCG).
# The network tests need root (a network namespace with a tap device);
# without it they are skipped.

set -u

hello_pvh=${1:?usage: boot-test.sh HELLO_PVH HELLO_MULTIBOOT NET_PVH}
hello_mb=${2:?usage: boot-test.sh HELLO_PVH HELLO_MULTIBOOT NET_PVH}
net_pvh=${3:?usage: boot-test.sh HELLO_PVH HELLO_MULTIBOOT NET_PVH}
qemu=${QEMU:-qemu-system-x86_64}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # check DESCRIPTION COMMAND...
        local desc=$1
        shift
        if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
diag() { sed 's/^/# /' "$@"; }

if ! command -v "$qemu" >/dev/null; then
        echo "1..0 # SKIP $qemu not found"
        exit 0
fi

for f in "$hello_pvh" "$hello_mb" "$net_pvh"; do
        [ -f "$f" ] || { echo "Bail out! no guest kernel '$f'"; exit 1; }
done

tmp=$(mktemp -d /tmp/urunc-guest-boot.XXXXXX)
ns=
pids=()
cleanup() {
        local p
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
        wait 2>/dev/null
        [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
        rm -rf "$tmp"
}
trap cleanup EXIT
trap '' PIPE

microvm=(-M microvm,x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off)
pc=(-M pc)
# The exit device urunc gives a Unikraft guest (the suite's default family).
noexit=(-nodefaults -no-user-config -display none -serial stdio -no-reboot)
base=("${noexit[@]}" -device isa-debug-exit,iobase=0x501,iosize=2)

# KVM when it is there and works (the project's machines have a nested KVM
# that cannot run everything), else TCG.  The probe needs the guest's timer
# (sleep=1) and the debug-exit status (3) to work.
accel=${GUEST_TEST_ACCEL:-auto}
if [ "$accel" = auto ]; then
        accel=tcg
        if [ -w /dev/kvm ]; then
                timeout 30 "$qemu" -accel kvm "${base[@]}" "${microvm[@]}" -m 64 \
                        -kernel "$hello_pvh" -append "probe sleep=1 exit=1" \
                        </dev/null >"$tmp/probe.out" 2>&1
                probe=$?
                if [ $probe -eq 3 ] && grep -qx 'urunc-test-guest: hello (pvh)' "$tmp/probe.out"; then
                        accel=kvm
                else
                        echo "# KVM probe failed (status $probe), using TCG:"
                        diag "$tmp/probe.out"
                fi
        fi
fi
echo "# accel=$accel qemu=$("$qemu" --version | head -1)"
base+=(-accel "$accel")

# boot NAME TIMEOUT QEMU-ARGS...: stdout in $tmp/NAME.out, status in $rc,
# milliseconds in $ms.
boot() {
        local name=$1 t=$2 start
        shift 2
        start=$(date +%s%N)
        timeout "$t" "$qemu" "${base[@]}" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
        rc=$?
        ms=$((($(date +%s%N) - start) / 1000000))
        echo "# $name: status $rc in $ms ms"
}
has_line() { grep -qxF -- "$2" "$tmp/$1.out" || { echo "# $1: no line '$2' in:"; diag "$tmp/$1.out"; false; }; }
status_is() { [ "$rc" -eq "$1" ] || { echo "# status $rc, expected $1"; diag "$tmp/$2.err"; false; }; }

# hello, both boot formats: banner, command line, memory, arguments, exit codes.
hello_case() { # LABEL KIND KERNEL MACHINE-ARGS...
        local label=$1 kind=$2 kernel=$3 prefix=
        shift 3
        boot "$label-0" 120 "$@" -m 96 -kernel "$kernel" -append "a b=c  d exit=0"
        # Under multiboot QEMU puts the kernel's path in front.
        [ "$kind" = multiboot ] && prefix="$kernel "
        check "$label: banner" has_line "$label-0" "urunc-test-guest: hello ($kind)"
        check "$label: cmdline" has_line "$label-0" "cmdline: ${prefix}a b=c  d exit=0"
        check "$label: mem 96 MiB" has_line "$label-0" "mem: 96 MiB"
        local i=0
        [ "$kind" = multiboot ] && i=1
        check "$label: arguments" eval 'has_line "$label-0" "arg[$i]: a" &&
                has_line "$label-0" "arg[$((i + 1))]: b=c" &&
                has_line "$label-0" "arg[$((i + 2))]: d" &&
                has_line "$label-0" "arg[$((i + 3))]: exit=0"'
        check "$label: exit=0 -> Unikraft's halt code, QEMU status 83" eval 'has_line "$label-0" "exit: 0" && status_is 83 "$label-0"'

        boot "$label-3" 120 "$@" -m 300 -kernel "$kernel" -append "exit=3"
        check "$label: mem 300 MiB" has_line "$label-3" "mem: 300 MiB"
        check "$label: exit=3 -> QEMU status 7" eval 'has_line "$label-3" "exit: 3" && status_is 7 "$label-3"'
        boot "$label-100" 120 "$@" -m 64 -kernel "$kernel" -append "x exit=100"
        check "$label: exit=100 -> QEMU status 201" status_is 201 "$label-100"
}

# The other ends (README.md, "Exit protocol"), on every machine the same.
# boot_f4 NAME TIMEOUT QEMU-ARGS...: boot with the exit device at 0xf4 only.
boot_f4() {
        local saved=("${base[@]}")
        base=("${noexit[@]}" -accel "$accel" -device isa-debug-exit,iobase=0xf4,iosize=0x04)
        boot "$@"
        base=("${saved[@]}")
}
boot crash 120 "${microvm[@]}" -m 64 -kernel "$hello_pvh" -append "crash"
check "crash -> Unikraft's crash code, QEMU status 85" eval 'has_line crash "crash: requested (crash)" && status_is 85 crash'
boot_f4 f4-0 120 "${microvm[@]}" -m 64 -kernel "$hello_pvh" -append "exit=0"
check "port 0xf4 only: exit=0 -> QEMU status 3 (Hermit's success code)" status_is 3 f4-0
boot_f4 f4-3 120 "${microvm[@]}" -m 64 -kernel "$hello_pvh" -append "exit=3"
check "port 0xf4 only: exit=3 -> QEMU status 7" status_is 7 f4-3
boot_f4 f4-crash 120 "${microvm[@]}" -m 64 -kernel "$hello_pvh" -append "crash"
check "port 0xf4 only: crash -> QEMU status 255" status_is 255 f4-crash
start=$(date +%s%N)
timeout 120 "$qemu" "${noexit[@]}" -accel "$accel" "${pc[@]}" -m 64 -kernel "$hello_pvh" -append "exit=5" \
        >"$tmp/noexit.out" 2>"$tmp/noexit.err" </dev/null
rc=$?
echo "# noexit: status $rc in $((($(date +%s%N) - start) / 1000000)) ms"
check "no exit device (pc): a keyboard-controller reset, QEMU status 0 (-no-reboot)" eval 'has_line noexit "exit: 5" && status_is 0 noexit'
boot panic 120 "${microvm[@]}" -device pvpanic -action panic=exit-failure -m 64 -kernel "$hello_pvh" -append "panic"
check "panic with a pvpanic device (-action panic=exit-failure): QEMU status 1" eval 'has_line panic "panic: reporting it on pvpanic (port 0x505)" && status_is 1 panic'
boot panic-nodev 120 "${microvm[@]}" -m 64 -kernel "$hello_pvh" -append "panic"
check "panic without a pvpanic device: the crash code, QEMU status 85" status_is 85 panic-nodev

hello_case microvm-pvh pvh "$hello_pvh" "${microvm[@]}"
hello_case pc-multiboot multiboot "$hello_mb" "${pc[@]}"
hello_case pc-pvh pvh "$hello_pvh" "${pc[@]}"

# sleep=S: about S seconds (the guest's timer is the local APIC's).
boot sleep 120 "${microvm[@]}" -m 64 -kernel "$hello_pvh" -append "sleep=2 exit=1"
check "microvm-pvh: sleep=2 takes 1-30 s, then exit=1" \
        eval '[ "$ms" -ge 1000 ] && [ "$ms" -lt 30000 ] && status_is 3 sleep'

# sleep=forever: still running after 3 s.
"$qemu" "${base[@]}" "${microvm[@]}" -m 64 -kernel "$hello_pvh" -append "sleep=forever" \
        >"$tmp/forever.out" 2>&1 </dev/null &
forever=$!
pids+=("$forever")
sleep 3
check "microvm-pvh: sleep=forever keeps running" \
        eval 'kill -0 $forever 2>/dev/null && has_line forever "arg[0]: sleep=forever"'
kill "$forever" 2>/dev/null
wait "$forever" 2>/dev/null

# echo: lines from the serial port come back until "quit".
start=$(date +%s%N)
{ sleep 1; printf 'hello there\r\nsecond\nquit\n'; } |
        timeout 120 "$qemu" "${base[@]}" "${microvm[@]}" -m 64 -kernel "$hello_pvh" \
                -append "echo exit=4" >"$tmp/echo.out" 2>"$tmp/echo.err"
rc=${PIPESTATUS[1]}
check "microvm-pvh: echo" eval 'has_line echo "echo: on" && has_line echo "echo: hello there" &&
        has_line echo "echo: second" && has_line echo "echo: quit" && status_is 9 echo'

# The net guest without an address says so and exits 1.
boot net-noip 120 "${microvm[@]}" -m 64 -kernel "$net_pvh" -append "sleep=1"
check "net: no address -> error, QEMU status 3" eval 'grep -q "^net: error: no address" "$tmp/net-noip.out" &&
        status_is 3 net-noip'

# net: ping and HTTP through a tap in a namespace of our own.
net_case() { # LABEL LAST-OCTET APPEND EXTRA-QEMU-ARGS...
        local label=$1 ip=10.200.$subnet.$2 append=$3 mac out qpid i
        mac=$(printf '52:54:00:c0:%02x:%02x' "$subnet" "$2")
        shift 3
        out=$tmp/$label.out
        rm -f "$tmp/$label.in"
        mkfifo "$tmp/$label.in"
        ip netns exec "$ns" timeout 300 "$qemu" "${base[@]}" "${microvm[@]}" "$@" -m 64 \
                -kernel "$net_pvh" -append "${append//@IP@/$ip} echo sleep=0 exit=2" \
                -netdev tap,id=n0,ifname=tapg0,script=no,downscript=no,vhost=off \
                -device virtio-net-device,netdev=n0,mac="$mac" \
                <"$tmp/$label.in" >"$out" 2>"$tmp/$label.err" &
        qpid=$!
        pids+=("$qpid")
        exec 3>"$tmp/$label.in" # opened after QEMU's end: no deadlock

        for ((i = 0; i < 600; i++)); do
                grep -q '^net: ready$' "$out" && break
                kill -0 "$qpid" 2>/dev/null || break
                sleep 0.1
        done
        check "$label: net: ready" has_line "$label" "net: ready"
        check "$label: net: ip/gw/mac line" \
                has_line "$label" "net: ip=$ip/24 gw=10.200.$subnet.1 mac=$mac"
        check "$label: ping $ip" eval 'ip netns exec "$ns" $ping -c 3 -W 5 "$ip" >"$tmp/$label.ping" 2>&1 ||
                { diag "$tmp/$label.ping"; false; }'
        local bodies=0
        for i in 1 2 3; do
                [ "$(http_get "$ip")" = "urunc-test-guest net ok" ] && bodies=$((bodies + 1))
        done
        check "$label: 3 sequential HTTP requests answered" eval '[ $bodies -eq 3 ]'
        echo quit >&3 2>/dev/null # QEMU may be gone already: SIGPIPE is ignored
        exec 3>&-
        wait "$qpid"
        rc=$?
        check "$label: quit -> exit=2 -> QEMU status 5" status_is 5 "$label"
}

http_get() {
        if command -v curl >/dev/null; then
                ip netns exec "$ns" curl -sS -m 10 "http://$1/"
        else
                # busybox wget's -T crashes (Debian 1.35): bound it with timeout instead.
                ip netns exec "$ns" timeout 10 busybox wget -q -O - "http://$1/"
        fi
}

net_tests=10
if [ "$(id -u)" -ne 0 ]; then
        for ((i = 0; i < net_tests; i++)); do skip "net test $((i + 1))" "needs root"; done
elif ! command -v ip >/dev/null || [ ! -c /dev/net/tun ]; then
        for ((i = 0; i < net_tests; i++)); do skip "net test $((i + 1))" "no ip(8) or /dev/net/tun"; done
else
        if command -v ping >/dev/null; then ping=ping; else ping="busybox ping"; fi
        subnet=$((200 + $$ % 50))
        ns=urunc-guests-$$
        ip netns add "$ns" &&
        ip netns exec "$ns" ip link set lo up &&
        ip netns exec "$ns" ip tuntap add dev tapg0 mode tap &&
        ip netns exec "$ns" ip addr add "10.200.$subnet.1/24" dev tapg0 &&
        ip netns exec "$ns" ip link set tapg0 up ||
                echo "# could not set up namespace $ns"
        net_case net-legacy 2 "netdev.ip=@IP@/24:10.200.$subnet.1"
        net_case net-modern 3 "ip=@IP@::10.200.$subnet.1:255.255.255.0:guest:eth0:off" \
                -global virtio-mmio.force-legacy=false
fi

echo "1..$n"
[ "$failed" -eq 0 ]
