#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Root test of src/net (COMPAT.md §5): discovery, the tap + ingress qdisc +
# u32 match-all / mirred redirect plumbing, the "one unikernel per network
# namespace" refusal, real traffic through the redirect and teardown.
#
# Usage: net-plumbing.sh NET_TOOL      (TAP output)
#
# Topology (all names suffixed with this shell's pid, removed on exit):
#   netns $S ("container"): eth0 10.202.1.2/24, MTU 1400, default via .1
#   netns $C ("client"):    $PEER 10.202.1.1/24, the other end of eth0
#   netns $E ("empty"):     nothing but lo
# Traffic only goes between $C and $S.

set -u

TOOL=${1:?usage: net-plumbing.sh NET_TOOL}

if [ "$(id -u)" != 0 ]; then
        echo "1..0 # SKIP not root"
        exit 0
fi
for cmd in ip tc busybox getent; do
        if ! command -v "$cmd" >/dev/null; then
                echo "1..0 # SKIP $cmd missing"
                exit 0
        fi
done

S=urnet-s$$
C=urnet-c$$
E=urnet-e$$
PEER=urpeer$$
TMP=$(mktemp -d /tmp/net-plumbing.XXXXXX)
HOLDER_PID=
PING="busybox ping"

cleanup() {
        exec 3>&- 2>/dev/null
        if [ -n "$HOLDER_PID" ]; then
                kill "$HOLDER_PID" 2>/dev/null
                wait "$HOLDER_PID" 2>/dev/null
        fi
        for ns in "$S" "$C" "$E"; do
                ip netns del "$ns" 2>/dev/null
        done
        rm -rf "$TMP"
}
trap cleanup EXIT

N=0
FAILED=0
ok() {
        N=$((N + 1))
        echo "ok $N - $1"
}
not_ok() {
        N=$((N + 1))
        FAILED=$((FAILED + 1))
        echo "not ok $N - $1"
        shift
        for line in "$@"; do
                echo "$line" | sed 's/^/# /'
        done
}
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
        local desc=$1
        shift
        local out
        if out=$("$@" 2>&1); then
                ok "$desc"
        else
                not_ok "$desc" "command: $*" "$out"
        fi
}

# Value of key=value in a file.
field() {
        sed -n "s/^$2=//p" "$1" | head -n1
}

in_s() { ip netns exec "$S" "$@"; }
in_c() { ip netns exec "$C" "$@"; }

# Start "net-tool setup ID ARGS..." in $S holding the tap open; waits for
# "ready" (or the tool's exit).  Output in $TMP/holder-ID.out.
start_holder() {
        local id=$1
        shift
        rm -f "$TMP/fifo"
        mkfifo "$TMP/fifo"
        in_s "$TOOL" setup "$id" "$@" <"$TMP/fifo" >"$TMP/holder-$id.out" 2>&1 &
        HOLDER_PID=$!
        exec 3>"$TMP/fifo"
        for _ in $(seq 100); do
                grep -q '^ready$' "$TMP/holder-$id.out" && return 0
                kill -0 "$HOLDER_PID" 2>/dev/null || break
                sleep 0.1
        done
        return 1
}

# Close the holder's stdin and wait for it to exit.
stop_holder() {
        exec 3>&-
        [ -n "$HOLDER_PID" ] && wait "$HOLDER_PID"
        local rc=$?
        HOLDER_PID=
        return $rc
}

has_ingress() { tc -n "$S" qdisc show dev "$1" | grep -q '^qdisc ingress ffff:'; }
no_ingress() { ! has_ingress "$1"; }
no_filters() { [ -z "$(tc -n "$S" filter show dev "$1" ingress 2>/dev/null)" ]; }
no_link() { ! ip -n "$S" link show "$1" >/dev/null 2>&1; }
redirects_to() {
        local f
        f=$(tc -n "$S" filter show dev "$1" ingress) || return 1
        grep -q 'u32' <<<"$f" &&
                grep -q 'match 00000000/00000000 at 0' <<<"$f" &&
                grep -q "mirred (Egress Redirect to device $2) stolen" <<<"$f"
}
ping_ok() { in_c $PING -c "${1:-2}" -W 2 10.202.1.2 >/dev/null 2>&1; }
ping_fails() { ! in_c $PING -c 2 -W 1 10.202.1.2 >/dev/null 2>&1; }

echo "1..37"

# ---- topology ---------------------------------------------------------------

ip netns add "$S" && ip netns add "$C" && ip netns add "$E" &&
        ip -n "$S" link add eth0 mtu 1400 type veth peer name "$PEER" mtu 1400 netns "$C" &&
        ip -n "$S" link set lo up && ip -n "$C" link set lo up &&
        ip -n "$S" addr add 10.202.1.2/24 dev eth0 && ip -n "$S" link set eth0 up &&
        ip -n "$C" addr add 10.202.1.1/24 dev "$PEER" && ip -n "$C" link set "$PEER" up
if [ $? -ne 0 ]; then
        echo "Bail out! cannot create the test namespaces"
        exit 1
fi
MAC=$(ip -n "$S" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')

# ---- discovery ----------------------------------------------------------------

"$TOOL" tap-name my-container >"$TMP/t1" && "$TOOL" tap-name my-container >"$TMP/t2"
T1=$(cat "$TMP/t1")
if cmp -s "$TMP/t1" "$TMP/t2" && [[ $T1 =~ ^urt[0-9a-f]{12}$ ]]; then
        ok "tap name is stable and urt + 12 hex ($T1)"
else
        not_ok "tap name is stable and urt + 12 hex" "$T1"
fi

in_s "$TOOL" discover >"$TMP/d0" 2>&1
if [ "$(field "$TMP/d0" found)" = 1 ] && [ "$(field "$TMP/d0" ifname)" = eth0 ] &&
        [ "$(field "$TMP/d0" gateway)" = "" ] && [ "$(field "$TMP/d0" ip)" = 10.202.1.2 ]; then
        ok "no default route: the only addressed interface, no gateway"
else
        not_ok "no default route: the only addressed interface, no gateway" "$(cat "$TMP/d0")"
fi

ip -n "$S" route add default via 10.202.1.1
in_s "$TOOL" discover >"$TMP/d1" 2>&1
if [ "$(field "$TMP/d1" found)" = 1 ] && [ "$(field "$TMP/d1" ifname)" = eth0 ] &&
        [ "$(field "$TMP/d1" ip)" = 10.202.1.2 ] && [ "$(field "$TMP/d1" prefix)" = 24 ] &&
        [ "$(field "$TMP/d1" gateway)" = 10.202.1.1 ] && [ "$(field "$TMP/d1" mac)" = "$MAC" ] &&
        [ "$(field "$TMP/d1" mtu)" = 1400 ]; then
        ok "discover: eth0 10.202.1.2/24 gw 10.202.1.1 mac $MAC mtu 1400"
else
        not_ok "discover: eth0 10.202.1.2/24 gw 10.202.1.1 mac $MAC mtu 1400" "$(cat "$TMP/d1")"
fi

in_s ip link add extra0 type veth peer name extra1 && in_s ip link set extra0 up &&
        in_s ip link set extra1 up
in_s "$TOOL" discover >"$TMP/d1b" 2>&1
check "discover ignores other links (a veth pair without IPv4 address)" \
        test "$(field "$TMP/d1b" ifname)" = eth0
in_s ip link del extra0

ip netns exec "$E" "$TOOL" discover >"$TMP/d2" 2>&1
check "discover in a namespace with no interfaces: not found (no error)" \
        grep -qx 'found=0' "$TMP/d2"

# ---- baseline -----------------------------------------------------------------

check "before plumbing the namespace's own stack answers ping" ping_ok 2

# ---- setup ----------------------------------------------------------------------

ID1=net-test-a-$$
TAP1=$("$TOOL" tap-name "$ID1")
if start_holder "$ID1" --uid 4242 --gid 4343; then
        ok "setup $ID1 succeeds"
else
        not_ok "setup $ID1 succeeds" "$(cat "$TMP/holder-$ID1.out")"
fi
H="$TMP/holder-$ID1.out"
if [ "$(field "$H" enabled)" = 1 ] && [ "$(field "$H" tap_name)" = "$TAP1" ] &&
        [ "$(field "$H" tap_fd_open)" = 1 ] && [ "$(field "$H" mac)" = "$MAC" ] &&
        [ "$(field "$H" ip)" = 10.202.1.2 ] && [ "$(field "$H" prefix)" = 24 ] &&
        [ "$(field "$H" netmask)" = 255.255.255.0 ] && [ "$(field "$H" gateway)" = 10.202.1.1 ] &&
        [ "$(field "$H" mtu)" = 1400 ]; then
        ok "vm_net: tap $TAP1, fd open, veth MAC/IP/prefix/netmask/gateway/MTU"
else
        not_ok "vm_net fields" "$(cat "$H")"
fi

check "ingress qdisc on eth0" has_ingress eth0
check "ingress qdisc on the tap" has_ingress "$TAP1"
check "eth0: u32 match-all filter, mirred egress redirect to the tap" redirects_to eth0 "$TAP1"
check "tap: u32 match-all filter, mirred egress redirect to eth0" redirects_to "$TAP1" eth0

LINK=$(ip -n "$S" -d link show "$TAP1" 2>&1)
OWNER=$(getent passwd 4242 | cut -d: -f1)
GROUP=$(getent group 4343 | cut -d: -f1)
if grep -q 'mtu 1400' <<<"$LINK" && grep -q '<[^>]*\bUP\b' <<<"$LINK" &&
        grep -q 'tun type tap pi off' <<<"$LINK" && grep -q 'persist off' <<<"$LINK" &&
        grep -q "user ${OWNER:-4242} group ${GROUP:-4343}" <<<"$LINK"; then
        ok "tap: up, MTU 1400, IFF_NO_PI, not persistent, owned by 4242:4343"
else
        not_ok "tap: up, MTU 1400, IFF_NO_PI, not persistent, owned by 4242:4343" "$LINK"
fi

ID2=net-test-b-$$
TAP2=$("$TOOL" tap-name "$ID2")
if OUT=$(in_s "$TOOL" setup "$ID2" </dev/null 2>&1); then
        not_ok "a second setup in the same namespace is refused" "$OUT"
elif grep -q "already serves a unikernel on 'eth0' (tap '$TAP1'); one unikernel per network namespace" <<<"$OUT"; then
        ok "a second setup in the same namespace is refused with a clear error"
else
        not_ok "a second setup in the same namespace is refused with a clear error" "$OUT"
fi
check "the refused setup left no tap and kept the first redirect" \
        bash -c "! ip -n $S link show $TAP2 >/dev/null 2>&1 && tc -n $S filter show dev eth0 ingress | grep -q 'device $TAP1'"

check "with the redirect and nobody on the tap, the namespace's stack no longer answers" \
        ping_fails

if stop_holder; then ok "setup holder exits cleanly"; else not_ok "setup holder exits cleanly" "$(cat "$H")"; fi
check "closing the tap fd removes the (non-persistent) tap" no_link "$TAP1"

check "teardown (from the root namespace) succeeds" \
        "$TOOL" teardown "/run/netns/$S" "$ID1" eth0
check "teardown removed the ingress qdisc on eth0" no_ingress eth0
check "teardown removed the filters on eth0" no_filters eth0
check "teardown is idempotent" "$TOOL" teardown "/run/netns/$S" "$ID1" eth0
check "teardown of a namespace that no longer exists is fine" \
        "$TOOL" teardown "/run/netns/urnet-none$$" "$ID1" eth0

# ---- real traffic: the tool plays the guest on the tap fd ---------------------

ID3=net-test-c-$$
TAP3=$("$TOOL" tap-name "$ID3")
in_c ip neigh flush dev "$PEER" 2>/dev/null
if start_holder "$ID3" --respond; then
        ok "setup $ID3 with a responder on the tap fd"
else
        not_ok "setup $ID3 with a responder on the tap fd" "$(cat "$TMP/holder-$ID3.out")"
fi
check "ping of the guest IP from the peer is answered through the tap" ping_ok 3
ARPING=$(in_c busybox arping -c 1 -w 2 -I "$PEER" 10.202.1.2 2>&1)
check "an ARP request for the guest IP is answered via the tap with the veth's MAC" \
        grep -qi "reply from 10.202.1.2 \[$MAC\]" <<<"$ARPING"

check "teardown while the tap is held open succeeds" \
        "$TOOL" teardown "/run/netns/$S" "$ID3" eth0
check "teardown deleted the held tap" no_link "$TAP3"
check "no ingress qdisc and no filter remain on eth0" \
        bash -c "! tc -n $S qdisc show dev eth0 | grep -q ingress && [ -z \"\$(tc -n $S filter show dev eth0 ingress)\" ]"
stop_holder
H3="$TMP/holder-$ID3.out"
ARP=$(field "$H3" arp_replies)
ICMP=$(field "$H3" icmp_replies)
if [ "${ARP:-0}" -ge 1 ] && [ "${ICMP:-0}" -ge 3 ]; then
        ok "the replies came from the responder (arp $ARP, icmp $ICMP)"
else
        not_ok "the replies came from the responder" "$(cat "$H3")"
fi
check "after teardown the namespace's stack answers again" ping_ok 2

# ---- stale and foreign redirects ----------------------------------------------

ID4=net-test-d-$$
start_holder "$ID4" >/dev/null
stop_holder >/dev/null
ID5=net-test-e-$$
TAP5=$("$TOOL" tap-name "$ID5")
if start_holder "$ID5"; then
        ok "a stale redirect (its tap gone) is replaced by a new setup"
else
        not_ok "a stale redirect (its tap gone) is replaced by a new setup" "$(cat "$TMP/holder-$ID5.out")"
fi
check "the new redirect points to the new tap" redirects_to eth0 "$TAP5"
stop_holder >/dev/null
"$TOOL" teardown "/run/netns/$S" "$ID5" eth0 >/dev/null

in_s ip link add fdum$$ type veth peer name fdup$$ && in_s ip link set "fdum$$" up
tc -n "$S" qdisc add dev eth0 ingress
tc -n "$S" filter add dev eth0 parent ffff: protocol all u32 match u32 0 0 \
        action mirred egress redirect dev "fdum$$"
ID6=net-test-f-$$
TAP6=$("$TOOL" tap-name "$ID6")
check "teardown leaves a redirect to somebody else's device alone" \
        bash -c "'$TOOL' teardown /run/netns/$S $ID6 eth0 && tc -n $S filter show dev eth0 ingress | grep -q 'device fdum$$'"
tc -n "$S" qdisc del dev eth0 ingress
tc -n "$S" qdisc add dev eth0 ingress
if OUT=$(in_s "$TOOL" setup "$ID6" </dev/null 2>&1); then
        not_ok "setup refuses an ingress qdisc it did not create" "$OUT"
elif grep -q "already has an ingress qdisc not set up by urunc" <<<"$OUT" && no_link "$TAP6"; then
        ok "setup refuses an ingress qdisc it did not create, leaving no tap"
else
        not_ok "setup refuses an ingress qdisc it did not create, leaving no tap" "$OUT"
fi
tc -n "$S" qdisc del dev eth0 ingress
in_s ip link del "fdum$$"

# A failure half-way (the tap cannot take the veth's MTU) undoes everything.
ip -n "$S" link set eth0 mtu 65535 && ip -n "$C" link set "$PEER" mtu 65535
ID7=net-test-g-$$
TAP7=$("$TOOL" tap-name "$ID7")
if OUT=$(in_s "$TOOL" setup "$ID7" </dev/null 2>&1); then
        not_ok "a failed setup undoes what it did" "$OUT"
elif grep -q "MTU 65535" <<<"$OUT" && no_link "$TAP7" && no_ingress eth0; then
        ok "a failed setup (tap MTU) reports it and leaves no tap and no qdisc"
else
        not_ok "a failed setup (tap MTU) reports it and leaves no tap and no qdisc" "$OUT"
fi
ip -n "$S" link set eth0 mtu 1400 && ip -n "$C" link set "$PEER" mtu 1400

check "nothing of ours remains in the namespace" \
        bash -c "! ip -n $S -o link show | grep -q ': urt' && ! tc -n $S qdisc show | grep -q ingress"

[ "$N" = 37 ] || echo "# ran $N tests, planned 37"
exit $((FAILED > 0))
