#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Root test of issue 4 end to end through urunc: unikernels reachable on the
# IP of the network namespace they run in (COMPAT.md §5), with real QEMU
# (KVM when usable, else TCG).
#
# Usage: network.sh URUNC NET_PVH HELLO_PVH LINUX_KIT_DIR
#   LINUX_KIT_DIR: the Linux guest kit (tests/guests/linux/build.sh output);
#   build.sh is run on it first (a no-op when it is up to date).
#
# Topology (names carry this shell's pid; all removed on exit):
#   netns $P  "pod", like a CNI leaves it: eth0 $IP/24 (fixed MAC $MAC,
#             MTU 1400), default route via $GW.
#   netns $C  "client": the veth's other end $GW/24; and, for the hook case,
#             $HK_C ($HK_GW/24) whose peer a createRuntime hook moves into a
#             new namespace.
# Traffic only goes between namespaces this script created.
#
#  1. net.pvh (unikraft dialect) in the joined pod namespace: console shows
#     the veth's IP/prefix/gateway/MAC, ping + HTTP from the client, tap and
#     ingress qdiscs + u32/mirred filters while it runs, nothing after
#     delete --force, the veth keeps its address.
#  2. A second unikernel in the same namespace: start fails with "already
#     serves", nothing of it is left, the first keeps serving.
#     A start that fails after the network setup (startContainer hook)
#     leaves no plumbing; a pod namespace removed while its guest runs does
#     not make delete fail.
#  3. A new namespace without interfaces: the guest boots without a NIC.
#  4. A new namespace plumbed by a createRuntime hook (Docker/CNI style).
#  5. The Debian kernel as a linux guest (TCG), httpd on the pod IP, env.
#  6. DNS: a resolv.conf mount gives the linux guest its nameserver (in a
#     third pod namespace $D, booting side by side with 5.).

set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
for cmd in qemu-system-x86_64 ip tc curl busybox nsenter; do
  command -v "$cmd" >/dev/null || tap_skip_all "$cmd is not installed"
done
[ -c /dev/net/tun ] || tap_skip_all "no /dev/net/tun"

URUNC=${1:?usage: network.sh URUNC NET_PVH HELLO_PVH LINUX_KIT_DIR}
NETPVH=${2:?} HELLO=${3:?} KIT=${4:?}
T=$(mktemp -d /tmp/urunc-network.XXXXXX)
ROOT=$T/root
export URUNC_CONFIG=$T/config.toml
cat >"$URUNC_CONFIG" <<'TOML'
[monitors.qemu]
default_memory_mb = 64
TOML

P=urnw-p$$ C=urnw-c$$
N=$(($$ % 250 + 1))
IP=10.203.$N.2 GW=10.203.$N.1 DNS=10.203.$N.53
MAC=0a:58:0a:cb:$(printf %02x "$N"):02
HK_IP=10.204.$N.2 HK_GW=10.204.$N.1 HK_MAC=0a:58:0a:cc:$(printf %02x "$N"):02
V_C=urnwv$$ V_P=urnwq$$ HK_C=urnwh$$ HK_P=urnwk$$
Q=urnw-q$$ V_C2=urnwg$$ IP2=10.205.$N.2 GW2=10.205.$N.1
D=urnw-d$$ V_C3=urnwd$$ IP3=10.206.$N.2 GW3=10.206.$N.1
# Container ids, unique on the machine (cgroups are looked up by id).
for i in pod1 pod2 pod3 badhook gone nonet hook linux dns; do
  declare "ID_${i^^}=nw$$-$i"
done

u() { "$URUNC" --root "$ROOT" --log "$T/urunc.log" "$@"; }
cleanup() {
  for id in $(u list -q 2>/dev/null); do u delete --force "$id" >/dev/null 2>&1; done
  ip netns del "$P" 2>/dev/null
  ip netns del "$C" 2>/dev/null
  ip netns del "$Q" 2>/dev/null
  ip netns del "$D" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
T0=$(now_ms)
SECTION_T=$T0
section() {
  local t; t=$(now_ms)
  [ -n "${SECTION_NAME:-}" ] && diag "$SECTION_NAME: $((t - SECTION_T)) ms"
  SECTION_NAME=$1 SECTION_T=$t
}

status_of() { u state "$1" 2>/dev/null | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p'; }
is_stopped() { [ "$(status_of "$1")" = stopped ]; }
pid_of() { u state "$1" 2>/dev/null | sed -n 's/.*"pid": \([0-9]*\).*/\1/p'; }
# The tap urunc names for a container id: "urt" + the low 48 bits of the
# 64-bit FNV-1a of the id (src/net/net.h), computed independently here.
tap_of() {
  local s=$1 h=$((0xcbf29ce484222325)) i c
  for ((i = 0; i < ${#s}; i++)); do
    printf -v c '%d' "'${s:i:1}"
    h=$(((h ^ c) * 0x100000001b3))
  done
  printf 'urt%012x' $((h & 0xffffffffffff))
}
# Nothing of a container left on the host: state, process, cgroup.
left_behind() {
  local id=$1 what=""
  [ -e "$ROOT/$id" ] && what="$what state-dir"
  pgrep -f -- "$ROOT/$id/" >/dev/null && what="$what process"
  [ -n "$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" 2>/dev/null)" ] && what="$what cgroup"
  echo "$what"
}
# What urunc added to a namespace: taps, ingress qdiscs, ingress filters.
ns_plumbing() {
  local ns=$1 dev
  ip -n "$ns" -o link show type tun | sed -n 's/^[0-9]*: \([^:@]*\).*/tap \1/p'
  tc -n "$ns" qdisc show | grep ingress
  for dev in $(ip -n "$ns" -o link show | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p'); do
    tc -n "$ns" filter show dev "$dev" ingress | sed "s/^/$dev: /"
  done
}
http() { ip netns exec "$C" curl -sS -m "${2:-5}" "http://$1/" 2>&1; }
ping_ok() { ip netns exec "$C" busybox ping -c 2 -w 10 "$1" 2>&1 | grep -q ' 0% packet loss'; }
console_has() { grep -q -- "$2" "$1" 2>/dev/null; }
NS_POD="{\"type\": \"network\", \"path\": \"/var/run/netns/$P\"}"
NS_BASE='{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}'
printf '# generated by the test\nsearch example.test\nnameserver fd00::53\nnameserver %s\nnameserver 10.9.9.9\n' \
  "$DNS" >"$T/resolv.conf"
MOUNT_RESOLV="\"mounts\": [{\"destination\": \"/etc/resolv.conf\", \"type\": \"bind\",
  \"source\": \"$T/resolv.conf\", \"options\": [\"rbind\", \"ro\"]}]"

# --- the pod namespace, as a CNI plugin leaves it ----------------------------
section "pod setup"
ip netns add "$P" && ip netns add "$C" &&
  ip -n "$C" link add "$V_C" type veth peer name "$V_P" netns "$P" &&
  ip -n "$P" link set "$V_P" name eth0 &&
  ip -n "$P" link set eth0 address "$MAC" mtu 1400 up &&
  ip -n "$P" link set lo up &&
  ip -n "$P" addr add "$IP/24" dev eth0 &&
  ip -n "$P" route add default via "$GW" &&
  ip -n "$C" addr add "$GW/24" dev "$V_C" &&
  ip -n "$C" link set "$V_C" mtu 1400 up
rc=$?
expect_eq "pod namespace $P: eth0 $IP/24 via $GW, peer in $C" 0 "$rc"
[ "$rc" = 0 ] || { tap_done; exit 1; }

# --- 1. net.pvh in the joined pod namespace ---------------------------------
section "unikraft guest in the pod"
TAP1=$(tap_of "$ID_POD1")
B_ARGS='["net"]' B_NS="[$NS_BASE, $NS_POD]" B_EXTRA=$MOUNT_RESOLV make_bundle "$T/b-pod1" "$NETPVH"
u run -d --bundle "$T/b-pod1" "$ID_POD1" >"$T/pod1.out" 2>"$T/pod1.err"; rc=$?
expect_eq "run -d in the joined pod namespace: exit 0" 0 "$rc"
wait_for 30 console_has "$T/pod1.out" '^net: ready'
expect_match "guest console: the veth's IP/prefix, gateway and MAC" \
  "^net: ip=$IP/24 gw=$GW mac=$MAC\$" "$(cat "$T/pod1.out")"
expect_match "unikraft dialect: netdev.ip=<ip>/<prefix>:<gw>:<dns>, DNS = first IPv4 nameserver of the resolv.conf mount" \
  "^cmdline: .*netdev\\.ip=$IP/24:$GW:$DNS( |\$)" "$(cat "$T/pod1.out")"
expect_eq "state: running" running "$(status_of "$ID_POD1")"
check "ping $IP from the client namespace" ping_ok "$IP"
expect_eq "HTTP on the pod IP answered by the guest" "urunc-test-guest net ok" "$(http "$IP")"
expect_match "tap $TAP1 exists in the pod namespace, up, MTU 1400" \
  "mtu 1400 .*state (UP|UNKNOWN).*tun type tap" "$(ip -n "$P" -d -o link show "$TAP1" 2>&1)"
expect_match "ingress qdisc on eth0" "qdisc ingress ffff:" "$(tc -n "$P" qdisc show dev eth0)"
expect_match "ingress qdisc on the tap" "qdisc ingress ffff:" "$(tc -n "$P" qdisc show dev "$TAP1")"
f=$(tc -n "$P" filter show dev eth0 ingress)
expect_match "eth0: u32 match-all filter" "u32 .*" "$f"
expect_match "eth0: mirred egress redirect to the tap" "mirred \\(Egress Redirect to device $TAP1\\)" "$f"
f=$(tc -n "$P" filter show dev "$TAP1" ingress)
expect_match "tap: u32 match-all filter with mirred egress redirect to eth0" \
  "match 00000000/00000000 at 0" "$f"
expect_match "tap: mirred egress redirect to eth0" "mirred \\(Egress Redirect to device eth0\\)" "$f"
expect_eq "the network record names eth0" eth0 "$(cat "$ROOT/${ID_POD1}/network" 2>/dev/null)"

# --- 2. a second unikernel in the same namespace ----------------------------
section "second unikernel in the pod"
TAP2=$(tap_of "$ID_POD2")
B_ARGS='["net"]' B_NS="[$NS_BASE, $NS_POD]" make_bundle "$T/b-pod2" "$NETPVH"
u create --bundle "$T/b-pod2" "$ID_POD2" >"$T/pod2.out" 2>"$T/pod2.err"; rc=$?
expect_eq "create of a second unikernel in the namespace: exit 0 (network is set up at start)" 0 "$rc"
pid2=$(pid_of "$ID_POD2")
# With --log, errors go to the log file only (runc's behaviour; containerd
# shows the last error line of log.json).
"$URUNC" --root "$ROOT" --log "$T/pod2-start.log" --log-format json start "$ID_POD2" >/dev/null 2>&1; rc=$?
err=$(grep '"level":"error"' "$T/pod2-start.log" 2>/dev/null | tail -1)
check "start of the second unikernel fails" test "$rc" != 0
expect_match "... with a clear error in the log" \
  "network namespace already serves a unikernel on 'eth0' \\(tap '$TAP1'\\); one unikernel per network namespace" "$err"
check "... its monitor process (pid ${pid2:-?}) is gone" wait_for 5 sh -c "[ -n '$pid2' ] && ! kill -0 '$pid2' 2>/dev/null"
expect_eq "... status stopped" stopped "$(status_of "$ID_POD2")"
check "... no tap $TAP2 was created" sh -c "! ip -n $P link show $TAP2 >/dev/null 2>&1"
check "... no network record" test ! -e "$ROOT/${ID_POD2}/network"
expect_eq "the first one's redirect is intact (one redirect on eth0, to $TAP1)" 1 \
  "$(tc -n "$P" filter show dev eth0 ingress | grep -c "Egress Redirect to device $TAP1")"
u delete "$ID_POD2" >/dev/null 2>&1; rc=$?
expect_eq "delete of the failed second container: exit 0" 0 "$rc"
expect_eq "... nothing of it left" "" "$(left_behind "$ID_POD2")"
expect_eq "the first keeps serving after the second's failure and delete" "urunc-test-guest net ok" "$(http "$IP")"

err=$("$URUNC" --root "$ROOT" run -d --bundle "$T/b-pod2" "$ID_POD3" 2>&1 >/dev/null); rc=$?
check "run -d of another unikernel in the namespace fails" test "$rc" != 0
expect_match "... with the same clear error on stderr (no --log)" "already serves a unikernel on 'eth0'" "$err"
expect_eq "... and run removed the container: nothing left" "" "$(left_behind "$ID_POD3")"
check "... no tap for it" sh -c "! ip -n $P link show $(tap_of "$ID_POD3") >/dev/null 2>&1"
expect_eq "the first still serves" "urunc-test-guest net ok" "$(http "$IP")"

# --- delete --force: nothing left in the joined namespace -------------------
section "teardown of the pod"
u delete --force "$ID_POD1" >/dev/null 2>&1; rc=$?
expect_eq "delete --force of the running guest: exit 0" 0 "$rc"
expect_eq "nothing of it left on the host" "" "$(left_behind "$ID_POD1")"
expect_eq "nothing left in the pod namespace: no tap, no ingress qdisc, no filter" "" "$(ns_plumbing "$P")"
expect_eq "the pod namespace keeps lo and eth0 only" "lo eth0" \
  "$(ip -n "$P" -o link show | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p' | tr '\n' ' ' | sed 's/ $//')"
expect_match "eth0 keeps its address" "inet $IP/24 " "$(ip -n "$P" -4 -o addr show dev eth0)"
expect_match "the default route via $GW is still there" "default via $GW dev eth0" "$(ip -n "$P" route show)"
expect_match "the pod IP is the namespace's own again (port 80: connection refused)" \
  "Connection refused|Failed to connect" "$(http "$IP" 3)"

# --- a start that fails after the plumbing is undone -------------------------
section "failed start after network setup"
B_ARGS='["net"]' B_NS="[$NS_BASE, $NS_POD]" \
  B_HOOKS='{"startContainer": [{"path": "/bin/false", "args": ["false"]}]}' \
  make_bundle "$T/b-badhook" "$NETPVH"
u create --bundle "$T/b-badhook" "$ID_BADHOOK" >/dev/null 2>&1; rc=$?
expect_eq "create with a failing startContainer hook: exit 0" 0 "$rc"
err=$("$URUNC" --root "$ROOT" start "$ID_BADHOOK" 2>&1); rc=$?
check "start fails (the hook runs after the network setup)" test "$rc" != 0
expect_match "... naming the hook" "/bin/false" "$err"
expect_match "... after the redirect to its tap was in place (log)" \
  "redirected to tap '$(tap_of "$ID_BADHOOK")'" "$(cat "$T/urunc.log")"
expect_eq "... and the tap, qdiscs and filters it had set up are gone" "" "$(ns_plumbing "$P")"
u delete --force "$ID_BADHOOK" >/dev/null 2>&1
expect_eq "... nothing left after delete" "" "$(left_behind "$ID_BADHOOK")"

# --- the pod's namespace removed while the container runs ---------------------
section "pod namespace removed before delete"
ip netns add "$Q" && ip -n "$C" link add "$V_C2" type veth peer name eth0 netns "$Q" &&
  ip -n "$Q" addr add "$IP2/24" dev eth0 && ip -n "$Q" link set eth0 up &&
  ip -n "$Q" route add default via "$GW2" &&
  ip -n "$C" addr add "$GW2/24" dev "$V_C2" && ip -n "$C" link set "$V_C2" up
expect_eq "second pod namespace $Q: $IP2/24" 0 "$?"
B_ARGS='["net"]' B_NS="[$NS_BASE, {\"type\": \"network\", \"path\": \"/var/run/netns/$Q\"}]" \
  make_bundle "$T/b-gone" "$NETPVH"
u run -d --bundle "$T/b-gone" "$ID_GONE" >"$T/gone.out" 2>&1; rc=$?
wait_for 30 console_has "$T/gone.out" '^net: ready'
expect_eq "guest in $Q serves" "urunc-test-guest net ok" "$(http "$IP2")"
ip netns del "$Q"
u delete --force "$ID_GONE" >/dev/null 2>&1; rc=$?
expect_eq "delete --force after the namespace's path was removed: exit 0" 0 "$rc"
expect_eq "... nothing left" "" "$(left_behind "$ID_GONE")"
wait_for 5 sh -c "! ip -n $C link show $V_C2 >/dev/null 2>&1"
check "... the namespace died with the guest (its veth is gone)" sh -c "! ip -n $C link show $V_C2 >/dev/null 2>&1"

# --- 3. a new namespace without interfaces ----------------------------------
section "new namespace without interfaces"
B_ARGS='["hello", "nonet"]' B_NS="[$NS_BASE, {\"type\": \"network\"}]" make_bundle "$T/b-nonet" "$HELLO"
out=$(timeout 60 "$URUNC" --root "$ROOT" --log "$T/nonet.log" run --bundle "$T/b-nonet" "$ID_NONET" 2>"$T/nonet.err"); rc=$?
expect_eq "run in a namespace without interfaces: the guest exits 0, no error" 0 "$rc"
expect_match "guest booted (console)" '^urunc-test-guest: hello \(pvh\)' "$out"
expect_match "its command line has the arguments" '^cmdline: hello .*-- nonet' "$out"
expect_eq "... and no network parameters, no virtio-mmio NIC" "" \
  "$(printf '%s\n' "$out" | grep '^cmdline:' | grep -o 'netdev[^ ]*\|virtio_mmio[^ ]*')"
expect_match "urunc logged that the guest boots without a NIC" \
  "no interface with an IPv4 address in the network namespace: the guest boots without a NIC" \
  "$(cat "$T/nonet.log")"
expect_eq "nothing left" "" "$(left_behind "$ID_NONET")"

# --- 4. a new namespace plumbed by a createRuntime hook ---------------------
section "new namespace plumbed by a hook"
ip -n "$C" link add "$HK_C" type veth peer name "$HK_P" &&
  ip -n "$C" addr add "$HK_GW/24" dev "$HK_C" && ip -n "$C" link set "$HK_C" up
expect_eq "client end $HK_C ($HK_GW/24) for the hook" 0 "$?"
cat >"$T/cni-hook" <<HOOK
#!/bin/sh
# createRuntime hook, the way Docker's libnetwork and CNI hooks plumb a
# container: the state on stdin, its pid, its network namespace.
set -e
state=\$(cat)
pid=\$(printf '%s' "\$state" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
[ -n "\$pid" ]
ip -n $C link set $HK_P netns "/proc/\$pid/ns/net"
nsenter --net="/proc/\$pid/ns/net" sh -c '
  ip link set $HK_P name eth0 &&
  ip link set eth0 address $HK_MAC up &&
  ip link set lo up &&
  ip addr add $HK_IP/24 dev eth0 &&
  ip route add default via $HK_GW'
echo "plumbed pid \$pid" >"$T/cni-hook.log"
HOOK
chmod +x "$T/cni-hook"
B_ARGS='["net"]' B_NS="[$NS_BASE, {\"type\": \"network\"}]" \
  B_HOOKS="{\"createRuntime\": [{\"path\": \"$T/cni-hook\", \"args\": [\"cni-hook\"], \"timeout\": 10}]}" \
  make_bundle "$T/b-hook" "$NETPVH"
u run -d --bundle "$T/b-hook" "$ID_HOOK" >"$T/hook.out" 2>"$T/hook.err"; rc=$?
expect_eq "run -d with the hook-plumbed new namespace: exit 0" 0 "$rc"
expect_match "the hook ran with the container's pid" "^plumbed pid [0-9]+" "$(cat "$T/cni-hook.log" 2>&1)"
wait_for 30 console_has "$T/hook.out" '^net: ready'
expect_match "guest console: the hook's IP/prefix, gateway and MAC" \
  "^net: ip=$HK_IP/24 gw=$HK_GW mac=$HK_MAC\$" "$(cat "$T/hook.out")"
check "ping $HK_IP" ping_ok "$HK_IP"
expect_eq "HTTP on the hook-assigned IP" "urunc-test-guest net ok" "$(http "$HK_IP")"
u delete --force "$ID_HOOK" >/dev/null 2>&1; rc=$?
expect_eq "delete --force: exit 0" 0 "$rc"
expect_eq "nothing left" "" "$(left_behind "$ID_HOOK")"
wait_for 5 sh -c "! ip -n $C link show $HK_C >/dev/null 2>&1"
check "the namespace died with the container: the veth pair is gone" \
  sh -c "! ip -n $C link show $HK_C >/dev/null 2>&1"

# --- 5. the Debian kernel as a linux guest (TCG) ----------------------------
section "linux kit"
if ! out=$(bash "$here/../guests/linux/build.sh" "$KIT" 2>&1); then
  not_ok "build the Linux guest kit in $KIT"
  printf '%s\n' "$out" | tail -5 | sed 's/^/# /'
  tap_done
  exit 1
fi
LK=$KIT/vmlinux
[ -s "$LK" ] || LK=$KIT/bzImage
linux_bundle() { # DIR NETNS ARGS-JSON [EXTRA]
  B_TYPE=linux B_BIN=/unikernel/$(basename "$LK") B_ARGS=$3 \
    B_ENV='["PATH=/bin:/sbin:/usr/bin", "GREETING=hello pod", "URUNC_TEST=network"]' \
    B_ANNOT="\"com.urunc.accel\": \"tcg\", \"com.urunc.unikernel.initrd\": \"$(b64 /boot/initrd.img)\"" \
    B_RES='{"memory": {"limit": 536870912}}' \
    B_NS="[$NS_BASE, {\"type\": \"network\", \"path\": \"/var/run/netns/$2\"}]" B_EXTRA=${4:-} \
    make_bundle "$1" "$LK" &&
    mkdir -p "$1/rootfs/boot" && cp "$KIT/initrd.img" "$1/rootfs/boot/initrd.img"
}

# The DNS case (6.) boots in its own pod namespace $D while the httpd guest
# boots in $P: two TCG boots side by side on two cores.
section "linux guests in the pods"
ip netns add "$D" && ip -n "$C" link add "$V_C3" type veth peer name eth0 netns "$D" &&
  ip -n "$D" addr add "$IP3/24" dev eth0 && ip -n "$D" link set eth0 mtu 1280 up &&
  ip -n "$D" route add default via "$GW3" &&
  ip -n "$C" addr add "$GW3/24" dev "$V_C3" && ip -n "$C" link set "$V_C3" up
expect_eq "third pod namespace $D: $IP3/24, MTU 1280" 0 "$?"
# shellcheck disable=SC2016 # $(...) is for the guest's shell
linux_bundle "$T/b-dns" "$D" \
  '["/bin/guest", "sh", "-c", "cat /etc/resolv.conf; echo mtu=$(cat /sys/class/net/eth0/mtu) hostname=$(hostname)"]' \
  "$MOUNT_RESOLV"
(
  timeout 120 "$URUNC" --root "$ROOT" --log "$T/urunc.log" run --bundle "$T/b-dns" "$ID_DNS" \
    >"$T/dns.out" 2>"$T/dns.err"
  echo $? >"$T/dns.rc"
) &
DNS_JOB=$!

linux_bundle "$T/b-linux" "$P" '["/bin/guest", "httpd"]'
t=$(now_ms)
u run -d --bundle "$T/b-linux" "$ID_LINUX" >"$T/linux.out" 2>"$T/linux.err"; rc=$?
expect_eq "run -d of the linux guest (accel tcg, 512 MiB limit): exit 0" 0 "$rc"
wait_for 90 sh -c "ip netns exec $C curl -sf -m 2 http://$IP/ >/dev/null 2>&1"
page=$(http "$IP")
diag "linux guest: first HTTP answer $(($(now_ms) - t)) ms after run -d"
expect_eq "HTTP on the pod IP answered by busybox httpd in the linux guest" "urunc-linux-guest httpd ok" "$page"
lo=$(tr -d '\r' <"$T/linux.out")
expect_match "kernel command line: ip=<ip>::<gw>:<mask>:<hostname>:eth0:off, rdinit= last before --" \
  "Command line: .* ip=$IP::$GW:255\\.255\\.255\\.0:urunc-test:eth0:off .*rdinit=/bin/guest -- httpd\$" "$lo"
expect_match "guest configured eth0 from ip=" "^urunc-linux-guest: net eth0 $IP/24 gw $GW" "$lo"
expect_match "guest argv: /bin/guest httpd" "^args: httpd" "$lo"
expect_match "env var arrives (value with a blank)" "^env: GREETING=hello pod" "$lo"
expect_match "env var arrives" "^env: URUNC_TEST=network" "$lo"
ip -n "$C" neigh flush dev "$V_C" # forget what earlier guests answered
check "ping the linux guest" ping_ok "$IP"
expect_eq "the guest answers ARP with the veth's MAC" "$MAC" \
  "$(ip -n "$C" neigh show "$IP" dev "$V_C" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')"
expect_match "tap and redirect in place" "Egress Redirect to device $(tap_of "$ID_LINUX")" \
  "$(tc -n "$P" filter show dev eth0 ingress)"
u kill "$ID_LINUX" TERM >/dev/null 2>&1
wait_for 20 is_stopped "$ID_LINUX"
expect_eq "kill TERM: the linux guest stops" stopped "$(status_of "$ID_LINUX")"
u delete "$ID_LINUX" >/dev/null 2>&1; rc=$?
expect_eq "delete of the stopped guest: exit 0" 0 "$rc"
expect_eq "nothing left in the pod namespace after the stopped guest's delete" "" "$(ns_plumbing "$P")"
expect_eq "nothing left on the host" "" "$(left_behind "$ID_LINUX")"

# --- 6. DNS from the resolv.conf mount --------------------------------------
wait "$DNS_JOB"
out=$(tr -d '\r' <"$T/dns.out")
expect_eq "run of the linux guest printing its resolv.conf: exit 0" 0 "$(cat "$T/dns.rc")"
expect_match "kernel command line: ip=...:eth0:off:<dns>" \
  "Command line: .* ip=$IP3::$GW3:255\\.255\\.255\\.0:urunc-test:eth0:off:$DNS " "$out"
expect_eq "the guest's /etc/resolv.conf holds the first IPv4 nameserver of the mount" "nameserver $DNS" \
  "$(printf '%s\n' "$out" | grep '^nameserver')"
expect_match "the guest's eth0 has the veth's MTU (1280) and the spec's hostname" \
  "^mtu=1280 hostname=urunc-test\$" "$out"
expect_eq "nothing left in its pod namespace" "" "$(ns_plumbing "$D")"
expect_eq "nothing left on the host" "" "$(left_behind "$ID_DNS")"

section "done"
diag "total: $(($(now_ms) - T0)) ms"
tap_done
