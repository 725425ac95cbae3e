#!/bin/bash
# Quick start: install what is missing, build, and run a unikernel with urunc.
# The unikernel is the project's own test guest (built with the project);
# its console output appears in this terminal and urunc exits with the
# monitor's status.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh run
bash scripts/build.sh >/dev/null
bundle=$(mktemp -d /tmp/urunc-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
. tests/lib/bundle.sh
B_ARGS='["hello", "from", "urunc"]' make_bundle "$bundle" build/tests/guests/hello.pvh
echo "demo: running build/tests/guests/hello.pvh from bundle $bundle"
echo "demo: urunc run --bundle $bundle demo-$$"
./build/src/cli/urunc run --bundle "$bundle" "demo-$$"
