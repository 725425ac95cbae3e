#!/bin/bash
# The whole test suite: install what is missing, build, run every suite
# (unit, root, system), print meson's summary.  Exit status 0 only when
# everything passed.  Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/install-deps.sh all
bash scripts/build.sh
# Root and system tests boot VMs and systemd: one at a time, generous timeouts.
meson test -C build --print-errorlogs --num-processes 2 "$@"
echo "test.sh: finished in $(( $(date +%s) - start )) s"
