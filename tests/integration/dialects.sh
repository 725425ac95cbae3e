#!/bin/bash
# Guest command lines survive the guest's own parser (issues 11 and 13):
# `urunc run` of our test guest typed unikraft, which prints the command
# line as a Unikraft application would see it (uk.argv[i]=<…>, uk.env[i]=<…>,
# tests/guests/ukargs.c), on PVH (microvm: the first word is argv[0]) and
# multiboot (pc: QEMU's kernel path is argv[0]).  Under TCG on purpose
# (com.urunc.accel): this is about the command line, and a status-0 guest
# can hang QEMU under some KVMs.
# Args: URUNC HELLO_PVH HELLO_MULTIBOOT
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/bundle.sh"
. "$here/../lib/urunc.sh"

URUNC=$1 PVH=$2 MB=$3
urunc_test_init dialects 64
trap urunc_cleanup EXIT
TCG='"com.urunc.accel": "tcg"'

# run ID KERNEL: urunc run; $RC, the guest's uk.* lines in $UK.
run() {
  local out
  out=$(u run --bundle "$T/b-$1" "$1" 2>"$T/$1.err"); RC=$?
  UK=$(printf '%s\n' "$out" | grep '^uk\.')
  [ "$RC" = 0 ] || diag "$1: status $RC: $(tail -3 "$T/$1.err")"
}
# view ARGV0 ARGS... @env ENV...: the uk.* lines expected.
view() {
  local i=0 e=0 a
  for a in "$@"; do
    if [ "$a" = @env ]; then e=1; i=0; continue; fi
    if [ $e = 0 ]; then printf 'uk.argv[%d]=<%s>\n' $i "$a"; else printf 'uk.env[%d]=<%s>\n' $i "$a"; fi
    i=$((i + 1))
  done
}

id=ukone$$
B_ANNOT=$TCG B_ARGS='["hello"]' B_ENV='["PATH=/bin", "K=V"]' make_bundle "$T/b-$id" "$PVH"
run $id
expect_eq "one-element args (PVH): argv is [hello], env reaches Unikraft" \
  "$(view hello @env PATH=/bin K=V)" "$UK"

id=ukmany$$
B_ANNOT=$TCG B_ARGS='["hello", "a\"b", "c d", "--", "x]", "it'"'"'s", "back\\slash"]' \
  B_ENV='["PATH=/bin", "B1=x]", "Q=say \"hi\" there", "E="]' make_bundle "$T/b-$id" "$PVH"
run $id
expect_eq "blanks, quotes, '--', brackets (PVH): argv and env arrive exactly" \
  "$(view hello 'a"b' 'c d' -- 'x]' "it's" 'back\slash' @env PATH=/bin 'B1=x]' 'Q=say "hi" there' 'E=')" "$UK"

id=ukmb$$
B_ANNOT=$TCG B_ARGS='["hello", "a\"b", "c d"]' B_ENV='["PATH=/bin", "B1=x]"]' make_bundle "$T/b-$id" "$MB"
run $id
expect_match "multiboot: argv[0] is QEMU's kernel path" '^uk.argv\[0\]=<[^>]*/hello.multiboot>$' \
  "$(printf '%s\n' "$UK" | head -1)"
expect_eq "multiboot: the rest arrives exactly" \
  "$(view KERNEL 'a"b' 'c d' @env PATH=/bin 'B1=x]' | tail -n +2)" "$(printf '%s\n' "$UK" | tail -n +2)"

id=ukmb1$$
B_ANNOT=$TCG B_ARGS='["hello"]' B_ENV='["K=V"]' make_bundle "$T/b-$id" "$MB"
run $id
expect_match "multiboot, one-element args: only the kernel path in argv" '^uk.argv\[0\]=<[^>]*hello.multiboot>$' \
  "$(printf '%s\n' "$UK" | grep '^uk.argv')"
expect_eq "multiboot, one-element args: env reaches Unikraft" 'uk.env[0]=<K=V>' "$(printf '%s\n' "$UK" | grep '^uk.env')"

id=ukbad$$
B_ANNOT=$TCG B_ARGS='["hello", ""]' make_bundle "$T/b-$id" "$PVH"
u run --bundle "$T/b-$id" $id >/dev/null 2>"$T/$id.err"; rc=$?
expect_eq "an empty argument is refused (Unikraft drops empty words)" "1 yes" \
  "$([ $rc != 0 ] && echo 1) $(grep -q "unikraft guest: cannot pass argument 1 ''" "$T/$id.err" && echo yes)"
expect_eq "... and nothing is left behind" "" "$(u list -q 2>/dev/null; ls "$ROOT" 2>/dev/null | grep -c $id | grep -v '^0$')"

tap_done
