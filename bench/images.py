#!/usr/bin/env python3
"""Images at scale: 200 phone photos (4032 x 3024 JPEG, with EXIF and a GPS
position) in a 1,000-article blog.

    python3 bench/images.py [--articles 1000] [--photos 200] [--runs 3]
                            [--before PATH-TO-AN-OLDER-MEND]

Needs Pillow (`pip install pillow`) to make the photos, and Chromium with
ChromeDriver (`apt-get install chromium chromium-driver`) to measure what a
reader downloads. Builds with target/release/mend (`cargo build --release`).

Measures, each the median of --runs:
- the same blog without images: warm build;
- with the photos: cold build (no output, no image cache) with its peak
  memory, then warm builds;
- what a reader downloads for the home page and one article, in Chromium,
  scrolled to the end, at 390 px wide (device pixel ratio 3, a phone) and
  1280 px (ratio 1): the bytes of every response, as the browser's resource
  timing reports them;
- the same bytes for the blog built by --before (an older mend, which copies
  images as they are), when given.
"""

import argparse
import base64
import io
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BINARY = REPO / "target" / "release" / "mend"


def photo(n):
    """A photo-like JPEG: smooth shapes, with grain, EXIF and GPS."""
    from PIL import Image, ImageFilter

    r = random.Random(n)
    small = Image.new("RGB", (64, 48))
    small.putdata([(r.randrange(256), r.randrange(256), r.randrange(256)) for _ in range(64 * 48)])
    image = small.resize((4032, 3024), Image.BICUBIC).filter(ImageFilter.GaussianBlur(6))
    grain = Image.effect_noise((4032, 3024), 18).convert("RGB")
    image = Image.blend(image, grain, 0.12)
    exif = Image.Exif()
    exif[0x010F] = "Phone"
    exif[0x0112] = 1
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, float(n % 60))
    gps[3], gps[4] = "W", (0.0, 7.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def make_site(root, articles, photos):
    subprocess.run([sys.executable, REPO / "bench" / "gen_corpus.py", "--articles", str(articles),
                    "--seed", "1", "--out", root], check=True)
    if not photos:
        return
    (root / "static" / "photos").mkdir(parents=True)
    posts = [p for p in sorted((root / "content" / "posts").glob("*.md"))
             if "draft = true" not in p.read_text()]
    step = max(1, len(posts) // photos)
    for n in range(photos):
        (root / "static" / "photos" / f"p{n}.jpg").write_bytes(photo(n))
        post = posts[n * step]
        text = post.read_text()
        front, body = text.split("+++\n", 2)[1:]
        post.write_text(f"+++\n{front}+++\n![A photo for this article](/photos/p{n}.jpg)\n\n{body}")


def timed(binary, root):
    """Wall time (to the millisecond) and peak memory of one build."""
    args = ["/usr/bin/time", "-f", "%M", binary, "build", "--root", root, "--quiet"]
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(done.stderr)
    peak = done.stderr.strip().splitlines()[-1]
    return wall, int(peak) / 1024


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder):
    handler = partial(Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Browser:
    def __init__(self):
        self.port = free_port()
        self.driver = subprocess.Popen(["/usr/bin/chromedriver", f"--port={self.port}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port)).close()
                break
            except OSError:
                time.sleep(0.1)
        options = {"binary": "/usr/bin/chromium",
                   "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync", "--disk-cache-size=1"]}
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}}
        self.session = self.call("POST", "/session", caps)["value"]["sessionId"]

    def call(self, method, path, body=None):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        return json.loads(urllib.request.urlopen(request, timeout=120).read())

    def do(self, path, body=None):
        return self.call("POST", f"/session/{self.session}{path}", body)["value"]

    def downloaded(self, url, width, ratio):
        """Bytes of every response for `url`, scrolled to its end."""
        self.do("/goog/cdp/execute", {"cmd": "Network.enable", "params": {}})
        self.do("/goog/cdp/execute", {"cmd": "Network.setCacheDisabled", "params": {"cacheDisabled": True}})
        self.do("/goog/cdp/execute", {"cmd": "Emulation.setDeviceMetricsOverride", "params": {
            "width": width, "height": 900, "deviceScaleFactor": ratio, "mobile": width < 600}})
        self.do("/url", {"url": url})
        script = """
            const done = arguments[0];
            let y = 0;
            const step = () => {
              y += 600; window.scrollTo(0, y);
              if (y < document.body.scrollHeight) { setTimeout(step, 80); return; }
              setTimeout(() => {
                const entries = [...performance.getEntriesByType('navigation'),
                                 ...performance.getEntriesByType('resource')];
                done(entries.reduce((sum, e) => sum + (e.encodedBodySize || 0), 0));
              }, 1500);
            };
            step();"""
        return self.do("/execute/async", {"script": script, "args": []})

    def close(self):
        try:
            self.call("DELETE", f"/session/{self.session}")
        finally:
            self.driver.kill()


def downloads(public, article):
    server = serve(public)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    browser = Browser()
    try:
        return {(page, width): browser.downloaded(f"{base}/{path}", width, ratio)
                for page, path in [("home page", ""), ("one article", article)]
                for width, ratio in [(390, 3), (1280, 1)]}
    finally:
        browser.close()
        server.shutdown()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--photos", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--before", help="an older mend binary, for the bytes before")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mend-images-"))
    try:
        plain, photos = work / "plain", work / "photos"
        make_site(plain, args.articles, 0)
        timed(BINARY, plain)

        started = time.time()
        make_site(photos, args.articles, args.photos)
        source = sum(f.stat().st_size for f in (photos / "static" / "photos").iterdir())
        print(f"{args.photos} photos made in {time.time() - started:.0f} s, {source / 2**20:.0f} MiB")
        colds = []
        for _ in range(args.runs):
            shutil.rmtree(photos / "public", ignore_errors=True)
            shutil.rmtree(photos / ".mend", ignore_errors=True)
            colds.append(timed(BINARY, photos))
        cold = statistics.median(c[0] for c in colds)
        peak = max(c[1] for c in colds)
        # Alternated with the blog without images, so both see the same disk.
        warms, plains = [], []
        for _ in range(args.runs):
            warms.append(timed(BINARY, photos)[0])
            plains.append(timed(BINARY, plain)[0])
        warm, plain_warm = statistics.median(warms), statistics.median(plains)
        print(f"with {args.photos} photos: cold {cold:.1f} s (peak {peak:.0f} MiB), warm {warm:.3f} s, "
              f"without them {plain_warm:.3f} s ({(warm / plain_warm - 1) * 100:+.0f}%)")
        published = sum(f.stat().st_size for f in (photos / "public").rglob("*")
                        if f.is_file() and f.parent.name == "photos")
        print(f"published image files: {published / 2**20:.0f} MiB")

        shown = next(p for p in sorted((photos / "public" / "posts").glob("*/index.html"))
                     if "photos/p0." in p.read_text())
        article = f"posts/{shown.parent.name}/"
        after = downloads(photos / "public", article)
        before = None
        if args.before:
            old = work / "before"
            shutil.copytree(photos, old, ignore=shutil.ignore_patterns("public", ".mend"))
            timed(args.before, old)
            before = downloads(old / "public", article)
        print(f"\nwhat a reader downloads (KiB), {article}:")
        for key, bytes_after in after.items():
            was = f"{before[key] / 1024:,.0f} before, " if before else ""
            print(f"  {key[0]} at {key[1]} px: {was}{bytes_after / 1024:,.0f} now")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
