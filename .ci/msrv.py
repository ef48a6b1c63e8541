#!/usr/bin/env python3
"""MSRV check: no dependency may need a newer Rust than the `rust-version`
that Cargo.toml declares. (Uses of the standard library newer than it are
caught by clippy's `incompatible_msrv` lint, which reads the same field;
no second toolchain can be installed here to build with the old one.)"""
import json
import subprocess
import sys


def version(text):
    """`1.88` and `1.88.0` alike: three numbers."""
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


metadata = json.loads(subprocess.check_output(["cargo", "metadata", "--format-version", "1"]))
root = next(p for p in metadata["packages"] if p["id"] == metadata["resolve"]["root"])
declared = root["rust_version"]
newer = [
    f"{p['name']} {p['version']} needs Rust {p['rust_version']}"
    for p in metadata["packages"]
    if p["rust_version"] and version(p["rust_version"]) > version(declared)
]
if newer:
    sys.exit(f"rust-version is {declared}, but:\n" + "\n".join(newer))
print(f"msrv: every dependency builds with Rust {declared}")
