#!/usr/bin/env python3
"""Hostile input stays linear: instruction counts of `mend check`, not seconds.

    python3 bench/linear.py [--size 2000] [--mend target/release/mend]

For each shape that once made a step slower than linear (quotes nested
deep, raw HTML nested deep, a chain of replies, repeated headings, many
links), builds a one-article site at n, 2n and 4n and counts the
instructions `mend check` runs under callgrind (the same count for the same
binary and input, however busy the machine is). Fixed costs (the theme,
the process) cancel in the growth from n to 2n and from n to 4n: linear
work grows 3 times as much over the second as over the first, quadratic
work 5 times. A shape whose ratio is over 4 is reported as not linear, and
the script exits non-zero.
"""
import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import REPO, ensure_built  # noqa: E402


def comments(bodies, parent=lambda i: None):
    out = []
    for i, body in enumerate(bodies):
        out.append(f'[[comment]]\nid = "c{i}"\nauthor = "A"\ndate = 2024-01-01T00:00:00Z\n'
                   f'body = {toml_string(body)}\n')
        p = parent(i)
        if p is not None:
            out.append(f'parent = "c{p}"\n')
    return "".join(out)


def toml_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


SHAPES = {
    "quotes nested n deep": lambda n: ("comments_max_bytes = 10_000_000\n",
                                       comments([">" * n + "deep"]), "Body.\n"),
    "raw <div> nested n deep": lambda n: ("comments_max_bytes = 10_000_000\n",
                                          comments(["<div>" * n + "x"]), "Body.\n"),
    "a chain of n replies": lambda n: ("", comments([f"reply {i}" for i in range(n)],
                                                    lambda i: i - 1 if i else None), "Body.\n"),
    "n headings of one title": lambda n: ("", comments([]), "## Again\n\n" * n),
    "n video links alone on a line": lambda n: ("", comments([]), "<https://youtu.be/SQEQr7c0-dw>\n\n" * n),
    "n code blocks": lambda n: ("", comments([]), "".join(f"```rust\nfn f{i}() {{}}\n```\n\n" for i in range(n))),
    "n links in one comment": lambda n: ("comments_max_bytes = 10_000_000\n",
                                         comments([" ".join(f"https://x.example/{i}" for i in range(n))]),
                                         "Body.\n"),
}


def instructions(mend, config, comment_file, body):
    with tempfile.TemporaryDirectory() as root:
        root = Path(root)
        (root / "content" / "posts").mkdir(parents=True)
        (root / "site.toml").write_text(f'title = "T"\nbase_url = "https://x.example/"\n{config}')
        (root / "content" / "posts" / "x.md").write_text(
            f'+++\ntitle = "X"\ndate = 2024-01-01\n+++\n{body}')
        (root / "content" / "posts" / "x.comments.toml").write_text(comment_file)
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", mend, "check",
             "--root", str(root)],
            capture_output=True, text=True)
        found = re.search(r"Collected : (\d+)", run.stderr)
        if not found:
            raise SystemExit(f"callgrind counted nothing:\n{run.stderr[-2000:]}")
        return int(found.group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--mend", default=str(REPO / "target" / "release" / "mend"))
    args = parser.parse_args()
    ensure_built(args.mend)
    n = args.size
    ok = True
    print(f"| shape | instructions at n = {n:,} | 2n | 4n | growth 4n / growth 2n |")
    print("|---|---:|---:|---:|---:|")
    for name, make in SHAPES.items():
        counts = [instructions(args.mend, *make(k * n)) for k in (1, 2, 4)]
        ratio = (counts[2] - counts[0]) / max(1, counts[1] - counts[0])
        ok &= ratio <= 4
        print(f"| {name} | {counts[0]:,} | {counts[1]:,} | {counts[2]:,} | "
              f"{ratio:.2f}{'' if ratio <= 4 else ' NOT LINEAR'} |")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
