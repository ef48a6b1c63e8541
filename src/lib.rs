//! mend: a static-site generator for blogs whose comments matter.
//!
//! A site is loaded once into a [`site::Site`], rendered by pure functions
//! ([`render`]), and written by [`build::build`] through [`output`] or kept
//! in memory by [`serve`]. The code map, where each decision lives (URLs in
//! [`urls`], sanitizing in [`sanitize`]) and the invariants with the tests
//! that guard them are in `ARCHITECTURE.md` at the root of the repository.

pub mod build;
pub mod cli;
pub mod comments;
pub mod config;
pub mod content;
pub mod date;
pub mod durable;
pub mod error;
pub mod export;
pub mod feed;
pub mod import;
pub mod intake;
pub mod layout;
pub mod links;
pub mod log;
pub mod markdown;
pub mod output;
pub mod render;
pub mod sanitize;
pub mod scaffold;
pub mod scan;
pub mod search;
pub mod serve;
pub mod server;
pub mod site;
pub mod slug;
pub mod taxonomy;
pub mod theme;
pub mod urls;
pub mod xml;

pub use error::{Error, Result};
