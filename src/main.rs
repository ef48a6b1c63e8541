use std::process::ExitCode;

use clap::Parser;

// Building a site allocates millions of small strings across threads;
// mimalloc does that markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (v3), which the sys crate does
/// not name.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// By default mimalloc hands freed memory back to the kernel after 10 ms,
/// and a build frees and allocates hundreds of megabytes: each time, the
/// kernel zeroes the pages again (a fifth of all CPU time at 10,000
/// articles). mend's memory is the site it holds, so keep it for reuse;
/// except in the comment server, which runs for days: what a burst of
/// requests took goes back when the burst is over.
fn keep_freed_memory() {
    // SAFETY: sets a plain option; mimalloc reads it when it next purges.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) };
}

/// The kernel zeroes each page mend first touches, and with transparent
/// huge pages (which mimalloc asks for) it zeroes 2 MiB at a time: a warm
/// build of 100,000 articles spent about 4 s more system time with them,
/// for no gain (bench/RESULTS.md). Turned off for this process only; where
/// the kernel refuses, nothing is lost.
fn small_pages() {
    #[cfg(target_os = "linux")]
    let _refused = rustix::thread::disable_transparent_huge_pages(true);
}

fn main() -> ExitCode {
    small_pages();
    let cli = mend::cli::Cli::parse();
    if !cli.runs_for_days() {
        keep_freed_memory();
    }
    match mend::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            let count = error.count();
            if count > 1 {
                eprintln!("{count} errors");
            }
            ExitCode::FAILURE
        }
    }
}
