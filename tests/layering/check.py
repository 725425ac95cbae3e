#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check every #include "..." under ROOT/src against the allow-matrix.

usage: check.py ROOT MATRIX [--doc FILE] [--expect LINE]...

Exit 0 when every include is allowed (known debt edges are listed), 1 with
one line per violation ("src/X/f.c:N: X may not include Y/h.h") otherwise.
--doc FILE: the matrix block in FILE (between the lines "<!-- layering -->"
and "<!-- /layering -->", inside a code fence) must equal MATRIX.
--expect LINE (repeatable): the run must find exactly these violations (and
fail); exit 0 then.  The fixture test uses it, so the checker can fail.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def parse_matrix(path):
    rows = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if ":" not in line:
                sys.exit(f"{path}:{n}: expected 'from: targets', got '{line}'")
            key, _, rest = line.partition(":")
            key = key.strip()
            if key in rows:
                sys.exit(f"{path}:{n}: row '{key}' given twice")
            allow, debt = set(), set()
            for t in rest.split():
                if t == "-":
                    continue
                (debt if t.startswith("!") else allow).add(t.lstrip("!"))
            rows[key] = (allow, debt)
    return rows


def check(root, rows):
    src = os.path.join(root, "src")
    violations, debts, used_rows = [], set(), set()
    folders = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    for d in folders:
        if d not in rows:
            violations.append(f"src/{d}/: no row for folder '{d}' in the matrix")
    for key in rows:
        if not os.path.exists(os.path.join(src, key)):
            violations.append(f"matrix row '{key}': no src/{key} (stale row)")
    for d in folders:
        for dirpath, _, files in os.walk(os.path.join(src, d)):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, src)
                key = rel if rel in rows else d
                if key not in rows:
                    continue
                used_rows.add(key)
                allow, debt = rows[key]
                with open(full, encoding="utf-8", errors="replace") as f:
                    for n, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        inc = m.group(1)
                        if inc == "config.h":
                            continue
                        if "/" not in inc:
                            violations.append(f"src/{rel}:{n}: '{inc}' has no folder (write \"folder/{inc}\")")
                            continue
                        to = inc.split("/", 1)[0]
                        if key == d and to == d:
                            continue
                        if to in allow or inc in allow:
                            continue
                        if to in debt or inc in debt:
                            debts.add(f"{key} -> {inc}")
                            continue
                        violations.append(f"src/{rel}:{n}: {key} may not include {inc}")
    return violations, sorted(debts)


def doc_block(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- layering -->\s*```[^\n]*\n(.*?)```\s*<!-- /layering -->", text, re.S)
    return m.group(1) if m else None


def main(argv):
    args, doc, expect = [], None, []
    it = iter(argv[1:])
    for a in it:
        if a == "--doc":
            doc = next(it)
        elif a == "--expect":
            expect.append(next(it))
        else:
            args.append(a)
    if len(args) != 2:
        sys.exit(__doc__)
    root, matrix = args
    rows = parse_matrix(matrix)
    violations, debts = check(root, rows)
    if doc:
        block = doc_block(doc)
        with open(matrix, encoding="utf-8") as f:
            want = f.read()
        if block is None:
            violations.append(f"{doc}: no matrix block between <!-- layering --> and <!-- /layering -->")
        elif block != want:
            violations.append(f"{doc}: the matrix block differs from {matrix} (copy it over)")
    print("1..1")
    for d in debts:
        print(f"# known wrong-way edge (debt): {d}")
    for v in violations:
        print(f"# {v}")
    if expect:
        ok = sorted(violations) == sorted(expect)
        if not ok:
            for e in expect:
                print(f"# expected: {e}")
        print(("ok" if ok else "not ok") + " 1 - the fixture's forbidden includes are found, and only them")
        return 0 if ok else 1
    print(("ok" if not violations else "not ok") + f" 1 - layering of {root}/src")
    return 0 if not violations else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
