# TAP helpers for the shell tests.  Source it; call tap_done at the end.
TAP_N=0
TAP_FAILED=0

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $*"; }
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
diag() { printf '# %s\n' "$*"; }

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
  local desc=$1; shift
  if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; diag "expected: '$2'"; diag "actual:   '$3'"; fi
}

# expect_match DESCRIPTION REGEX TEXT
expect_match() {
  if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"; else not_ok "$1"; diag "no match for /$2/ in:"; printf '%s\n' "$3" | sed 's/^/#   /' | head -20; fi
}

tap_skip_all() { echo "1..0 # SKIP $*"; exit 0; }
# Skip the whole test unless root with every command named installed.
tap_require_root_cmds() {
  [ "$(id -u)" = 0 ] || tap_skip_all "not root"
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null || tap_skip_all "$cmd is not installed"
  done
}

tap_done() {
  echo "1..$TAP_N"
  [ "$TAP_FAILED" -eq 0 ]
}

# wait_for SECONDS COMMAND...: poll until the command succeeds.
wait_for() {
  local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
  until "$@"; do
    [ $(( $(date +%s%N) / 1000000 )) -ge "$deadline" ] && return 1
    sleep 0.05
  done
}
