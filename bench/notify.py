#!/usr/bin/env python3
"""Reply notices at scale: 1,000 readers follow one popular thread, the
author replies once, and `mend comments notify` tells them all.

    python3 bench/notify.py [--readers 1000]

Every reader goes the real way: a comment with "Email me when someone
replies" sent to `mend comments serve`, the confirmation mail read from the
mail server (aiosmtpd on 127.0.0.1, `pip install aiosmtpd`), its link
followed. Then the comments are approved, the author replies to the comment
they all answered, the site is built, and `mend comments notify` is timed
(`/usr/bin/time`: wall time, CPU time and peak memory). Prints those, and checks that
each reader got exactly one notice and nobody else got one.
"""

import argparse
import email
import email.policy
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BINARY = REPO / "target" / "release" / "mend"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port):
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing answers on port {port}")


def mails(maildir):
    new = maildir / "new"
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(new.iterdir())] if new.is_dir() else []


def wait_for_mails(maildir, n, timeout=600):
    started = time.time()
    while True:
        found = mails(maildir)
        if len(found) >= n:
            return found
        if time.time() - started > timeout:
            sys.exit(f"{len(found)} mails came, not {n}")
        time.sleep(0.2)


def post(port, path, fields):
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data,
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        return urllib.request.urlopen(request, timeout=60).status
    except urllib.error.HTTPError as e:
        return e.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readers", type=int, default=1000)
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    urllib.request.install_opener(urllib.request.build_opener(NoRedirect))
    work = Path(tempfile.mkdtemp(prefix="mend-notify-"))
    try:
        run(args.readers, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(readers, work):
    site = work / "site"
    shutil.copytree(REPO / "tests" / "fixtures" / "comments", site)
    smtp_port, port = free_port(), free_port()
    maildir = work / "mail"
    config = site / "site.toml"
    config.write_text(config.read_text()
                      + f'\n[comments]\nendpoint = "https://comments.example/comments/"\n'
                      + f'\n[notify]\nsmtp = "smtp://127.0.0.1:{smtp_port}"\n'
                      + 'from = "Comment Fixture <comments@comments.example>"\n')
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}",
                             "-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = subprocess.Popen([BINARY, "comments", "serve", "--root", site, "--port", str(port),
                               "--per-minute", "0"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, "MEND_LOG": "warn"})
    try:
        wait_for_port(smtp_port)
        wait_for_port(port)
        started = time.time()
        for n in range(readers):
            status = post(port, "/comments/", {
                "article": "posts/threads/", "parent": "c1", "author": f"Reader {n}",
                "email": f"reader{n}@readers.example", "subscribe": "on",
                "body": f"Reader {n}: day {n} of no contact, and he texted."})
            if status != 303:
                sys.exit(f"comment {n} was answered {status}")
        asked = wait_for_mails(maildir, readers)
        print(f"{readers} readers asked and got their confirmation mail in {time.time() - started:.1f} s")
        for mail in asked:
            body = mail.get_body(preferencelist=("plain",)).get_content()
            link = re.search(r"confirm\?link=(\S+)", body).group(1)
            if post(port, "/comments/confirm", {"link": link}) != 200:
                sys.exit(f"confirming {mail['To']} failed")
    finally:
        server.terminate()
        server.wait()
    mend = lambda *a: subprocess.run([BINARY, *a, "--root", site], check=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    mend("comments", "approve", "--all")
    mend("comments", "reply", "c1", "--body", "To all of you: give it one more week.")
    mend("build", "--quiet")
    timed = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", BINARY, "comments", "notify", "--root", site],
                           capture_output=True, text=True, check=True)
    wall, user, system, peak = timed.stderr.strip().splitlines()[-1].split()
    print(f"mend comments notify: {timed.stdout.strip()}")
    print(f"  wall {float(wall):.2f} s, CPU {float(user) + float(system):.2f} s, peak memory {int(peak) / 1024:.0f} MiB")
    notices = [m for m in wait_for_mails(maildir, 2 * readers) if "replied on" in m["Subject"]]
    sink.terminate()
    to = sorted(str(m["To"]) for m in notices)
    expected = sorted(f"reader{n}@readers.example" for n in range(readers))
    print(f"  {len(notices)} notices; each reader exactly one: {to == expected}")
    if to != expected:
        sys.exit(1)


if __name__ == "__main__":
    main()
