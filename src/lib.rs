//! mend: a static-site generator for blogs whose comments matter.
//!
//! The modules follow the pipeline: `config` and `content` load a site,
//! `markdown` renders its bodies, `taxonomy` groups it, `site` holds it all,
//! `theme` and `render` turn it into pages, `feed` adds the machine-read
//! files, and `output` writes the result. `cli` drives them.

pub mod build;
pub mod cli;
pub mod comments;
pub mod config;
pub mod content;
pub mod date;
pub mod error;
pub mod export;
pub mod feed;
pub mod import;
pub mod layout;
pub mod links;
pub mod markdown;
pub mod output;
pub mod render;
pub mod sanitize;
pub mod scaffold;
pub mod serve;
pub mod server;
pub mod site;
pub mod slug;
pub mod taxonomy;
pub mod theme;
pub mod urls;
pub mod xml;

pub use error::{Error, Result};
