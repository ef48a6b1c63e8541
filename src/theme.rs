//! Finding a site's templates and theme files: the site's `templates/`
//! first, then `themes/<theme>/templates/`, then the default theme embedded
//! in the binary. Static files layer the same way (site `static/` wins).
//!
//! Not for rendering: `render` takes the `Tera` built here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::Tera;

use crate::config::{CONFIG_FILE, Config, in_site, relative_path};
use crate::error::{Error, Result, read_text};
use crate::layout::{STATIC_DIR, TEMPLATES_DIR, THEMES_DIR, Walk};

/// The theme built into the binary; `themes/default/` is its source.
pub(crate) const DEFAULT_THEME: &str = "default";

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../themes/default/templates/", $name)))),*]
    };
}

/// The default theme's templates, by name.
pub(crate) const EMBEDDED_TEMPLATES: &[(&str, &str)] = embedded!(
    "base.html",
    "index.html",
    "article.html",
    "page.html",
    "tags.html",
    "tag.html",
    "404.html",
    "components.html",
    "comment-reply.html",
    "comment-refused.html",
    "archive.html",
    "author.html",
    "search.html",
);

/// The default theme's static files, by output path.
pub(crate) const EMBEDDED_STATIC: &[(&str, &[u8])] = &[
    (
        "style.css",
        include_bytes!("../themes/default/static/style.css"),
    ),
    (
        "comments.js",
        include_bytes!("../themes/default/static/comments.js"),
    ),
    (
        "times.js",
        include_bytes!("../themes/default/static/times.js"),
    ),
    (
        "favicon.svg",
        include_bytes!("../themes/default/static/favicon.svg"),
    ),
    (
        "search.js",
        include_bytes!("../themes/default/static/search.js"),
    ),
    (
        "embeds.js",
        include_bytes!("../themes/default/static/embeds.js"),
    ),
];

/// Copies the built-in templates named (every one when none is) into the
/// site's `templates/`, where they take the place of the theme's; the paths
/// written, from the root. Nothing is copied if a name is unknown or a
/// template is there already.
pub(crate) fn eject(root: &Path, names: &[String]) -> Result<Vec<PathBuf>> {
    let known = || {
        EMBEDDED_TEMPLATES
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen: Vec<(&str, &str)> = if names.is_empty() {
        EMBEDDED_TEMPLATES.to_vec()
    } else {
        names
            .iter()
            .map(|name| {
                EMBEDDED_TEMPLATES
                    .iter()
                    .find(|(n, _)| n == name)
                    .copied()
                    .ok_or_else(|| Error::UnknownTemplate {
                        name: name.clone(),
                        known: known(),
                    })
            })
            .collect::<Result<_>>()?
    };
    let relative = |name: &str| Path::new(TEMPLATES_DIR).join(name);
    if let Some((name, _)) = chosen.iter().find(|(n, _)| root.join(relative(n)).exists()) {
        return Err(Error::AlreadyExists {
            path: root.join(relative(name)),
        });
    }
    let mut written = Vec::new();
    for (name, text) in chosen {
        crate::scaffold::write_new(&root.join(relative(name)), text)?;
        written.push(relative(name));
    }
    Ok(written)
}

/// Whether the site uses the default theme's static file `name`: the
/// scripts only go out with the feature they serve.
fn uses_embedded(name: &str, config: &Config) -> bool {
    match name {
        "comments.js" => config.comments.endpoint.is_some(),
        "search.js" => config.search,
        _ => true,
    }
}

/// Where a static file's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Embedded(&'static [u8]),
    File(PathBuf),
    /// An image's file as mend made it (without metadata, or a smaller
    /// copy), in the image cache (`images`): `key` names what it was made
    /// from, `source` is the image it was made of.
    Made {
        cache: PathBuf,
        key: u64,
        source: PathBuf,
    },
}

/// The templates, ready to render, and the theme's static files.
pub struct Theme {
    pub tera: Tera,
    /// Where each template came from, for error messages.
    pub origins: BTreeMap<String, String>,
    pub static_files: BTreeMap<String, Source>,
}

/// A template's text and where it came from.
type Layer = BTreeMap<String, (String, String)>;

/// Builds the template set for `config.theme`, with site overrides.
pub(crate) fn load(root: &Path, config: &Config) -> Result<Theme> {
    let mut templates: Layer = EMBEDDED_TEMPLATES
        .iter()
        .map(|(name, text)| {
            (
                name.to_string(),
                (text.to_string(), "the built-in default theme".into()),
            )
        })
        .collect();
    let mut static_files: BTreeMap<String, Source> = EMBEDDED_STATIC
        .iter()
        .filter(|(name, _)| uses_embedded(name, config))
        .map(|(name, bytes)| (name.to_string(), Source::Embedded(bytes)))
        .collect();
    let theme_dir = in_site(root, Path::new(THEMES_DIR).join(&config.theme));
    if theme_dir.is_dir() {
        read_templates(root, &theme_dir.join(TEMPLATES_DIR), &mut templates)?;
        read_static(root, &theme_dir.join(STATIC_DIR), &mut static_files)?;
    } else if config.theme != DEFAULT_THEME {
        return Err(Error::UnknownTheme {
            config: in_site(root, CONFIG_FILE),
            name: config.theme.clone(),
            folder: theme_dir,
        });
    }
    read_templates(root, &in_site(root, TEMPLATES_DIR), &mut templates)?;
    let origins = templates
        .iter()
        .map(|(name, (_, origin))| (name.clone(), origin.clone()))
        .collect();
    let tera = build_tera(&templates)?;
    Ok(Theme {
        tera,
        origins,
        static_files,
    })
}

fn read_templates(root: &Path, dir: &Path, layer: &mut Layer) -> Result<()> {
    for file in Walk::new(root, dir).files()? {
        let name = relative_path(dir, &file);
        let text = read_text(&file)?;
        let origin = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        layer.insert(name, (text, origin));
    }
    Ok(())
}

/// Adds the files of a `static/` folder to `files`, replacing earlier layers.
pub(crate) fn read_static(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, Source>,
) -> Result<()> {
    for file in Walk::new(root, dir).files()? {
        files.insert(relative_path(dir, &file), Source::File(file));
    }
    Ok(())
}

fn build_tera(templates: &Layer) -> Result<Tera> {
    let mut tera = Tera::default();
    let origins: BTreeMap<&str, &str> = templates
        .iter()
        .map(|(name, (_, origin))| (name.as_str(), origin.as_str()))
        .collect();
    tera.add_raw_templates(
        templates
            .iter()
            .map(|(name, (text, _))| (name.as_str(), text.as_str())),
    )
    .map_err(|e| template_error(&e, |name| origins.get(name).map(ToString::to_string)))?;
    Ok(tera)
}

/// The templates a Tera report points at (` --> article.html:1:17`), each
/// once, joined by commas.
fn reported_templates(report: &str) -> String {
    let mut names: Vec<&str> = Vec::new();
    for line in report.lines() {
        let Some(at) = line.trim_start().strip_prefix("--> ") else {
            continue;
        };
        let name = at.split(':').next().unwrap_or_default();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(", ")
}

/// Turns a Tera error into ours, naming the template and its file.
pub(crate) fn template_error(
    error: &tera::Error,
    origin_of: impl Fn(&str) -> Option<String>,
) -> Error {
    let name = match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            report.filename().to_string()
        }
        tera::ErrorKind::MissingParent { current, .. } => current.clone(),
        tera::ErrorKind::CircularExtend { tpl, .. } => tpl.clone(),
        tera::ErrorKind::TemplateNotFound(name) => name.clone(),
        // Checks of a whole set (an unknown filter) come as one message
        // whose reports point at their templates.
        _ => reported_templates(&error.to_string()),
    };
    let origin = origin_of(&name).unwrap_or_else(|| "a template of the theme".into());
    Error::Template {
        name,
        origin,
        rendering: None,
        message: error.to_string(),
    }
}
