//! The images a site publishes: which files are images mend reads (JPEG,
//! PNG, GIF, WebP in `content/` and `static/`), how big each is as shown,
//! which smaller copies the ones a page shows get, and the HTML that shows
//! one (`<picture>` with `srcset`, `sizes`, `width` and `height`). Loaded
//! with the site (`Images::load`): from each file's header, or, while a file
//! is as it was, from the cache's index, so a warm build reads no image.
//!
//! Every published image leaves without its metadata (EXIF with the GPS
//! position, XMP, IPTC, comments), its orientation applied to the pixels,
//! unless `images.keep_metadata` keeps it.
//!
//! Not for pixels (`images::process`), the cache folder (`images::cache`)
//! or the blocks a file's metadata is in (`images::strip`).

pub(crate) mod cache;
pub(crate) mod probe;
pub(crate) mod process;
mod strip;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{ImagesConfig, KeepMetadata, relative_path};
use crate::error::Warning;
use crate::theme::Source;
use crate::urls::site_link;
use crate::xml::escape;
use probe::Probed;

/// The largest image mend decodes: 100 megapixels (a 12,000 × 8,000 photo
/// takes 300 MB to hold). Larger ones are published without copies.
pub(crate) const MAX_PIXELS: u64 = 100_000_000;

/// Changes whenever what `process` makes of an image changes, so the
/// cache's files of an earlier mend are made again.
const PIPELINE: u64 = 1;

/// The widest fallback copy a page's `src` and a link preview point at.
const PREVIEW_WIDTH: u32 = 1200;

/// The image formats mend reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl Format {
    /// By a file's name: the files mend looks at.
    fn of_name(name: &str) -> Option<Format> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "jpg" | "jpeg" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "gif" => Some(Format::Gif),
            "webp" => Some(Format::Webp),
            _ => None,
        }
    }

    /// By a file's first bytes: what it is.
    fn of_bytes(bytes: &[u8]) -> Option<Format> {
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Some(Format::Jpeg),
            [0x89, b'P', b'N', b'G', ..] => Some(Format::Png),
            [b'G', b'I', b'F', b'8', ..] => Some(Format::Gif),
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'E',
                b'B',
                b'P',
                ..,
            ] => Some(Format::Webp),
            _ => None,
        }
    }

    fn of_extension(extension: &str) -> Option<Format> {
        Format::of_name(&format!(".{extension}"))
    }

    pub(crate) fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Webp => "webp",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "a JPEG",
            Format::Png => "a PNG",
            Format::Gif => "a GIF",
            Format::Webp => "a WebP",
        }
    }

    fn image_format(self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::Gif => image::ImageFormat::Gif,
            Format::Webp => image::ImageFormat::WebP,
        }
    }
}

/// The hash the cache knows a file's bytes by.
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x6d65_6e64_696d_6167).hash_one(bytes)
}

/// One image file of the site, and what is published of it.
#[derive(Debug, Clone)]
pub(crate) struct Picture {
    /// The file in the site.
    pub source: PathBuf,
    /// What its header says; none when it cannot be read.
    pub probed: Option<Probed>,
    /// Published as it is, metadata and all.
    pub keep_metadata: bool,
    /// Names its files in the cache: the source's bytes and the settings.
    pub key: u64,
    /// The smaller copies (and the full-size WebP), for an image a page
    /// shows; none for the others.
    pub copies: Vec<Copy>,
    /// Whether `srcset` lists the original beside its copies (it is no
    /// wider than the widest width).
    pub original_listed: bool,
}

/// A copy of an image at one width, in one format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Copy {
    /// Its output path: `posts/x/photo.800w.webp`.
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub format: Format,
}

impl Copy {
    /// Its file's name in the cache.
    fn cache_name(&self) -> String {
        format!("{}.{}", self.width, self.format.extension())
    }
}

impl Picture {
    /// Width and height as shown, when known.
    pub(crate) fn size(&self) -> Option<(u32, u32)> {
        self.probed.map(|p| p.shown_size())
    }

    fn format(&self) -> Option<Format> {
        self.probed.map(|p| p.format)
    }

    /// Whether its pixels may be decoded: known, and not a bomb.
    fn decodable(&self) -> bool {
        self.probed
            .is_some_and(|p| u64::from(p.width) * u64::from(p.height) <= MAX_PIXELS)
    }

    /// The names of its files in the cache, in order.
    pub(crate) fn cache_names(&self) -> Vec<String> {
        let original = (!self.keep_metadata).then(|| self.original_name());
        original
            .into_iter()
            .chain(self.copies.iter().map(Copy::cache_name))
            .collect()
    }

    /// The name of the original's file in the cache.
    fn original_name(&self) -> String {
        let extension = self.format().map_or("bin", Format::extension);
        format!("original.{extension}")
    }
}

/// A width of an image as `srcset` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// The output path.
    pub path: String,
    pub width: u32,
}

/// The ways to show one image: what templates get for a page's cover, and
/// what `<picture>` is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shown {
    /// In the original's format (JPEG, PNG, GIF or WebP), narrowest first.
    pub fallback: Vec<Candidate>,
    /// WebP, narrowest first, when the original is not WebP already.
    pub webp: Vec<Candidate>,
    pub width: u32,
    pub height: u32,
}

impl Shown {
    /// What `src` points at: the widest fallback up to 1,200 pixels (or
    /// the narrowest), the link preview's image too.
    pub(crate) fn src(&self) -> &Candidate {
        self.fallback
            .iter()
            .rev()
            .find(|c| c.width <= PREVIEW_WIDTH)
            .or(self.fallback.first())
            .expect("an image is shown in one width at least")
    }

    /// The height of `candidate`, in proportion.
    pub(crate) fn height_at(&self, width: u32) -> u32 {
        scaled_height(self.width, self.height, width)
    }
}

/// Every image of a site, by output path.
#[derive(Debug, Default, Clone)]
pub struct Images {
    pictures: BTreeMap<String, Picture>,
    sizes: String,
    /// What each source was when read, for the next build.
    index: cache::Index,
    /// Whether `index` differs from the one read.
    index_changed: bool,
    /// `.mend/images/`.
    dir: PathBuf,
}

/// What loading the images found worth telling.
pub(crate) struct Loaded {
    pub images: Images,
    pub warnings: Vec<Warning>,
}

impl Images {
    /// Finds the images among the files a site copies (`files`, by output
    /// path), reads what each is (from the cache's index while a file is
    /// unchanged), and decides the copies of the ones pages show (`shown`,
    /// output paths).
    pub(crate) fn load(
        root: &Path,
        config: &ImagesConfig,
        files: &BTreeMap<String, Source>,
        shown: &HashSet<String>,
    ) -> Loaded {
        let dir = crate::config::in_site(root, crate::layout::STATE_DIR).join(cache::IMAGES_DIR);
        let old = cache::Index::read(&dir);
        let found: Vec<(&String, &PathBuf)> = files
            .iter()
            .filter_map(|(path, source)| match source {
                Source::File(file) if Format::of_name(path).is_some() => Some((path, file)),
                _ => None,
            })
            .collect();
        let read: Vec<Read> = found
            .par_iter()
            .map(|&(path, file)| Read {
                path: path.clone(),
                file: file.clone(),
                probed: read_picture(&old, &relative_path(root, file), file),
            })
            .collect();
        let mut images = Images {
            pictures: BTreeMap::new(),
            sizes: config.sizes.clone(),
            index: cache::Index::default(),
            index_changed: false,
            dir,
        };
        let mut warnings = Vec::new();
        for Read { path, file, probed } in read {
            let name = relative_path(root, &file);
            let (probed, hash) = match probed {
                Ok((probed, stat)) => {
                    images.index.insert(name.clone(), stat, probed);
                    (Some(probed), probed.hash)
                }
                Err(Unread { reason, hash }) => {
                    warnings.push(Warning::ImageUnreadable {
                        path: file.clone(),
                        reason,
                    });
                    (None, hash)
                }
            };
            let keep_metadata = keeps_metadata(&config.keep_metadata, &name);
            let picture = picture(file, probed, hash, keep_metadata, config, &path, shown);
            if let Some(probed) = picture.probed {
                if picture.keep_metadata && probed.gps {
                    warnings.push(Warning::ImageGpsPublished {
                        path: picture.source.clone(),
                    });
                }
                if !picture.decodable() {
                    warnings.push(Warning::ImageTooLarge {
                        path: picture.source.clone(),
                        width: probed.width,
                        height: probed.height,
                    });
                }
            }
            images.pictures.insert(path, picture);
        }
        images.index_changed = images.index != old;
        Loaded { images, warnings }
    }

    /// The images that say where they were taken, for `check`.
    pub(crate) fn with_gps(&self) -> impl Iterator<Item = &Picture> {
        self.pictures
            .values()
            .filter(|p| p.probed.is_some_and(|probed| probed.gps))
    }

    /// Every published file of every image, by output path, each from its
    /// file in the cache (or the source itself, kept as it is). A copy
    /// whose path the site already uses for a file of its own is not made.
    pub(crate) fn files(&self) -> BTreeMap<String, Source> {
        let mut files = BTreeMap::new();
        for (path, picture) in &self.pictures {
            let original = if picture.keep_metadata {
                Source::File(picture.source.clone())
            } else {
                self.made(picture, &picture.original_name())
            };
            files.insert(path.clone(), original);
            for copy in &picture.copies {
                files.insert(copy.path.clone(), self.made(picture, &copy.cache_name()));
            }
        }
        files
    }

    fn made(&self, picture: &Picture, name: &str) -> Source {
        Source::Made {
            cache: cache::file(&self.dir, picture.key, name),
            key: picture.key,
            source: picture.source.clone(),
        }
    }

    /// Drops the copies of the image at `path` (which could not be made),
    /// and says which they were.
    pub(crate) fn drop_copies(&mut self, path: &str) -> Vec<Copy> {
        self.pictures
            .get_mut(path)
            .map(|p| {
                p.original_listed = false;
                std::mem::take(&mut p.copies)
            })
            .unwrap_or_default()
    }

    /// How many images have files the cache does not hold yet.
    pub(crate) fn waiting(&self) -> usize {
        self.pictures.values().filter(|p| !self.is_made(p)).count()
    }

    /// Whether every file of `picture` is in the cache, as the note its
    /// making left says: one read, not a look at each file.
    pub(crate) fn is_made(&self, picture: &Picture) -> bool {
        let note = std::fs::read_to_string(cache::file(&self.dir, picture.key, cache::MADE));
        note.is_ok_and(|note| note == picture.cache_names().join("\n"))
    }

    /// Leaves out the copies whose paths `taken` says another file has.
    pub(crate) fn make_room(&mut self, taken: impl Fn(&str) -> bool) {
        for picture in self.pictures.values_mut() {
            picture.copies.retain(|c| !taken(&c.path));
        }
    }

    /// The ways to show the image at output path `path`, if it is one of
    /// the site's.
    pub(crate) fn shown(&self, path: &str) -> Option<Shown> {
        let picture = self.pictures.get(path)?;
        let (width, height) = picture.size()?;
        let format = picture.format()?;
        let of_format = |wanted: Format| -> Vec<Candidate> {
            picture
                .copies
                .iter()
                .filter(|c| c.format == wanted)
                .map(|c| Candidate {
                    path: c.path.clone(),
                    width: c.width,
                })
                .collect()
        };
        let mut fallback = of_format(format);
        if picture.original_listed || fallback.is_empty() {
            fallback.push(Candidate {
                path: path.to_string(),
                width,
            });
        }
        let webp = if format == Format::Webp {
            Vec::new()
        } else {
            of_format(Format::Webp)
        };
        Some(Shown {
            fallback,
            webp,
            width,
            height,
        })
    }

    /// The HTML that shows the image at `path` with `alt` and `title` (as
    /// written, not escaped): a `<picture>` of its copies, with its size, lazy
    /// unless it is what the reader sees `first`; `None` for an image that
    /// is not the site's.
    pub(crate) fn html(&self, path: &str, alt: &str, title: &str, first: bool) -> Option<String> {
        let shown = self.shown(path)?;
        let mut out = String::new();
        let many = shown.fallback.len() > 1 || !shown.webp.is_empty();
        if !shown.webp.is_empty() {
            let _ = write!(
                out,
                "<picture><source type=\"image/webp\" srcset=\"{}\" sizes=\"{}\">",
                srcset(&shown.webp),
                escape(&self.sizes)
            );
        }
        let _ = write!(out, "<img src=\"{}\"", url_of(&shown.src().path));
        if many && shown.fallback.len() > 1 {
            let _ = write!(
                out,
                " srcset=\"{}\" sizes=\"{}\"",
                srcset(&shown.fallback),
                escape(&self.sizes)
            );
        }
        let _ = write!(
            out,
            " width=\"{}\" height=\"{}\" alt=\"{}\"",
            shown.width,
            shown.height,
            escape(alt)
        );
        if !title.is_empty() {
            let _ = write!(out, " title=\"{}\"", escape(title));
        }
        out.push_str(if first {
            " fetchpriority=\"high\">"
        } else {
            " loading=\"lazy\" decoding=\"async\">"
        });
        if !shown.webp.is_empty() {
            out.push_str("</picture>");
        }
        Some(out)
    }

    /// `html` over every image `body` shows (`at`, in order), the first of
    /// them eager when `first_is_seen` says it is what the reader sees
    /// first.
    pub(crate) fn fill<'a>(
        &self,
        body: &'a str,
        at: &[crate::markdown::ImageAt],
        first_is_seen: bool,
    ) -> std::borrow::Cow<'a, str> {
        if at.is_empty() || self.pictures.is_empty() {
            return std::borrow::Cow::Borrowed(body);
        }
        let mut out = String::with_capacity(body.len() + at.len() * 400);
        let mut from = 0;
        for (n, image) in at.iter().enumerate() {
            let Some(path) = output_path(&image.site_path) else {
                continue;
            };
            let Some(html) = self.html(&path, &image.alt, &image.title, first_is_seen && n == 0)
            else {
                continue;
            };
            out.push_str(&body[from..image.range.start]);
            out.push_str(&html);
            from = image.range.end;
        }
        out.push_str(&body[from..]);
        std::borrow::Cow::Owned(out)
    }

    /// The cache keys of every image: what the cache must keep.
    pub(crate) fn keys(&self) -> HashSet<u64> {
        self.pictures.values().map(|p| p.key).collect()
    }

    pub(crate) fn pictures(&self) -> impl Iterator<Item = (&String, &Picture)> {
        self.pictures.iter()
    }

    /// Keeps what each source image was, and drops the cache's files of
    /// images the site no longer has: only ever a head start for the next
    /// build.
    pub(crate) fn keep_index(&self) -> std::io::Result<()> {
        if self.pictures.is_empty() && !self.dir.exists() {
            return Ok(());
        }
        if self.index_changed {
            self.index.write(&self.dir)?;
        }
        cache::prune(&self.dir, &self.keys());
        Ok(())
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }
}

/// One image file as loading read it.
struct Read {
    path: String,
    file: PathBuf,
    probed: Result<(Probed, cache::Stat), Unread>,
}

/// What the file `file` (`name` in the site) is, from the index while it
/// is as it was, else read.
fn read_picture(
    index: &cache::Index,
    name: &str,
    file: &Path,
) -> Result<(Probed, cache::Stat), Unread> {
    let unread = |reason: String| Unread { reason, hash: 0 };
    let stat = cache::Stat::of(file).ok_or_else(|| unread("cannot be read".into()))?;
    if let Some(probed) = index.get(name, stat) {
        return Ok((probed, stat));
    }
    let bytes = std::fs::read(file).map_err(|e| unread(format!("cannot be read: {e}")))?;
    probe::probe(&bytes)
        .map(|probed| (probed, stat))
        .map_err(|reason| Unread {
            reason,
            hash: hash_bytes(&bytes),
        })
}

/// An image file that could not be read as one: why, and the hash of its
/// bytes (which name what is published of it in the cache).
struct Unread {
    reason: String,
    hash: u64,
}

/// Whether `name` (a path in the site) is published with its metadata.
fn keeps_metadata(keep: &KeepMetadata, name: &str) -> bool {
    match keep {
        KeepMetadata::All(all) => *all,
        KeepMetadata::Only(paths) => paths
            .iter()
            .any(|p| relative_path(Path::new(""), p) == name),
    }
}

/// The picture of `source` (whose bytes hash to `hash`), published at
/// `path`, with its copies if a page shows it.
fn picture(
    source: PathBuf,
    probed: Option<Probed>,
    hash: u64,
    keep_metadata: bool,
    config: &ImagesConfig,
    path: &str,
    shown: &HashSet<String>,
) -> Picture {
    let key = {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut hasher = foldhash::quality::FixedState::with_seed(PIPELINE).build_hasher();
        hash.hash(&mut hasher);
        config.quality.hash(&mut hasher);
        keep_metadata.hash(&mut hasher);
        hasher.finish()
    };
    let mut picture = Picture {
        source,
        probed,
        keep_metadata,
        key,
        copies: Vec::new(),
        original_listed: false,
    };
    if shown.contains(path) && picture.decodable() {
        picture.copies = copies(&picture, &config.widths, path);
        picture.original_listed = !picture.copies.is_empty()
            && picture
                .size()
                .is_some_and(|(width, _)| config.widths.iter().any(|&w| w >= width));
    }
    picture
}

/// The copies of a shown image at `path`: WebP and the original's format at
/// each width narrower than the image, and a full-size WebP if the image is
/// no wider than the widest width. A GIF gets none (it may move).
fn copies(picture: &Picture, widths: &[u32], path: &str) -> Vec<Copy> {
    let (Some((width, height)), Some(format)) = (picture.size(), picture.format()) else {
        return Vec::new();
    };
    if format == Format::Gif || widths.is_empty() {
        return Vec::new();
    }
    let mut chosen: Vec<u32> = widths.iter().copied().filter(|&w| w < width).collect();
    if widths.iter().any(|&w| w >= width) {
        chosen.push(width);
    }
    chosen.sort_unstable();
    chosen.dedup();
    let stem = path.rsplit_once('.').map_or(path, |(stem, _)| stem);
    let mut copies = Vec::new();
    for w in chosen {
        let h = scaled_height(width, height, w);
        for f in [Format::Webp, format] {
            // The full width in the original's format is the original.
            if w == width && f == format {
                continue;
            }
            let copy = Copy {
                path: format!("{stem}.{w}w.{}", f.extension()),
                width: w,
                height: h,
                format: f,
            };
            if !copies.contains(&copy) {
                copies.push(copy);
            }
        }
    }
    copies
}

fn scaled_height(width: u32, height: u32, to: u32) -> u32 {
    let scaled = (u64::from(height) * u64::from(to) + u64::from(width) / 2) / u64::from(width);
    u32::try_from(scaled.max(1)).unwrap_or(u32::MAX)
}

/// The output path a body's image points at (`/posts/x/photo.jpg`), if it
/// is a file of the site: without `?` or `#` parts, percent-decoded.
pub(crate) fn output_path(site_path: &str) -> Option<String> {
    let path = site_path.split(['?', '#']).next()?.trim_start_matches('/');
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    (!decoded.is_empty()).then(|| decoded.into_owned())
}

/// `path` as a link from a body: the root mark, each part percent-encoded
/// where `srcset` or HTML would misread it.
pub(crate) fn url_of(path: &str) -> String {
    const UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'\'')
        .add(b',')
        .add(b'<')
        .add(b'>')
        .add(b'#')
        .add(b'?')
        .add(b'%')
        .add(b'&')
        .add(b'`');
    site_link(&percent_encoding::utf8_percent_encode(path, UNSAFE).to_string())
}

pub(crate) fn srcset(candidates: &[Candidate]) -> String {
    candidates
        .iter()
        .map(|c| format!("{} {}w", url_of(&c.path), c.width))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The output paths of the images `body` shows, for deciding which get
/// copies.
pub(crate) fn shown_paths<'a>(
    at: impl Iterator<Item = &'a crate::markdown::ImageAt>,
) -> impl Iterator<Item = String> {
    at.filter_map(|image| output_path(&image.site_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(width: u32, height: u32, format: Format) -> Picture {
        Picture {
            source: PathBuf::from("content/posts/x/photo.jpg"),
            probed: Some(Probed {
                hash: 1,
                format,
                width,
                height,
                orientation: 1,
                gps: false,
            }),
            keep_metadata: false,
            key: 1,
            copies: Vec::new(),
            original_listed: false,
        }
    }

    fn widths_of(copies: &[Copy], format: Format) -> Vec<u32> {
        copies
            .iter()
            .filter(|c| c.format == format)
            .map(|c| c.width)
            .collect()
    }

    #[test]
    fn a_photo_gets_each_width_narrower_than_itself_in_webp_and_its_own_format() {
        let widths = [480, 800, 1200, 1600];
        let made = copies(
            &photo(4032, 3024, Format::Jpeg),
            &widths,
            "posts/x/photo.jpg",
        );
        assert_eq!(widths_of(&made, Format::Webp), [480, 800, 1200, 1600]);
        assert_eq!(widths_of(&made, Format::Jpeg), [480, 800, 1200, 1600]);
        assert_eq!(made[0].path, "posts/x/photo.480w.webp");
        assert_eq!(made[0].height, 360);
        let small = copies(&photo(1000, 500, Format::Png), &widths, "a.png");
        assert_eq!(widths_of(&small, Format::Webp), [480, 800, 1000]);
        assert_eq!(widths_of(&small, Format::Png), [480, 800]);
        let tiny = copies(&photo(100, 100, Format::Webp), &widths, "a.webp");
        assert_eq!(tiny, []);
        assert_eq!(copies(&photo(100, 100, Format::Gif), &widths, "a.gif"), []);
    }

    #[test]
    fn body_paths_are_output_paths() {
        assert_eq!(
            output_path("/posts/x/my%20photo.jpg?v=2").as_deref(),
            Some("posts/x/my photo.jpg")
        );
        assert_eq!(output_path("/"), None);
        assert_eq!(
            url_of("a b,c.jpg"),
            format!("{}a%20b%2Cc.jpg", crate::urls::ROOT_MARK)
        );
    }

    #[test]
    fn formats_are_told_by_their_first_bytes() {
        assert_eq!(Format::of_bytes(b"\xff\xd8\xff\xe0"), Some(Format::Jpeg));
        assert_eq!(
            Format::of_bytes(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(Format::Webp)
        );
        assert_eq!(Format::of_bytes(b"<svg"), None);
        assert_eq!(Format::of_name("A.JPEG"), Some(Format::Jpeg));
    }
}
