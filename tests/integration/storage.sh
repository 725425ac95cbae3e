#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Root test of issue 15 (urunc(8) STORAGE): the spec's mounts reach a real
# Linux guest (the Debian kernel under TCG, tests/guests/linux) over 9p.
#
# Usage: storage.sh URUNC LINUX_KIT_DIR
#   LINUX_KIT_DIR: the Linux guest kit (tests/guests/linux/build.sh output);
#   build.sh is run on it first (a no-op when it is up to date).
#
#  1. Refusals without a boot: a bind mount of a file, a mount type no
#     guest takes, a bind mount for a guest family without 9p: create fails
#     naming the mount (destination and source), nothing is left.
#  2. One boot (with a spec seccomp, so the monitor's policy applies): a
#     read-write bind mount is read and written by the guest (the host reads
#     the guest's file), a read-only one cannot be written, a tmpfs, the
#     mounts engines always add are skipped; the guest prints its
#     /proc/mounts lines; after delete nothing is left.
#  3. mountRootfs: the container rootfs (the test initrd's tree) is the
#     guest's root over 9p, with a read-only bind mount under it; the host
#     reads the guest's write into its root; nothing left after delete.
#  4. virtiofs (annotation com.urunc.sharedfs=virtiofs): the same rw/ro
#     checks through virtiofsd, which `urunc ps` lists while the guest runs;
#     after delete no virtiofsd, socket or mount is left.
#  5. Block volumes: two loop devices (ext4 images) as mounts, in the
#     spec's order (serials blk0, blk1), one read-only.
#  6. No shared fs (annotation com.urunc.sharedfs=none): a directory
#     (ConfigMap-like, read-only, with Kubernetes' ..data symlinks) and a
#     file are copied into the guest's initrd: the guest reads them with
#     their modes (write bits cleared for the read-only one); its writes
#     stay in the guest; after delete nothing is left.
#  7. useDMBlock: the rootfs is an ext4 image on a loop device mounted at
#     root.path (as the devmapper and blockfile snapshotters give it): the
#     guest boots from that device (/dev/vda is its root), create copies the
#     kernel and initrd out and unmounts the rootfs; the host reads the
#     guest's write in the image; after delete nothing is left, and the loop
#     device is free.  A busy rootfs fails create, naming it, leaving nothing.
#     (Section 6 has useDMBlock true with a directory rootfs: used as it is.)

set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "not root"
command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 is not installed"
command -v cpio >/dev/null || tap_skip_all "cpio is not installed"

URUNC=${1:?usage: storage.sh URUNC LINUX_KIT_DIR}
KIT=${2:?}
T=$(mktemp -d /tmp/urunc-storage.XXXXXX)
ROOT=$T/root
for i in file type fam rw rootfs vfs blk cp dm dmbusy; do
  declare "ID_${i^^}=st$$-$i"
done

u() { "$URUNC" --root "$ROOT" --log "$T/urunc.log" "$@"; }
LOOPS=""
cleanup() {
  for id in $(u list -q 2>/dev/null); do u delete --force "$id" >/dev/null 2>&1; done
  mountpoint -q "$T/b-dm/rootfs" 2>/dev/null && umount "$T/b-dm/rootfs"
  for l in $LOOPS; do losetup -d "$l" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT

# Nothing of a container left on the host: state, process, cgroup, mounts.
left_behind() {
  local id=$1 what=""
  [ -e "$ROOT/$id" ] && what="$what state-dir"
  pgrep -f -- "$ROOT/$id/" >/dev/null && what="$what process"
  [ -n "$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" 2>/dev/null)" ] && what="$what cgroup"
  grep -q -- "$ROOT/$id" /proc/self/mountinfo && what="$what mount"
  echo "$what"
}

if ! out=$(bash "$here/../guests/linux/build.sh" "$KIT" 2>&1); then
  not_ok "build the Linux guest kit in $KIT"
  printf '%s\n' "$out" | tail -5 | sed 's/^/# /'
  tap_done
  exit 1
fi
LK=$KIT/vmlinux
[ -s "$LK" ] || LK=$KIT/bzImage
SECCOMP='"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": []}'
# The mounts an engine adds to every container (runc's spec, docker).
ENGINE_MOUNTS='{"destination": "/proc", "type": "proc", "source": "proc"},
  {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755"]},
  {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec"]},
  {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "size=65536k"]},
  {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue"},
  {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["ro"]},
  {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["ro"]},
  {"destination": "/etc/hosts", "type": "bind", "source": "'$T'/hosts", "options": ["rbind", "ro"]},
  {"destination": "/etc/hostname", "type": "bind", "source": "'$T'/hostname", "options": ["rbind", "ro"]},
  {"destination": "/etc/resolv.conf", "type": "bind", "source": "'$T'/resolv.conf", "options": ["rbind", "ro"]}'
printf '127.0.0.1 localhost\n' >"$T/hosts"
echo urunc-test >"$T/hostname"
: >"$T/resolv.conf"

linux_bundle() { # DIR ARGS-JSON MOUNTS-JSON [ANNOT]
  B_TYPE=linux B_BIN=/unikernel/$(basename "$LK") B_ARGS=$2 \
    B_ENV='["PATH=/bin:/sbin:/usr/bin"]' \
    B_ANNOT="\"com.urunc.accel\": \"tcg\", \"com.urunc.unikernel.initrd\": \"$(b64 /boot/initrd.img)\"${4:+, $4}" \
    B_RES='{"memory": {"limit": 536870912}}' B_LINUX=$SECCOMP \
    B_EXTRA="\"mounts\": [$3]" make_bundle "$1" "$LK" &&
    mkdir -p "$1/rootfs/boot" && cp "$KIT/initrd.img" "$1/rootfs/boot/initrd.img"
}

# Run the container to its end (150 s at most): rc and o (the guest's
# console, without CRs) for the checks; its time as a diagnostic; on a
# failure, the tails of stderr and the console.
boot() { # BUNDLE ID NAME WHAT TEST-NAME
  local t0
  t0=$(date +%s%N)
  timeout 150 "$URUNC" --root "$ROOT" --log "$T/urunc.log" run --bundle "$1" "$2" >"$T/$3.out" 2>"$T/$3.err"
  rc=$?
  diag "$4: $((($(date +%s%N) - t0) / 1000000)) ms"
  o=$(tr -d '\r' <"$T/$3.out")
  expect_eq "$5: exit 0" 0 "$rc"
  [ "$rc" = 0 ] || { sed 's/^/# /' "$T/$3.err" | tail -5; printf '%s\n' "$o" | tail -20 | sed 's/^/# /'; }
}

# --- 1. refusals ---------------------------------------------------------------
mkdir -p "$T/data" "$T/config"
echo "hello from the host" >"$T/data/in.txt"
echo "setting=1" >"$T/config/app.conf"
chmod 0755 "$T/data" "$T/config"

refused() { # ID BUNDLE WHAT PATTERN
  local rc
  u create --bundle "$2" "$1" >"$T/$1.out" 2>"$T/$1.err"; rc=$?
  expect_eq "$3: create fails" 1 "$rc"
  expect_match "$3: the error names the mount" "$4" "$(cat "$T/$1.err")"
  expect_eq "$3: nothing left" "" "$(left_behind "$1")"
}
linux_bundle "$T/b-file" '["/bin/guest"]' \
  "$ENGINE_MOUNTS, {\"destination\": \"/etc/app.conf\", \"type\": \"bind\", \"source\": \"$T/config/app.conf\", \"options\": [\"rbind\", \"ro\"]}" \
  "\"com.urunc.unikernel.mountRootfs\": \"true\""
refused "$ID_FILE" "$T/b-file" "bind mount of a file with a shared root" \
  "mount '/etc/app.conf' .source '$T/config/app.conf', type 'bind'.: the source is not a directory, and 9p shares only directories; nor can it be copied into the guest's initrd: its root is the shared rootfs"
linux_bundle "$T/b-type" '["/bin/guest"]' \
  "{\"destination\": \"/mnt/disk\", \"type\": \"ext4\", \"source\": \"/dev/urunc-no-such-disk\"}"
refused "$ID_TYPE" "$T/b-type" "an ext4 mount" \
  "mount '/mnt/disk' .source '/dev/urunc-no-such-disk', type 'ext4'.: only bind mounts of directories, block devices and tmpfs"
B_TYPE=mirage B_EXTRA="\"mounts\": [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/data\", \"options\": [\"rbind\"]}]" \
  make_bundle "$T/b-fam" "$LK"
refused "$ID_FAM" "$T/b-fam" "a bind mount for a mirage guest" \
  "mount '/data' .source '$T/data', type 'bind'.: this guest family cannot take a shared directory"

# --- 2. bind mounts (rw, ro), tmpfs, the engine's mounts skipped ---------------
# shellcheck disable=SC2016 # for the guest's shell
G_RW="grep -E ' /(data|config|cache) ' /proc/mounts | sed 's/^/mount: /'; ls -ln /data /config /cache | sed 's/^/ls: /'; cat /data/in.txt; echo 'written by the guest' >/data/out.txt && echo rw-write-ok;
  if echo x >/config/new 2>/dev/null; then echo ro-write-succeeded; else echo ro-write-refused; fi;
  mount -o remount,rw /config && echo remounted-rw;
  if echo x >/config/new2 2>/dev/null; then echo share-write-succeeded; else echo share-write-refused; fi;
  cat /config/app.conf; echo t >/cache/t && echo tmpfs-ok"
linux_bundle "$T/b-rw" "[\"/bin/guest\", \"sh\", \"-c\", \"$(printf '%s' "$G_RW" | tr '\n' ' ')\"]" \
  "$ENGINE_MOUNTS,
  {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/data\", \"options\": [\"rbind\", \"rw\"]},
  {\"destination\": \"/config\", \"type\": \"bind\", \"source\": \"$T/config\", \"options\": [\"rbind\", \"ro\"]},
  {\"destination\": \"/cache\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"size=8m\", \"mode=1777\"]}"
boot "$T/b-rw" "$ID_RW" rw "boot with three mounts" "run with bind mounts and a tmpfs"
expect_match "the guest reads the host's file over 9p" "hello from the host" "$o"
expect_match "the guest writes into the rw mount" "rw-write-ok" "$o"
expect_eq "the host reads the guest's write" "written by the guest" "$(cat "$T/data/out.txt" 2>/dev/null)"
expect_match "the guest cannot write into the ro mount" "ro-write-refused" "$o"
expect_match "the guest can remount its ro mount rw (its own option)" "remounted-rw" "$o"
expect_match "... but the share itself refuses the write (QEMU readonly=on)" "share-write-refused" "$o"
expect_eq "nothing written into the ro directory on the host" "" "$(ls "$T/config" | grep -v app.conf)"
expect_match "the guest reads the ro mount" "setting=1" "$o"
expect_match "the tmpfs is writable" "tmpfs-ok" "$o"
expect_match "guest /proc/mounts: /data is 9p vol0 rw" "mount: vol0 /data 9p rw," "$o"
expect_match "guest /proc/mounts: /config is 9p vol1 ro" "mount: vol1 /config 9p ro," "$o"
expect_match "guest /proc/mounts: /cache is a tmpfs (size 8m)" "mount: tmpfs /cache tmpfs rw,.*size=8192k" "$o"
printf '%s\n' "$o" | grep -E '^(mount|ls): ' | sed 's/^/# guest: /'
u delete "$ID_RW" >/dev/null 2>&1
expect_eq "after delete nothing is left" "" "$(left_behind "$ID_RW")"
expect_eq "the shared directories are left as they were" "app.conf in.txt out.txt" \
  "$(ls "$T/config" "$T/data" | grep -v : | grep . | sort | tr '\n' ' ' | sed 's/ $//')"

# --- 3. mountRootfs: the container rootfs is the guest's root over 9p -----------
# The rootfs is the test initrd's tree (its /init mounts the 9p root and
# switches to init=/bin/guest on it), with a bind mount under it.
linux_bundle "$T/b-root" "[\"/bin/guest\", \"sh\", \"-c\", \"grep -E ' / | /data ' /proc/mounts | sed 's/^/mount: /'; ls /unikernel; cat /data/in.txt; echo 'root written by the guest' >/root-out.txt\"]" \
  "$ENGINE_MOUNTS, {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/data\", \"options\": [\"rbind\", \"ro\"]}" \
  "\"com.urunc.unikernel.mountRootfs\": \"$(b64 true)\""
(cd "$T/b-root/rootfs" && gzip -dc "$KIT/initrd.img" | cpio -id --quiet 2>/dev/null)
boot "$T/b-root" "$ID_ROOTFS" root "boot with the rootfs over 9p" "run with mountRootfs"
expect_match "guest /proc/mounts: / is the 9p share 'rootfs', rw" "mount: rootfs / 9p rw," "$o"
expect_match "guest /proc/mounts: /data is 9p vol0 ro under the 9p root" "mount: vol0 /data 9p ro," "$o"
expect_match "the guest sees the rootfs's files" "$(basename "$LK")" "$o"
expect_match "the guest reads the bind mount under its root" "hello from the host" "$o"
expect_eq "the host reads the guest's write into its root" "root written by the guest" \
  "$(cat "$T/b-root/rootfs/root-out.txt" 2>/dev/null)"
printf '%s\n' "$o" | grep '^mount: ' | sed 's/^/# guest: /'
u delete "$ID_ROOTFS" >/dev/null 2>&1
expect_eq "after delete nothing is left" "" "$(left_behind "$ID_ROOTFS")"

# --- 4. virtiofs ------------------------------------------------------------------
if [ ! -x /usr/lib/qemu/virtiofsd ] && ! command -v virtiofsd >/dev/null; then
  skip "virtiofs" "no virtiofsd (/usr/lib/qemu/virtiofsd, qemu-system-common)"
else
  rm -f "$T/data/out.txt"
  G_VFS="grep -E ' /(data|config) ' /proc/mounts | sed 's/^/mount: /'; ls -ln /data /config | sed 's/^/ls: /'; cat /data/in.txt;
    echo 'virtiofs write' >/data/vfs.txt && echo rw-write-ok;
    if echo x >/config/new 2>/dev/null; then echo ro-write-succeeded; else echo ro-write-refused; fi;
    mount -o remount,rw /config && echo remounted-rw;
    if echo x >/config/new2 2>/dev/null; then echo share-write-succeeded; else echo share-write-refused; fi;
    echo vfs-done; sleep 600"
  linux_bundle "$T/b-vfs" "[\"/bin/guest\", \"sh\", \"-c\", \"$(printf '%s' "$G_VFS" | tr '\n' ' ')\"]" \
    "$ENGINE_MOUNTS,
    {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/data\", \"options\": [\"rbind\", \"rw\"]},
    {\"destination\": \"/config\", \"type\": \"bind\", \"source\": \"$T/config\", \"options\": [\"rbind\", \"ro\"]}" \
    '"com.urunc.sharedfs": "virtiofs"'
  t0=$(date +%s%N)
  u run -d --bundle "$T/b-vfs" "$ID_VFS" >"$T/vfs.out" 2>"$T/vfs.err"
  rc=$?
  expect_eq "run -d with virtiofs mounts: exit 0" 0 "$rc"
  vfs_done() { grep -q '^vfs-done' "$T/vfs.out"; }
  wait_for 120 vfs_done
  diag "virtiofs boot to the guest's work done: $((($(date +%s%N) - t0) / 1000000)) ms"
  o=$(tr -d '\r' <"$T/vfs.out")
  [ "$rc" = 0 ] && vfs_done || { sed 's/^/# /' "$T/vfs.err" | tail -5; printf '%s\n' "$o" | tail -20 | sed 's/^/# /'; }
  expect_match "virtiofs: the guest reads the host's file" "hello from the host" "$o"
  expect_eq "virtiofs: the host reads the guest's write" "virtiofs write" "$(cat "$T/data/vfs.txt" 2>/dev/null)"
  expect_match "virtiofs: the guest cannot write into the ro mount" "ro-write-refused" "$o"
  expect_match "virtiofs: ... nor after remounting it rw (the share is read-only)" "share-write-refused" "$o"
  expect_eq "virtiofs: nothing written into the ro directory on the host" "" "$(ls "$T/config" | grep -v app.conf)"
  expect_match "guest /proc/mounts: /data is virtiofs vol0 rw" "mount: vol0 /data virtiofs rw" "$o"
  expect_match "guest /proc/mounts: /config is virtiofs vol1 ro" "mount: vol1 /config virtiofs ro" "$o"
  printf '%s\n' "$o" | grep -E '^(mount|ls): ' | sed 's/^/# guest: /'
  comms=$(for p in $(u ps --format json "$ID_VFS" 2>/dev/null | tr -d '[] ' | tr , ' '); do cat "/proc/$p/comm"; done | sort | tr '\n' ' ')
  diag "urunc ps: $comms"
  expect_match "urunc ps lists the two virtiofsd (and the VMM)" "qemu-system-x86 .*virtiofsd virtiofsd" "$comms"
  vpids=$(pgrep -f -- "$ROOT/$ID_VFS/monitor/virtiofs-" | tr '\n' ' ')
  u kill "$ID_VFS" KILL >/dev/null 2>&1
  stopped() { u state "$ID_VFS" 2>/dev/null | grep -q '"status": "stopped"'; }
  wait_for 10 stopped
  u delete "$ID_VFS" >/dev/null 2>&1 || u delete --force "$ID_VFS" >/dev/null 2>&1
  gone() { for p in $vpids; do [ -e "/proc/$p" ] && return 1; done; return 0; }
  wait_for 5 gone
  expect_eq "virtiofs: no virtiofsd left after delete" "" "$(for p in $vpids; do [ -e /proc/$p ] && echo "$p"; done)"
  expect_eq "virtiofs: after delete nothing is left" "" "$(left_behind "$ID_VFS")"
fi

# --- 5. block volumes -------------------------------------------------------------
if ! command -v losetup >/dev/null || ! command -v mke2fs >/dev/null || ! command -v debugfs >/dev/null; then
  skip "block volumes" "losetup, mke2fs or debugfs is not installed"
else
  for v in a b; do
    mkdir -p "$T/img-$v" && echo "volume $v" >"$T/img-$v/id"
    mke2fs -q -t ext4 -d "$T/img-$v" "$T/$v.ext4" 16M >/dev/null 2>&1
  done
  LA=$(losetup --find --show "$T/a.ext4") && LOOPS="$LA"
  LB=$(losetup --find --show "$T/b.ext4") && LOOPS="$LOOPS $LB"
  if [ -z "${LA:-}" ] || [ -z "${LB:-}" ]; then
    skip "block volumes" "no loop device could be attached here"
  else
    G_BLK="grep -E ' /vol/' /proc/mounts | sed 's/^/mount: /'; for d in /sys/block/vd*; do echo serial \${d##*/}=\$(cat \$d/serial); done;
      cat /vol/first/id /vol/second/id; echo 'written by the guest' >/vol/first/out && echo blk-write-ok;
      if echo x >/vol/second/new 2>/dev/null; then echo ro-write-succeeded; else echo ro-write-refused; fi"
    linux_bundle "$T/b-blk" "[\"/bin/guest\", \"sh\", \"-c\", \"$(printf '%s' "$G_BLK" | tr '\n' ' ')\"]" \
      "$ENGINE_MOUNTS,
      {\"destination\": \"/vol/first\", \"type\": \"ext4\", \"source\": \"$LA\", \"options\": [\"rw\"]},
      {\"destination\": \"/vol/second\", \"type\": \"bind\", \"source\": \"$LB\", \"options\": [\"rbind\", \"ro\"]}"
    boot "$T/b-blk" "$ID_BLK" blk "boot with two block volumes" "run with two block volumes"
    expect_eq "the volumes in the spec's order: /vol/first is image a, /vol/second image b" \
      "volume a,volume b" "$(printf '%s\n' "$o" | grep '^volume ' | paste -sd,)"
    expect_match "the guest writes into the rw volume" "blk-write-ok" "$o"
    expect_match "the guest cannot write into the ro volume" "ro-write-refused" "$o"
    expect_match "guest /proc/mounts: /vol/first is ext4 rw" "mount: /dev/vd[a-z] /vol/first ext4 rw," "$o"
    expect_match "guest /proc/mounts: /vol/second is ext4 ro" "mount: /dev/vd[a-z] /vol/second ext4 ro," "$o"
    printf '%s\n' "$o" | grep -E '^(mount:|serial) ' | sed 's/^/# guest: /'
    u delete "$ID_BLK" >/dev/null 2>&1
    expect_eq "after delete nothing is left" "" "$(left_behind "$ID_BLK")"
    for l in $LOOPS; do losetup -d "$l"; done
    LOOPS=""
    expect_eq "the host reads the guest's write in image a" "written by the guest" \
      "$(debugfs -R 'cat /out' "$T/a.ext4" 2>/dev/null)"
  fi
fi

# --- 6. copies into the initrd (no shared fs) --------------------------------------
mkdir -p "$T/cm/..2026_01_01" && echo "level=debug" >"$T/cm/..2026_01_01/log.conf"
ln -s ..2026_01_01 "$T/cm/..data" && ln -s ..data/log.conf "$T/cm/log.conf"
chmod 0644 "$T/cm/..2026_01_01/log.conf"
echo "token-1234" >"$T/extra.conf" && chmod 0640 "$T/extra.conf"
# shellcheck disable=SC2016 # for the guest's shell
G_CP="grep -E ' / ' /proc/mounts | sed 's/^/mount: /'; ls -lna /etc/config/ /etc/config/..data/ /etc/app/ | sed 's/^/ls: /';
  cat /etc/config/log.conf /etc/app/extra.conf; echo changed >/etc/app/extra.conf && echo cp-write-ok; cat /etc/app/extra.conf"
linux_bundle "$T/b-cp" "[\"/bin/guest\", \"sh\", \"-c\", \"$(printf '%s' "$G_CP" | tr '\n' ' ')\"]" \
  "$ENGINE_MOUNTS,
  {\"destination\": \"/etc/config\", \"type\": \"bind\", \"source\": \"$T/cm\", \"options\": [\"rbind\", \"ro\"]},
  {\"destination\": \"/etc/app/extra.conf\", \"type\": \"bind\", \"source\": \"$T/extra.conf\", \"options\": [\"rbind\", \"rw\"]}" \
  '"com.urunc.sharedfs": "none", "com.urunc.unikernel.useDMBlock": "true"'
boot "$T/b-cp" "$ID_CP" cp "boot with two copies in the initrd" "run with copies into the initrd"
expect_match "guest /proc/mounts: the root is the initrd (rootfs)" "mount: (rootfs|none) / (rootfs|tmpfs|ramfs) " "$o"
expect_match "the guest reads the copied directory (through its ..data links)" "level=debug" "$o"
expect_match "the guest reads the copied file" "token-1234" "$o"
expect_match "guest ls: the read-only copy has no write bits" "ls: -r--r--r-- +1 0 +0 +12 .* log.conf" "$o"
expect_match "guest ls: its directory neither" "ls: dr-xr-xr-x +[0-9]+ 0 +0 .* \.\.2026_01_01" "$o"
expect_match "guest ls: the links are kept" "ls: lrwxrwxrwx +1 0 +0 .* log.conf -> \.\.data/log.conf" "$o"
expect_match "guest ls: the rw file keeps its mode" "ls: -rw-r----- +1 0 +0 +11 .* extra.conf" "$o"
expect_match "the guest writes its copy" "cp-write-ok" "$o"
expect_eq "... which stays in the guest" "token-1234" "$(cat "$T/extra.conf")"
printf '%s\n' "$o" | grep -E '^(mount|ls): ' | sed 's/^/# guest: /'
u delete "$ID_CP" >/dev/null 2>&1
expect_eq "after delete nothing is left (the extended initrd is in the state dir)" "" "$(left_behind "$ID_CP")"

# --- 7. useDMBlock: the rootfs's block device is the guest's root -------------------
if ! command -v losetup >/dev/null || ! command -v mke2fs >/dev/null || ! command -v debugfs >/dev/null; then
  skip "useDMBlock" "losetup, mke2fs or debugfs is not installed"
else
  # The image: the guest tree (the test initrd's), the kernel and the initrd.
  LK=$KIT/bzImage linux_bundle "$T/b-dm" "[\"/bin/guest\", \"sh\", \"-c\", \"grep -E ' / ' /proc/mounts | sed 's/^/mount: /'; ls /unikernel; echo 'dm written by the guest' >/dm-out.txt && echo dm-write-ok\"]" \
    "$ENGINE_MOUNTS" "\"com.urunc.unikernel.useDMBlock\": \"true\""
  mkdir -p "$T/dmtree" && (cd "$T/dmtree" && gzip -dc "$KIT/initrd.img" | cpio -id --quiet 2>/dev/null)
  cp -a "$T/b-dm/rootfs/." "$T/dmtree/" && rm -rf "$T/b-dm/rootfs" && mkdir "$T/b-dm/rootfs"
  mke2fs -q -t ext4 -d "$T/dmtree" "$T/dm.ext4" 64M >/dev/null 2>&1
  LD=$(losetup --find --show "$T/dm.ext4") && LOOPS="$LOOPS $LD"
  if [ -z "${LD:-}" ] || ! mount "$LD" "$T/b-dm/rootfs"; then
    skip "useDMBlock" "no loop device could be attached and mounted here"
  else
    # A process holding the rootfs: create cannot hand the device over.
    (cd "$T/b-dm/rootfs" && exec sleep 120) &
    busy=$!
    refused "$ID_DMBUSY" "$T/b-dm" "useDMBlock with a busy rootfs" \
      "useDMBlock: unmount the rootfs '$T/b-dm/rootfs' .so that the guest alone mounts '$LD'.: Device or resource busy"
    expect_eq "useDMBlock with a busy rootfs: the rootfs stays mounted" "yes" \
      "$(mountpoint -q "$T/b-dm/rootfs" && echo yes || echo no)"
    kill "$busy" && wait "$busy" 2>/dev/null
    boot "$T/b-dm" "$ID_DM" dm "boot from the rootfs's block device" "run with useDMBlock"
    expect_match "guest /proc/mounts: / is the rootfs's device, ext4 rw" "mount: /dev/vda / ext4 rw," "$o"
    expect_match "the guest sees the image's files" "bzImage" "$o"
    expect_match "the guest writes into its root" "dm-write-ok" "$o"
    expect_eq "create unmounted the rootfs on the host" "no" \
      "$(mountpoint -q "$T/b-dm/rootfs" && echo yes || echo no)"
    printf '%s\n' "$o" | grep '^mount: ' | sed 's/^/# guest: /'
    u delete "$ID_DM" >/dev/null 2>&1
    expect_eq "after delete nothing is left (the copied kernel and initrd were in the state dir)" "" \
      "$(left_behind "$ID_DM")"
    expect_eq "the host reads the guest's write in the image" "dm written by the guest" \
      "$(debugfs -R 'cat /dm-out.txt' "$T/dm.ext4" 2>/dev/null)"
    expect_eq "the loop device is free (no holder left)" "0" "$(losetup -d "$LD"; echo $?)"
    LOOPS=${LOOPS/ $LD/}
  fi
fi

tap_done
