#!/usr/bin/env python3
"""Checks that every unit test case carries exactly one group tag.

Usage: check-tags.py UNIT_EXECUTABLE GROUP...

The unit tier registers one meson test per group tag (tests/unit/meson.build);
a test case with no group tag would never run, and one with two would be
counted twice.
"""
import subprocess
import sys


def names(exe, spec=None):
    cmd = [exe, "--list-test-names-only"]
    if spec:
        cmd.append(spec)
    # Catch2 v2 exits with the number of listed tests; only stdout matters.
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False).stdout
    return [line for line in out.splitlines() if line.strip()]


def main():
    if len(sys.argv) < 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help") else 2
    exe, groups = sys.argv[1], sys.argv[2:]
    every = names(exe)
    seen = {}
    for g in groups:
        group_names = names(exe, "[%s]" % g)
        if not group_names:
            print("group [%s] has no test cases" % g)
            return 1
        for n in group_names:
            seen.setdefault(n, []).append(g)
    status = 0
    for n in every:
        tags = seen.get(n, [])
        if len(tags) != 1:
            print("test case %r has group tags %s (want exactly one)" % (n, tags))
            status = 1
    print("%d test cases in %d groups" % (len(every), len(groups)))
    return status


if __name__ == "__main__":
    sys.exit(main())
