#!/bin/bash
# tap.sh - minimal TAP producer with per-case timing.
#
#   tap_plan N            print "1..N"
#   tap_skip_all REASON   print "1..0 # SKIP REASON" and exit 0
#   tap_case DESC CMD...  run CMD (stdout+stderr captured); "ok N - DESC" or
#                         "not ok N - DESC" with the output as "# " lines;
#                         then "# time DESC: N ms". Returns CMD's status.
#   tap_skip DESC REASON  "ok N - DESC # SKIP REASON"
#   tap_diag TEXT...      "# TEXT"
#   tap_done              exit status: 0 if every case passed, 1 otherwise
#   TAP_VERBOSE=1         show the output of passing cases too

TAP_N=0
TAP_FAILED=0

_tap_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

tap_plan() { echo "1..$1"; }
tap_skip_all() { echo "1..0 # SKIP $*"; exit 0; }
tap_diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

tap_case() {
	local desc=$1; shift
	local t0 out rc=0
	TAP_N=$((TAP_N + 1))
	t0=$(_tap_ms)
	out=$("$@" 2>&1) || rc=$?
	local dt=$(( $(_tap_ms) - t0 ))
	if [ $rc = 0 ]; then
		echo "ok $TAP_N - $desc"
		[ "${TAP_VERBOSE:-0}" = 1 ] && [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
	else
		echo "not ok $TAP_N - $desc"
		TAP_FAILED=$((TAP_FAILED + 1))
		printf 'exit status %s\n%s\n' "$rc" "$out" | sed 's/^/#   /'
	fi
	echo "# time $desc: $dt ms"
	return $rc
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

tap_done() { [ "$TAP_FAILED" = 0 ]; }
