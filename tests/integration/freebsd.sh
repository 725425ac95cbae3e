#!/bin/bash
# The freebsd guest through urunc (issue 15).
#
# 1. Without FreeBSD: our test guest (a PVH kernel that prints its command
#    line) typed "freebsd" on QEMU: the command line it boots with, urunit's
#    configuration disk in the state dir (byte for byte, written from the
#    format's definition: lines, "PAD", newlines to a whole 512-byte
#    sector), the disk attached read-only after the root disk, a refusal at
#    create, and nothing left after delete.
# 2. A real FreeBSD boot, when a kernel is given: URUNC_TEST_FREEBSD_KERNEL
#    (a FreeBSD amd64 kernel, which has the PVH entry) and
#    URUNC_TEST_FREEBSD_ROOT (a UFS image with /urunit and /bin/sh).
#    Debian 12 packages no FreeBSD kernel (kfreebsd-image-* was dropped
#    after Debian 10), so this part skips here and says so.
# Args: URUNC HELLO_PVH
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"
. "$here/../lib/urunc.sh"

URUNC=$1 PVH=$2
urunc_test_init freebsd 64
trap urunc_cleanup EXIT
TCG='"com.urunc.accel": "tcg"'

# --- 1. the command line and the configuration disk ----------------------------
id=fbsd$$
B=$T/b-$id
mkdir -p "$B/rootfs/img"
truncate -s 1M "$B/rootfs/img/root.ufs"
chmod 0666 "$B/rootfs/img/root.ufs" # QEMU runs as the process's user (1001) and opens it read-write
B_TYPE=freebsd B_ANNOT="$TCG, \"com.urunc.unikernel.block\": \"$(b64 /img/root.ufs)\"" \
  B_ARGS='["/urunit", "/bin/sh", "-c", "echo hello, world"]' B_ENV='["PATH=/bin:/sbin", "K=a b"]' \
  B_USER='{ "uid": 1001, "gid": 1002 }' make_bundle "$B" "$PVH"
u create --bundle "$B" "$id" >"$T/$id.out" 2>"$T/$id.err"; rc=$?
expect_eq "create of a freebsd guest on qemu" 0 "$rc"
[ "$rc" = 0 ] || diag "$(tail -3 "$T/$id.err")"
u start "$id" 2>>"$T/$id.err"
check "start" [ $? = 0 ]
stopped() { [ "$(status_of "$id")" = stopped ]; }
wait_for 60 stopped
check "the guest ran and stopped" stopped
expect_eq "the guest's command line: kernel variables, root on vtbd0, urunit's configuration on vtbd1" \
  "cmdline: vfs.root.mountfrom=ufs:/dev/vtbd0 init_path=/urunit URUNIT_CONFIG=/dev/vtbd1" \
  "$(grep '^cmdline:' "$T/$id.out" | tr -d '\r')"

conf=$ROOT/$id/urunit.conf
{
  printf 'UES\nPATH=/bin:/sbin\nK=a b\nUEE\n'
  printf 'UCS\nUID:1001\nGID:1002\nWD:/\nARC:3\nARV:/bin/sh\nARV:-c\nARV:echo hello, world\nUCE\n'
  printf 'UBS\nUBE\nUNS\nIP:\nGW:\nMSK:\nUNE\nPAD\n'
} >"$T/want.conf"
n=$(stat -c %s "$T/want.conf")
head -c $(( (n + 511) / 512 * 512 - n )) /dev/zero | tr '\0' '\n' >>"$T/want.conf"
check "urunit's configuration in the state dir, byte for byte (512 bytes)" cmp "$T/want.conf" "$conf"
expect_eq "its size is whole sectors" 512 "$(stat -c %s "$conf" 2>/dev/null)"
u delete "$id" 2>>"$T/$id.err"
check "delete" [ $? = 0 ]
check "delete removes the configuration disk with the state dir" test ! -e "$conf" -a ! -e "$ROOT/$id"

# A plain init with arguments cannot get them: refused at create.
id=fbsdbad$$
B=$T/b-$id
mkdir -p "$B/rootfs/img"
truncate -s 1M "$B/rootfs/img/root.ufs"
B_TYPE=freebsd B_ANNOT="$TCG, \"com.urunc.unikernel.block\": \"$(b64 /img/root.ufs)\"" \
  B_ARGS='["/sbin/init", "-x"]' make_bundle "$B" "$PVH"
u create --bundle "$B" "$id" >/dev/null 2>"$T/$id.err"; rc=$?
expect_eq "init without urunit and with arguments: refused at create, naming the argument" "1 yes" \
  "$([ $rc != 0 ] && echo 1) $(grep -q "freebsd guest: cannot pass argument 1 '-x'" "$T/$id.err" && echo yes)"
expect_eq "... and nothing is left behind" "" "$(ls "$ROOT" 2>/dev/null | grep "$id")"

# --- 2. a real FreeBSD ---------------------------------------------------------
K=${URUNC_TEST_FREEBSD_KERNEL:-} R=${URUNC_TEST_FREEBSD_ROOT:-}
if [ -z "$K" ] || [ -z "$R" ]; then
  skip "FreeBSD boots through urunit and prints the command's output" \
    "no FreeBSD kernel available here: Debian 12 packages none (kfreebsd-image-* ended with Debian 10); set URUNC_TEST_FREEBSD_KERNEL and URUNC_TEST_FREEBSD_ROOT (a UFS image with /urunit and /bin/sh)"
else
  id=fbsdreal$$
  B=$T/b-$id
  mkdir -p "$B/rootfs/img"
  cp "$R" "$B/rootfs/img/root.ufs"
  B_TYPE=freebsd B_BIN=/unikernel/kernel B_ANNOT="\"com.urunc.unikernel.block\": \"$(b64 /img/root.ufs)\"" \
    B_ARGS='["/urunit", "/bin/sh", "-c", "echo urunc-freebsd-$((6*7))"]' make_bundle "$B" "$K"
  out=$(timeout 300 "$URUNC" --root "$ROOT" run --bundle "$B" "$id" 2>"$T/$id.err")
  expect_match "FreeBSD ran the command through urunit" 'urunc-freebsd-42' "$out"
  u delete --force "$id" >/dev/null 2>&1
fi

tap_done
