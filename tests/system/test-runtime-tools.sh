#!/bin/bash
# The OCI runtime-tools validation suite (validation/*.t, TAP programs that
# drive a runtime's create/start/state/kill/delete and check hooks, state
# and errors) against urunc, with runc's results on the same machine as the
# reference: for each program, urunc's set of results must equal runc's.
# The bundles are busybox, so urunc hands them to its fallback runtime; the
# id bookkeeping (marker, errors, state) is urunc's own.
#
# Opt-in: Debian 12 does not package the suite (its
# golang-github-opencontainers-runtime-tools-dev has no validation/, and the
# current suite needs Go >= 1.21). Build a checkout (`make runtimetest
# validation-executables`; commit 260e151 builds offline with Debian's Go
# 1.19 and GOFLAGS=-mod=vendor) and point URUNC_RUNTIME_TOOLS at it.
#
# Usage: test-runtime-tools.sh URUNC
#   URUNC_RUNTIME_TOOLS        the built checkout (runtimetest, rootfs-*.tar.gz)
#   URUNC_RUNTIME_TOOLS_TESTS  programs to run (default: the lifecycle ones)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/tap.sh"

URUNC=$(realpath "$1")
[ "$(id -u)" = 0 ] || tap_skip_all "not root"
RT=${URUNC_RUNTIME_TOOLS:-}
[ -n "$RT" ] || tap_skip_all "URUNC_RUNTIME_TOOLS is not set (Debian 12 does not package runtime-tools' validation suite; see the head of this script)"
[ -x "$RT/runtimetest" ] || tap_skip_all "no runtimetest in '$RT' (run make runtimetest validation-executables there)"
command -v runc >/dev/null || tap_skip_all "runc is not installed"

# Not killsig: it signals as soon as the state says running, before the
# container's shell has set its trap (flaky with runc alone under load).
tests=${URUNC_RUNTIME_TOOLS_TESTS:-"create start state kill kill_no_effect delete
  delete_only_create_resources delete_resources misc_props pidfile config_updates_without_affect
  hooks_stdin poststop"}

T=$(mktemp -d /tmp/urunc-rtools.XXXXXX)
trap 'rm -rf "$T"' EXIT
# Private roots: the suite calls $RUNTIME VERB ... without --root.
printf '#!/bin/sh\nexec runc --root %s "$@"\n' "$T/runc-root" > "$T/runc"
printf '#!/bin/sh\nexec %s --root %s "$@"\n' "$URUNC" "$T/urunc-root" > "$T/urunc"
chmod +x "$T/runc" "$T/urunc"
export URUNC_CONFIG=$T/none.toml
: > "$URUNC_CONFIG"

# A program's results: "ok"/"not ok" and the description, sorted (the
# numbering follows Go's map order), container ids masked, then its exit
# status and the errors it reports outside TAP cases (hooks tests).
results() {
  local out rc
  out=$(cd "$RT" && RUNTIME=$1 timeout 120 "./validation/$2/$2.t" 2>/dev/null); rc=$?
  sed -n 's/^\(not ok\|ok\) [0-9]* *\(.*\)/\1 \2/p; s/^ *"error": "\([^\\]*\).*/error \1/p' <<<"$out" |
    sed 's/[0-9a-f]\{8\}-[0-9a-f-]\{27\}/ID/g; s/ocitest[0-9]*/ocitestN/g' | sort
  echo "exit $rc"
}

compare() {
  local t=$1 a b
  [ -x "$RT/validation/$t/$t.t" ] || { echo "no $RT/validation/$t/$t.t"; return 1; }
  a=$(results "$T/runc" "$t")
  b=$(results "$T/urunc" "$t")
  echo "runc:  $(grep -c '^ok' <<<"$a") ok, $(grep -c '^not ok' <<<"$a") not ok"
  echo "urunc: $(grep -c '^ok' <<<"$b") ok, $(grep -c '^not ok' <<<"$b") not ok"
  diff <(echo "$a") <(echo "$b")
}

for t in $tests; do
  tap_case "validation/$t: urunc's results equal runc's" compare "$t"
done
# Every id urunc still holds for the fallback runtime is one runc has.
stale() {
  local m id bad=0
  for m in "$T/urunc-root"/.fallback-*; do
    [ -e "$m" ] || continue
    id=${m##*/.fallback-}
    runc --root "$T/urunc-root" state "$id" >/dev/null 2>&1 || { echo "stale marker: $m"; bad=1; }
  done
  return $bad
}
tap_case "no id is held for a container runc does not have" stale
tap_plan "$TAP_N"
tap_done
