# Building OCI bundles for tests.
#
# make_bundle DIR KERNEL [options as environment variables]
#   B_TYPE (unikraft)  B_HV (qemu)  B_BIN (/unikernel/<basename of KERNEL>)
#   B_ARGS   JSON array of process.args            (default ["hello"])
#   B_ENV    JSON array of process.env             (default PATH only)
#   B_ANNOT  extra annotation members, JSON text   (e.g. '"com.urunc.accel": "tcg"')
#   B_NOMETA=1  no unikernel annotations at all
#   B_NS     JSON array of linux.namespaces        (default pid, ipc, uts, mount)
#   B_RES    JSON object linux.resources           (default {})
#   B_HOOKS  JSON object hooks                     (default {})
#   B_TERMINAL true|false                          (default false)
#   B_EXTRA  extra top-level members, JSON text
#   B_LINUX  extra members of "linux", JSON text  (e.g. '"seccomp": {...}')
#   B_USER   JSON object process.user              (default uid 0, gid 0)
# Values in annotations are base64, as upstream urunc writes them.

b64() { printf '%s' "$1" | base64 -w0; }

make_bundle() {
  local dir=$1 kernel=$2
  local bin=${B_BIN:-/unikernel/$(basename "$kernel")}
  mkdir -p "$dir/rootfs/unikernel"
  if [ -n "$kernel" ]; then cp "$kernel" "$dir/rootfs$bin"; fi
  local annot
  if [ -n "${B_NOMETA:-}" ]; then
    annot=${B_ANNOT:-}
  else
    annot="\"com.urunc.unikernel.unikernelType\": \"$(b64 "${B_TYPE:-unikraft}")\",
    \"com.urunc.unikernel.hypervisor\": \"$(b64 "${B_HV:-qemu}")\",
    \"com.urunc.unikernel.binary\": \"$(b64 "$bin")\"${B_ANNOT:+,
    $B_ANNOT}"
  fi
  # Defaults in variables: a "}" inside ${VAR:-default} would end it.
  local d_args='["hello"]' d_env='["PATH=/usr/bin:/bin"]' d_obj='{}' d_user='{ "uid": 0, "gid": 0 }'
  local d_ns='[{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]'
  cat > "$dir/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": ${B_TERMINAL:-false},
    "user": ${B_USER:-$d_user},
    "args": ${B_ARGS:-$d_args},
    "env": ${B_ENV:-$d_env},
    "cwd": "/"
  },
  "root": { "path": "rootfs" },
  "hostname": "urunc-test",
  "annotations": { $annot },
  "hooks": ${B_HOOKS:-$d_obj},
  ${B_EXTRA:+$B_EXTRA,}
  "linux": {
    "namespaces": ${B_NS:-$d_ns},
    ${B_LINUX:+$B_LINUX,}
    "resources": ${B_RES:-$d_obj}
  }
}
JSON
}
