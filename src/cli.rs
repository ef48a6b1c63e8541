//! The command line: parsing arguments with clap and running each command.
//!
//! Not for any site logic: each command is a few calls into the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};

use crate::comments::inbox::Inbox;
use crate::comments::moderate;
use crate::config::{CONFIG_FILE, in_site};
use crate::content::{CONTENT_DIR, POSTS_DIR};
use crate::error::{Error, Result};
use crate::export::{self, Format, Selection};
use crate::layout::OUTPUT_DIR;
use crate::site::{LoadOptions, Site};
use crate::slug::slugify;
use crate::{import, intake, output, scaffold, serve};

/// mend: a static-site generator for blogs whose comments matter.
#[derive(Debug, Parser)]
#[command(name = "mend", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Whether the command runs for days (the comment server), where memory
    /// freed after a burst should go back to the system.
    pub fn runs_for_days(&self) -> bool {
        matches!(self.command, Command::Comments(CommentsCommand::Serve(_)))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (public/ by default).
    Build(BuildArgs),
    /// Preview the site: serve it locally, rebuild on every save, reload the browser.
    Serve(ServeArgs),
    /// Create a new draft article with its front matter filled in.
    New(NewArgs),
    /// Create a new site in DIR, ready to build.
    Init(InitArgs),
    /// Load and render everything in memory and report every problem; writes nothing.
    Check(CheckArgs),
    /// Work with the comments of every article.
    #[command(subcommand)]
    Comments(CommentsCommand),
    /// Bring content in from another platform.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Make the built-in theme your own.
    #[command(subcommand)]
    Theme(ThemeCommand),
}

#[derive(Debug, Subcommand)]
pub enum ThemeCommand {
    /// Copy the built-in theme's templates (all, or the ones named) into the site's templates/, to edit them.
    Eject(EjectArgs),
}

#[derive(Debug, Args)]
pub struct EjectArgs {
    /// Templates to copy, such as article.html [default: every one].
    #[arg(value_name = "TEMPLATE")]
    pub names: Vec<String>,
    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Subcommand)]
pub enum CommentsCommand {
    /// Write every comment as JSON, CSV or WordPress WXR (which WordPress and Disqus import).
    Export(ExportArgs),
    /// Take the comments readers send from the site's comment form into the inbox.
    Serve(IntakeArgs),
    /// List the comments waiting for moderation.
    Inbox(RootOnly),
    /// Publish pending comments: each is added to its article's comment file.
    Approve(ApproveArgs),
    /// Move pending comments to the inbox's spam folder.
    Spam(IdsArgs),
    /// Delete pending comments.
    Delete(IdsArgs),
    /// Reply to a comment as the author (a pending one is approved first).
    Reply(ReplyArgs),
    /// Fetch pending comments from a remote `mend comments serve` into the inbox.
    Pull(PullArgs),
    /// Email each reader who asked the replies published since (run it after the site is built and deployed).
    Notify(NotifyArgs),
    /// Remove an email address from everything mend keeps: subscriptions, mail waiting, pending comments, comment files.
    Forget(ForgetArgs),
}

#[derive(Debug, Args)]
pub struct IntakeArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// The port to listen on.
    #[arg(long, default_value_t = 1112)]
    pub port: u16,
    /// Take the sender's address from X-Forwarded-For: only behind a proxy (nginx, Caddy).
    #[arg(long)]
    pub trust_proxy: bool,
    /// Comments one address may send a minute (0: no limit).
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub per_minute: u32,
    /// Links a comment may hold.
    #[arg(long, default_value_t = crate::intake::check::MAX_LINKS, value_name = "N")]
    pub max_links: usize,
    /// Another origin whose pages may send comments by script (the site's own always may).
    #[arg(long, value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// Turn on `mend comments pull` with the token in this file [default: $MEND_COMMENTS_TOKEN].
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Run this shell command for each comment, with the comment as JSON on its input.
    #[arg(long, value_name = "CMD")]
    pub on_comment: Option<String>,
}

#[derive(Debug, Args)]
pub struct RootOnly {
    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct IdsArgs {
    /// The ids of pending comments (`mend comments inbox` lists them).
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["ids", "all"])))]
pub struct ApproveArgs {
    /// The ids of pending comments (`mend comments inbox` lists them).
    #[arg(value_name = "ID", conflicts_with = "all")]
    pub ids: Vec<String>,
    /// Approve every pending comment.
    #[arg(long)]
    pub all: bool,
    /// Build the site afterwards.
    #[arg(long)]
    pub build: bool,
    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct ReplyArgs {
    /// The id of the comment to answer.
    #[arg(value_name = "ID")]
    pub id: String,
    /// The reply, in Markdown [default: written in $EDITOR].
    #[arg(long)]
    pub body: Option<String>,
    /// The article the comment is on, when its id is used on several.
    #[arg(long, value_name = "FILE")]
    pub article: Option<PathBuf>,
    /// Who replies, as a key of the authors in site.toml (needed when there are several).
    #[arg(long = "as", value_name = "KEY")]
    pub author: Option<String>,
    /// Build the site afterwards.
    #[arg(long)]
    pub build: bool,
    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct PullArgs {
    /// The address of the remote `mend comments serve` (the site's comment endpoint).
    pub url: String,
    /// The token, read from this file [default: $MEND_COMMENTS_TOKEN].
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// The address to forget.
    #[arg(value_name = "EMAIL")]
    pub email: String,
    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct NotifyArgs {
    /// The built site, whose pages tell which replies are published [default: public/ in the site].
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// The file format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which comments to export.
    #[arg(long, value_enum, default_value = "all")]
    pub status: Selection,
    /// Add what `notify/` keeps of readers who asked for mail: their addresses, whether they confirmed, the threads they follow (JSON only).
    #[arg(long)]
    pub private: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Turn a WordPress export (WXR) into articles, pages and comment files.
    Wordpress(WordpressArgs),
}

#[derive(Debug, Args)]
pub struct WordpressArgs {
    /// The WordPress export file (Tools → Export in WordPress).
    pub export: PathBuf,
    /// The site folder to import into (created if missing).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub into: PathBuf,
    /// Replace files that already exist.
    #[arg(long)]
    pub force: bool,
    /// A copy of the old site's wp-content/uploads: images are copied beside their posts.
    #[arg(long, value_name = "DIR")]
    pub uploads: Option<PathBuf>,
    /// Set base_url of a new site: to URL, or without one to the export's own address.
    #[arg(long, value_name = "URL", num_args = 0..=1)]
    pub base_url: Option<Option<String>>,
}

#[derive(Debug, Args)]
pub struct RootArg {
    /// The site's folder (the one with site.toml) [default: this folder or the nearest parent with a site.toml].
    #[arg(
        long,
        default_value = ".",
        hide_default_value = true,
        value_name = "DIR"
    )]
    pub root: PathBuf,
}

impl RootArg {
    /// The site's folder: as given; or, when none was given and this folder
    /// has no `site.toml`, the nearest parent folder that has one (as git
    /// finds its repository from a subfolder).
    pub fn dir(&self) -> PathBuf {
        if self.root != Path::new(".") || Path::new(CONFIG_FILE).is_file() {
            return self.root.clone();
        }
        std::env::current_dir()
            .ok()
            .and_then(|here| {
                here.ancestors()
                    .skip(1)
                    .find(|dir| dir.join(CONFIG_FILE).is_file())
                    .map(Path::to_path_buf)
            })
            .unwrap_or_else(|| self.root.clone())
    }
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Where to write the site [default: ROOT/public].
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Include articles and pages marked as drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Use this base URL instead of the one in site.toml.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Print nothing but warnings and errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Build into an output folder that holds files mend did not write (they are kept).
    #[arg(long)]
    pub force: bool,
    /// Include articles dated in the future (left out until their date by default).
    #[arg(long)]
    pub future: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// The port to listen on (the next free one is used if it is taken).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// The address to listen on; 0.0.0.0 lets other devices on the network see it.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Include articles and pages marked as drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Include articles dated in the future.
    #[arg(long)]
    pub future: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The title of the article.
    pub title: String,
    /// Tags, separated by commas: --tags "no contact,healing".
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Create a page bundle (a folder with index.md) to hold images beside the article.
    #[arg(long)]
    pub bundle: bool,
    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder of the new site (created if missing).
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Check drafts too.
    #[arg(long)]
    pub drafts: bool,
    /// Check articles dated in the future too.
    #[arg(long)]
    pub future: bool,
}

/// Prints a line on standard output; a reader that stopped early (`| head`)
/// is no error.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Build(args) => build(&args),
        Command::Serve(args) => {
            crate::log::start_for_server();
            serve::run(&serve::Options {
                root: args.root.dir(),
                bind: args.bind,
                port: args.port,
                drafts: args.drafts,
                future: args.future,
            })
        }
        Command::New(args) => new_article(&args),
        Command::Init(args) => init(&args),
        Command::Check(args) => check(&args),
        Command::Comments(command) => comments(command),
        Command::Import(ImportCommand::Wordpress(args)) => import_wordpress(&args),
        Command::Theme(ThemeCommand::Eject(args)) => eject(&args),
    }
}

/// Sites with more articles than this show a progress spinner on a terminal.
const LONG_BUILD_ARTICLES: usize = 2_000;

/// How many broken links `build` names before it only counts them.
const BROKEN_LINKS_SHOWN: usize = 20;

fn build(args: &BuildArgs) -> Result<()> {
    let started = Instant::now();
    let root = &args.root.dir();
    let out_dir = args
        .output
        .clone()
        .unwrap_or_else(|| in_site(root, OUTPUT_DIR));
    let out_dir = output::check_location(root, &out_dir)?;
    let options = LoadOptions {
        drafts: args.drafts,
        base_url: args.base_url.clone(),
        future: args.future,
        ..LoadOptions::default()
    };
    let spinner = Spinner::new(!args.quiet);
    spinner.say("loading the site");
    let loaded = |site: &Site| {
        print_warnings(site);
        if site.articles.len() > LONG_BUILD_ARTICLES {
            spinner.show();
        }
        match spinner.on_terminal().then(|| site.images.waiting()) {
            None | Some(0) => spinner.say("rendering and writing"),
            Some(n) => {
                spinner.show();
                spinner.say(&format!(
                    "making the sizes of {} (once: they are kept in .mend/images/), then rendering",
                    count(n, "image", "images")
                ));
            }
        }
    };
    let built = crate::build::build(root, &options, &out_dir, args.force, loaded)?;
    for warning in built.broken_links.iter().take(BROKEN_LINKS_SHOWN) {
        eprintln!("warning: {warning}");
    }
    if let Some(more) = built.broken_links.len().checked_sub(BROKEN_LINKS_SHOWN + 1) {
        eprintln!(
            "warning: and {} more links that lead nowhere; `mend check` lists them all",
            more + 1
        );
    }
    for warning in &built.warnings {
        eprintln!("warning: {warning}");
    }
    spinner.finish();
    if !args.quiet {
        let pages = if built.pages == 1 { "page" } else { "pages" };
        say!(
            "built {} {pages} in {:.2} s",
            thousands(built.pages),
            started.elapsed().as_secs_f64()
        );
        if let Some(left_out) = left_out(built.drafts_left_out, built.future_left_out) {
            let them = if built.drafts_left_out + built.future_left_out == 1 {
                "it"
            } else {
                "them"
            };
            say!("{left_out}; `mend check` lists {them}");
        }
    }
    Ok(())
}

/// `2 drafts and 1 article dated in the future were left out`, or nothing.
fn left_out(drafts: usize, future: usize) -> Option<String> {
    let drafts = (drafts > 0).then(|| count(drafts, "draft", "drafts"));
    let future = (future > 0).then(|| {
        let articles = count(future, "article", "articles");
        format!("{articles} dated in the future")
    });
    let parts: Vec<String> = drafts.into_iter().chain(future).collect();
    let verb = if parts.len() == 1 && parts[0].starts_with("1 ") {
        "was"
    } else {
        "were"
    };
    (!parts.is_empty()).then(|| format!("{} {verb} left out", parts.join(" and ")))
}

fn eject(args: &EjectArgs) -> Result<()> {
    let root = args.root.dir();
    crate::config::Config::load(&root)?;
    for path in crate::theme::eject(&root, &args.names)? {
        say!("copied {}", path.display());
    }
    say!("edit them there: the site's templates/ come before the theme's");
    Ok(())
}

fn print_warnings(site: &Site) {
    for warning in &site.warnings {
        eprintln!("warning: {warning}");
    }
}

/// A spinner on standard error, shown only on a terminal and only once a
/// build turns out to be long.
struct Spinner(Option<indicatif::ProgressBar>);

impl Spinner {
    fn new(wanted: bool) -> Spinner {
        let on_terminal = wanted && std::io::stderr().is_terminal();
        Spinner(on_terminal.then(|| {
            let bar = indicatif::ProgressBar::hidden();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .expect("valid template"),
            );
            bar
        }))
    }
    fn show(&self) {
        if let Some(bar) = &self.0 {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
        }
    }
    /// Whether it is on a terminal (and may be shown).
    fn on_terminal(&self) -> bool {
        self.0.is_some()
    }

    fn say(&self, message: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(message.to_string());
        }
    }
    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// `1204` → `1,204`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn new_article(args: &NewArgs) -> Result<()> {
    let root = &args.root.dir();
    let config = crate::config::Config::load(root)?;
    // With one author, the article is theirs; with several, the writer says.
    let author = match config.authors.keys().collect::<Vec<_>>().as_slice() {
        [only] => Some(only.as_str()),
        _ => None,
    };
    let slug = slugify(&args.title);
    if slug.is_empty() {
        return Err(Error::UnusableTitle {
            title: args.title.clone(),
        });
    }
    let posts = in_site(root, Path::new(CONTENT_DIR).join(POSTS_DIR));
    let single = posts.join(format!("{slug}.md"));
    let bundle = posts.join(&slug);
    for existing in [&single, &bundle] {
        if existing.exists() {
            return Err(Error::AlreadyExists {
                path: existing.clone(),
            });
        }
    }
    let file = if args.bundle {
        bundle.join("index.md")
    } else {
        single
    };
    let today = jiff::Zoned::now().date();
    let text = scaffold::article(&args.title, &today.to_string(), &args.tags, author);
    scaffold::write_new(&file, &text)?;
    say!(
        "created {} (a draft: set `draft = false` to publish)",
        file.display()
    );
    Ok(())
}

fn init(args: &InitArgs) -> Result<()> {
    let config = args.dir.join(CONFIG_FILE);
    if config.exists() {
        return Err(Error::AlreadyExists { path: config });
    }
    scaffold::site(&args.dir)?;
    say!(
        "created a new site in {}; build it with `mend build --root {}`",
        args.dir.display(),
        args.dir.display()
    );
    Ok(())
}

fn check(args: &CheckArgs) -> Result<()> {
    let root = &args.root.dir();
    let options = LoadOptions {
        drafts: args.drafts,
        future: args.future,
        ..LoadOptions::default()
    };
    let site = Site::load(root, &options)?;
    print_warnings(&site);
    for picture in site.images.with_gps().filter(|p| !p.keep_metadata) {
        let path = picture.source.clone();
        eprintln!("warning: {}", crate::error::Warning::ImageHasGps { path });
    }
    let checked = crate::build::check(&site)?;
    for draft in &site.drafts {
        say!(
            "a draft, left out: {} (--drafts builds it)",
            draft.display()
        );
    }
    for waiting in &site.future {
        let date = waiting.date.map(|d| d.ymd()).unwrap_or_default();
        say!(
            "not published until {date}: {} (--future builds it now)",
            waiting.source.display()
        );
    }
    say!(
        "ok: {}, {}, {}; {} would be written",
        count(site.articles.len(), "article", "articles"),
        count(site.pages.len(), "page", "pages"),
        count(site.tags.len(), "tag", "tags"),
        count(checked.files, "file", "files"),
    );
    Ok(())
}

fn export_comments(args: &ExportArgs) -> Result<()> {
    let options = LoadOptions {
        // Every comment is exported, drafts' and future articles' too.
        drafts: true,
        future: true,
        ..LoadOptions::default()
    };
    let site = Site::load(&args.root.dir(), &options)?;
    print_warnings(&site);
    let private = if args.private {
        if args.format != Format::Json {
            return Err(Error::Mail {
                message: "--private adds readers' subscriptions to the JSON export only; pass --format json".into(),
            });
        }
        Some(crate::notify::private_export(&args.root.dir())?)
    } else {
        None
    };
    let bytes = export::export(&site, args.format, args.status, private);
    match &args.output {
        Some(path) => std::fs::write(path, &bytes).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        }),
        None => match std::io::stdout().write_all(&bytes) {
            // A reader that stopped early (`| head`) wanted no more.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            written => written.map_err(|source| Error::Write {
                path: PathBuf::from("standard output"),
                source,
            }),
        },
    }
}

fn comments(command: CommentsCommand) -> Result<()> {
    match command {
        CommentsCommand::Export(args) => export_comments(&args),
        CommentsCommand::Serve(args) => {
            crate::log::start_for_server();
            intake::run(intake::Options {
                token: token(args.token_file.as_deref())?,
                root: args.root.dir(),
                bind: args.bind,
                port: args.port,
                trust_proxy: args.trust_proxy,
                per_minute: args.per_minute,
                max_links: args.max_links,
                allow_origins: args.allow_origin,
                on_comment: args.on_comment,
            })
        }
        CommentsCommand::Inbox(args) => list_inbox(&args.root.dir()),
        CommentsCommand::Approve(args) => approve(&args),
        CommentsCommand::Spam(args) => {
            moderate::spam(&args.root.dir(), &args.ids)?;
            say!("moved {} to spam", counted(args.ids.len()));
            Ok(())
        }
        CommentsCommand::Delete(args) => {
            moderate::delete(&args.root.dir(), &args.ids)?;
            say!("deleted {}", counted(args.ids.len()));
            Ok(())
        }
        CommentsCommand::Reply(args) => reply(&args),
        CommentsCommand::Notify(args) => notify_readers(&args),
        CommentsCommand::Forget(args) => forget(&args),
        CommentsCommand::Pull(args) => {
            let url = args.url.clone();
            let token = token(args.token_file.as_deref())?.ok_or_else(|| Error::Pull {
                url: url.clone(),
                message: "no token: set MEND_COMMENTS_TOKEN or pass --token-file".into(),
            })?;
            let pulled = intake::pull::pull(&args.root.dir(), &url, &token)?;
            say!("pulled {} into the inbox", counted(pulled));
            Ok(())
        }
    }
}

fn forget(args: &ForgetArgs) -> Result<()> {
    let options = LoadOptions {
        drafts: true,
        future: true,
        ..LoadOptions::default()
    };
    let site = Site::load(&args.root.dir(), &options)?;
    let gone = crate::notify::forget(&site, &args.email)?;
    let files: Vec<String> = gone
        .files
        .iter()
        .map(|(file, n)| format!("{file} ({})", counted(*n)))
        .collect();
    say!(
        "forgot {}: {} followed, {} waiting, {} pending, and its comments' address in {}",
        args.email.trim(),
        count(gone.threads, "thread", "threads"),
        count(gone.mails, "mail", "mails"),
        counted(gone.pending),
        if files.is_empty() {
            "no comment file".to_string()
        } else {
            files.join(", ")
        }
    );
    Ok(())
}

fn notify_readers(args: &NotifyArgs) -> Result<()> {
    let root = args.root.dir();
    let site = Site::load(&root, &LoadOptions::default())?;
    print_warnings(&site);
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| in_site(&root, OUTPUT_DIR));
    let report = crate::notify::notify(&site, &output)?;
    let drained = report.drained;
    say!(
        "{} of {} put in the outbox; {} sent",
        count(report.notices, "notice", "notices"),
        count(report.replies, "reply", "replies"),
        count(drained.sent, "mail", "mails")
    );
    if drained.waiting > 0 {
        eprintln!(
            "warning: {} in notify/outbox/: the mail server did not take {} (the log above says why); `mend comments notify` again later sends {}, as does `mend comments serve` while it runs",
            if drained.waiting == 1 {
                "1 mail waits".to_string()
            } else {
                format!("{} mails wait", thousands(drained.waiting))
            },
            if drained.waiting == 1 { "it" } else { "them" },
            if drained.waiting == 1 { "it" } else { "them" }
        );
    }
    if drained.failed > 0 {
        eprintln!(
            "warning: {} given up (refused for good, or not taken for three days): kept in notify/failed/",
            count(drained.failed, "mail", "mails")
        );
    }
    Ok(())
}

/// `1 comment`, `3 comments`.
fn counted(n: usize) -> String {
    count(n, "comment", "comments")
}

/// `1 article`, `2 articles`, `12,400 files`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// The pull token: from the file, or the environment.
fn token(file: Option<&Path>) -> Result<Option<String>> {
    let text = match file {
        Some(path) => Some(crate::error::read_text(path)?),
        None => std::env::var(TOKEN_VARIABLE).ok(),
    };
    Ok(text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()))
}

/// Where the pull token is read from when no file is given.
const TOKEN_VARIABLE: &str = "MEND_COMMENTS_TOKEN";

fn list_inbox(root: &Path) -> Result<()> {
    crate::config::Config::load(root)?;
    let inbox = Inbox::of_site(root);
    let removed = inbox.remove_stale_temps();
    if removed > 0 {
        say!(
            "removed {removed} unfinished temporary files that an interrupted server left in the inbox"
        );
    }
    let pending = inbox.list()?;
    if pending.is_empty() {
        say!("no comments waiting");
        return Ok(());
    }
    say!("{} waiting:", counted(pending.len()));
    let now = jiff::Timestamp::now();
    for s in &pending {
        let age = crate::date::Date::parse(&s.date)
            .map_or_else(|| "?".to_string(), |d| age(now, d.timestamp));
        let reply = s
            .parent
            .as_deref()
            .map_or_else(String::new, |p| format!(" (reply to {p})"));
        let author = crate::sanitize::clean_name(&s.author);
        say!("{}  {}  {author}  {}{reply}", s.id, s.article, age);
        say!("    {}", s.first_line(72));
    }
    Ok(())
}

/// `just now`, `5 min ago`, `3 h ago`, `2 days ago`.
fn age(now: jiff::Timestamp, then: jiff::Timestamp) -> String {
    let seconds = now.as_second().saturating_sub(then.as_second());
    match seconds {
        ..60 => "just now".into(),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => format!("{} h ago", seconds / 3600),
        _ => {
            let days = seconds / 86_400;
            format!("{days} {} ago", if days == 1 { "day" } else { "days" })
        }
    }
}

fn approve(args: &ApproveArgs) -> Result<()> {
    let root = &args.root.dir();
    let all = if args.all {
        moderate::approve_all(root)?
    } else {
        moderate::ApprovedAll {
            done: moderate::approve(root, &args.ids)?,
            skipped: Vec::new(),
        }
    };
    let done = all.done;
    for skipped in &all.skipped {
        eprintln!(
            "warning: left {} in the inbox: {}",
            skipped.id, skipped.reason
        );
    }
    for d in &done {
        say!("approved {} into {}", d.id, d.file.display());
    }
    if done.is_empty() && all.skipped.is_empty() {
        say!("no comments waiting");
    }
    rebuild_if(args.build, root)
}

fn reply(args: &ReplyArgs) -> Result<()> {
    let root = &args.root.dir();
    let body = match &args.body {
        Some(body) => body.clone(),
        None => write_in_editor(&args.id)?,
    };
    let done = moderate::reply(
        root,
        &moderate::Reply {
            to: &args.id,
            article: args.article.as_deref(),
            body: &body,
            author: args.author.as_deref(),
        },
    )?;
    if let Some(approved) = &done.approved {
        say!("approved {} into {}", approved.id, approved.file.display());
    }
    say!(
        "replied as {} in {}",
        done.reply.id,
        done.reply.file.display()
    );
    rebuild_if(args.build, root)
}

fn rebuild_if(wanted: bool, root: &Path) -> Result<()> {
    if !wanted {
        return Ok(());
    }
    build(&BuildArgs {
        root: RootArg {
            root: root.to_path_buf(),
        },
        output: None,
        drafts: false,
        base_url: None,
        quiet: false,
        force: false,
        future: false,
    })
}

/// Everything below this line of the editor's file is left out.
const SCISSORS: &str = "# ------------------------ >8 ------------------------";

/// A reply written in `$VISUAL` or `$EDITOR` (or `vi`).
fn write_in_editor(id: &str) -> Result<String> {
    // An empty variable is as good as none.
    let set = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let editor = set("VISUAL")
        .or_else(|| set("EDITOR"))
        .unwrap_or_else(|| "vi".into());
    let file = tempfile_path(id);
    let help = format!(
        "\n{SCISSORS}\n# Write your reply to comment {id} above the line, in Markdown;\n# save and close the editor to publish it. An empty reply writes nothing.\n"
    );
    std::fs::write(&file, help).map_err(|source| Error::Write {
        path: file.clone(),
        source,
    })?;
    let ran = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&file)
        .status();
    let failure = |message: String| Error::Editor {
        command: editor.clone(),
        message,
    };
    let outcome = match ran {
        Ok(status) if status.success() => crate::error::read_text(&file),
        Ok(status) => Err(failure(format!("it ended with {status}"))),
        Err(e) => Err(failure(e.to_string())),
    };
    let _ = std::fs::remove_file(&file);
    let text = outcome?;
    Ok(text
        .split(SCISSORS)
        .next()
        .unwrap_or_default()
        .trim()
        .to_string())
}

fn tempfile_path(id: &str) -> PathBuf {
    let safe: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    std::env::temp_dir().join(format!("mend-reply-{safe}-{}.md", std::process::id()))
}

fn import_wordpress(args: &WordpressArgs) -> Result<()> {
    let options = import::Options {
        force: args.force,
        uploads: args.uploads.clone(),
        base_url: args.base_url.clone(),
    };
    let report = import::wordpress(&args.export, &args.into, &options)?;
    say!("{}", report.summary());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
