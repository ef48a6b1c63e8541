//! Tells the integration tests which outside tools this machine has, so a
//! test that needs a missing one is reported as ignored, never as passed.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_chromium)");
    println!("cargo::rustc-check-cfg=cfg(has_python3)");
    // Installing or removing a tool changes its folder.
    println!("cargo::rerun-if-changed=/usr/bin");
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromedriver"];
    if chromium.iter().all(|tool| Path::new(tool).exists()) {
        println!("cargo::rustc-cfg=has_chromium");
    }
    if on_path("python3") {
        println!("cargo::rustc-cfg=has_python3");
    }
    println!("cargo::rerun-if-env-changed=PATH");
}

/// Whether a program of that name is in a folder of `PATH`.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}
