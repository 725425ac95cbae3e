#!/bin/bash
# images.sh - build OCI images offline (no registry, no network) from local
# files, and import them into containerd or podman.
#
# API
#   image_build_oci OUT.tar NAME:TAG ROOTFS_DIR [OPTION]...
#       OPTION: --annotation K=V | --label K=V | --cmd CMD | --entrypoint EP
#               | --env K=V | --workingdir DIR   (repeatable; passed to
#               `buildah config`; CMD/EP may be a JSON array for exec form)
#       Writes an oci-archive whose index names the image NAME:TAG
#       (org.opencontainers.image.ref.name). Use a fully qualified name
#       (docker.io/library/bb:test) so that every engine shows the same name.
#       Storage is private (--root/--runroot under a temp dir, removed
#       afterwards); driver overlay, or vfs where overlay cannot be used
#       (IMAGE_STORAGE_DRIVER forces one).
#   image_import_containerd ADDRESS NAMESPACE OUT.tar [CTR-IMPORT-ARGS]...
#       ctr -a ADDRESS -n NAMESPACE image import ... OUT.tar
#   image_import_podman OUT.tar [PODMAN-GLOBAL-ARGS]...
#       podman ARGS load -i OUT.tar   (e.g. --root R --runroot RR on a bare host)
#   IMAGE_EXEC_PREFIX     optional command prefix (word-split) for the two
#                         import helpers, e.g. "nsenter -t PID -m -n" to import
#                         into an engine living in another namespace
#                         (bare-engines.sh sets BARE_EXEC for that)
#   image_busybox_rootfs DIR
#       populate DIR with /bin/busybox (static) and /bin/sh -> busybox
#
# Example
#   . tests/system/lib/images.sh
#   image_busybox_rootfs /tmp/r
#   image_build_oci /tmp/bb.tar docker.io/library/bb:test /tmp/r \
#       --label org.example=1 --annotation com.urunc.unikernel.hypervisor=qemu \
#       --cmd '["/bin/sh"]'
#   image_import_containerd /run/containerd/containerd.sock default /tmp/bb.tar

image_busybox_rootfs() {
	local dir=$1 bb
	bb=$(command -v busybox) || { echo "image_busybox_rootfs: no busybox" >&2; return 1; }
	mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/proc" "$dir/sys" "$dir/dev" || return 1
	cp "$(readlink -f "$bb")" "$dir/bin/busybox" || return 1
	ln -sf busybox "$dir/bin/sh"
	echo "root:x:0:0:root:/:/bin/sh" >"$dir/etc/passwd"
	echo "root:x:0:" >"$dir/etc/group"
}

_IMAGE_BUILD_SCRIPT='
set -e
tmp=$1 driver=$2 rootfs=$3 ref=$4; shift 4
mount -n --bind "$rootfs" "$tmp/rootfs"
mount -n -t tmpfs -o mode=0755 image-build-run /run
mount -n -t tmpfs -o mode=0755 image-build-varlib /var/lib
export TMPDIR=$tmp BUILDAH_ISOLATION=chroot
b() { buildah --root "$tmp/root" --runroot "$tmp/runroot" --storage-driver "$driver" "$@"; }
if ! c=$(b from --quiet --pull=never scratch 2>"$tmp/err"); then
	[ "$driver" = overlay ] || { cat "$tmp/err" >&2; exit 1; }
	driver=vfs
	rm -rf "$tmp/root" "$tmp/runroot"
	c=$(b from --quiet --pull=never scratch)
fi
b copy --quiet "$c" "$tmp/rootfs/." / >/dev/null
if [ $# -gt 0 ]; then b config "$@" "$c"; fi
b commit --quiet --format oci "$c" "oci-archive:$tmp/out.tar:$ref" >/dev/null
b rm "$c" >/dev/null
'

image_build_oci() {
	if [ $# -lt 3 ]; then
		echo "image_build_oci OUT.tar NAME:TAG ROOTFS_DIR [--annotation K=V|--label K=V|--cmd C|--entrypoint E|--env K=V]..." >&2
		return 2
	fi
	local out=$1 ref=$2 rootfs=$3; shift 3
	[ -d "$rootfs" ] || { echo "image_build_oci: $rootfs: not a directory" >&2; return 1; }
	local -a cfg=()
	while [ $# -gt 0 ]; do
		case $1 in
		--annotation|--label|--cmd|--entrypoint|--env|--workingdir|--author|--os|--arch)
			[ $# -ge 2 ] || { echo "image_build_oci: $1 needs a value" >&2; return 2; }
			cfg+=("$1" "$2"); shift 2 ;;
		--annotation=*|--label=*|--cmd=*|--entrypoint=*|--env=*|--workingdir=*)
			cfg+=("$1"); shift ;;
		*) echo "image_build_oci: unknown option $1" >&2; return 2 ;;
		esac
	done
	local tmp driver rc=0
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/image-build.XXXXXX") || return 1
	out=$(readlink -f "$out")
	rootfs=$(readlink -f "$rootfs")
	if [ -n "${IMAGE_STORAGE_DRIVER:-}" ]; then
		driver=$IMAGE_STORAGE_DRIVER
	elif [ "$(stat -f -c %T "$tmp")" = overlayfs ]; then
		driver=vfs     # overlay cannot sit on overlay
	else
		driver=overlay
	fi
	# buildah writes outside --root/--runroot (/run/containers/networks,
	# /var/lib/containers/cache/blob-info-cache-v1.boltdb): run it in a
	# private mount namespace with tmpfs over /run and /var/lib. The rootfs
	# is bound under $tmp first so that it stays visible.
	mkdir -p "$tmp/rootfs"
	unshare --mount --propagation private bash -c "$_IMAGE_BUILD_SCRIPT" image-build \
		"$tmp" "$driver" "$rootfs" "$ref" "${cfg[@]}" || rc=$?
	if [ $rc = 0 ]; then
		mv -f "$tmp/out.tar" "$out" || rc=$?
	fi
	rm -rf "$tmp"
	return $rc
}

image_import_containerd() {
	local addr=$1 ns=$2 tar=$3; shift 3
	# shellcheck disable=SC2086
	${IMAGE_EXEC_PREFIX:-} ctr -a "$addr" -n "$ns" image import "$@" "$tar"
}

image_import_podman() {
	local tar=$1; shift
	# shellcheck disable=SC2086
	${IMAGE_EXEC_PREFIX:-} podman "$@" load -q -i "$tar"
}
