#!/bin/bash
# Rewrite the config keys of man/urunc.8 (between the BEGIN CONFIG KEYS and
# END CONFIG KEYS lines) from the schema in src/config/config.c, as the unit
# test config_doc renders it.  Run after changing the schema.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
keys=$(mktemp)
out=$(mktemp)
trap 'rm -f "$keys" "$out"' EXIT
build/tests/unit/test_config_doc --print >"$keys"
awk -v keys="$keys" '
  /^\.\\" BEGIN CONFIG KEYS$/ { print; while ((getline l < keys) > 0) print l; skip = 1; found++; next }
  /^\.\\" END CONFIG KEYS$/ { skip = 0 }
  !skip { print }
  END { if (found != 1) { print "man/urunc.8: expected one BEGIN CONFIG KEYS line" > "/dev/stderr"; exit 1 } }
' man/urunc.8 >"$out"
cat "$out" >man/urunc.8
