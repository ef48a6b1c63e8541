#!/usr/bin/env python3
"""What richer writing costs: highlighted code, video facades and callouts,
at 10,000 articles.

    python3 bench/writing.py [--articles 10000] [--runs 5]
                             [--before PATH-TO-AN-OLDER-MEND] [--work DIR]

Builds with target/release/mend (`cargo build --release`) and, with
--before, an older mend in turn, on two blogs made by bench/gen_corpus.py
(seed 1, no comments):
- the corpus as it is (it has no code, no video, no callout);
- the same articles, each with three code blocks (shell, Rust, Python,
  JavaScript, PHP, HTML, CSS, SQL and diff in turn, their names and numbers
  differing from article to article, 12 to 20 lines each), a video link
  alone on a line and a callout.

For each blog and binary (each building a copy of its own): the median of
--runs cold builds (no output, no `.mend/`: nothing highlighted before) and
of --runs warm builds (the output and `.mend/` of the build before, nothing
changed), wall and CPU time, as /usr/bin/time -v measures them, binaries
taken in turn. Then the size of the
code blog's pages and of its highlight cache.
"""

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BINARY = REPO / "target" / "release" / "mend"
GENERATOR = REPO / "bench" / "gen_corpus.py"

CODE = {
    "sh": """#!/bin/sh
# back up the drafts of week {n}
set -eu
dest="$HOME/backup/week-{n}"
mkdir -p "$dest"
for f in content/posts/*.md; do
  if grep -q 'draft = true' "$f"; then
    cp "$f" "$dest/"
    echo "kept $f"
  fi
done
tar czf "week-{n}.tar.gz" "$dest" && rm -r "$dest"
echo "done: $(ls "$HOME/backup" | wc -l) backups"
""",
    "rust": """/// Days since the last message, for reader {n}.
#[derive(Debug, Clone, PartialEq)]
pub struct Streak {{
    pub days: u32,
    pub longest: u32,
}}

impl Streak {{
    pub fn next_day(&mut self, texted: bool) -> Option<u32> {{
        if texted {{
            self.days = 0;
            return None;
        }}
        self.days += 1;
        self.longest = self.longest.max(self.days + {n});
        Some(self.days)
    }}
}}
""",
    "python": """import json
from pathlib import Path

def streaks(path: Path, limit: int = {n}) -> dict[str, int]:
    \"\"\"The longest no-contact streak of each reader.\"\"\"
    best = {{}}
    for line in path.read_text().splitlines():
        entry = json.loads(line)  # one reader a line
        name, days = entry["name"], int(entry.get("days", 0))
        if days > limit and name not in ("test", None):
            best[name] = max(best.get(name, 0), days)
    return dict(sorted(best.items(), key=lambda kv: -kv[1]))

print(streaks(Path("readers-{n}.jsonl")))
""",
    "javascript": """// Count the days since the last message (post {n}).
const started = new Date("2026-01-{d:02d}T00:00:00Z");
function daysSince(date, now = new Date()) {{
  const ms = now.getTime() - date.getTime();
  return Math.max(0, Math.floor(ms / 86_400_000));
}}
document.querySelectorAll("[data-streak]").forEach((el) => {{
  const days = daysSince(started);
  el.textContent = `${{days}} days of no contact`;
  if (days >= {n} % 30 + 30) {{
    el.classList.add("milestone");
  }}
}});
""",
    "php": """<?php
// Old WordPress hook, kept for reader {n}.
function mend_streak_shortcode( $atts ) {{
    $atts = shortcode_atts( array( 'days' => {n} ), $atts, 'streak' );
    $days = intval( $atts['days'] );
    if ( $days < 1 ) {{
        return '';
    }}
    return sprintf( '<span class="streak">%d days</span>', $days );
}}
add_shortcode( 'streak', 'mend_streak_shortcode' );
echo do_shortcode( '[streak days="{n}"]' );
?>
""",
    "html": """<!-- The streak box, version {n} -->
<section class="streak" aria-labelledby="streak-{n}">
  <h2 id="streak-{n}">Your no-contact streak</h2>
  <p data-streak>Counting&hellip;</p>
  <form action="/subscribe" method="post">
    <label for="email-{n}">Email me a reminder</label>
    <input id="email-{n}" type="email" name="email" required>
    <button type="submit">Remind me</button>
  </form>
  <script src="/streak.js" defer></script>
</section>
""",
    "css": """/* Streak box, theme {n} */
.streak {{
  border: 1px solid var(--line);
  border-radius: 10px;
  padding: 1rem {d}px;
  background: #fdfcfa;
}}
.streak h2 {{ font-size: 1.25rem; margin: 0 0 0.5rem; }}
.streak .milestone {{ color: #a4133c; font-weight: 700; }}
@media (prefers-color-scheme: dark) {{
  .streak {{ background: #1c1f25; }}
}}
""",
    "sql": """-- Readers who kept no contact for {n} days or more
SELECT r.name, MAX(s.days) AS longest, COUNT(*) AS attempts
FROM readers AS r
JOIN streaks AS s ON s.reader_id = r.id
WHERE s.days >= {n}
  AND r.email IS NOT NULL
  AND s.started_at > '2026-01-{d:02d}'
GROUP BY r.name
HAVING COUNT(*) > 1
ORDER BY longest DESC, r.name
LIMIT 20;
""",
    "diff": """diff --git a/content/posts/day-{n}.md b/content/posts/day-{n}.md
--- a/content/posts/day-{n}.md
+++ b/content/posts/day-{n}.md
@@ -1,8 +1,9 @@
 +++
 title = "Day {n}"
-date = 2026-01-{d:02d}
+date = 2026-02-{d:02d}
+tags = ["no contact"]
 +++
-Do not text him.
+Do not text him first.
 Keep the journal.
""",
}
LANGUAGES = list(CODE)


def corpus(articles, work):
    """The corpus of `articles` articles, made once under `work`."""
    out = work / f"corpus-{articles}"
    if not out.exists():
        subprocess.run([sys.executable, str(GENERATOR), "--articles", str(articles),
                        "--no-comments", "--out", str(out)], check=True)
    return out


def with_writing(plain, work):
    """The same blog, every article with three code blocks, a video link and
    a callout (made once)."""
    out = work / (plain.name + "-writing")
    if out.exists():
        return out
    shutil.copytree(plain, out, symlinks=True)
    posts = sorted((out / "content" / "posts").rglob("*.md"))
    rng = random.Random(1)
    for n, post in enumerate(posts):
        text = post.read_text()
        blocks = []
        for k in range(3):
            language = LANGUAGES[(3 * n + k) % len(LANGUAGES)]
            code = CODE[language].format(n=n, d=n % 28 + 1)
            blocks.append(f"```{language}\n{code}```\n")
        video = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
                        for _ in range(11))
        text = text.rstrip("\n") + (
            "\n\n> [!TIP]\n> Key takeaway: do not text first.\n\n"
            f"[Day {n} of no contact](https://www.youtube.com/watch?v={video})\n\n"
            + "\nAnd the code:\n\n".join(blocks)
        )
        post.write_text(text)
    return out


def timed(command, cwd):
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *command], cwd=cwd,
                            capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr}")
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", result.stderr).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", result.stderr).group(1))
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    return wall, user + system, peak


def build(binary, site, out):
    return timed([str(binary), "build", "--quiet", "--output", str(out)], cwd=site)


def forget(site, out):
    shutil.rmtree(out, ignore_errors=True)
    for spare in out.parent.glob(f".{out.name}.mend-*"):
        shutil.rmtree(spare, ignore_errors=True) if spare.is_dir() else spare.unlink()
    shutil.rmtree(site / ".mend", ignore_errors=True)


def measure(binaries, site, runs, work):
    """Median cold and warm times of each binary on `site`, taken in turn;
    each binary builds a copy of its own, so that each finds its own
    output and `.mend/` from the build before."""
    copies = {}
    for name in binaries:
        copy = work / f"site-{name}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(site, copy, symlinks=True)
        shutil.rmtree(copy / ".mend", ignore_errors=True)
        copies[name] = copy
    times = {name: {"cold": [], "warm": []} for name in binaries}
    for _ in range(runs):
        for name, binary in binaries.items():
            out = work / f"public-{name}"
            forget(copies[name], out)
            times[name]["cold"].append(build(binary, copies[name], out))
    for name, binary in binaries.items():
        build(binary, copies[name], work / f"public-{name}")
    for _ in range(runs):
        for name, binary in binaries.items():
            times[name]["warm"].append(build(binary, copies[name], work / f"public-{name}"))
    return times, copies


def median(values, index):
    return statistics.median(v[index] for v in values)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before", help="an older mend to compare with")
    ap.add_argument("--work", default="/tmp/mend-bench-writing")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    binaries = {"now": BINARY}
    if args.before:
        binaries["before"] = Path(args.before).resolve()
    plain = corpus(args.articles, work)
    writing = with_writing(plain, work)
    for label, site in (("corpus as it is", plain), ("3 code blocks, a video, a callout an article", writing)):
        print(f"## {args.articles} articles, {label}")
        times, copies = measure(binaries, site, args.runs, work)
        print("| binary | cold wall | cold CPU | cold peak | warm wall | warm CPU |")
        print("|---|---|---|---|---|---|")
        for name, t in times.items():
            print(f"| {name} | {median(t['cold'], 0):.2f} s | {median(t['cold'], 1):.2f} s | "
                  f"{median(t['cold'], 2) / 1024:.0f} MiB | {median(t['warm'], 0):.2f} s | "
                  f"{median(t['warm'], 1):.2f} s |")
        cache = copies["now"] / ".mend" / "highlight"
        if cache.exists():
            print(f"highlight cache: {cache.stat().st_size / 2**20:.1f} MiB")
        pages = sum(p.stat().st_size for p in (work / "public-now" / "posts").rglob("index.html"))
        print(f"article pages: {pages / 2**20:.0f} MiB")
        print()


if __name__ == "__main__":
    main()
