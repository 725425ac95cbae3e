#!/bin/bash
# Build the libFuzzer targets with clang (ASan + UBSan) and run each for a
# fixed time; TAP output, one line per target.
#
# Usage: run.sh BUILDDIR SECONDS [TARGET...]
#   BUILDDIR  clang build dir, configured here when it is not one yet
#             (CC=clang meson setup BUILDDIR SRC -Dfuzz=true -Dtests=false)
#   SECONDS   fuzzing time per target (libFuzzer -max_total_time)
#   TARGET    spec resources config metadata urunc_json id path base64 signal
#             (default: all)
# Each target starts from its seed corpus tests/fuzz/corpus/<target>/ (read
# only; new inputs go to BUILDDIR/corpus/<target>/, kept between runs) with
# the dictionary tests/fuzz/dict/<target>.dict when there is one.  A crash,
# leak, sanitizer report, timeout (10 s per input) or broken invariant
# fails the target; the input is saved as BUILDDIR/artifacts/<target>-*
# and printed in base64: add it to the seed corpus as a regression seed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"

[ $# -ge 2 ] || { echo "usage: $0 BUILDDIR SECONDS [TARGET...]" >&2; exit 2; }
bdir=$1 secs=$2
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(spec resources config metadata urunc_json id path base64 signal)

command -v clang >/dev/null || tap_skip_all "clang is not installed (apt-get install clang libclang-rt-14-dev)"
probe=$(mktemp -d /tmp/urunc-fuzz-probe.XXXXXX)
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' > "$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>/dev/null; then
  rm -rf "$probe"
  tap_skip_all "clang cannot link -fsanitize=fuzzer (libclang-rt-14-dev missing)"
fi
rm -rf "$probe"

mkdir -p "$bdir"
bdir=$(cd "$bdir" && pwd)
t0=$(date +%s)
if [ ! -f "$bdir/build.ninja" ]; then
  if ! CC=clang meson setup "$bdir" "$src" -Dfuzz=true -Dtests=false -Dwerror=true >"$bdir.setup.log" 2>&1; then
    echo "Bail out! meson setup of the clang fuzz build failed:"; sed 's/^/# /' "$bdir.setup.log" | tail -30
    exit 1
  fi
fi
if ! ninja -C "$bdir" $(printf 'tests/fuzz/fuzz_%s ' "${targets[@]}") >"$bdir.build.log" 2>&1; then
  echo "Bail out! building the fuzz targets failed:"; sed 's/^/# /' "$bdir.build.log" | tail -40
  exit 1
fi
diag "clang fuzz build ready in $(( $(date +%s) - t0 )) s; $secs s per target"

work=$(mktemp -d /tmp/urunc-fuzz-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$bdir/artifacts"
for t in "${targets[@]}"; do
  exe=$bdir/tests/fuzz/fuzz_$t
  seeds=$here/corpus/$t
  corpus=$bdir/corpus/$t
  mkdir -p "$corpus" "$work/tmp-$t"
  dict=()
  [ -f "$here/dict/$t.dict" ] && dict=(-dict="$here/dict/$t.dict")
  log=$bdir/fuzz-$t.log
  rm -f "$bdir/artifacts/$t-"*
  start=$(date +%s)
  TMPDIR=$work/tmp-$t "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$bdir/artifacts/$t-" "${dict[@]}" "$corpus" "$seeds" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    ok "fuzz_$t: no findings in $(( $(date +%s) - start )) s (${runs:-?} runs)"
  else
    not_ok "fuzz_$t: finding (exit $rc), log $log"
    grep -E 'ERROR|SUMMARY|invariant|runtime error|#[0-9]+ 0x' "$log" | head -25 | sed 's/^/#   /'
    for a in "$bdir/artifacts/$t-"*; do
      [ -f "$a" ] || continue
      diag "input $a (base64): $(base64 -w0 < "$a" | head -c 2000)"
      diag "reproduce: $exe $a"
    done
  fi
done
tap_done
