#!/usr/bin/env python3
"""Checks that numbered schema migrations stay a clean line (scripts/guardrails.sh).

For each migration folder: every file is NNNN_name.sql, the numbers strictly increase with
no duplicate, every file is listed in the Rust table that applies them (with the same
number), and a gap is allowed only where the table's RETIRED list names it (a number once
shipped and then withdrawn must never be reused: a record already at that version would
be treated as another schema).
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# (folder of .sql files, Rust file listing them, the folder as include_str! names it)
SETS = [
    ("core/src/store/migrations", "core/src/store/schema.rs", "migrations"),
]
# The relay: one line of migrations per SQL dialect, the same numbers in each.
RELAY_DIALECTS = ["sqlite", "postgres"]
if os.path.isdir(os.path.join(ROOT, "relay/src/migrations")):
    for d in RELAY_DIALECTS:
        SETS.append((f"relay/src/migrations/{d}", "relay/src/migrate.rs", f"migrations/{d}"))


def check(folder, table, prefix):
    errors = []
    files = sorted(f for f in os.listdir(os.path.join(ROOT, folder)) if not f.startswith("."))
    nums = []
    for f in files:
        m = re.fullmatch(r"(\d{4})_[a-z0-9_]+\.sql", f)
        if not m:
            errors.append(f"{folder}/{f}: not named NNNN_name.sql")
            continue
        nums.append((int(m.group(1)), f))
    src = open(os.path.join(ROOT, table), encoding="utf-8").read()
    listed = [
        (int(n), f)
        for n, f in re.findall(r'\((\d+),\s*include_str!\("' + re.escape(prefix) + r'/([^"/]+)"\)\)', src)
    ]
    retired = set()
    m = re.search(r"RETIRED[^=]*=\s*&\[([^\]]*)\]", src)
    if m:
        retired = {int(x) for x in re.findall(r"\d+", m.group(1))}
    for (a, fa), (b, fb) in zip(nums, nums[1:]):
        if b <= a:
            errors.append(f"{folder}: {fb} does not come after {fa}")
        for gap in range(a + 1, b):
            if gap not in retired:
                errors.append(f"{folder}: number {gap} is skipped between {fa} and {fb} and not in RETIRED")
    if nums and nums[0][0] != 1:
        errors.append(f"{folder}: the first migration is not 0001")
    if sorted(listed) != sorted(nums):
        errors.append(f"{table}: lists {listed}, the folder holds {nums}")
    for r in retired:
        if any(n == r for n, _ in nums):
            errors.append(f"{table}: {r} is RETIRED but a file uses it")
    return errors


def main():
    errors = []
    for folder, table, prefix in SETS:
        errors += check(folder, table, prefix)
    relay = [f for f, _, _ in SETS if f.startswith("relay/")]
    if relay:
        numbers = {}
        for f in relay:
            numbers[f] = sorted(int(x[:4]) for x in os.listdir(os.path.join(ROOT, f)) if x[:4].isdigit())
        if len({tuple(v) for v in numbers.values()}) > 1:
            errors.append(f"relay dialects have different migration numbers: {numbers}")
        unknown = set(os.listdir(os.path.join(ROOT, "relay/src/migrations"))) - set(RELAY_DIALECTS)
        if unknown:
            errors.append(f"relay/src/migrations: {sorted(unknown)} is not a dialect folder {RELAY_DIALECTS}")
    for e in errors:
        print("migration check:", e)
    if errors:
        sys.exit(1)
    print("migrations: " + ", ".join(f"{f} ok" for f, _, _ in SETS))


if __name__ == "__main__":
    main()
