//! mend: a static-site generator for blogs whose comments matter.
//!
//! A site is loaded once into a [`site::Site`], rendered by pure functions
//! ([`render`]), and written by [`build::build`] through [`output`] or kept
//! in memory by [`serve`]. The code map, where each decision lives (URLs in
//! [`urls`], sanitizing in [`sanitize`]) and the invariants with the tests
//! that guard them are in `ARCHITECTURE.md` at the root of the repository.

pub(crate) mod build;
pub mod cli;
pub(crate) mod comments;
pub(crate) mod config;
pub(crate) mod content;
pub(crate) mod date;
pub(crate) mod durable;
pub(crate) mod error;
pub(crate) mod export;
pub(crate) mod feed;
pub(crate) mod images;
pub(crate) mod import;
pub(crate) mod intake;
pub(crate) mod layout;
pub(crate) mod links;
pub(crate) mod log;
pub mod markdown;
pub(crate) mod notify;
pub(crate) mod output;
pub mod render;
pub(crate) mod sanitize;
pub(crate) mod scaffold;
pub(crate) mod scan;
pub(crate) mod search;
pub(crate) mod serve;
pub(crate) mod server;
pub mod site;
pub(crate) mod slug;
pub mod taxonomy;
pub(crate) mod theme;
pub(crate) mod urls;
pub(crate) mod xml;

pub use error::{Error, Result};
