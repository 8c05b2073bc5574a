"""Identical runs of 6 significant lines standing twice (blank, comment, lone punctuation and import lines skipped)."""

import collections
import pathlib
import re
import sys

roots = sys.argv[1:]
lines = []
for root in roots:
    for p in sorted(pathlib.Path(root).rglob("*.py")):
        for n, raw in enumerate(p.read_text().splitlines(), 1):
            t = " ".join(raw.split())
            if (
                not t
                or t.startswith("#")
                or re.fullmatch(r"[\)\]\}\(\[\{,:;]+", t)
                or t.startswith(("import ", "from "))
            ):
                continue
            lines.append((str(p), n, t))
seen = collections.defaultdict(list)
for i in range(len(lines) - 5):
    win = lines[i : i + 6]
    if len({w[0] for w in win}) > 1:
        continue
    seen[tuple(w[2] for w in win)].append((win[0][0], win[0][1]))
c = 0
for k, v in seen.items():
    if len(v) > 1:
        c += 1
        if c <= 40:
            print(len(v), v[:3], k[0][:60])
print("duplicated windows:", c)
