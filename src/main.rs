use std::process::ExitCode;

use clap::Parser;

// Building a site allocates millions of small strings across threads;
// mimalloc does that markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = mend::cli::Cli::parse();
    match mend::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            let count = error.count();
            if count > 1 {
                eprintln!("{count} errors; nothing was written");
            }
            ExitCode::FAILURE
        }
    }
}
