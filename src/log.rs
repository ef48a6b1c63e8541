//! What the servers tell their operator: one line per event on standard
//! error, with a UTC timestamp, a level and `key=value` fields, in the form
//! journald and `grep` handle (`tracing`'s plain format, no colours).
//! `mend comments serve` logs every request's outcome and every comment it
//! stores; `mend serve` logs requests only with `MEND_LOG=debug`. One-off
//! commands (`build`, `check`) set nothing up and stay quiet.
//!
//! Not for messages to a writer at a terminal (errors and warnings of a
//! build are sentences on standard error, from `cli`).

use tracing::Level;

/// The environment variable that sets how much is logged: `error`, `warn`,
/// `info` (the default) or `debug`.
pub(crate) const LEVEL_VARIABLE: &str = "MEND_LOG";

/// Starts logging for a server that runs until stopped.
pub(crate) fn start_for_server() {
    let level = std::env::var(LEVEL_VARIABLE)
        .ok()
        .and_then(|text| text.parse::<Level>().ok())
        .unwrap_or(Level::INFO);
    let _already = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_max_level(level)
        .try_init();
}
