#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Every guest/monitor pair through urunc's lifecycle (root, TAP).
#
#  1. Stand-in monitors (stand-in/stand-in.c) for the monitors that cannot be
#     installed here -- firecracker, solo5-hvt, solo5-spt, cloud-hypervisor --
#     selected with binary_path in a test config: create/start/state/kill/
#     delete and run with each backend, the recorded argv/config compared
#     with COMPAT.md §4 (memory in MiB, vCPUs, net, block), a networked case
#     per monitor in a private netns (the stand-in attaches the tap by name).
#  2. Real QEMU runs of every pair that runs here: unikraft (PVH, multiboot,
#     net+block on microvm: the virtio_mmio.device words before "--"),
#     mirage, mewz, hermit (our hello guest stands in for the kernel and
#     prints the command line each backend produced) and linux with the
#     Debian kernel (initrd; block-device root).
#  3. Real firecracker / solo5 / cloud-hypervisor when installed
#     (URUNC_TEST_FIRECRACKER, URUNC_TEST_SOLO5_HVT, URUNC_TEST_SOLO5_SPT,
#     URUNC_TEST_CLOUD_HYPERVISOR or $PATH; the Solo5 kernels in
#     URUNC_TEST_SOLO5_HVT_KERNEL / URUNC_TEST_SOLO5_SPT_KERNEL), else a
#     skip saying so.
#  4. A missing monitor binary, an unsupported pair, `urunc features`.
#
#  5. Solo5 manifests (stand-in/solo5-note.S kernels, one per target with
#     the devices stand-in/meson.build lists): devices in declared order
#     with declared names, the solo5NetDev/solo5BlkDev annotations, fewer
#     devices than declared and a kernel for the other target refused at
#     create; the stand-in tender under the shipped hvt/spt seccomp
#     policies making the syscalls the real tenders make.
#
# Usage: monitors.sh URUNC STAND_IN SOLO5_DIR HELLO_PVH HELLO_MULTIBOOT
#                    NET_PVH LINUX_BUILD_SH LINUX_DIR POLICY_DIR HAVE_SECCOMP
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"
. "$here/../lib/proc.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
[ $# -eq 10 ] || { echo "usage: monitors.sh URUNC STAND_IN SOLO5_DIR HELLO_PVH HELLO_MB NET_PVH LINUX_BUILD_SH LINUX_DIR POLICY_DIR HAVE_SECCOMP" >&2; exit 2; }
URUNC=$1 STAND_IN=$2 SOLO5_DIR=$3 PVH=$4 MB=$5 NETPVH=$6 LINUX_BUILD=$7 LINUX_DIR=$8 POLICY_DIR=$9 HAVE_SECCOMP=${10}

T=$(mktemp -d /tmp/urunc-monitors.XXXXXX)
ROOT=$T/root
BIN=$T/bin
N=$(($$ % 250 + 1))
S=urmon-s$$ C=urmon-c$$
IP=10.205.$N.2 GW=10.205.$N.1
MAC=0a:58:0a:cd:$(printf %02x "$N"):02
KVM=no
# c 10:232: /dev/null bound over /dev/kvm (KVM hidden) is a character device too.
[ -c /dev/kvm ] && [ -w /dev/kvm ] && [ "$(stat -c %t:%T /dev/kvm)" = a:e8 ] && KVM=yes
HAVE_QEMU=no
command -v qemu-system-x86_64 >/dev/null && HAVE_QEMU=yes

export URUNC_CONFIG=$T/config.toml
u() { "$URUNC" --root "$ROOT" "$@"; }
cleanup() {
  for id in $(u list -q 2>/dev/null); do u delete --force "$id" >/dev/null 2>&1; done
  ip netns del "$S" 2>/dev/null
  ip netns del "$C" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
T0=$(now_ms) SECTION_T=$T0 SECTION_NAME=
section() {
  local t; t=$(now_ms)
  [ -n "$SECTION_NAME" ] && diag "$SECTION_NAME: $((t - SECTION_T)) ms"
  SECTION_NAME=$1 SECTION_T=$t
}

status_of() { u state "$1" 2>/dev/null | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p'; }
is_status() { [ "$(status_of "$1")" = "$2" ]; }
left_behind() {
  local id=$1 what=""
  [ -e "$ROOT/$id" ] && what="$what state-dir"
  pgrep -f -- "$ROOT/$id/" >/dev/null && what="$what process"
  [ -n "$(find /sys/fs/cgroup -maxdepth 4 -type d \( -name "$id" -o -name "urunc-$id.scope" \) 2>/dev/null)" ] && what="$what cgroup"
  echo "$what"
}
taps_in() { ip -n "$1" -o link show type tun 2>/dev/null | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p'; }
# The stand-in records on its stderr ("record: KEY: VALUE" lines), which is
# the container's: $REC, the stderr file of the current case's urunc run or
# create.  recval MONITOR KEY: the values of KEY.
recval() { sed -n "s/^record: $2: //p" "$REC" 2>/dev/null; }
# The stand-in's argv from 1 on, one line.
recargv() { sed -n 's/^record: argv\[[1-9][0-9]*\]: //p' "$REC" 2>/dev/null | paste -sd' '; }
# A leaf of firecracker's recorded config, as JSON: fcfield machine-config.mem_size_mib
fcfield() { sed -n "s/^record: json: $1=//p" "$REC" 2>/dev/null; }
b64k() { printf '"com.urunc.unikernel.%s": "%s"' "$1" "$(b64 "$2")"; }

mkdir -p "$BIN" "$ROOT"
for m in firecracker solo5-hvt solo5-spt cloud-hypervisor; do cp "$STAND_IN" "$BIN/$m"; done
cat >"$URUNC_CONFIG" <<TOML
[monitors.qemu]
default_memory_mb = 96
[monitors.firecracker]
binary_path = "$BIN/firecracker"
[monitors.hvt]
binary_path = "$BIN/solo5-hvt"
[monitors.spt]
binary_path = "$BIN/solo5-spt"
[monitors.cloud-hypervisor]
binary_path = "$BIN/cloud-hypervisor"
[security]
policy_dir = "$POLICY_DIR"
TOML

NS_BASE='{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}'
NS_NET="[$NS_BASE, {\"type\": \"network\", \"path\": \"/var/run/netns/$S\"}]"
RES='{"memory": {"limit": 209715200}, "cpu": {"quota": 200000, "period": 100000}}' # 200 MiB, 2 vCPUs

# --- the test network namespace, as a CNI plugin leaves it ----------------------
section "netns setup"
ip netns add "$S" && ip netns add "$C" &&
  ip -n "$C" link add urmv$$ type veth peer name urmw$$ netns "$S" &&
  ip -n "$S" link set urmw$$ name eth0 &&
  ip -n "$S" link set eth0 address "$MAC" up &&
  ip -n "$S" link set lo up &&
  ip -n "$S" addr add "$IP/24" dev eth0 &&
  ip -n "$S" route add default via "$GW" &&
  ip -n "$C" addr add "$GW/24" dev urmv$$ &&
  ip -n "$C" link set urmv$$ up
rc=$?
expect_eq "netns $S: eth0 $IP/24 via $GW (peer in $C)" 0 "$rc"
[ "$rc" = 0 ] || { tap_done; exit 1; }

# --- 4. urunc features, unsupported pair, missing binaries ------------------------
section "features and errors"
pairs=$(u features | sed -n 's/.*"io.github.urunc.pairs": "\[\(.*\)\]".*/\1/p' | sed 's/\\"//g; s/,/ /g')
expect_eq "features: io.github.urunc.pairs lists the pair table" \
  "unikraft/qemu unikraft/firecracker rumprun/hvt rumprun/spt mirage/qemu mirage/hvt mirage/spt mewz/qemu linux/qemu linux/firecracker linux/cloud-hypervisor hermit/qemu freebsd/qemu freebsd/firecracker" \
  "$pairs"
check "features: the pairs are plain JSON text (no escaped slashes)" \
  sh -c "'$URUNC' features | grep -q 'unikraft/qemu'"

B=$T/b-badpair; B_TYPE=rumprun B_HV=qemu make_bundle "$B" "$PVH"
err=$(u create --bundle "$B" badpair 2>&1); rc=$?
check "unsupported pair rumprun/qemu: create fails" test "$rc" -ne 0
expect_match "  ... naming the guest and the monitor" "unikernel type 'rumprun' is not supported on hypervisor 'qemu'" "$err"
expect_eq "  ... and leaves nothing behind" "" "$(left_behind badpair)"

# binary_path pointing nowhere.
cat >"$T/missing.toml" <<TOML
[monitors.firecracker]
binary_path = "$T/nowhere/firecracker"
TOML
B=$T/b-missing; B_HV=firecracker make_bundle "$B" "$PVH"
err=$(URUNC_CONFIG=$T/missing.toml u create --bundle "$B" missing1 2>&1); rc=$?
check "binary_path to a missing file: create fails" test "$rc" -ne 0
expect_match "  ... naming the path and the config key" \
  "binary_path '$T/nowhere/firecracker' \\(config \\[monitors.firecracker\\]\\) is not an executable file" "$err"
expect_eq "  ... and leaves nothing behind" "" "$(left_behind missing1)"
# No binary_path, not in $PATH (an empty config; PATH without the stand-ins).
: >"$T/empty.toml"
for hv in firecracker:firecracker cloud-hypervisor:cloud-hypervisor spt:solo5-spt; do
  name=${hv#*:} hv=${hv%%:*}
  case $hv in
  spt) B_TYPE=mirage B_HV=spt make_bundle "$T/b-nobin-$hv" "$SOLO5_DIR/hello.spt" ;;
  cloud-hypervisor) B_TYPE=linux B_HV=$hv make_bundle "$T/b-nobin-$hv" "$PVH" ;;
  *) B_HV=$hv make_bundle "$T/b-nobin-$hv" "$PVH" ;;
  esac
  if PATH=/nonexistent command -v "$name" >/dev/null; then :; fi
  err=$(URUNC_CONFIG=$T/empty.toml PATH=/usr/sbin:/usr/bin:/sbin:/bin u create --bundle "$T/b-nobin-$hv" nobin-$hv 2>&1); rc=$?
  if command -v "$name" >/dev/null; then
    skip "$hv: a missing '$name' is an error at create" "'$name' is installed in \$PATH here"
    u delete --force nobin-$hv >/dev/null 2>&1
  else
    expect_match "$hv not installed: create fails naming '$name', \$PATH and [monitors.$hv] binary_path" \
      "monitor '$hv': '$name' not found in \\\$PATH; install it or set binary_path in \\[monitors.$hv\\]" "$err"
  fi
  expect_eq "  ... and leaves nothing behind" "" "$(left_behind nobin-$hv)"
done

# --- 1. stand-in monitors -----------------------------------------------------------
# standin_run ID MONITOR-FILE: run a prepared bundle $T/b-ID, keep stdout and status.
standin_run() {
  REC=$T/$1.err
  OUT=$(u run --bundle "$T/b-$1" "$1" 2>"$T/$1.err"); RC=$?
}
# standin_lifecycle ID MONITOR-FILE [HOOK]: create/state/start/state/kill/state/
# delete with a guest that waits (sleep=forever); checks named after ID.  HOOK
# ID MONITOR-FILE runs while the stand-in is running.
standin_lifecycle() {
  local id=$1 mon=$2 rc pid
  REC=$T/$id.err
  u create --bundle "$T/b-$id" --pid-file "$T/$id.pid" "$id" >"$T/$id.out" 2>"$T/$id.err"; rc=$?
  expect_eq "$id: create exit 0" 0 "$rc"
  [ "$rc" = 0 ] || sed 's/^/#   /' "$T/$id.err"
  expect_eq "$id: state created" created "$(status_of "$id")"
  u start "$id" 2>"$T/$id.start.err"; rc=$?
  expect_eq "$id: start exit 0" 0 "$rc"
  wait_for 10 grep -q '^record: check: ' "$REC"
  expect_eq "$id: state running" running "$(status_of "$id")"
  pid=$(cat "$T/$id.pid" 2>/dev/null)
  expect_eq "$id: the container's pid is urunc's supervisor" "urunc:supervise" "$(cat "/proc/$pid/comm" 2>/dev/null)"
  expect_eq "$id: its child is the stand-in $mon" "${mon:0:15}" "$(cat "/proc/$(vmm_of "$pid")/comm" 2>/dev/null)"
  expect_eq "$id: the stand-in's checks pass" "ok" "$(recval "$mon" check)"
  check "$id: the stand-in waits (sleep=forever)" grep -q '^record: state: waiting until killed' "$REC"
  [ -n "${3:-}" ] && "$3" "$id" "$mon"
  u kill "$id" TERM; rc=$?
  expect_eq "$id: kill TERM exit 0" 0 "$rc"
  wait_for 10 is_status "$id" stopped
  expect_eq "$id: state stopped after kill" stopped "$(status_of "$id")"
  if [ "$mon" = solo5-spt ]; then
    # spt has no signal handlers (the real tender neither): SIGTERM's
    # default action ends it, nothing is recorded.
    expect_eq "$id: the stand-in (spt, under its policy: no handler) ended without recording" "" "$(recval "$mon" signal)"
  else
    expect_eq "$id: the stand-in ended on SIGTERM" 15 "$(recval "$mon" signal)"
  fi
  u delete "$id"; rc=$?
  expect_eq "$id: delete exit 0" 0 "$rc"
  expect_eq "$id: nothing left behind" "" "$(left_behind "$id")"
}

section "stand-in: unikraft/firecracker"
B_HV=firecracker B_RES=$RES B_ARGS='["hello", "alpha", "exit=3"]' B_ENV='["PATH=/bin", "K=V"]' \
  make_bundle "$T/b-fc1" "$PVH"
standin_run fc1 firecracker
expect_eq "unikraft/firecracker: run exits with the guest's status (3)" 3 "$RC"
expect_match "unikraft/firecracker: the monitor's banner on stdout" '^urunc-stand-in: firecracker' "$OUT"
expect_eq "unikraft/firecracker: the stand-in's checks pass" ok "$(recval firecracker check)"
expect_eq "unikraft/firecracker: argv --no-api --config-file <state>/firecracker.json (its seccomp on by default)" \
  "--no-api --config-file $ROOT/fc1/firecracker.json" "$(recargv firecracker)"
expect_eq "unikraft/firecracker: environment is PATH only" \
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$(recval firecracker env)"
expect_eq "unikraft/firecracker: mem_size_mib = 200 MiB limit - 16 MiB overhead" 184 "$(fcfield machine-config.mem_size_mib)"
expect_eq "unikraft/firecracker: vcpu_count = ceil(quota/period) = 2" 2 "$(fcfield machine-config.vcpu_count)"
expect_eq "unikraft/firecracker: kernel_image_path is the kernel in the bundle" "\"$T/b-fc1/rootfs/unikernel/hello.pvh\"" \
  "$(fcfield boot-source.kernel_image_path)"
expect_eq "unikraft/firecracker: boot_args in the unikraft dialect (env.vars, '--')" \
  '"hello env.vars=PATH=/bin env.vars=K=V -- alpha exit=3"' "$(fcfield boot-source.boot_args)"
expect_eq "unikraft/firecracker: no NIC, no drive" "[] []" \
  "$(fcfield network-interfaces) $(fcfield drives)"

B_HV=firecracker B_ARGS='["hello", "sleep=forever"]' make_bundle "$T/b-fc2" "$PVH"
standin_lifecycle fc2 firecracker

section "stand-in: linux/firecracker"
mkdir -p "$T/b-fc3/rootfs/boot"
head -c 4096 /dev/urandom >"$T/b-fc3/rootfs/boot/initrd.img"
truncate -s 4M "$T/b-fc3/rootfs/boot/disk.ext4"
B_TYPE=linux B_HV=firecracker B_BIN=/boot/vmlinux B_ARGS='["/bin/guest", "exit", "exit=5"]' B_ENV='["FOO=bar"]' \
  B_ANNOT="$(b64k initrd /boot/initrd.img), $(b64k block /boot/disk.ext4)" make_bundle "$T/b-fc3" "$PVH"
standin_run fc3 firecracker
expect_eq "linux/firecracker: run status 5, checks ok" "5 ok" "$RC $(recval firecracker check)"
expect_eq "linux/firecracker: initrd_path" "\"$T/b-fc3/rootfs/boot/initrd.img\"" "$(fcfield boot-source.initrd_path)"
expect_eq "linux/firecracker: the block image is a drive (read-write, not firecracker's root)" \
  "\"$T/b-fc3/rootfs/boot/disk.ext4\" false false" \
  "$(fcfield drives.0.path_on_host) $(fcfield drives.0.is_read_only) $(fcfield drives.0.is_root_device)"
expect_eq "linux/firecracker: boot_args: block root, env, init= last before '--'" \
  '"panic=-1 console=ttyS0 reboot=k pci=off root=/dev/vda rw FOO=bar init=/bin/guest -- exit exit=5"' \
  "$(fcfield boot-source.boot_args)"

# While a networked stand-in runs: the tap urunc made is attached by the
# stand-in by name (TUNSETIFF), i.e. urunc let go of it and kept it.
net_running() {
  local id=$1 mon=$2 tap
  tap=$(recval "$mon" tap | sed 's/.*=//')
  expect_match "$id: the monitor got the tap by name" '^urt[0-9a-f]{12}$' "$tap"
  expect_eq "$id: that tap exists in the container's netns" "$tap" "$(taps_in "$S")"
  check "$id: the stand-in attached it by name" grep -q "^record: ok: tap '$tap' attached by name" "$REC"
  NET_TAP=$tap
}
net_after() {
  expect_eq "$1: after delete no tap is left in the netns" "" "$(taps_in "$S")"
  expect_eq "$1: after delete no ingress qdisc is left on eth0" "" "$(tc -n "$S" qdisc show dev eth0 ingress)"
}

section "stand-in: unikraft/firecracker networked"
B_HV=firecracker B_NS="$NS_NET" B_ENV='[]' B_ARGS='["hello", "sleep=forever"]' make_bundle "$T/b-fcnet" "$PVH"
standin_lifecycle fcnet firecracker net_running
expect_eq "fcnet: network-interfaces: eth0, the veth's MAC, the tap" \
  "\"eth0\" \"$MAC\" \"$NET_TAP\"" \
  "$(fcfield network-interfaces.0.iface_id) $(fcfield network-interfaces.0.guest_mac) $(fcfield network-interfaces.0.host_dev_name)"
expect_eq "fcnet: boot_args carry netdev.ip=<ip>/<prefix>:<gw>" \
  "\"hello netdev.ip=$IP/24:$GW -- sleep=forever\"" "$(fcfield boot-source.boot_args)"
net_after fcnet

# --- solo5: rumprun and mirage on spt (and hvt with KVM) ------------------------------
solo5_cases() { # HV MONITOR-FILE
  local hv=$1 mon=$2
  section "stand-in: rumprun/$hv"
  mkdir -p "$T/b-rump$hv/rootfs/data"
  truncate -s 1M "$T/b-rump$hv/rootfs/data/disk.img"
  B_TYPE=rumprun B_HV=$hv B_RES=$RES B_ARGS='["hello", "a b", "exit=4"]' B_ENV='["K=V"]' \
    B_ANNOT="$(b64k block /data/disk.img), $(b64k blkMntPoint /data)" B_BIN=/unikernel/rumprun.solo5 \
    make_bundle "$T/b-rump$hv" "$SOLO5_DIR/rumprun-blk.$hv"
  standin_run rump$hv "$mon"
  expect_eq "rumprun/$hv: run status 4 (solo5 passes the guest's status), checks ok" "4 ok" "$RC $(recval "$mon" check)"
  expect_match "rumprun/$hv: the monitor's banner on stdout" "^urunc-stand-in: $mon" "$OUT"
  expect_eq "rumprun/$hv: argv --mem=<MiB> --block:rootfs=<image> <kernel> <json>" \
    "--mem=192 --block:rootfs=$T/b-rump$hv/rootfs/data/disk.img $T/b-rump$hv/rootfs/unikernel/rumprun.solo5 {\"cmdline\":\"hello 'a b' exit=4\",\"env\":\"K=V\",\"blk\":{\"source\":\"etfs\",\"path\":\"/dev/ld0a\",\"fstype\":\"blk\",\"mountpoint\":\"/data\"}}" \
    "$(recargv "$mon")"
  expect_eq "rumprun/$hv: the configuration is a valid JSON document" ok "$(recval "$mon" guest-json)"
  expect_eq "rumprun/$hv: the configuration is one word for the tender" 1 "$(recval "$mon" guest-words)"

  B_TYPE=rumprun B_HV=$hv B_NS="$NS_NET" B_ARGS='["hello", "sleep=forever"]' make_bundle "$T/b-rumpnet$hv" "$SOLO5_DIR/rumprun-net.$hv"
  standin_lifecycle rumpnet$hv "$mon" net_running
  expect_eq "rumpnet$hv: --net:tap=<tap> --net-mac:tap=<veth MAC>" \
    "--mem=256 --net:tap=$NET_TAP --net-mac:tap=$MAC" "$(recargv "$mon" | cut -d' ' -f1-3)"
  expect_match "rumpnet$hv: rumprun net config: ukvmif0, static, addr, mask 1, gw" \
    "\"net\":\\{\"if\":\"ukvmif0\",\"cloner\":\"True\",\"type\":\"inet\",\"method\":\"static\",\"addr\":\"$IP\",\"mask\":\"1\",\"gw\":\"$GW\"\\}" \
    "$(recval "$mon" cmdline)"
  net_after rumpnet$hv

  section "stand-in: mirage/$hv"
  mkdir -p "$T/b-mir$hv/rootfs/data"
  truncate -s 1M "$T/b-mir$hv/rootfs/data/store.img"
  B_TYPE=mirage B_HV=$hv B_NS="$NS_NET" B_ARGS='["--hello=yes", "exit=6"]' \
    B_ANNOT="$(b64k block /data/store.img)" B_BIN=/unikernel/mirage.solo5 make_bundle "$T/b-mir$hv" "$SOLO5_DIR/mirage.$hv"
  standin_run mir$hv "$mon"
  expect_eq "mirage/$hv networked: run status 6, checks ok" "6 ok" "$RC $(recval "$mon" check)"
  expect_match "mirage/$hv: --net:service=<tap> --net-mac:service=<MAC> --block:storage=<image>" \
    "^--mem=256 --net:service=urt[0-9a-f]{12} --net-mac:service=$MAC --block:storage=$T/b-mir$hv/rootfs/data/store.img $T/b-mir$hv/rootfs/unikernel/mirage.solo5 " \
    "$(recargv "$mon")"
  expect_eq "mirage/$hv: guest arguments --ipv4=<ip>/<prefix> --ipv4-gateway=<gw> <args>" \
    "--ipv4=$IP/24 --ipv4-gateway=$GW --hello=yes exit=6" "$(recval "$mon" cmdline)"
  net_after mir$hv

  B_TYPE=mirage B_HV=$hv B_ARGS='["sleep=forever"]' make_bundle "$T/b-mirlife$hv" "$SOLO5_DIR/hello.$hv"
  standin_lifecycle mirlife$hv "$mon"
}
solo5_cases spt solo5-spt

section "stand-in: hvt"
if [ "$KVM" = yes ]; then
  solo5_cases hvt solo5-hvt
else
  B_TYPE=rumprun B_HV=hvt make_bundle "$T/b-hvt" "$SOLO5_DIR/hello.hvt"
  err=$(u create --bundle "$T/b-hvt" hvt 2>&1); rc=$?
  check "hvt without /dev/kvm: create fails" test "$rc" -ne 0
  expect_match "  ... saying hvt needs KVM and spt runs without" "hvt needs KVM, which is not in use \\(use spt without KVM\\)" "$err"
  expect_eq "  ... and leaves nothing behind" "" "$(left_behind hvt)"
  skip "rumprun/hvt and mirage/hvt through the stand-in" "no /dev/kvm on this machine: urunc refuses hvt at create (checked above); the same solo5 builder is covered by spt"
fi

# --- 5. Solo5 manifests and the tenders' seccomp policies ------------------------------
# recargs: the stand-in's argv from 1 on, one element a line (compared as an array).
recargs() { sed -n 's/^record: argv\[[1-9][0-9]*\]: //p' "$REC" 2>/dev/null; }
# create_fails ID NAME: create of $T/b-ID fails; $ERR holds its stderr; nothing is left.
create_fails() {
  ERR=$(u create --bundle "$T/b-$1" "$1" 2>&1); local rc=$?
  check "$2: create fails" test "$rc" -ne 0
  expect_eq "  ... and leaves nothing behind" "" "$(left_behind "$1")"
}
section "stand-in: solo5 manifests"
# custom.spt declares block diskA, then NIC uplink0: that order, those names.
mkdir -p "$T/b-s5custom/rootfs/data"
truncate -s 1M "$T/b-s5custom/rootfs/data/d.img"
B_TYPE=mirage B_HV=spt B_NS="$NS_NET" B_ARGS='["--x=1", "exit=5"]' B_ANNOT="$(b64k block /data/d.img)" \
  make_bundle "$T/b-s5custom" "$SOLO5_DIR/custom.spt"
standin_run s5custom solo5-spt
expect_eq "custom manifest: run status 5, the stand-in's checks (every declared device attached) pass" "5 ok" \
  "$RC $(recval solo5-spt check)"
tap=$(recval solo5-spt tap | sed 's/.*=//')
expect_eq "custom manifest: argv is --mem, the block and the NIC in declared order with declared names, kernel, args" \
  "--mem=256
--block:diskA=$T/b-s5custom/rootfs/data/d.img
--net:uplink0=$tap
--net-mac:uplink0=$MAC
$T/b-s5custom/rootfs/unikernel/custom.spt
--ipv4=$IP/24 --ipv4-gateway=$GW --x=1 exit=5" "$(recargs)"
expect_eq "custom manifest: the stand-in read the same manifest" "block diskA
net uplink0" "$(recval solo5-spt manifest)"
net_after s5custom

# The annotations: naming declared devices is fine; an undeclared one is refused.
B_TYPE=mirage B_HV=spt B_NS="$NS_NET" B_ARGS='["exit=0"]' \
  B_ANNOT="$(b64k block /data/d.img), $(b64k solo5NetDev uplink0), $(b64k solo5BlkDev diskA)" \
  make_bundle "$T/b-s5annot" "$SOLO5_DIR/custom.spt"
mkdir -p "$T/b-s5annot/rootfs/data" && cp "$T/b-s5custom/rootfs/data/d.img" "$T/b-s5annot/rootfs/data/"
standin_run s5annot solo5-spt
expect_eq "solo5NetDev=uplink0, solo5BlkDev=diskA: run status 0, checks ok" "0 ok" "$RC $(recval solo5-spt check)"
expect_match "  ... the devices under those names" "^--mem=256 --block:diskA=[^ ]*/d.img --net:uplink0=urt[0-9a-f]{12} " \
  "$(recargv solo5-spt)"
net_after s5annot
B_TYPE=mirage B_HV=spt B_NS="$NS_NET" B_ANNOT="$(b64k block /data/d.img), $(b64k solo5BlkDev uplink0)" \
  make_bundle "$T/b-s5badannot" "$SOLO5_DIR/custom.spt"
mkdir -p "$T/b-s5badannot/rootfs/data" && cp "$T/b-s5custom/rootfs/data/d.img" "$T/b-s5badannot/rootfs/data/"
create_fails s5badannot "solo5BlkDev naming the NIC"
expect_match "  ... naming the key, the value, the kernel and what it declares" \
  "com.urunc.unikernel.solo5BlkDev = 'uplink0': kernel '[^']*/custom.spt' declares no block device 'uplink0' in its Solo5 manifest \\(it declares block 'diskA', net 'uplink0'\\)" "$ERR"
B_TYPE=mirage B_HV=spt B_ANNOT="$(b64k solo5NetDev 'bad name')" make_bundle "$T/b-s5badname" "$SOLO5_DIR/hello.spt"
create_fails s5badname "solo5NetDev with a blank"
expect_match "  ... naming the key and the value" \
  "annotation 'com.urunc.unikernel.solo5NetDev': 'bad name' \\(decoded from '[^']*'\\) is not a Solo5 device name" "$ERR"

# Fewer devices than the manifest declares.
B_TYPE=mirage B_HV=spt B_NS="$NS_NET" make_bundle "$T/b-s5two" "$SOLO5_DIR/net2if.spt"
create_fails s5two "two NICs declared (solo5's test_net_2if), one offered"
expect_match "  ... naming the devices and the kernel" \
  "kernel '[^']*/net2if.spt' declares 2 network devices in its Solo5 manifest \\(net 'service0', net 'service1'\\) and the container offers one NIC: solo5-spt starts only with every declared device attached" "$ERR"
B_TYPE=rumprun B_HV=spt make_bundle "$T/b-s5nonet" "$SOLO5_DIR/rumprun-net.spt"
create_fails s5nonet "a NIC declared, no network namespace"
expect_match "  ... saying why none is offered" \
  "rumprun guest on spt: kernel '[^']*/rumprun-net.spt' declares 1 network device in its Solo5 manifest \\(net 'tap'\\) and the container offers none \\(no network namespace of its own in config.json\\)" "$ERR"
# A network namespace without an IPv4 interface: create passes (the NIC is
# only known at start), start fails saying why.
E=urmon-e$$
ip netns add "$E"
B_TYPE=rumprun B_HV=spt B_NS="[$NS_BASE, {\"type\": \"network\", \"path\": \"/var/run/netns/$E\"}]" \
  make_bundle "$T/b-s5noip" "$SOLO5_DIR/rumprun-net.spt"
u create --bundle "$T/b-s5noip" s5noip >/dev/null 2>"$T/s5noip.err" </dev/null; rc=$?
expect_eq "a NIC declared, a network namespace without IPv4: create passes" 0 "$rc"
ERR=$(u start s5noip 2>&1 </dev/null); rc=$?
check "  ... start fails" test "$rc" -ne 0
expect_match "  ... saying the namespace has no IPv4 interface" \
  "kernel '[^']*/rumprun-net.spt' declares 1 network device in its Solo5 manifest \\(net 'tap'\\) and the container offers none \\(no interface with an IPv4 address in its network namespace\\)" "$ERR"
u delete --force s5noip >/dev/null 2>&1
expect_eq "  ... and delete leaves nothing behind" "" "$(left_behind s5noip)"
ip netns del "$E"
B_TYPE=rumprun B_HV=spt make_bundle "$T/b-s5noblk" "$SOLO5_DIR/rumprun-blk.spt"
create_fails s5noblk "a block device declared, no block image"
expect_match "  ... naming the device, the kernel and the key" \
  "kernel '[^']*/rumprun-blk.spt' declares 1 block device in its Solo5 manifest \\(block 'rootfs'\\) and the container offers 0 \\(com.urunc.unikernel.block\\)" "$ERR"

# A kernel built for the other target.
B_TYPE=mirage B_HV=spt make_bundle "$T/b-s5target" "$SOLO5_DIR/hello.hvt"
create_fails s5target "an hvt kernel handed to spt"
expect_match "  ... naming both targets and the keys" \
  "mirage guest on spt: kernel '[^']*/hello.hvt' \\(com.urunc.unikernel.binary\\) is built for the Solo5 hvt target, not for spt \\(com.urunc.unikernel.hypervisor = 'spt'\\): run it with hvt" "$ERR"
if [ "$KVM" = yes ]; then
  B_TYPE=mirage B_HV=hvt make_bundle "$T/b-s5target2" "$SOLO5_DIR/hello.spt"
  create_fails s5target2 "an spt kernel handed to hvt"
  expect_match "  ... naming both targets" "is built for the Solo5 spt target, not for hvt" "$ERR"
else
  skip "an spt kernel handed to hvt" "no /dev/kvm on this machine: urunc refuses hvt for that first (checked above)"
fi

section "stand-in: solo5 tenders under the seccomp policies"
SECCOMP='"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": []}'
sc_cases() { # HV
  local hv=$1 mon=solo5-$1
  B_TYPE=mirage B_HV=$hv B_LINUX="$SECCOMP" B_ARGS='["exit=3"]' make_bundle "$T/b-sc$hv" "$SOLO5_DIR/hello.$hv"
  standin_run sc$hv "$mon"
  expect_eq "$hv.policy: the tender stand-in (no devices) runs filtered to its end: status 3, seccomp mode 2, tender syscalls ok" \
    "3 2 ok" "$RC $(recval "$mon" seccomp-mode) $(recval "$mon" tender-syscalls)"
  mkdir -p "$T/b-scnet$hv/rootfs/data"
  truncate -s 1M "$T/b-scnet$hv/rootfs/data/store.img"
  B_TYPE=mirage B_HV=$hv B_LINUX="$SECCOMP" B_NS="$NS_NET" B_ARGS='["exit=4"]' \
    B_ANNOT="$(b64k block /data/store.img)" make_bundle "$T/b-scnet$hv" "$SOLO5_DIR/mirage.$hv"
  standin_run scnet$hv "$mon"
  expect_eq "$hv.policy: with a NIC and a block device (getifaddrs, SIOCGIFMTU$([ "$hv" = hvt ] && echo ', eventfd, a thread')): status 4, tender syscalls ok" \
    "4 2 ok" "$RC $(recval "$mon" seccomp-mode) $(recval "$mon" tender-syscalls)"
  expect_eq "  ... the MTU read from the tap" 1500 "$(recval "$mon" tap-mtu)"
  net_after scnet$hv
  # The check bites: without personality in the policy the stand-in dies as the real tender did.
  mkdir -p "$T/pol-$hv"
  cp "$POLICY_DIR"/*.policy "$T/pol-$hv/"
  sed -i '/^personality/d' "$T/pol-$hv/$hv.policy"
  sed "s#^policy_dir = .*#policy_dir = \"$T/pol-$hv\"#" "$URUNC_CONFIG" >"$T/pol-$hv.toml"
  REC=$T/scbad$hv.err
  OUT=$(URUNC_CONFIG=$T/pol-$hv.toml u run --bundle "$T/b-sc$hv" scbad$hv 2>"$REC"); RC=$?
  expect_eq "$hv.policy without personality: the stand-in is killed by SIGSYS (159), as solo5-$hv was" 159 "$RC"
}
if [ "$HAVE_SECCOMP" = 1 ]; then
  sc_cases spt
  if [ "$KVM" = yes ]; then sc_cases hvt; else skip "hvt.policy with the stand-in" "no /dev/kvm on this machine: urunc refuses hvt"; fi
else
  skip "spt.policy and hvt.policy with the stand-in" "urunc built without seccomp"
fi

section "stand-in: linux/cloud-hypervisor"
mkdir -p "$T/b-ch1/rootfs/boot"
head -c 4096 /dev/urandom >"$T/b-ch1/rootfs/boot/initrd.img"
truncate -s 4M "$T/b-ch1/rootfs/boot/disk.ext4"
B_TYPE=linux B_HV=cloud-hypervisor B_BIN=/boot/vmlinux B_RES=$RES B_ARGS='["/bin/guest", "exit=2"]' B_ENV='["A=1"]' \
  B_ANNOT="$(b64k initrd /boot/initrd.img), $(b64k block /boot/disk.ext4)" make_bundle "$T/b-ch1" "$PVH"
standin_run ch1 cloud-hypervisor
expect_eq "linux/cloud-hypervisor: run status 2, checks ok" "2 ok" "$RC $(recval cloud-hypervisor check)"
expect_eq "linux/cloud-hypervisor: argv (kernel, initramfs, cmdline, cpus, memory MiB, disk, serial)" \
  "--kernel $T/b-ch1/rootfs/boot/vmlinux --initramfs $T/b-ch1/rootfs/boot/initrd.img --cmdline panic=-1 console=ttyS0 root=/dev/vda rw A=1 init=/bin/guest -- exit=2 --cpus boot=2 --memory size=168M --disk path=$T/b-ch1/rootfs/boot/disk.ext4 --console off --serial tty" \
  "$(recargv cloud-hypervisor)"

B_TYPE=linux B_HV=cloud-hypervisor B_NS="$NS_NET" B_ENV='[]' B_ARGS='["/bin/guest", "sleep=forever"]' make_bundle "$T/b-chnet" "$PVH"
standin_lifecycle chnet cloud-hypervisor net_running
expect_eq "chnet: --net tap=<tap>,mac=<veth MAC>" "tap=$NET_TAP,mac=$MAC" \
  "$(recargv cloud-hypervisor | sed -n 's/.* --net \([^ ]*\) .*/\1/p')"
expect_match "chnet: cmdline has ip=<ip>::<gw>:<mask>:<hostname>:eth0:off" \
  "ip=$IP::$GW:255.255.255.0:urunc-test:eth0:off init=/bin/guest -- sleep=forever" "$(recval cloud-hypervisor cmdline)"
net_after chnet

# --- 2. real QEMU: every pair that runs here -------------------------------------------
# qemu_run ID: run $T/b-ID in the foreground; console in $T/ID.out, status in RC.
qemu_run() {
  local t0; t0=$(now_ms)
  u run --bundle "$T/b-$1" "$1" >"$T/$1.out" 2>"$T/$1.err"; RC=$?
  diag "$1: status $RC in $(($(now_ms) - t0)) ms"
}
console() { tr -d '\r' <"$T/$1.out"; }
line_of() { console "$1" | sed -n "s/^$2: //p" | head -1; }
# qemu_start ID: create and start $T/b-ID in the background (console in $T/ID.out).
qemu_start() {
  u create --bundle "$T/b-$1" "$1" >"$T/$1.out" 2>"$T/$1.err" && u start "$1" 2>>"$T/$1.err"
}
ping_guest() { ip netns exec "$C" busybox ping -c 2 -w 10 "$IP" 2>&1 | grep -q ' 0% packet loss'; }

if [ "$HAVE_QEMU" = no ]; then
  skip "real QEMU runs" "qemu-system-x86_64 is not installed"
else
  section "qemu: unikraft PVH"
  B_ARGS='["hello", "alpha", "beta gamma", "exit=3"]' B_ENV='["K=V"]' make_bundle "$T/b-uk1" "$PVH"
  qemu_run uk1
  expect_eq "unikraft/qemu PVH: guest exit 3 -> status 7 (2N+1)" 7 "$RC"
  expect_eq "unikraft/qemu PVH: the command line in the unikraft dialect" \
    "hello env.vars=K=V -- alpha 'beta gamma' exit=3" "$(line_of uk1 cmdline)"
  expect_eq "unikraft/qemu PVH: guest RAM = default_memory_mb" "96 MiB" "$(line_of uk1 mem)"

  section "qemu: unikraft multiboot"
  B_ARGS='["hello", "alpha"]' B_ANNOT='"com.urunc.unikernel.unikernelVersion": "MC4xNS4w"' make_bundle "$T/b-uk2" "$MB"
  qemu_run uk2
  expect_eq "unikraft/qemu multiboot (pc): status 0" 0 "$RC"
  expect_match "unikraft/qemu multiboot: banner" '^urunc-test-guest: hello \(multiboot\)' "$(console uk2)"
  expect_eq "unikraft/qemu multiboot: command line (QEMU puts the kernel path first)" \
    "$T/b-uk2/rootfs/unikernel/hello.multiboot hello -- alpha" "$(line_of uk2 cmdline)"

  section "qemu: unikraft PVH, net + block on microvm"
  truncate -s 1M "$T/b-uk3.img"
  mkdir -p "$T/b-uk3/rootfs/data" && cp "$T/b-uk3.img" "$T/b-uk3/rootfs/data/disk.img"
  B_NS="$NS_NET" B_ENV='[]' B_ARGS='["hello", "alpha", "exit=2"]' B_ANNOT="$(b64k block /data/disk.img)" make_bundle "$T/b-uk3" "$PVH"
  qemu_run uk3
  expect_eq "unikraft/qemu net+block: status 5" 5 "$RC"
  cmd=$(line_of uk3 cmdline)
  expect_eq "unikraft/qemu net+block: virtio_mmio.device words before '--', nothing after the args" \
    "hello netdev.ip=$IP/24:$GW virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11 -- alpha exit=2" "$cmd"
  # The same devices with QEMU writing the words itself: they must agree.
  qemu_words=$(timeout 60 qemu-system-x86_64 -accel tcg -nodefaults -no-user-config -display none -no-reboot \
    -M microvm,x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off -m 64 -serial stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -netdev hubport,id=n0,hubid=0 -device virtio-net-device,netdev=n0 \
    -drive file="$T/b-uk3.img",format=raw,if=none,id=b0 -device virtio-blk-device,drive=b0 \
    -kernel "$PVH" -append "x" </dev/null 2>&1 | sed -n 's/^cmdline: x //p')
  expect_eq "unikraft/qemu net+block: the words are those QEMU itself writes" \
    "virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11" "$qemu_words"
  expect_eq "unikraft/qemu net+block: no tap left" "" "$(taps_in "$S")"

  # net.pvh: brings its NIC up from each dialect's parameters; ping it.
  net_case() { # ID GUEST ARGS-JSON EXPECTED-CMDLINE [ANNOT]
    local id=$1 i
    B_TYPE=$2 B_NS="$NS_NET" B_ENV='[]' B_ARGS=$3 B_ANNOT=${5:-} make_bundle "$T/b-$id" "$NETPVH"
    local t0; t0=$(now_ms)
    qemu_start "$id"
    wait_for 60 grep -q '^net: \(ready\|error\)' "$T/$id.out"
    diag "$id: net ready after $(($(now_ms) - t0)) ms"
    expect_eq "$2/qemu (net.pvh): command line" "$4" "$(line_of "$id" cmdline)"
    expect_eq "$2/qemu (net.pvh): the guest configured its NIC from that dialect" \
      "ip=$IP/24 gw=$GW mac=$MAC" "$(console "$id" | sed -n 's/^net: \(ip=.*\)/\1/p')"
    check "$2/qemu (net.pvh): ping $IP from the peer namespace" ping_guest
    u kill "$id" KILL
    wait_for 10 is_status "$id" stopped
    u delete "$id"
    expect_eq "$2/qemu (net.pvh): nothing left (container, tap)" "" "$(left_behind "$id")$(taps_in "$S")"
  }
  section "qemu: net.pvh unikraft + block"
  mkdir -p "$T/b-nuk/rootfs/data" && truncate -s 1M "$T/b-nuk/rootfs/data/disk.img"
  net_case nuk unikraft '["net", "alpha"]' \
    "net netdev.ip=$IP/24:$GW virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11 -- alpha" \
    "$(b64k block /data/disk.img)"
  section "qemu: net.pvh mirage"
  net_case nmir mirage '["--color=never"]' "--ipv4=$IP/24 --ipv4-gateway=$GW --color=never virtio_mmio.device=512@0xfeb00e00:12"
  section "qemu: net.pvh mewz"
  net_case nmewz mewz '["ignored"]' "ip=$IP/24 gateway=$GW virtio_mmio.device=512@0xfeb00e00:12"

  section "qemu: hermit (multiboot, pc)"
  B_TYPE=hermit B_NS="$NS_NET" B_ARGS='["hello", "exit=2"]' B_ENV='["RUST_LOG=info"]' make_bundle "$T/b-herm" "$MB"
  qemu_run herm
  expect_eq "hermit/qemu: status 5 (exit=2 through isa-debug-exit)" 5 "$RC"
  expect_eq "hermit/qemu: env=HERMIT_IP/GATEWAY/MASK, env=K=V, then '--' and the whole argv" \
    "$T/b-herm/rootfs/unikernel/hello.multiboot env=HERMIT_IP=$IP env=HERMIT_GATEWAY=$GW env=HERMIT_MASK=255.255.255.0 env=RUST_LOG=info -- hello exit=2" \
    "$(line_of herm cmdline)"

  # --- linux with the Debian kernel ------------------------------------------------
  section "linux kit"
  if ! bash "$LINUX_BUILD" "$LINUX_DIR" >"$T/linux-build.log" 2>&1; then
    skip "linux/qemu (initrd, block root)" "the Debian kernel test guest could not be built: $(tail -1 "$T/linux-build.log")"
  else
    K=$LINUX_DIR/vmlinux KB=/boot/vmlinux
    [ -s "$K" ] || { K=$LINUX_DIR/bzImage KB=/boot/bzImage; }
    LRES='{"memory": {"limit": 536870912}}'
    LANNOT='"com.urunc.accel": "tcg"'
    section "qemu: linux initrd"
    mkdir -p "$T/b-lx1/rootfs/boot" && cp "$LINUX_DIR/initrd.img" "$T/b-lx1/rootfs/boot/"
    B_TYPE=linux B_BIN=$KB B_RES=$LRES B_ARGS='["/bin/guest", "exit", "3"]' B_ENV='["FOO=bar", "Q=v w"]' \
      B_ANNOT="$LANNOT, $(b64k initrd /boot/initrd.img)" make_bundle "$T/b-lx1" "$K"
    qemu_run lx1
    expect_eq "linux/qemu initrd: /bin/guest exit 3 -> status 7" 7 "$RC"
    expect_eq "linux/qemu initrd: argv" "/bin/guest|exit 3" "$(line_of lx1 argv0)|$(line_of lx1 args)"
    console lx1 | grep -q '^env: FOO=bar$' && console lx1 | grep -q '^env: Q=v w$'
    check "linux/qemu initrd: env FOO=bar and 'Q=v w' (a value with a blank) reach init" test $? = 0
    expect_eq "linux/qemu initrd: exit line" "urunc-linux-guest: exit 3" "$(console lx1 | grep -m1 '^urunc-linux-guest: exit')"

    section "qemu: linux block root"
    mkdir -p "$T/b-lx2/rootfs/boot" && cp "$LINUX_DIR/initrd.img" "$T/b-lx2/rootfs/boot/" &&
      cp --sparse=always "$LINUX_DIR/rootfs.ext4" "$T/b-lx2/rootfs/boot/rootfs.ext4"
    B_TYPE=linux B_BIN=$KB B_RES=$LRES B_ARGS='["/bin/guest", "sh", "-c", "grep '"'"' / '"'"' /proc/mounts; test -e /etc/urunc-guest/initrd || exit 3"]' \
      B_ENV='["FOO=bar"]' \
      B_ANNOT="$LANNOT, $(b64k initrd /boot/initrd.img), $(b64k block /boot/rootfs.ext4)" make_bundle "$T/b-lx2" "$K"
    qemu_run lx2
    expect_eq "linux/qemu block root: the program ran from the block device (not the initrd): status 7" 7 "$RC"
    expect_match "linux/qemu block root: / is /dev/vda, ext4, read-write" '^/dev/vda / ext4 rw' "$(console lx2)"
    expect_eq "linux/qemu block root: env" "FOO=bar" "$(console lx2 | sed -n 's/^env: \(FOO=.*\)/\1/p')"
  fi
fi

# --- 3. the real firecracker, solo5 and cloud-hypervisor, when installed ----------------
real_bin() { # VAR NAME: the binary from $VAR, else $PATH, else ""
  local v=${!1:-}
  if [ -n "$v" ]; then [ -x "$v" ] && echo "$v"; else command -v "$2" 2>/dev/null; fi
}
real_config() { # MONITOR BINARY
  printf '[monitors.%s]\nbinary_path = "%s"\n' "$1" "$2" >"$T/real-$1.toml"
}
section "real monitors"
FC=$(real_bin URUNC_TEST_FIRECRACKER firecracker)
if [ -z "$FC" ]; then
  skip "real firecracker: unikraft PVH hello, linux vmlinux + initrd" "firecracker is not installed on this machine (set URUNC_TEST_FIRECRACKER=/path or put it in \$PATH)"
elif [ "$KVM" = no ]; then
  skip "real firecracker ($FC)" "no /dev/kvm on this machine: firecracker needs KVM"
else
  real_config firecracker "$FC"
  B_HV=firecracker B_ARGS='["hello", "real"]' make_bundle "$T/b-rfc1" "$PVH"
  URUNC_CONFIG=$T/real-firecracker.toml qemu_run rfc1
  expect_match "real firecracker: unikraft PVH hello boots, prints its command line" '^cmdline: hello env\.vars=PATH=/usr/bin:/bin -- real( |$)' "$(console rfc1)"
  expect_eq "real firecracker: a guest reset ends firecracker with status 0" 0 "$RC"
  if [ -s "$LINUX_DIR/vmlinux" ]; then
    mkdir -p "$T/b-rfc2/rootfs/boot" && cp "$LINUX_DIR/initrd.img" "$T/b-rfc2/rootfs/boot/"
    B_TYPE=linux B_HV=firecracker B_BIN=/boot/vmlinux B_RES='{"memory": {"limit": 536870912}}' \
      B_ARGS='["/bin/guest", "exit", "0"]' B_ANNOT="$(b64k initrd /boot/initrd.img)" make_bundle "$T/b-rfc2" "$LINUX_DIR/vmlinux"
    URUNC_CONFIG=$T/real-firecracker.toml qemu_run rfc2
    expect_match "real firecracker: linux vmlinux + initrd reaches /bin/guest" '^urunc-linux-guest: up' "$(console rfc2)"
  else
    skip "real firecracker: linux" "no PVH vmlinux from the Debian kernel kit"
  fi
fi

CH=$(real_bin URUNC_TEST_CLOUD_HYPERVISOR cloud-hypervisor)
if [ -z "$CH" ]; then
  skip "real cloud-hypervisor: linux vmlinux + initrd" "cloud-hypervisor is not installed on this machine (set URUNC_TEST_CLOUD_HYPERVISOR=/path or put it in \$PATH)"
elif [ "$KVM" = no ]; then
  skip "real cloud-hypervisor ($CH)" "no /dev/kvm on this machine: cloud-hypervisor needs KVM"
elif [ ! -s "$LINUX_DIR/vmlinux" ]; then
  skip "real cloud-hypervisor" "no PVH vmlinux from the Debian kernel kit"
else
  real_config cloud-hypervisor "$CH"
  mkdir -p "$T/b-rch/rootfs/boot" && cp "$LINUX_DIR/initrd.img" "$T/b-rch/rootfs/boot/"
  B_TYPE=linux B_HV=cloud-hypervisor B_BIN=/boot/vmlinux B_RES='{"memory": {"limit": 536870912}}' \
    B_ARGS='["/bin/guest", "exit", "0"]' B_ANNOT="$(b64k initrd /boot/initrd.img)" make_bundle "$T/b-rch" "$LINUX_DIR/vmlinux"
  URUNC_CONFIG=$T/real-cloud-hypervisor.toml qemu_run rch
  expect_match "real cloud-hypervisor: linux vmlinux + initrd reaches /bin/guest" '^urunc-linux-guest: up' "$(console rch)"
fi

for t in hvt:solo5-hvt:URUNC_TEST_SOLO5_HVT spt:solo5-spt:URUNC_TEST_SOLO5_SPT; do
  IFS=: read -r hv name var <<<"$t"
  SB=$(real_bin "$var" "$name")
  if [ -z "$SB" ]; then
    skip "real $name" "$name is not installed on this machine (set $var=/path or put it in \$PATH)"
  elif [ "$hv" = hvt ] && [ "$KVM" = no ]; then
    skip "real $name ($SB)" "no /dev/kvm on this machine: solo5-hvt needs KVM"
  else
    kvar=URUNC_TEST_SOLO5_$(echo "$hv" | tr a-z A-Z)_KERNEL
    if [ -z "${!kvar:-}" ]; then
      skip "real $name ($SB)" "no solo5 unikernel to boot: set $kvar to a solo5 hello built for $hv, e.g. solo5's test_hello.$hv"
    else
      real_config "$hv" "$SB"
      B_TYPE=mirage B_HV=$hv B_ARGS='["hello-from-urunc"]' make_bundle "$T/b-r$hv" "${!kvar}"
      URUNC_CONFIG=$T/real-$hv.toml qemu_run "r$hv"
      expect_match "real $name: the solo5 guest boots (its banner on the console)" 'Solo5' "$(console "r$hv")"
    fi
  fi
done

section done
diag "total: $(($(now_ms) - T0)) ms"
tap_done
