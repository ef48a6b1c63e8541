//! mend's integration tests: one binary, a module per command or concern,
//! each driving the real `mend` binary on fixture sites and parsing what it
//! writes.

mod browser;
mod build;
mod commands;
mod comments;
mod common;
mod corpus;
mod errors;
mod images;
mod import;
mod intake;
mod internet;
mod notify;
mod output;
mod proxy;
mod search;
mod serve;
