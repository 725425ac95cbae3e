#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Derive the syscalls QEMU uses by tracing it (how qemu.policy was made).
#
#   trace-qemu.sh BUILDDIR [LINUX_GUEST_DIR]
#
# BUILDDIR holds the test guests (tests/guests/{hello.pvh,hello.multiboot,
# net.pvh}); LINUX_GUEST_DIR, optional, is the output of
# tests/guests/linux/build.sh (vmlinux, initrd.img, rootfs.ext4).  Runs, as
# root, QEMU with the argv urunc builds under `strace -f` in several
# scenarios (TCG: this machine has no /dev/kvm), and prints the union of
# the syscall names seen, one per line, with the scenarios that used each
# as a comment.  Paste what is new into qemu.policy by hand: the policy
# also carries the KVM path and a margin that a TCG trace cannot show.
set -eu

B=${1:?usage: trace-qemu.sh BUILDDIR [LINUX_GUEST_DIR]}
L=${2:-}
qemu=${QEMU:-qemu-system-x86_64}
G=$B/tests/guests
T=$(mktemp -d /tmp/urunc-trace.XXXXXX)
ns=urunc-trace-$$
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT

base=(-nodefaults -no-user-config -display none -no-reboot -accel tcg -m 96M -smp 1
      -device isa-debug-exit,iobase=0xf4,iosize=0x04
      -chardev stdio,id=char0,signal=off -serial chardev:char0
      -qmp "unix:$T/qmp.sock,server=on,wait=off")
sandbox=(-sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny)
microvm=(-M microvm,x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off)

# run NAME CMD...: strace the command, syscall names into $T/NAME.sys.
run() {
  local name=$1; shift
  strace -f -qq -o "$T/$name.trace" -e trace=all "$@" >"$T/$name.out" 2>&1 </dev/null || true
  names "$name"
}
names() {
  sed -nE 's/^[0-9]+ +(<\.\.\. )?([a-z0-9_]+)[( ].*/\2/p' "$T/$1.trace" | sort -u >"$T/$1.sys"
  echo "# $1: $(wc -l <"$T/$1.sys") syscalls" >&2
}

run pvh-exit "$qemu" "${base[@]}" "${microvm[@]}" -kernel "$G/hello.pvh" -append "hello exit=3"
run pvh-sandbox "$qemu" "${base[@]}" "${sandbox[@]}" "${microvm[@]}" -kernel "$G/hello.pvh" -append "hello"
run pc-multiboot "$qemu" "${base[@]}" "${sandbox[@]}" -M pc -kernel "$G/hello.multiboot" -append "hello exit=1"
run pc-pvh-blk "$qemu" "${base[@]}" "${sandbox[@]}" -M pc -kernel "$G/hello.pvh" -append "hello" \
  -drive "file=$G/hello.multiboot,format=raw,if=none,id=blk0" -device virtio-blk-pci,drive=blk0

# Serial input, QMP commands, then SIGTERM (urunc kill's default).
mkfifo "$T/in"
strace -f -qq -o "$T/qmp-term.trace" -e trace=all "$qemu" "${base[@]}" "${sandbox[@]}" "${microvm[@]}" \
  -smp 2 -kernel "$G/hello.pvh" -append "echo sleep=forever" <"$T/in" >"$T/qmp-term.out" 2>&1 &
st=$!
exec 3>"$T/in"
for _ in $(seq 100); do [ -S "$T/qmp.sock" ] && break; sleep 0.1; done
echo "hello" >&3
python3 - "$T/qmp.sock" <<'PY'
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rw")
f.readline()
for cmd in ["qmp_capabilities", "query-status", "stop", "cont", "query-cpus-fast", "query-version"]:
    f.write(json.dumps({"execute": cmd}) + "\n"); f.flush()
    while "return" not in json.loads(f.readline()): pass
time.sleep(0.5)
PY
kill -TERM "$(pgrep -P "$st" -x qemu-system-x86 || pgrep -P "$st")"
wait "$st" || true
exec 3>&-
names qmp-term

# Network: a tap fd handed over (as urunc does), ping and HTTP.
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" python3 - "$qemu" "$G/net.pvh" "$T/net.out" "${base[@]}" "${sandbox[@]}" "${microvm[@]}" <<'PY' &
import fcntl, os, struct, subprocess, sys, time
qemu, kernel, out, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"tapt0", 0x0002 | 0x1000))  # TUNSETIFF IFF_TAP|IFF_NO_PI
os.set_inheritable(fd, True)
subprocess.run(["ip", "addr", "add", "10.203.0.1/24", "dev", "tapt0"], check=True)
subprocess.run(["ip", "link", "set", "tapt0", "up"], check=True)
cmd = ["strace", "-f", "-qq", "-o", out.replace(".out", ".trace"), "-e", "trace=all", qemu] + args + [
    "-kernel", kernel, "-append", "netdev.ip=10.203.0.2/24:10.203.0.1 sleep=forever",
    "-netdev", "tap,id=n0,fd=%d,vhost=off" % fd, "-device", "virtio-net-device,netdev=n0,mac=52:54:00:12:34:56"]
p = subprocess.Popen(cmd, pass_fds=[fd], stdin=subprocess.DEVNULL, stdout=open(out, "w"), stderr=subprocess.STDOUT)
try:
    for _ in range(300):
        if "net: ready" in open(out).read(): break
        time.sleep(0.1)
    import shutil
    ping = ["ping"] if shutil.which("ping") else ["busybox", "ping"]
    r = subprocess.run(ping + ["-c", "3", "-W", "5", "10.203.0.2"], stdout=subprocess.DEVNULL)
    print("# net-fd: ping status %d" % r.returncode, file=sys.stderr)
    r = subprocess.run(["curl", "-sS", "-m", "10", "-o", "/dev/null", "http://10.203.0.2/"])
    print("# net-fd: curl status %d" % r.returncode, file=sys.stderr)
    time.sleep(0.3)
finally:
    subprocess.run(["pkill", "-TERM", "-P", str(p.pid)])
    p.wait()
PY
wait $! || true
cp "$T/net.trace" "$T/net-fd.trace" 2>/dev/null || true
names net-fd

if [ -n "$L" ] && [ -s "$L/vmlinux" ]; then
  cp --sparse=always "$L/rootfs.ext4" "$T/root.ext4"
  khz=$(awk '/cpu MHz/ {printf "%d", $4 * 1000; exit}' /proc/cpuinfo)
  run linux-blk "$qemu" "${base[@]/96M/256M}" "${sandbox[@]}" -smp 2 \
    -M microvm,x-option-roms=off,rtc=off -kernel "$L/vmlinux" -initrd "$L/initrd.img" \
    -drive "file=$T/root.ext4,format=raw,if=none,id=d0" -device virtio-blk-device,drive=d0 \
    -append "panic=-1 console=ttyS0 quiet tsc_early_khz=$khz root=/dev/vda rw init=/bin/guest -- exit 4"
fi

for f in "$T"/*.sys; do
  n=$(basename "$f" .sys)
  sed "s/\$/ $n/" "$f"
done | sort | awk '{ if ($1 != k) { if (k != "") print k " # " v; k = $1; v = $2 } else v = v "," $2 }
                   END { if (k != "") print k " # " v }'
