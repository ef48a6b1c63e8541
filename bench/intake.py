#!/usr/bin/env python3
"""Load and crash benchmark of `mend comments serve`.

    python3 bench/intake.py [--posters 200] [--comments 10000] [--mend target/release/mend]

Two runs on a small generated site, each against a fresh server:

1. Load: --posters threads, each on its own keep-alive connection, send
   --comments comments in all (JSON, as the theme's script does). Reports
   submissions per second and the p50/p99 latency, then checks the inbox:
   one file per acknowledged comment, no duplicates, none lost.
2. Crash: the same posters send as fast as they can, and the server is
   killed with SIGKILL after --kill-after seconds. Every comment that was
   answered 201 must be in the inbox afterwards.

The rate limit is turned off (--per-minute 0). Each poster has a loopback
address of its own (127.0.0.2, 127.0.0.3, …), as readers on the internet
do: the server bounds connections per address.
"""
import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def ensure_built(mend):
    """Builds the release binary when `mend` is not there yet."""
    if not Path(mend).is_file():
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)


def make_site(root):
    (root / "content" / "posts").mkdir(parents=True)
    (root / "site.toml").write_text(
        'title = "Bench"\nbase_url = "https://bench.example"\n\n'
        '[comments]\nendpoint = "https://bench.example/comments/"\n'
    )
    (root / "content" / "posts" / "no-contact.md").write_text(
        '+++\ntitle = "No contact"\ndate = 2026-01-01\n+++\nDay one.\n'
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(mend, root):
    port = free_port()
    server = subprocess.Popen(
        [mend, "comments", "serve", "--port", str(port), "--per-minute", "0", "--root", root],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    server.stdout.readline()  # "taking comments at ..."
    threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
    return server, port


def source_of(number):
    """The loopback address poster `number` sends from."""
    return (f"127.0.{(number + 2) // 256}.{(number + 2) % 256}", 0)


def poster(port, number, count, stop, answered, latencies, failures):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                            source_address=source_of(number))
    sent = 0
    while sent < count and not stop.is_set():
        body = json.dumps({
            "article": "posts/no-contact/",
            "author": f"Poster {number}",
            "body": f"Comment {sent} of poster {number}: day {sent} of no contact.",
        })
        started = time.perf_counter()
        try:
            connection.request("POST", "/comments/", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException):
            if stop.is_set():
                return
            failures.append("connection")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                                    source_address=source_of(number))
            time.sleep(0.05)
            continue
        latencies.append(time.perf_counter() - started)
        if response.status == 201:
            answered.append(json.loads(answer)["id"])
            sent += 1
        elif response.status == 503:  # busy: counted, and retried as a browser would be asked to
            failures.append("503")
            time.sleep(0.05)
        else:
            failures.append(f"{response.status}: {answer[:200]!r}")
            sent += 1
    connection.close()


def run_posters(port, posters, per_poster, stop):
    answered, latencies, failures = [], [], []
    threads = [
        threading.Thread(target=poster, args=(port, n, per_poster, stop, answered, latencies, failures))
        for n in range(posters)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    return threads, started, answered, latencies, failures


def inbox_ids(root):
    ids = []
    for path in (Path(root) / "inbox").glob("*.toml"):
        with open(path, "rb") as f:
            ids.append(tomllib.load(f)["id"])
    return ids


def load_run(mend, posters, comments):
    with tempfile.TemporaryDirectory(dir=REPO / "target") as root:
        make_site(Path(root))
        server, port = start(mend, root)
        try:
            stop = threading.Event()
            threads, started, answered, latencies, failures = run_posters(
                port, posters, comments // posters, stop)
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
        finally:
            server.kill()
            server.wait()
        stored = inbox_ids(root)
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
        print(f"load: {len(answered)} comments from {posters} posters in {elapsed:.2f} s: "
              f"{len(answered) / elapsed:.0f} per second; latency p50 {p(0.50):.1f} ms, "
              f"p99 {p(0.99):.1f} ms")
        print(f"      inbox files {len(stored)}, distinct {len(set(stored))}, "
              f"acknowledged {len(answered)}, lost {len(set(answered) - set(stored))}, "
              f"failures {len(failures)} {failures[:3]}")
        return len(stored) == len(set(stored)) == len(answered) == comments and not failures


def crash_run(mend, posters, kill_after):
    with tempfile.TemporaryDirectory(dir=REPO / "target") as root:
        make_site(Path(root))
        server, port = start(mend, root)
        stop = threading.Event()
        threads, started, answered, latencies, failures = run_posters(port, posters, 10**9, stop)
        time.sleep(kill_after)
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        stop.set()
        for t in threads:
            t.join()
        acknowledged = set(answered)
        stored = set(inbox_ids(root))
        lost = acknowledged - stored
        print(f"crash: killed with SIGKILL after {kill_after} s: {len(acknowledged)} acknowledged, "
              f"{len(stored)} in the inbox, {len(lost)} acknowledged but lost, "
              f"{len(stored - acknowledged)} stored but never acknowledged (the answer was cut off)")
        return not lost


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posters", type=int, default=200)
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--kill-after", type=float, default=2.0)
    parser.add_argument("--mend", default=str(REPO / "target" / "release" / "mend"))
    args = parser.parse_args()
    ensure_built(args.mend)
    ok = load_run(args.mend, args.posters, args.comments)
    ok = crash_run(args.mend, args.posters, args.kill_after) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
