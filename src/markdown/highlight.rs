//! Code blocks in colour, at build time: the code of a fenced block whose
//! language syntect knows is split into spans with a class for each kind
//! of token (`hl-keyword`, `hl-string`, `hl-comment`…), never a `style`,
//! so the theme's light and dark palettes colour them. A block of another
//! language, or none, stays plain. Highlighted blocks are kept between
//! builds in the site's `.mend/`, by a seeded hash of their language and
//! code, since highlighting is slow (some 20,000 lines a second) and most
//! builds change little.
//!
//! Not for the colours (the theme's CSS) nor for where code blocks are
//! (`markdown`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;
use std::str::FromStr;
use std::sync::{LazyLock, Mutex};

use syntect::easy::HighlightLines;
use syntect::highlighting::{
    Color, ScopeSelectors, StyleModifier, Theme, ThemeItem, ThemeSettings,
};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::xml::escape;

/// The kinds of token the theme colours, by class, and the TextMate scopes
/// each is made of. A more precise scope wins (`keyword.operator` is
/// plain, `keyword` is a keyword), as in any editor's theme; punctuation
/// takes the kind of what it is part of (a string's quotes are string).
const KINDS: &[(&str, &str)] = &[
    ("", "keyword.operator"),
    ("hl-comment", "comment"),
    ("hl-string", "string"),
    (
        "hl-keyword",
        "keyword, storage, keyword.operator.word, keyword.operator.logical.python",
    ),
    ("hl-number", "constant.numeric, constant.other.color"),
    (
        "hl-literal",
        "constant.language, constant.character, variable.language, support.constant",
    ),
    (
        "hl-function",
        "entity.name.function, support.function, variable.function, support.macro",
    ),
    (
        "hl-type",
        "entity.name.type, entity.name.class, entity.name.struct, entity.name.enum, entity.name.trait, support.type, support.class, entity.other.inherited-class, storage.type.numeric, storage.type.primitive",
    ),
    ("hl-tag", "entity.name.tag"),
    (
        "hl-attr",
        "entity.other.attribute-name, support.type.property-name, meta.attribute, meta.annotation",
    ),
    (
        "hl-variable",
        "variable.parameter, variable.other.php, variable.other.readwrite.shell, variable.other.normal.shell, punctuation.definition.variable",
    ),
    ("hl-inserted", "markup.inserted"),
    ("hl-deleted", "markup.deleted"),
    (
        "hl-heading",
        "meta.diff.header, meta.diff.range, markup.heading, meta.diff.index",
    ),
];

/// The first bytes of a cache file: a new syntect or a new format gets a
/// new one. Then comes `fingerprint()`, which changes with `KINDS`.
const CACHE_MAGIC: &[u8] = b"mend highlight cache 2 syntect 5.3\n";

/// A hash of `KINDS`, so that a cache of other kinds is not used.
fn fingerprint() -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0).hash_one(KINDS)
}

/// syntect's syntaxes, loaded (a few milliseconds) the first time a block
/// is highlighted; never changed after.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// The theme that tells kinds apart: each kind's "colour" is its index in
/// `KINDS`.
static KIND_THEME: LazyLock<Theme> = LazyLock::new(|| Theme {
    settings: ThemeSettings {
        foreground: Some(kind_colour(0)),
        ..ThemeSettings::default()
    },
    scopes: KINDS
        .iter()
        .enumerate()
        .map(|(index, (_, scopes))| ThemeItem {
            scope: ScopeSelectors::from_str(scopes).expect("the scopes of KINDS parse"),
            style: StyleModifier {
                foreground: Some(kind_colour(index)),
                ..StyleModifier::default()
            },
        })
        .collect(),
    ..Theme::default()
});

fn kind_colour(index: usize) -> Color {
    Color {
        r: u8::try_from(index).expect("fewer than 256 kinds"),
        g: 0,
        b: 0,
        a: 0xff,
    }
}

/// Highlights code blocks, reusing what an earlier build made. Shared by
/// the threads that render pages; what they made is kept by `write`.
pub struct Highlighter {
    seed: u64,
    /// The blocks an earlier build made, one after another, and where each
    /// is in it by key: one allocation, however many blocks.
    kept_text: String,
    kept: HashMap<u64, std::ops::Range<usize>>,
    made: Mutex<HashMap<u64, Box<str>>>,
    used: Mutex<HashSet<u64>>,
}

impl Default for Highlighter {
    /// One that keeps nothing from before.
    fn default() -> Highlighter {
        use std::hash::{BuildHasher, Hasher};
        Highlighter {
            seed: std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish(),
            kept_text: String::new(),
            kept: HashMap::new(),
            made: Mutex::default(),
            used: Mutex::default(),
        }
    }
}

impl Highlighter {
    /// One that reuses the blocks kept in `file`, if it can read them.
    pub fn read(file: &Path) -> Highlighter {
        fs::read(file)
            .ok()
            .and_then(|bytes| Highlighter::parse(&bytes))
            .unwrap_or_default()
    }

    fn parse(bytes: &[u8]) -> Option<Highlighter> {
        let mut input = bytes.strip_prefix(CACHE_MAGIC)?;
        let kinds = u64::from_le_bytes(take(&mut input, 8)?.try_into().ok()?);
        if kinds != fingerprint() {
            return None;
        }
        let seed = u64::from_le_bytes(take(&mut input, 8)?.try_into().ok()?);
        let count = u32::from_le_bytes(take(&mut input, 4)?.try_into().ok()?);
        let mut kept = HashMap::with_capacity(count.min(1 << 20) as usize);
        let mut at: usize = 0;
        for _ in 0..count {
            let key = u64::from_le_bytes(take(&mut input, 8)?.try_into().ok()?);
            let len = u32::from_le_bytes(take(&mut input, 4)?.try_into().ok()?) as usize;
            let end = at.checked_add(len)?;
            kept.insert(key, at..end);
            at = end;
        }
        // Every block's bytes, after the keys; whole, and cut only between
        // characters.
        let kept_text = String::from_utf8(input.to_vec()).ok()?;
        let whole = at == kept_text.len()
            && kept
                .values()
                .all(|r| kept_text.is_char_boundary(r.start) && kept_text.is_char_boundary(r.end));
        whole.then_some(Highlighter {
            seed,
            kept_text,
            kept,
            made: Mutex::default(),
            used: Mutex::default(),
        })
    }

    /// Writes the blocks of this build to `file` in one step, unless they
    /// are those it read.
    pub fn write(&self, file: &Path) -> std::io::Result<()> {
        let made = self
            .made
            .lock()
            .expect("no thread panicked while highlighting");
        let used = self
            .used
            .lock()
            .expect("no thread panicked while highlighting");
        let all_kept_used = used.len() == self.kept.len() && made.is_empty();
        if all_kept_used {
            return Ok(());
        }
        let kept = self
            .kept
            .iter()
            .filter(|(key, _)| used.contains(key))
            .map(|(key, range)| (*key, &self.kept_text[range.clone()]));
        let blocks: Vec<(u64, &str)> = kept.chain(made.iter().map(|(k, h)| (*k, &**h))).collect();
        let mut out = CACHE_MAGIC.to_vec();
        out.extend(fingerprint().to_le_bytes());
        out.extend(self.seed.to_le_bytes());
        out.extend(
            u32::try_from(blocks.len())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        for (key, html) in &blocks {
            out.extend(key.to_le_bytes());
            out.extend(u32::try_from(html.len()).unwrap_or(u32::MAX).to_le_bytes());
        }
        for (_, html) in &blocks {
            out.extend(html.as_bytes());
        }
        crate::durable::replace_unflushed(file, &out)
    }

    /// The HTML of `code` in `language` (a fence's first word: `rust`,
    /// `sh`…) in spans of its kinds, or `None` for a language it does not
    /// know; a block an earlier build made is lent, not copied.
    pub fn code(&self, language: &str, code: &str) -> Option<Cow<'_, str>> {
        let syntax = syntax_for(language, code)?;
        let key = self.key(&syntax.name, code);
        self.used
            .lock()
            .expect("no thread panicked while highlighting")
            .insert(key);
        if let Some(range) = self.kept.get(&key) {
            return Some(Cow::Borrowed(&self.kept_text[range.clone()]));
        }
        let html = highlight(syntax, code);
        self.made
            .lock()
            .expect("no thread panicked while highlighting")
            .insert(key, html.as_str().into());
        Some(Cow::Owned(html))
    }

    fn key(&self, syntax: &str, code: &str) -> u64 {
        use std::hash::BuildHasher;
        foldhash::quality::FixedState::with_seed(self.seed).hash_one((syntax, code))
    }
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = input.split_at_checked(n)?;
    *input = rest;
    Some(head)
}

/// The syntax of a fence's language, by its name or file extension, with
/// the names blogs use besides (`shell`, `console`); PHP without `<?php`
/// is read as PHP code, as blogs show it. Plain text is no language.
fn syntax_for(language: &str, code: &str) -> Option<&'static SyntaxReference> {
    let language = language.to_ascii_lowercase();
    let token = match language.as_str() {
        "" | "text" | "txt" | "plain" | "plaintext" => return None,
        "shell" | "console" | "shell-session" | "zsh" => "sh",
        "php" if !code.contains("<?") => return SYNTAXES.find_syntax_by_name("PHP Source"),
        "patch" => "diff",
        other => other,
    };
    SYNTAXES.find_syntax_by_token(token)
}

/// `code` in spans of its kinds, escaped.
fn highlight(syntax: &SyntaxReference, code: &str) -> String {
    let mut lines = HighlightLines::new(syntax, &KIND_THEME);
    let mut out = String::with_capacity(code.len() * 2);
    let mut open: Option<&str> = None;
    for line in LinesWithEndings::from(code) {
        let Ok(pieces) = lines.highlight_line(line, &SYNTAXES) else {
            // A syntax that fails on a line: that line as it is.
            close(&mut out, &mut open);
            out.push_str(&escape(line));
            continue;
        };
        for (style, text) in pieces {
            let class = KINDS[usize::from(style.foreground.r).min(KINDS.len() - 1)].0;
            let class = if text.trim().is_empty() {
                open.unwrap_or("")
            } else {
                class
            };
            if open != Some(class) {
                close(&mut out, &mut open);
                if !class.is_empty() {
                    out.push_str("<span class=\"");
                    out.push_str(class);
                    out.push_str("\">");
                    open = Some(class);
                }
            }
            out.push_str(&escape(text));
        }
    }
    close(&mut out, &mut open);
    out
}

fn close(out: &mut String, open: &mut Option<&str>) {
    if open.take().is_some() {
        out.push_str("</span>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kinds of the tokens of `code`, in order, as `(class, text)`,
    /// read back from the HTML; and whether the text is the code.
    fn tokens(language: &str, code: &str) -> Vec<(String, String)> {
        let html = Highlighter::default()
            .code(language, code)
            .expect(language)
            .into_owned();
        assert!(!html.contains("style"), "{html}");
        let fragment = scraper::Html::parse_fragment(&format!("<pre><code>{html}</code></pre>"));
        let text: String = fragment.root_element().text().collect();
        assert_eq!(text, code, "{html}");
        let spans = scraper::Selector::parse("span").unwrap();
        fragment
            .select(&spans)
            .map(|s| {
                let class = s.value().attr("class").unwrap_or("").to_string();
                (class, s.text().collect::<String>().trim().to_string())
            })
            .collect()
    }

    fn has(tokens: &[(String, String)], class: &str, text: &str) -> bool {
        tokens.iter().any(|(c, t)| c == class && t == text)
    }

    #[test]
    fn the_languages_blogs_show_are_in_kinds_of_token() {
        /// A language, some code, and tokens it must have.
        type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
        let cases: &[Case] = &[
            (
                "sh",
                "# back up\nfor f in *.md; do echo \"$f\"; done\n",
                &[
                    ("hl-comment", "# back up"),
                    ("hl-keyword", "for"),
                    ("hl-variable", "$f"),
                ],
            ),
            (
                "shell",
                "echo 'hi'\n",
                &[("hl-function", "echo"), ("hl-string", "'hi'")],
            ),
            ("console", "cargo build\n", &[]),
            ("bash", "x=1 # c\n", &[("hl-comment", "# c")]),
            (
                "rust",
                "fn main() { let x = 1; } // c\n",
                &[
                    ("hl-keyword", "fn"),
                    ("hl-function", "main"),
                    ("hl-number", "1"),
                    ("hl-comment", "// c"),
                ],
            ),
            (
                "python",
                "def f(a):\n    return None  # c\n",
                &[
                    ("hl-keyword", "def"),
                    ("hl-function", "f"),
                    ("hl-literal", "None"),
                    ("hl-comment", "# c"),
                ],
            ),
            ("py", "x = 'a'\n", &[("hl-string", "'a'")]),
            (
                "js",
                "const f = () => \"x\"; // c\n",
                &[
                    ("hl-keyword", "const"),
                    ("hl-string", "\"x\""),
                    ("hl-comment", "// c"),
                ],
            ),
            (
                "javascript",
                "return null;\n",
                &[("hl-keyword", "return"), ("hl-literal", "null")],
            ),
            (
                "php",
                "function f($a) { echo \"x\"; }\n",
                &[
                    ("hl-keyword", "function"),
                    ("hl-variable", "$a"),
                    ("hl-string", "\"x\""),
                ],
            ),
            ("PHP", "<?php echo $a; ?>\n", &[("hl-variable", "$a")]),
            (
                "html",
                "<a href=\"/x\">Go</a>\n",
                &[
                    ("hl-tag", "a"),
                    ("hl-attr", "href"),
                    ("hl-string", "\"/x\""),
                ],
            ),
            (
                "css",
                ".tip { color: #fff; margin: 0; }\n",
                &[
                    ("hl-attr", "color"),
                    ("hl-number", "#fff"),
                    ("hl-number", "0"),
                ],
            ),
            (
                "sql",
                "SELECT id FROM users WHERE age > 30;\n",
                &[
                    ("hl-keyword", "SELECT"),
                    ("hl-keyword", "FROM"),
                    ("hl-number", "30"),
                ],
            ),
            (
                "diff",
                "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n",
                &[
                    ("hl-heading", "--- a/x\n+++ b/x\n@@ -1 +1 @@"),
                    ("hl-deleted", "-old"),
                    ("hl-inserted", "+new"),
                ],
            ),
            ("patch", "-old\n", &[("hl-deleted", "-old")]),
        ];
        for (language, code, wanted) in cases {
            let found = tokens(language, code);
            for (class, text) in *wanted {
                assert!(
                    has(&found, class, text),
                    "{language}: no {class} {text:?} in {found:?}"
                );
            }
        }
    }

    #[test]
    fn unknown_languages_and_plain_text_are_left_alone() {
        let code = Highlighter::default();
        for language in ["", "text", "plain", "toml", "no-such-language", "<script>"] {
            assert_eq!(code.code(language, "x = \"y\"\n"), None, "{language}");
        }
    }

    #[test]
    fn code_that_looks_like_markup_stays_text() {
        let html = Highlighter::default()
            .code(
                "js",
                "let a = \"</code></pre><script>alert(1)</script>\";\n",
            )
            .unwrap()
            .into_owned();
        assert!(
            !html.contains("<script") && !html.contains("</code"),
            "{html}"
        );
        assert!(
            html.contains("&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn a_build_keeps_its_blocks_for_the_next_and_no_others() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".mend/highlight");
        let first = Highlighter::read(&file);
        let rust = first.code("rust", "fn a() {}\n").unwrap().into_owned();
        first.code("python", "pass\n").unwrap();
        first.write(&file).unwrap();

        // The next build finds them made, and keeps only those it used.
        let second = Highlighter::read(&file);
        assert_eq!(second.kept.len(), 2);
        assert_eq!(second.code("rust", "fn a() {}\n").unwrap(), rust.as_str());
        assert!(second.made.lock().unwrap().is_empty());
        second.write(&file).unwrap();
        let third = Highlighter::read(&file);
        assert_eq!(third.kept.len(), 1);
        // A build that used every block it found writes nothing.
        third.code("rust", "fn a() {}\n").unwrap();
        fs::write(&file, b"").unwrap();
        third.write(&file).unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"");

        // A cache of other kinds, or cut short, is not used.
        let mut bytes = CACHE_MAGIC.to_vec();
        bytes.extend((fingerprint() ^ 1).to_le_bytes());
        bytes.extend(0u64.to_le_bytes());
        bytes.extend(0u32.to_le_bytes());
        assert!(Highlighter::parse(&bytes).is_none());
        first.write(&file).unwrap();
        let whole = fs::read(&file).unwrap();
        assert!(Highlighter::parse(&whole).is_some());
        assert!(Highlighter::parse(&whole[..whole.len() - 1]).is_none());
    }
}
