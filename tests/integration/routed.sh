#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Root test of routed network mode (issue 12, docs/sidecar-network.md): a
# sidecar in the pod's network namespace reaches the unikernel, with real
# QEMU (KVM when usable, else TCG).
#
# Usage: routed.sh URUNC NET_PVH [LINUX_KIT_DIR]
#   LINUX_KIT_DIR: the Linux guest kit (tests/guests/linux/build.sh output,
#   run first: a no-op when up to date); without it case 7 is skipped.
#
# Topology (names carry this shell's pid; all removed on exit):
#   netns $P  "pod", like a CNI leaves it: eth0 $IP/24, default route via $GW.
#   netns $C  "outside": the veth's other end, $GW/24.
# A "sidecar" is a process run with `ip netns exec $P` (what a container
# sharing the pod's network namespace is, network-wise).
#
#  1. net.pvh with com.urunc.network=routed, every port: the guest gets
#     169.254.100.2/30 via 169.254.100.1 and its own MAC; HTTP from outside
#     to the pod IP, from the sidecar to the pod IP and to 169.254.100.2
#     reach it; eth0 keeps its address and has no qdisc; the namespace
#     itself answers ping (its own networking stays); one nft table.
#  2. A second unikernel in the same namespace is refused; nothing of it left.
#  3. delete --force: no nft table, tap, qdisc, neighbour entry left.
#  4. Published ports (com.urunc.network.ports=80, mode from [network] mode
#     in config.toml): 127.0.0.1:80 from the sidecar reaches the guest; a
#     sidecar's own server on :8012 is reached from outside on the pod IP.
#  5. The monitor killed (-9): delete still removes the table.
#  6. Bad values: unknown mode, bad ports, ports without routed: create
#     fails naming the annotation and the value, nothing left.
#  7. The guest's own outbound traffic (net.pvh never opens a connection: a
#     Linux guest, TCG): wget of a server outside the pod works, and the
#     server sees the pod IP (masquerade).

set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"
. "$here/../lib/urunc.sh"

tap_require_root_cmds qemu-system-x86_64 ip tc nft curl busybox
[ -c /dev/net/tun ] || tap_skip_all "no /dev/net/tun"

URUNC=${1:?usage: routed.sh URUNC NET_PVH [LINUX_KIT_DIR]}
NETPVH=${2:?} KIT=${3:-}
T=$(mktemp -d /tmp/urunc-routed.XXXXXX)
ROOT=$T/root
export URUNC_CONFIG=$T/config.toml
cat >"$URUNC_CONFIG" <<'TOML'
[monitors.qemu]
default_memory_mb = 64
TOML

P=urrt-p$$ C=urrt-c$$
N=$(($$ % 250 + 1))
IP=10.207.$N.2 GW=10.207.$N.1
V_C=urrtv$$ V_P=urrtq$$
GUEST=169.254.100.2 HOST=169.254.100.1
for i in all second ports crash bad1 bad2 bad3 out; do
  declare "ID_${i^^}=rt$$-$i"
done

u() { "$URUNC" --root "$ROOT" --log "$T/urunc.log" "$@"; }
SIDECAR_PID= OUTSIDE_PID=
cleanup() {
  [ -n "$SIDECAR_PID" ] && kill "$SIDECAR_PID" 2>/dev/null
  [ -n "$OUTSIDE_PID" ] && kill "$OUTSIDE_PID" 2>/dev/null
  for id in $(u list -q 2>/dev/null); do u delete --force "$id" >/dev/null 2>&1; done
  ip netns del "$P" 2>/dev/null
  ip netns del "$C" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

# The tap and the nft table urunc names for a container id: "urt" / "urunc-"
# + the low 48 bits of the 64-bit FNV-1a of the id (src/net/net.h).
hash_of() { urunc_id_hash "$1"; }
left_behind() {
  local id=$1 what=""
  [ -e "$ROOT/$id" ] && what="$what state-dir"
  pgrep -f -- "$ROOT/$id/" >/dev/null && what="$what process"
  echo "$what"
}
# What urunc may add to the pod namespace: taps, qdiscs, nft tables,
# permanent neighbour entries, the in-pod address.
ns_plumbing() {
  ip -n "$P" -o link show type tun | sed -n 's/^[0-9]*: \([^:@]*\).*/tap \1/p'
  tc -n "$P" qdisc show | grep -E 'ingress|clsact'
  ip netns exec "$P" nft list tables | sed 's/^/nft /'
  ip -n "$P" neigh show nud permanent | sed 's/^/neigh /'
  ip -n "$P" -o addr show | grep -F "$HOST" | sed 's/^/addr /'
}
from_outside() { ip netns exec "$C" curl -sS -m "${2:-5}" "http://$1/" 2>&1; }
from_sidecar() { ip netns exec "$P" curl -sS -m "${2:-5}" "http://$1/" 2>&1; }
console_has() { grep -q -- "$2" "$1" 2>/dev/null; }
NS_POD="{\"type\": \"network\", \"path\": \"/var/run/netns/$P\"}"
NS_BASE='{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}'
OK="urunc-test-guest net ok"

# --- the pod namespace, as a CNI plugin leaves it ----------------------------
ip netns add "$P" && ip netns add "$C" &&
  ip -n "$C" link add "$V_C" type veth peer name "$V_P" netns "$P" &&
  ip -n "$P" link set "$V_P" name eth0 &&
  ip -n "$P" link set eth0 mtu 1400 up &&
  ip -n "$P" link set lo up &&
  ip -n "$P" addr add "$IP/24" dev eth0 &&
  ip -n "$P" route add default via "$GW" &&
  ip -n "$C" addr add "$GW/24" dev "$V_C" &&
  ip -n "$C" link set "$V_C" mtu 1400 up &&
  ip netns exec "$P" sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward'
rc=$?
expect_eq "pod namespace $P: eth0 $IP/24 via $GW, peer in $C" 0 "$rc"
[ "$rc" = 0 ] || { tap_done; exit 1; }

# --- 1. routed, every port ---------------------------------------------------
H=$(hash_of "$ID_ALL") TAP=urt$(hash_of "$ID_ALL") TABLE=urunc-$(hash_of "$ID_ALL")
B_ARGS='["net"]' B_NS="[$NS_BASE, $NS_POD]" B_ANNOT='"com.urunc.network": "routed"' \
  make_bundle "$T/b-all" "$NETPVH"
u run -d --bundle "$T/b-all" "$ID_ALL" >"$T/all.out" 2>"$T/all.err"; rc=$?
expect_eq "run -d of a routed guest in the pod namespace: exit 0" 0 "$rc"
[ "$rc" = 0 ] || diag "$(cat "$T/all.err")"
wait_for 30 console_has "$T/all.out" '^net: ready'
expect_match "guest console: the in-pod address $GUEST/30 via $HOST, a 52:54:00 MAC" \
  "^net: ip=$GUEST/30 gw=$HOST mac=52:54:00:[0-9a-f:]{8}\$" "$(cat "$T/all.out")"
expect_eq "HTTP from outside to the pod IP reaches the guest" "$OK" "$(from_outside "$IP")"
expect_eq "sidecar: HTTP to the pod IP reaches the guest" "$OK" "$(from_sidecar "$IP")"
expect_eq "sidecar: HTTP to the in-pod address $GUEST reaches the guest" "$OK" "$(from_sidecar "$GUEST")"
check "sidecar's own network: ping to the gateway $GW answered" \
  sh -c "ip netns exec $P busybox ping -c 2 -w 10 $GW 2>&1 | grep -q ' 0% packet loss'"
check "the namespace (not the guest) answers ping on the pod IP" \
  sh -c "ip netns exec $C busybox ping -c 2 -w 10 $IP 2>&1 | grep -q ' 0% packet loss'"
expect_match "eth0 keeps $IP/24" "inet $IP/24" "$(ip -n "$P" -o addr show dev eth0)"
expect_eq "no qdisc on eth0 (no tc redirect)" "" "$(tc -n "$P" qdisc show dev eth0 | grep -E 'ingress|clsact')"
expect_match "tap $TAP holds $HOST/30" "inet $HOST/30" "$(ip -n "$P" -o addr show dev "$TAP" 2>&1)"
expect_match "permanent neighbour $GUEST on the tap" "^$GUEST lladdr 52:54:00:.* PERMANENT" \
  "$(ip -n "$P" neigh show dev "$TAP" 2>&1)"
expect_eq "one nft table, ip $TABLE" "table ip $TABLE" "$(ip netns exec "$P" nft list tables)"
rules=$(ip netns exec "$P" nft list table ip "$TABLE" 2>&1)
expect_match "inbound DNAT of the pod IP to the guest" \
  "iifname != \"$TAP\" ip daddr $IP meta l4proto \\{ tcp, udp \\} dnat to $GUEST" "$rules"
expect_match "outbound masquerade of the guest" "oifname != \"$TAP\" ip saddr $GUEST masquerade" "$rules"
expect_eq "ip_forward on in the pod namespace" 1 "$(ip netns exec "$P" cat /proc/sys/net/ipv4/ip_forward)"
expect_eq "route_localnet on the tap" 1 "$(ip netns exec "$P" cat "/proc/sys/net/ipv4/conf/$TAP/route_localnet")"
expect_eq "route_localnet not on eth0" 0 "$(ip netns exec "$P" cat /proc/sys/net/ipv4/conf/eth0/route_localnet)"
ip netns exec "$P" curl -sS -m 2 -o /dev/null http://127.0.0.1/ 2>/dev/null; rc=$?
expect_eq "127.0.0.1 stays the namespace's without published ports (curl: 7, could not connect)" 7 "$rc"

# --- 2. a second unikernel in the namespace ---------------------------------
B_ARGS='["net"]' B_NS="[$NS_BASE, $NS_POD]" B_ANNOT='"com.urunc.network": "routed"' \
  make_bundle "$T/b-second" "$NETPVH"
err=$("$URUNC" --root "$ROOT" run -d --bundle "$T/b-second" "$ID_SECOND" 2>&1 >/dev/null); rc=$?
check "run -d of a second routed unikernel in the namespace fails" test "$rc" != 0
expect_match "... with a clear error" \
  "already serves a unikernel in routed mode \\('$TAP' holds $HOST\\)" "$err"
expect_eq "... nothing of it left (state, process)" "" "$(left_behind "$ID_SECOND")"
expect_eq "... still one nft table" "table ip $TABLE" "$(ip netns exec "$P" nft list tables)"
B_ARGS='["net"]' B_NS="[$NS_BASE, $NS_POD]" make_bundle "$T/b-second-t" "$NETPVH"
err=$("$URUNC" --root "$ROOT" run -d --bundle "$T/b-second-t" "$ID_SECOND" 2>&1 >/dev/null); rc=$?
check "run -d of a takeover unikernel next to the routed one fails" test "$rc" != 0
expect_match "... with the same clear error" "already serves a unikernel in routed mode" "$err"
expect_eq "... no qdisc added to eth0" "" "$(tc -n "$P" qdisc show dev eth0 | grep -E 'ingress|clsact')"
expect_eq "the first keeps serving the sidecar" "$OK" "$(from_sidecar "$IP")"

# --- 3. delete: nothing left --------------------------------------------------
u delete --force "$ID_ALL" >/dev/null 2>&1; rc=$?
expect_eq "delete --force of the routed guest: exit 0" 0 "$rc"
expect_eq "nothing of it left (state, process)" "" "$(left_behind "$ID_ALL")"
expect_eq "nothing left in the pod namespace (tap, qdisc, nft table, neighbour, address)" "" "$(ns_plumbing)"
expect_match "eth0 keeps $IP/24" "inet $IP/24" "$(ip -n "$P" -o addr show dev eth0)"

# --- 4. published ports, mode from config.toml ---------------------------------
cat >>"$URUNC_CONFIG" <<'TOML'
[network]
mode = "routed"
TOML
TAP=urt$(hash_of "$ID_PORTS") TABLE=urunc-$(hash_of "$ID_PORTS")
B_ARGS='["net"]' B_NS="[$NS_BASE, $NS_POD]" B_ANNOT='"com.urunc.network.ports": "80, udp/53"' \
  make_bundle "$T/b-ports" "$NETPVH"
u run -d --bundle "$T/b-ports" "$ID_PORTS" >"$T/ports.out" 2>"$T/ports.err"; rc=$?
expect_eq "run -d with [network] mode = routed and ports 80, udp/53: exit 0" 0 "$rc"
wait_for 30 console_has "$T/ports.out" '^net: ready'
expect_match "guest console: the in-pod address" "^net: ip=$GUEST/30 gw=$HOST " "$(cat "$T/ports.out")"
mkdir -p "$T/www" && echo sidecar-own-page >"$T/www/index.html"
ip netns exec "$P" busybox httpd -f -p 8012 -h "$T/www" &
SIDECAR_PID=$!
wait_for 5 sh -c "ip netns exec $P curl -s -o /dev/null -m 1 http://127.0.0.1:8012/"
expect_eq "sidecar: HTTP to 127.0.0.1:80 reaches the guest" "$OK" "$(from_sidecar 127.0.0.1)"
expect_eq "sidecar: HTTP to the pod IP :80 reaches the guest" "$OK" "$(from_sidecar "$IP")"
expect_eq "sidecar: HTTP to $GUEST reaches the guest" "$OK" "$(from_sidecar "$GUEST")"
expect_eq "outside: HTTP to the pod IP :80 reaches the guest" "$OK" "$(from_outside "$IP")"
expect_eq "outside: the sidecar's own server on the pod IP :8012 (not published)" sidecar-own-page \
  "$(from_outside "$IP:8012")"
rules=$(ip netns exec "$P" nft list table ip "$TABLE" 2>&1)
expect_match "inbound DNAT of tcp 80 only" "ip daddr $IP tcp dport 80 dnat to $GUEST" "$rules"
expect_match "inbound DNAT of udp 53" "ip daddr $IP udp dport 53 dnat to $GUEST" "$rules"
expect_match "127.0.0.1 published from the namespace" "ip daddr \\{ (127.0.0.1, $IP|$IP, 127.0.0.1) \\} tcp dport 80" "$rules"
kill "$SIDECAR_PID" 2>/dev/null; wait "$SIDECAR_PID" 2>/dev/null; SIDECAR_PID=

# --- 5. the monitor killed: delete still cleans up ------------------------------
pid=$(pid_of "$ID_PORTS")
check "monitor pid known" test -n "$pid"
[ -n "$pid" ] && kill -9 "$pid"
wait_for 10 sh -c "[ \"\$($URUNC --root $ROOT state $ID_PORTS 2>/dev/null | sed -n 's/.*\"status\": \"\\([a-z]*\\)\".*/\\1/p')\" = stopped ]"
expect_eq "after kill -9: stopped" stopped "$(status_of "$ID_PORTS")"
u delete "$ID_PORTS" >/dev/null 2>&1; rc=$?
expect_eq "delete after the monitor died: exit 0" 0 "$rc"
expect_eq "nothing left in the pod namespace" "" "$(ns_plumbing)"

# --- 6. bad values ------------------------------------------------------------
cat >"$URUNC_CONFIG" <<'TOML'
[monitors.qemu]
default_memory_mb = 64
TOML
bad() { # ID ANNOT PATTERN WHAT
  B_ARGS='["net"]' B_NS="[$NS_BASE, $NS_POD]" B_ANNOT=$2 make_bundle "$T/b-$1" "$NETPVH"
  err=$("$URUNC" --root "$ROOT" create --bundle "$T/b-$1" "$1" 2>&1 >/dev/null); rc=$?
  check "$4: create fails" test "$rc" != 0
  expect_match "... naming the annotation and value" "$3" "$err"
  expect_eq "... nothing left" "" "$(left_behind "$1")"
}
bad "$ID_BAD1" '"com.urunc.network": "bridge"' \
  "annotation 'com.urunc.network': unknown value 'bridge' \\(expected takeover or routed\\)" "unknown mode"
bad "$ID_BAD2" '"com.urunc.network": "routed", "com.urunc.network.ports": "80,http"' \
  "annotation 'com.urunc.network.ports': invalid entry 'http' in '80,http'" "bad port entry"
bad "$ID_BAD3" '"com.urunc.network.ports": "80"' \
  "annotation 'com.urunc.network.ports' \\('80'\\) needs network mode 'routed'" "ports without routed"

# --- 7. the guest's own outbound traffic: a Linux guest ------------------------
if [ -z "$KIT" ]; then
  skip "the guest's outbound traffic" "no Linux guest kit given"
elif ! out=$(bash "$here/../guests/linux/build.sh" "$KIT" 2>&1); then
  not_ok "build the Linux guest kit in $KIT"
  printf '%s\n' "$out" | tail -5 | sed 's/^/# /'
else
  LK=$KIT/vmlinux
  [ -s "$LK" ] || LK=$KIT/bzImage
  mkdir -p "$T/outside" && echo outside-page >"$T/outside/index.html"
  ip netns exec "$C" busybox httpd -f -v -p "$GW:8099" -h "$T/outside" 2>"$T/outside.log" &
  OUTSIDE_PID=$!
  B_TYPE=linux B_BIN=/unikernel/$(basename "$LK") \
    B_ARGS="[\"/bin/guest\", \"sh\", \"-c\", \"echo fetched: \$(busybox wget -q -O - http://$GW:8099/)\"]" \
    B_ENV='["PATH=/bin:/sbin:/usr/bin"]' \
    B_ANNOT="\"com.urunc.accel\": \"tcg\", \"com.urunc.network\": \"routed\", \"com.urunc.unikernel.initrd\": \"$(b64 /boot/initrd.img)\"" \
    B_RES='{"memory": {"limit": 536870912}}' B_NS="[$NS_BASE, $NS_POD]" \
    make_bundle "$T/b-out" "$LK" &&
    mkdir -p "$T/b-out/rootfs/boot" && cp "$KIT/initrd.img" "$T/b-out/rootfs/boot/initrd.img"
  timeout 240 "$URUNC" --root "$ROOT" --log "$T/urunc.log" run --bundle "$T/b-out" "$ID_OUT" \
    >"$T/out.out" 2>"$T/out.err"; rc=$?
  expect_eq "run of a routed Linux guest fetching a page from outside the pod: exit 0" 0 "$rc"
  lo=$(tr -d '\r' <"$T/out.out")
  expect_match "the guest configured $GUEST/30 via $HOST" "net eth0 $GUEST/30 gw $HOST" "$lo"
  expect_match "the guest got the outside server's page" "^fetched: outside-page" "$lo"
  expect_match "the outside server saw the pod IP (masquerade), not $GUEST" "$IP" "$(cat "$T/outside.log")"
  kill "$OUTSIDE_PID" 2>/dev/null; wait "$OUTSIDE_PID" 2>/dev/null; OUTSIDE_PID=
  u delete --force "$ID_OUT" >/dev/null 2>&1
  expect_eq "nothing left in the pod namespace after it" "" "$(ns_plumbing)"
fi
expect_eq "nothing left in the pod namespace at the end" "" "$(ns_plumbing)"

tap_done
