#!/usr/bin/env python3
"""`mend comments serve` and `mend serve` under attack, while readers comment.

    python3 bench/attack.py [--posters 200] [--comments 10000] [--held 1000]
                            [--thread 100000] [--mend target/release/mend]

On a small site whose one article already has --thread approved comments:

- one address (127.0.0.250) holds --held connections to each server, half
  of them silent and half sending one byte a second, and opens a new one
  whenever one is closed;
- from another (127.0.0.251), 40 posters stream replies to a parent that
  does not exist on that article;
- meanwhile --posters readers, each from an address of its own
  (127.0.0.2, 127.0.0.3, …), send --comments comments in all;
- a prober asks `mend serve` for the other article's page every 200 ms.

Reports: whether every comment answered 201 is in the inbox (and none
twice), the posters' p50/p99 latency, the comment server's peak memory
(VmRSS, sampled every 50 ms), and the preview's slowest answer.
Loopback only: every address above is on 127.0.0.0/8.
"""
import argparse
import http.client
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import REPO, ensure_built, free_port, inbox_ids, poster  # noqa: E402

ATTACKER = "127.0.0.250"
STREAMER = "127.0.0.251"


def make_site(root, thread):
    posts = root / "content" / "posts"
    posts.mkdir(parents=True)
    (root / "site.toml").write_text(
        'title = "Bench"\nbase_url = "https://bench.example"\n\n'
        '[comments]\nendpoint = "https://bench.example/comments/"\n'
    )
    (posts / "no-contact.md").write_text(
        '+++\ntitle = "No contact"\ndate = 2026-01-01\n+++\nDay one.\n'
    )
    (posts / "letting-go.md").write_text(
        '+++\ntitle = "Letting go"\ndate = 2026-01-02\n+++\nDay two.\n'
    )
    with open(posts / "letting-go.comments.toml", "w") as f:
        for n in range(thread):
            f.write(f'[[comment]]\nid = "c{n}"\nauthor = "Reader {n % 977}"\n'
                    f'date = 2026-01-03T00:00:00Z\nbody = "Day {n} of no contact."\n\n')


def start(command, ready):
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    while True:
        line = server.stdout.readline()
        if not line:
            raise SystemExit(f"{command[1]} did not start")
        if line.startswith(ready):
            break
    threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
    return server


def hold(port, count, stop):
    """Keeps `count` connections open from ATTACKER; half send a byte a second."""
    held = []

    def connect():
        s = socket.socket()
        s.bind((ATTACKER, 0))
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        return s

    for _ in range(count):
        held.append(connect())
    while not stop.is_set():
        for i, s in enumerate(held):
            try:
                if i % 2:
                    s.send(b"P")
                elif s.recv(4096) == b"":
                    raise OSError("closed")
            except BlockingIOError:
                continue
            except OSError:
                s.close()
                held[i] = connect()
        stop.wait(1.0)
    for s in held:
        s.close()


def stream_unknown_parents(port, stop, counts):
    connection = None
    while not stop.is_set():
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                                    source_address=(STREAMER, 0))
        body = json.dumps({"article": "posts/letting-go/", "parent": "no-such-comment",
                           "author": "Bot", "body": "reply"})
        try:
            connection.request("POST", "/comments/", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            counts[response.status] = counts.get(response.status, 0) + 1
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = None
            time.sleep(0.05)


def sample_memory(pid, stop, peak):
    while not stop.is_set():
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        peak[0] = max(peak[0], int(line.split()[1]))
        except OSError:
            return
        stop.wait(0.05)


def probe(port, stop, times, failures):
    while not stop.is_set():
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                                    source_address=("127.0.0.252", 0))
            connection.request("GET", "/posts/no-contact/")
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                failures.append(response.status)
        except (OSError, http.client.HTTPException) as e:
            failures.append(str(e))
        times.append(time.perf_counter() - started)
        stop.wait(0.2)


def cpu_seconds(pid):
    """User and system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posters", type=int, default=200)
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--held", type=int, default=1000)
    parser.add_argument("--thread", type=int, default=100_000)
    parser.add_argument("--mend", default=str(REPO / "target" / "release" / "mend"))
    args = parser.parse_args()
    ensure_built(args.mend)
    with tempfile.TemporaryDirectory(dir=REPO / "target") as root:
        make_site(Path(root), args.thread)
        intake_port, serve_port = free_port(), free_port()
        intake = start([args.mend, "comments", "serve", "--port", str(intake_port),
                        "--per-minute", "0", "--root", root], "taking comments at ")
        serve = start([args.mend, "serve", "--port", str(serve_port), "--root", root], "serving ")
        stop, done = threading.Event(), threading.Event()
        peak = [0]
        statuses, probe_times, probe_failures = {}, [], []
        background = [
            threading.Thread(target=sample_memory, args=(intake.pid, done, peak)),
            threading.Thread(target=hold, args=(intake_port, args.held, stop)),
            threading.Thread(target=hold, args=(serve_port, args.held, stop)),
            threading.Thread(target=probe, args=(serve_port, stop, probe_times, probe_failures)),
        ] + [threading.Thread(target=stream_unknown_parents, args=(intake_port, stop, statuses))
             for _ in range(40)]
        try:
            for t in background:
                t.start()
            time.sleep(2)  # the attack is under way before readers come
            answered, latencies, failures = [], [], []
            never = threading.Event()
            posters = [threading.Thread(target=poster, args=(
                intake_port, n, args.comments // args.posters, never, answered, latencies, failures))
                for n in range(args.posters)]
            started = time.perf_counter()
            for t in posters:
                t.start()
            for t in posters:
                t.join()
            elapsed = time.perf_counter() - started
            cpu = {name: cpu_seconds(server.pid) for name, server in
                   (("comment server", intake), ("preview", serve))}
            cpu["load generator (this script)"] = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
            stop.set()
            time.sleep(0.5)
            done.set()
            for t in background:
                t.join()
        finally:
            intake.kill()
            serve.kill()
            intake.wait()
            serve.wait()
        stored = inbox_ids(root)
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
        unknown = sum(statuses.values())
        print(f"attack: {args.held} connections held on each server from {ATTACKER}, 40 posters "
              f"sending {unknown} replies to an unknown parent on an article with {args.thread} "
              f"comments (answers {statuses})")
        print(f"readers: {len(answered)} of {args.comments} comments acknowledged from "
              f"{args.posters} addresses in {elapsed:.2f} s ({len(answered) / elapsed:.0f}/s); "
              f"latency p50 {p(0.50):.1f} ms, p99 {p(0.99):.1f} ms; failures {len(failures)} {failures[:3]}")
        print(f"inbox: {len(stored)} files, {len(set(stored))} distinct, "
              f"{len(set(answered) - set(stored))} acknowledged but lost")
        print(f"comment server peak memory: {peak[0] / 1024:.0f} MiB")
        probe_times.sort()
        print(f"preview: {len(probe_times)} page requests, median "
              f"{probe_times[len(probe_times) // 2] * 1000:.1f} ms, slowest {max(probe_times) * 1000:.1f} ms, "
              f"failures {len(probe_failures)} {probe_failures[:3]}")
        print("CPU seconds used, of 2 cores: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()))
        ok = (len(answered) == args.comments and not failures
              and set(answered) <= set(stored) and len(stored) == len(set(stored)))
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
