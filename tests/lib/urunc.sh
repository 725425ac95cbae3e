# Setup shared by the root tests that drive urunc directly.  Source it after
# tap.sh, with $URUNC set to the binary.

# urunc_test_init NAME [MEMORY_MB]: skips the whole test unless root with
# QEMU; makes $T (a temp dir), $ROOT (urunc's --root inside it) and
# $URUNC_CONFIG (exported) holding [monitors.qemu] default_memory_mb =
# MEMORY_MB (empty when not given); append further config lines to it.
urunc_test_init() {
  [ "$(id -u)" = 0 ] || tap_skip_all "not root"
  command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 is not installed"
  T=$(mktemp -d "/tmp/urunc-$1.XXXXXX")
  ROOT=$T/root
  export URUNC_CONFIG=$T/config.toml
  if [ -n "${2:-}" ]; then printf '[monitors.qemu]\ndefault_memory_mb = %s\n' "$2"; fi >"$URUNC_CONFIG"
}

# u ARGS...: urunc on the test's own state root.
u() { "$URUNC" --root "$ROOT" "$@"; }

# Force-delete every container of the test's root, then remove $T.
urunc_cleanup() {
  local id
  for id in $(u list -q 2>/dev/null); do u delete --force "$id" >/dev/null 2>&1; done
  rm -rf "$T"
}

# cgroup_dirs_of ID: the cgroup directories of container ID, whichever
# manager made them: cgroupfs names them after the id, systemd after the
# scope, urunc-<escaped id>.scope ('-' is \x2d there, so a plain -name
# "$id" never finds it).
cgroup_dirs_of() {
  local unit
  unit=urunc-$(printf '%s' "$1" | sed -e 's/-/\\\\x2d/g' -e 's/+/\\\\x2b/g').scope
  find /sys/fs/cgroup -maxdepth 6 -type d \( -name "$1" -o -name "$unit" \) 2>/dev/null
}

# status_of ID / pid_of ID: the container's status and pid, from `u state`.
status_of() { u state "$1" 2>/dev/null | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p'; }
pid_of() { u state "$1" 2>/dev/null | sed -n 's/.*"pid": \([0-9]*\).*/\1/p'; }

# urunc_id_hash ID: the low 48 bits of the 64-bit FNV-1a of a container id,
# in 12 hex digits, computed independently of src/net/net.h, which names
# the tap ("urt" + hash) and the routed nft table ("urunc-" + hash) so.
urunc_id_hash() {
  local s=$1 h=$((0xcbf29ce484222325)) i c
  for ((i = 0; i < ${#s}; i++)); do
    printf -v c '%d' "'${s:i:1}"
    h=$(((h ^ c) * 0x100000001b3))
  done
  printf '%012x' $((h & 0xffffffffffff))
}
