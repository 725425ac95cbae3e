#!/bin/bash
# Install what building, running and testing urunc needs on Debian 12.
# Idempotent: packages already installed are not touched, and apt is not
# called at all when nothing is missing.
set -euo pipefail

build_pkgs=(meson ninja-build pkg-config gcc libc6-dev libsystemd-dev libnl-3-dev libnl-route-3-dev
            libjson-c-dev libseccomp-dev libnftables-dev libcmocka-dev)
run_pkgs=(qemu-system-x86 iproute2 busybox-static libnftables1 containernetworking-plugins)
test_pkgs=(runc crun containerd podman conmon buildah umoci skopeo systemd-container dbus-broker
           linux-image-amd64 cpio e2fsprogs curl procps kmod xz-utils zstd
           clang libclang-rt-14-dev python3 strace
           nftables containernetworking-plugins python3-grpcio python3-protobuf protobuf-compiler)

want=("${build_pkgs[@]}" "${run_pkgs[@]}")
case "${1:-all}" in
  run) ;;
  all) want+=("${test_pkgs[@]}") ;;
  *) echo "usage: $0 [run|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
