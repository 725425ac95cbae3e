#!/bin/bash
# build-unikernel-image.sh - package a unikernel as an OCI image, offline,
# with buildah (no registry, no Dockerfile, nothing left in your storage).
#
# Usage:
#   build-unikernel-image.sh [OPTION]... KERNEL NAME:TAG OUT.tar
#
# The image holds the kernel at /unikernel/<basename of KERNEL> (or --binary)
# and /urunc.json, the metadata every engine delivers (it is a file of the
# rootfs); the same keys are also set as image annotations for engines that
# pass those on.  OUT.tar is an oci-archive: load it with
#   ctr -n NS image import OUT.tar          (containerd)
#   podman load -i OUT.tar                  (podman)
#   skopeo copy oci-archive:OUT.tar docker://REGISTRY/NAME:TAG   (a registry)
#
# Options:
#   --type TYPE         com.urunc.unikernel.unikernelType (default unikraft)
#   --hypervisor HV     com.urunc.unikernel.hypervisor    (default qemu)
#   --binary PATH       where the kernel goes in the image (default /unikernel/NAME)
#   --cmdline TEXT      com.urunc.unikernel.cmdline (used when the command is empty)
#   --version V         com.urunc.unikernel.unikernelVersion
#   --initrd FILE       also ship FILE as /unikernel/initrd (com.urunc.unikernel.initrd)
#   --block FILE        also ship FILE as /unikernel/block.img (com.urunc.unikernel.block)
#   --add SRC:DEST      copy a file or directory into the image (repeatable)
#   --cmd JSON          image CMD, e.g. '["app","--port","80"]' (the guest's argv)
#   --env K=V           image environment (the guest's environment; repeatable)
#   --no-annotations    only /urunc.json, no image annotations
#
# Values in /urunc.json and the annotations are base64, as upstream urunc's
# tools write them; urunc also accepts plain text.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }

type=unikraft hv=qemu binary="" cmdline="" version="" initrd="" block="" cmd="" annotate=1
adds=() envs=()
while [ $# -gt 0 ]; do
	case $1 in
	--type) type=$2; shift 2 ;;
	--hypervisor) hv=$2; shift 2 ;;
	--binary) binary=$2; shift 2 ;;
	--cmdline) cmdline=$2; shift 2 ;;
	--version) version=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--block) block=$2; shift 2 ;;
	--add) adds+=("$2"); shift 2 ;;
	--cmd) cmd=$2; shift 2 ;;
	--env) envs+=("$2"); shift 2 ;;
	--no-annotations) annotate=0; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) echo "unknown option '$1'" >&2; usage ;;
	*) break ;;
	esac
done
[ $# = 3 ] || usage
kernel=$1 ref=$2 out=$3
[ -f "$kernel" ] || { echo "kernel '$kernel' is not a file" >&2; exit 1; }
binary=${binary:-/unikernel/$(basename "$kernel")}
command -v buildah >/dev/null || { echo "buildah is not installed" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/unikernel-image.XXXXXX")
ctr=""
b() { buildah --root "$tmp/storage" --runroot "$tmp/run" --storage-driver vfs "$@"; }
cleanup() {
	[ -n "$ctr" ] && b rm "$ctr" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# The metadata: key -> value, written to /urunc.json and as annotations.
declare -A meta=(
	[com.urunc.unikernel.unikernelType]=$type
	[com.urunc.unikernel.hypervisor]=$hv
	[com.urunc.unikernel.binary]=$binary
)
[ -n "$cmdline" ] && meta[com.urunc.unikernel.cmdline]=$cmdline
[ -n "$version" ] && meta[com.urunc.unikernel.unikernelVersion]=$version
[ -n "$initrd" ] && meta[com.urunc.unikernel.initrd]=/unikernel/initrd
[ -n "$block" ] && meta[com.urunc.unikernel.block]=/unikernel/block.img

b64() { printf '%s' "$1" | base64 -w0; }

mkdir -p "$tmp/rootfs$(dirname "$binary")" "$tmp/rootfs/unikernel"
cp "$kernel" "$tmp/rootfs$binary"
[ -n "$initrd" ] && cp "$initrd" "$tmp/rootfs/unikernel/initrd"
[ -n "$block" ] && cp "$block" "$tmp/rootfs/unikernel/block.img"
{
	printf '{'
	sep=""
	for k in $(printf '%s\n' "${!meta[@]}" | sort); do
		printf '%s\n  "%s": "%s"' "$sep" "$k" "$(b64 "${meta[$k]}")"
		sep=,
	done
	printf '\n}\n'
} >"$tmp/rootfs/urunc.json"

ctr=$(b from --quiet --pull=never scratch)
b copy --quiet "$ctr" "$tmp/rootfs/." / >/dev/null
for a in "${adds[@]}"; do
	b copy --quiet "$ctr" "${a%%:*}" "${a#*:}" >/dev/null
done
cfg=()
if [ $annotate = 1 ]; then
	for k in "${!meta[@]}"; do cfg+=(--annotation "$k=$(b64 "${meta[$k]}")"); done
fi
[ -n "$cmd" ] && cfg+=(--cmd "$cmd")
for e in "${envs[@]}"; do cfg+=(--env "$e"); done
b config "${cfg[@]}" --label "com.urunc.unikernel.hypervisor=$hv" \
	--label "com.urunc.unikernel.unikernelType=$type" "$ctr"
out=$(readlink -f "$(dirname "$out")")/$(basename "$out")
b commit --quiet --format oci "$ctr" "oci-archive:$out:$ref" >/dev/null
echo "$out: $ref ($type on $hv, $binary)"
