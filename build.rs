//! Tells the integration tests which outside tools this machine has, so a
//! test that needs a missing one is reported as ignored, never as passed.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_chromium)");
    println!("cargo::rustc-check-cfg=cfg(has_python3)");
    println!("cargo::rustc-check-cfg=cfg(running_as_root)");
    println!("cargo::rustc-check-cfg=cfg(has_nginx)");
    println!("cargo::rustc-check-cfg=cfg(has_axe)");
    println!("cargo::rustc-check-cfg=cfg(has_node)");
    println!("cargo::rustc-check-cfg=cfg(has_aiosmtpd)");
    // Installing or removing a tool changes its folder.
    println!("cargo::rerun-if-changed=/usr/bin");
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromedriver"];
    if chromium.iter().all(|tool| Path::new(tool).exists()) {
        println!("cargo::rustc-cfg=has_chromium");
    }
    // axe-core, from the npm registry, where `.ci/run` puts it.
    let axe = "target/axe/node_modules/axe-core/axe.min.js";
    println!("cargo::rerun-if-changed={axe}");
    if Path::new(axe).exists() {
        println!("cargo::rustc-cfg=has_axe");
    }
    if Path::new("/usr/sbin/nginx").exists() {
        println!("cargo::rustc-cfg=has_nginx");
    }
    println!("cargo::rerun-if-changed=/usr/sbin");
    if on_path("python3") {
        println!("cargo::rustc-cfg=has_python3");
    }
    if on_path("node") {
        println!("cargo::rustc-cfg=has_node");
    }
    // A mail server for the tests of mail (pip install aiosmtpd).
    let aiosmtpd = std::process::Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|out| out.status.success());
    if aiosmtpd {
        println!("cargo::rustc-cfg=has_aiosmtpd");
    }
    println!("cargo::rerun-if-env-changed=PATH");
    if running_as_root() {
        println!("cargo::rustc-cfg=running_as_root");
    }
}

/// Whether the build (and so, here, the tests) runs as root, who can read
/// any folder whatever its permissions.
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            == Some("0")
    })
}

/// Whether a program of that name is in a folder of `PATH`.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}
