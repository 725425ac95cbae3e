#!/bin/bash
# Build the Linux test guest from the host's Debian kernel and busybox-static.
#
#   build.sh OUTDIR
#
# Produces OUTDIR/{bzImage,vmlinux,initrd.img,rootfs.ext4} (see README.md).
# vmlinux is the uncompressed PVH ELF taken out of the bzImage; it is an
# EMPTY file when the kernel has no CONFIG_PVH (callers test `-s`).
# Idempotent: nothing is rebuilt while the inputs are unchanged.
# Needs no root: busybox-static, cpio, gzip, xz/zstd, e2fsprogs (mke2fs -d,
# debugfs), coreutils.
#
# Environment: KVER (kernel version, default: newest /boot/vmlinuz-* that has
# /lib/modules/<ver>/modules.dep), BUSYBOX (default /bin/busybox).
set -euo pipefail

out=${1:?usage: build.sh OUTDIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

die() { echo "build.sh: $*" >&2; exit 1; }

busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || die "no $busybox (apt-get install busybox-static)"

if [ -z "${KVER:-}" ]; then
	for k in $(ls /boot/vmlinuz-* 2>/dev/null | sort -V -r); do
		v=${k#/boot/vmlinuz-}
		if [ -r "/lib/modules/$v/modules.dep" ]; then KVER=$v; break; fi
	done
fi
[ -n "${KVER:-}" ] || die "no /boot/vmlinuz-* with modules (apt-get install linux-image-amd64)"
kimg=/boot/vmlinuz-$KVER
mdir=/lib/modules/$KVER
kcfg=/boot/config-$KVER
[ -r "$kimg" ] || die "cannot read $kimg"

# --- up to date? ---------------------------------------------------------
key=$( {
	echo "v3 $KVER"
	stat -L -c '%n %s %Y' "$kimg" "$busybox" "$mdir/modules.dep"
	cat "$here/build.sh" "$here/init" "$here/index.html"
} | sha256sum | cut -d' ' -f1)
stamp=$out/.stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] &&
	[ -f "$out/bzImage" ] && [ -f "$out/vmlinux" ] &&
	[ -f "$out/initrd.img" ] && [ -f "$out/rootfs.ext4" ]; then
	exit 0
fi
rm -f "$stamp"

work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- bzImage ---------------------------------------------------------------
cp "$kimg" "$work/bzImage"

# --- vmlinux: the payload of the bzImage ------------------------------------
# boot protocol >= 2.08: payload_offset (0x248) and payload_length (0x24c)
# relative to the protected-mode code, which starts at (setup_sects+1)*512.
u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
: >"$work/vmlinux"
pvh=y
if [ -r "$kcfg" ] && ! grep -q '^CONFIG_PVH=y' "$kcfg"; then
	pvh=n
	echo "build.sh: $kcfg has no CONFIG_PVH: vmlinux left empty" >&2
fi
if [ $pvh = y ]; then
	ss=$(u8 "$kimg" $((0x1f1)))
	[ "$ss" -eq 0 ] && ss=4
	poff=$(u32 "$kimg" $((0x248)))
	plen=$(u32 "$kimg" $((0x24c)))
	start=$(( (ss + 1) * 512 + poff ))
	# the last 4 bytes of the payload are its decompressed size
	dd if="$kimg" of="$work/payload" bs=64K iflag=skip_bytes,count_bytes \
		skip=$start count=$((plen - 4)) status=none
	magic=$(od -An -tx1 -N6 "$work/payload" | tr -d ' ')
	case "$magic" in
	fd377a585a00*) dec=(xz -dc --single-stream) ;;
	28b52ffd*) dec=(zstd -dcq) ;;
	1f8b*) dec=(gzip -dc) ;;
	5d0000*) dec=(xz -dc --format=lzma) ;;
	02214c18*) dec=(lz4 -dc) ;;
	*) die "unknown kernel payload compression (magic $magic)" ;;
	esac
	"${dec[@]}" <"$work/payload" >"$work/vmlinux"
	rm -f "$work/payload"
	[ "$(od -An -tx1 -N4 "$work/vmlinux" | tr -d ' ')" = 7f454c46 ] ||
		die "decompressed payload is not an ELF file"
	if command -v readelf >/dev/null &&
		! readelf -n "$work/vmlinux" 2>/dev/null | grep -q 'Xen.*0x00000012'; then
		echo "build.sh: vmlinux has no XEN_ELFNOTE_PHYS32_ENTRY: no PVH, left empty" >&2
		: >"$work/vmlinux"
	fi
fi

# --- the guest tree -----------------------------------------------------------
# modules: the dependency closure (modules.dep), dependencies first
declare -A seen=()
order=()
moddeps() { # module path relative to $mdir
	local m=$1 d
	[ -n "${seen[$m]:-}" ] && return 0
	seen[$m]=1
	local line
	line=$(grep -m1 "^$m:" "$mdir/modules.dep") || die "$m not in modules.dep"
	for d in ${line#*:}; do moddeps "$d"; done
	order+=("$m")
}
modpath() { # module name -> path relative to $mdir
	local p
	p=$(grep -m1 -E "(^|/)$1\.ko(\.[a-z]+)?:" "$mdir/modules.dep" | cut -d: -f1) ||
		die "module $1 not found in $mdir"
	echo "$p"
}
builtin() { grep -q -E "(^|/)$1\.ko\$" "$mdir/modules.builtin" 2>/dev/null; }
modlist() { # names... -> ordered list of paths (relative to /lib/modules)
	order=()
	local n
	for n in "$@"; do
		builtin "$n" && continue
		moddeps "$(modpath "$n")"
	done
	local m
	for m in "${order[@]}"; do echo "$KVER/${m%.ko*}.ko"; done
}

root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/urunc-guest,dev,proc,sys,tmp,run,newroot,www,root,lib/modules/"$KVER"}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for a in $("$busybox" --list-full); do
	case "$a" in bin/busybox) continue ;; esac
	[ -e "$root/$a" ] || ln -s /bin/busybox "$root/$a"
done
install -m 0755 "$here/init" "$root/init"
ln -sf /init "$root/bin/guest"
rm -f "$root/sbin/init"
ln -s /init "$root/sbin/init"
install -m 0644 "$here/index.html" "$root/www/index.html"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
: >"$root/etc/resolv.conf"
echo "$KVER" >"$root/etc/urunc-guest/kernel"

# network and block drivers for microvm (virtio-mmio) and pc (virtio-pci);
# pvpanic (ISA/ACPI QEMU0001 and PCI) so that a guest panic can end QEMU
modlist virtio_mmio virtio_pci virtio_net virtio_blk pvpanic-mmio pvpanic-pci >"$root/etc/urunc-guest/modules.base"
# the root filesystem (ext4 wants crc32c for metadata_csum: softdep)
modlist crc32c_generic ext4 >"$root/etc/urunc-guest/modules.root"
# shared directories and a 9p root (urunc.mount=9p:..., rootfstype=9p)
modlist 9pnet_virtio 9p >"$root/etc/urunc-guest/modules.9p"
# ... and through virtiofs (urunc.mount=virtiofs:..., rootfstype=virtiofs)
modlist virtiofs >"$root/etc/urunc-guest/modules.virtiofs"
cat "$root"/etc/urunc-guest/modules.{base,root,9p,virtiofs} | sort -u |
while read -r m; do
	src=$mdir/${m#"$KVER"/}
	dst=$root/lib/modules/$m
	mkdir -p "$(dirname "$dst")"
	if [ -e "$src" ]; then
		cp "$src" "$dst"
	elif [ -e "$src.xz" ]; then
		xz -dc "$src.xz" >"$dst"
	elif [ -e "$src.zst" ]; then
		zstd -dcq "$src.zst" >"$dst"
	elif [ -e "$src.gz" ]; then
		gzip -dc "$src.gz" >"$dst"
	else
		die "missing module $src"
	fi
done

# --- initrd.img: cpio newc, gzip ---------------------------------------------
touch "$root/etc/urunc-guest/initrd"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0) | gzip -1 -n >"$work/initrd.img"
rm "$root/etc/urunc-guest/initrd"

# --- rootfs.ext4: the same tree, made without root ---------------------------
# 64 MiB, so that tests can write to it; sparse on the host.
mke2fs -q -F -t ext4 -L urunc-root -E root_owner=0:0 -d "$root" \
	"$work/rootfs.ext4" 64M >/dev/null
# device nodes cannot come from -d without root: make them with debugfs, for
# kernels that mount the root themselves (no devtmpfs automount in Debian)
debugfs -w -f - "$work/rootfs.ext4" >/dev/null 2>&1 <<'DEBUGFS'
cd /dev
mknod console c 5 1
sif console mode 020600
mknod null c 1 3
sif null mode 020666
DEBUGFS
debugfs -R 'ls /dev' "$work/rootfs.ext4" 2>/dev/null | grep -q console ||
	die "debugfs could not create /dev/console in rootfs.ext4"

for f in bzImage vmlinux initrd.img rootfs.ext4; do
	mv -f "$work/$f" "$out/$f"
done
echo "$key" >"$stamp"
