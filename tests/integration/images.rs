//! Images: the sizes a page's images are published in, upright and without
//! metadata, the HTML that shows them, link previews, the cache that spares
//! a warm build the work, and bad images.

use std::fs;
use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage, RgbaImage};

use crate::common::{SITE_TOML, build_warnings, html, mend, site_with, times};

/// A 4032 × 3024 photo as a phone saves a portrait shot: its pixels lying
/// on their side, EXIF orientation 6 (turn right), and where it was taken.
fn phone_photo() -> Vec<u8> {
    // The top of the picture (as held) is red: it lies on the left side.
    let image = RgbImage::from_fn(4032, 3024, |x, y| {
        if x < 200 {
            image::Rgb([220, 30, 30])
        } else {
            image::Rgb([(y % 200) as u8, 120, (x % 250) as u8])
        }
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&image)
        .unwrap();
    with_exif(&jpeg, &exif_with_gps(6))
}

/// TIFF-structured EXIF (little-endian): the orientation, the camera's
/// maker, and a GPS block at 51° 30′ N.
fn exif_with_gps(orientation: u16) -> Vec<u8> {
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&kind.to_le_bytes());
        tiff.extend_from_slice(&count.to_le_bytes());
        tiff.extend_from_slice(&value.to_le_bytes());
    };
    // IFD0 at 8: three entries (2 + 3 × 12 + 4 = 42 bytes), then the maker
    // text at 50, the GPS block at 58.
    tiff.extend_from_slice(&3u16.to_le_bytes());
    entry(&mut tiff, 0x010F, 2, 6, 50); // Make: "Phone\0"
    entry(&mut tiff, 0x0112, 3, 1, u32::from(orientation));
    entry(&mut tiff, 0x8825, 4, 1, 58); // the GPS block
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(b"Phone\0\0\0");
    // GPS block at 58: two entries (2 + 24 + 4 = 30 bytes), then the
    // latitude's three rationals at 88.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    entry(&mut tiff, 0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
    entry(&mut tiff, 0x0002, 5, 3, 88);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    for (n, d) in [(51u32, 1u32), (30, 1), (0, 1)] {
        tiff.extend_from_slice(&n.to_le_bytes());
        tiff.extend_from_slice(&d.to_le_bytes());
    }
    tiff
}

/// A JPEG with an APP1 EXIF segment put right after its start.
fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&u16::try_from(tiff.len() + 8).unwrap().to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A 1000 × 500 PNG, see-through on its right half, with a text block.
fn logo_png() -> Vec<u8> {
    let image = RgbaImage::from_fn(1000, 500, |x, _| {
        if x < 500 {
            image::Rgba([20, 90, 200, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(image)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    // A tEXt chunk before IEND, where a tool writes where the file came from.
    let text = b"Comment\0taken at 12 Home Street";
    let at = png.len() - 12;
    let mut chunk = u32::try_from(text.len()).unwrap().to_be_bytes().to_vec();
    chunk.extend_from_slice(b"tEXt");
    chunk.extend_from_slice(text);
    chunk.extend_from_slice(&crc(&chunk[4..]).to_be_bytes());
    png.splice(at..at, chunk);
    png
}

/// The CRC-32 PNG chunks end with.
fn crc(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A 2 × 2 GIF with a comment block.
fn tiny_gif() -> Vec<u8> {
    let mut gif = b"GIF89a\x02\x00\x02\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff".to_vec();
    gif.extend_from_slice(b"\x21\xfe\x0ataken home\x00");
    gif.extend_from_slice(b"\x2c\x00\x00\x00\x00\x02\x00\x02\x00\x00\x02\x02\x44\x01\x00\x3b");
    gif
}

/// What a file is: its size as decoded, whether it has an alpha channel,
/// and its EXIF, if any.
fn decoded(file: &Path) -> (u32, u32, bool, Option<Vec<u8>>) {
    let bytes = fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut decoder = ImageReader::new(Cursor::new(&bytes))
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let exif = decoder.exif_metadata().unwrap();
    let image = DynamicImage::from_decoder(decoder).unwrap();
    (
        image.width(),
        image.height(),
        image.color().has_alpha(),
        exif,
    )
}

/// The pixel at (x, y) of an image file.
fn pixel(file: &Path, x: u32, y: u32) -> [u8; 3] {
    let image = image::open(file).unwrap().into_rgb8();
    image.get_pixel(x, y).0
}

fn photo_site() -> tempfile::TempDir {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        (
            "content/posts/lake/index.md",
            "+++\ntitle = \"The lake\"\ndate = 2026-05-01\nimage = \"photo.jpg\"\n+++\nWhere I went after.\n\n![The lake at dawn](photo.jpg \"Dawn\")\n\n![Our logo](/img/logo.png) and ![dancing](dance.gif)\n\n![A broken one](broken.jpg)\n",
        ),
        (
            "content/posts/words.md",
            "+++\ntitle = \"Words\"\ndate = 2026-04-01\n+++\nNo pictures, and ![elsewhere](https://cdn.example/x.jpg).\n",
        ),
    ]);
    let root = site.path();
    fs::write(root.join("content/posts/lake/photo.jpg"), phone_photo()).unwrap();
    fs::write(root.join("content/posts/lake/dance.gif"), tiny_gif()).unwrap();
    fs::write(
        root.join("content/posts/lake/broken.jpg"),
        b"\xff\xd8\xff\xe0 not really",
    )
    .unwrap();
    fs::write(
        root.join("content/posts/lake/notes.jpg"),
        "a list, saved by mistake as .jpg",
    )
    .unwrap();
    fs::create_dir_all(root.join("static/img")).unwrap();
    fs::write(root.join("static/img/logo.png"), logo_png()).unwrap();
    site
}

/// The `srcset` candidates of an attribute: (URL, width).
fn candidates(srcset: &str) -> Vec<(String, u32)> {
    srcset
        .split(", ")
        .map(|c| {
            let (url, width) = c.rsplit_once(' ').unwrap();
            (
                url.to_string(),
                width.trim_end_matches('w').parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn photos_are_published_in_their_sizes_upright_and_without_metadata() {
    let site = photo_site();
    let root = site.path();
    let warnings = build_warnings(root, &[]);
    assert_eq!(
        warnings,
        "warning: ROOT/content/posts/lake/broken.jpg: cannot be read as a JPEG: Format error decoding Jpeg: I/O errors Not enough bytes, expected 1 but found 0; it is published as it is, without smaller copies: open it in an image viewer, and save it again or replace it\nwarning: ROOT/content/posts/lake/notes.jpg: is not a JPEG, PNG, GIF or WebP image (its first bytes are not one's); it is published as it is, without smaller copies: open it in an image viewer, and save it again or replace it\n"
    );
    let public = root.join("public");
    let page = html(public.join("posts/lake/index.html"));
    let select = |s: &str| scraper::Selector::parse(s).unwrap();

    // The photo: upright (3024 wide, 4032 high), in WebP and JPEG copies.
    let picture = page
        .select(&select(".content picture"))
        .next()
        .expect("a <picture>");
    let source = picture.select(&select("source")).next().unwrap().value();
    assert_eq!(source.attr("type"), Some("image/webp"));
    assert_eq!(
        source.attr("sizes"),
        Some("(max-width: 42rem) 100vw, 42rem")
    );
    let webp = candidates(source.attr("srcset").unwrap());
    assert_eq!(
        webp,
        [480, 800, 1200, 1600].map(|w| (format!("../../posts/lake/photo.{w}w.webp"), w))
    );
    let img = picture.select(&select("img")).next().unwrap().value();
    let jpegs = candidates(img.attr("srcset").unwrap());
    assert_eq!(
        jpegs,
        [480, 800, 1200, 1600].map(|w| (format!("../../posts/lake/photo.{w}w.jpg"), w))
    );
    assert_eq!(img.attr("src"), Some("../../posts/lake/photo.1200w.jpg"));
    assert_eq!(
        (img.attr("width"), img.attr("height")),
        (Some("3024"), Some("4032"))
    );
    assert_eq!(
        (img.attr("alt"), img.attr("title")),
        (Some("The lake at dawn"), Some("Dawn"))
    );
    // The cover comes first, so the photo in the text waits to be scrolled to.
    assert_eq!(img.attr("loading"), Some("lazy"));
    assert_eq!(img.attr("decoding"), Some("async"));
    let cover = page
        .select(&select("figure.cover img"))
        .next()
        .unwrap()
        .value();
    assert_eq!(cover.attr("fetchpriority"), Some("high"));
    assert_eq!(cover.attr("loading"), None);
    for (url, width) in webp.iter().chain(&jpegs) {
        let file = public
            .join("posts/lake")
            .join(url.trim_start_matches("../../posts/lake/"));
        let (w, h, _, exif) = decoded(&file);
        assert_eq!((w, h), (*width, (width * 4032 + 1512) / 3024), "{url}");
        assert_eq!(exif, None, "{url} has EXIF");
    }
    // The published original: upright, the red top at the top, no EXIF.
    let original = public.join("posts/lake/photo.jpg");
    let (w, h, _, exif) = decoded(&original);
    assert_eq!((w, h, exif), (3024, 4032, None));
    let [r, g, _] = pixel(&original, 1500, 50);
    assert!(r > 180 && g < 80, "the top is not red: {r} {g}");
    let bytes = fs::read(&original).unwrap();
    assert!(
        !bytes.windows(5).any(|w| w == b"Phone"),
        "the camera's maker is still there"
    );

    // The logo: narrower than the widest width, so listed whole; the WebP
    // keeps its transparency, the PNG loses its text.
    let logo = page
        .select(&select("picture img[alt='Our logo']"))
        .next()
        .unwrap()
        .value();
    assert_eq!(
        candidates(logo.attr("srcset").unwrap()),
        [
            ("../../img/logo.480w.png".to_string(), 480),
            ("../../img/logo.800w.png".to_string(), 800),
            ("../../img/logo.png".to_string(), 1000)
        ]
    );
    assert_eq!(
        (logo.attr("width"), logo.attr("height")),
        (Some("1000"), Some("500"))
    );
    let (w, h, alpha, _) = decoded(&public.join("img/logo.1000w.webp"));
    assert_eq!((w, h, alpha), (1000, 500, true));
    let png = fs::read(public.join("img/logo.png")).unwrap();
    assert!(!png.windows(11).any(|w| w == b"Home Street"));
    assert_eq!(decoded(&public.join("img/logo.png")).0, 1000);

    // The GIF: its size and lazy, no copies (it may move), no comment.
    let gif = page
        .select(&select("img[alt='dancing']"))
        .next()
        .unwrap()
        .value();
    assert_eq!(
        (gif.attr("width"), gif.attr("height"), gif.attr("srcset")),
        (Some("2"), Some("2"), None)
    );
    assert_eq!(gif.attr("loading"), Some("lazy"));
    let published = fs::read(public.join("posts/lake/dance.gif")).unwrap();
    assert!(!published.windows(4).any(|w| w == b"home"));
    assert!(!public.join("posts/lake/dance.480w.webp").exists());

    // The broken file and the one that is no image: as they were.
    assert_eq!(
        fs::read(public.join("posts/lake/notes.jpg")).unwrap(),
        b"a list, saved by mistake as .jpg"
    );
    assert_eq!(
        fs::read(public.join("posts/lake/broken.jpg")).unwrap(),
        b"\xff\xd8\xff\xe0 not really"
    );
    let broken = page
        .select(&select("img[alt='A broken one']"))
        .next()
        .unwrap()
        .value();
    assert_eq!(broken.attr("src"), Some("broken.jpg"));

    // A link preview shows the copy 1,200 wide, with its size.
    let meta = |property: &str| {
        page.select(&select(&format!("meta[property='{property}']")))
            .next()
            .and_then(|m| m.value().attr("content"))
            .map(str::to_string)
    };
    assert_eq!(
        meta("og:image").as_deref(),
        Some("https://test.example/posts/lake/photo.1200w.jpg")
    );
    assert_eq!(meta("og:image:width").as_deref(), Some("1200"));
    assert_eq!(meta("og:image:height").as_deref(), Some("1600"));

    // Nothing published holds EXIF or the GPS position.
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap();
        let bytes = fs::read(entry.path()).unwrap_or_default();
        assert!(
            !bytes.windows(6).any(|w| w == b"Exif\0\0"),
            "{} holds EXIF",
            entry.path().display()
        );
    }
}

/// A site of one article, `posts/a/`, whose body is `body`, with `bytes`
/// beside it as `name`.
fn article_showing(body: &str, name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        (
            "content/posts/a/index.md",
            &format!("+++\ntitle = \"A\"\ndate = 2026-05-01\n+++\n{body}"),
        ),
    ]);
    fs::write(site.path().join("content/posts/a").join(name), bytes).unwrap();
    site
}

#[test]
fn the_first_image_of_an_article_without_a_cover_is_not_lazy() {
    let site = article_showing(
        "![first](one.png)\n\n![second](one.png)\n",
        "one.png",
        &logo_png(),
    );
    let public = crate::common::build(site.path(), &[]);
    let page = html(public.join("posts/a/index.html"));
    let loading = crate::common::attrs(&page, ".content img", "loading");
    assert_eq!(loading, ["lazy"], "only the second is lazy");
    let priority = crate::common::attrs(&page, ".content img", "fetchpriority");
    assert_eq!(priority, ["high"]);
    // The index shows the summary's image, lazy, in its sizes.
    let index = html(public.join("index.html"));
    assert_eq!(
        crate::common::attrs(&index, "picture img", "loading"),
        ["lazy"]
    );
}

#[test]
fn a_warm_build_makes_no_image_again_and_a_changed_one_only_itself() {
    let site = photo_site();
    let root = site.path();
    let images = |times: Vec<(String, std::time::SystemTime)>| -> Vec<_> {
        times
            .into_iter()
            .filter(|(name, _)| !name.ends_with(".html") && !name.ends_with(".xml"))
            .filter(|(name, _)| name.contains("/"))
            .collect()
    };
    // The output and the spare tree take turns: the third build writes
    // into the first one's tree.
    build_warnings(root, &[]);
    let cache = root.join(".mend/images");
    let (cache_before, public_before) = (times(&cache), images(times(&root.join("public"))));
    assert!(cache_before.len() > 10, "{cache_before:?}");
    build_warnings(root, &[]);
    build_warnings(root, &[]);
    assert_eq!(times(&cache), cache_before, "the cache was written again");
    assert_eq!(
        images(times(&root.join("public"))),
        public_before,
        "published images were written again"
    );

    // One image changes: only its files are made (and the index and the
    // note of what was made); the old logo's seven go.
    fs::write(root.join("static/img/logo.png"), {
        let mut image = image::load_from_memory(&logo_png()).unwrap().into_rgba8();
        image.put_pixel(0, 0, image::Rgba([255, 0, 0, 255]));
        let mut png = Vec::new();
        DynamicImage::ImageRgba8(image)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    })
    .unwrap();
    build_warnings(root, &[]);
    let after = times(&cache);
    let kept: Vec<_> = after.iter().filter(|t| cache_before.contains(t)).collect();
    let made: Vec<&str> = after
        .iter()
        .filter(|t| !cache_before.contains(t))
        .map(|(name, _)| name.rsplit('/').next().unwrap())
        .collect();
    let mut made = made;
    made.sort_unstable();
    assert_eq!(
        made,
        [
            "1000.webp",
            "480.png",
            "480.webp",
            "800.png",
            "800.webp",
            "index",
            "made",
            "original.png"
        ]
    );
    assert_eq!(
        kept.len() + 8,
        cache_before.len(),
        "the old logo's files go: {kept:?}"
    );
}

#[test]
fn check_tells_of_gps_and_keep_metadata_publishes_it_as_it_is() {
    let site = photo_site();
    let root = site.path();
    let output = mend().args(["check", "--root"]).arg(root).output().unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr)
        .unwrap()
        .replace(&root.display().to_string(), "ROOT");
    assert!(
        stderr.lines().any(|l| l == "warning: ROOT/content/posts/lake/photo.jpg: holds the GPS position where it was taken; the published image leaves it out (with all its metadata)"),
        "{stderr}"
    );
    assert!(!root.join(".mend").exists(), "check wrote the cache");

    let toml =
        format!("{SITE_TOML}\n[images]\nkeep_metadata = [\"content/posts/lake/photo.jpg\"]\n");
    fs::write(root.join("site.toml"), toml).unwrap();
    let warnings = build_warnings(root, &[]);
    assert!(
        warnings.lines().any(|l| l == "warning: ROOT/content/posts/lake/photo.jpg: holds the GPS position where it was taken, and images.keep_metadata in site.toml publishes it: take the image out of keep_metadata unless readers should know the place"),
        "{warnings}"
    );
    assert_eq!(
        fs::read(root.join("public/posts/lake/photo.jpg")).unwrap(),
        fs::read(root.join("content/posts/lake/photo.jpg")).unwrap()
    );
    // The logo is not on the list: it leaves without its text.
    let png = fs::read(root.join("public/img/logo.png")).unwrap();
    assert!(!png.windows(11).any(|w| w == b"Home Street"));
}

/// A PNG whose header says 30,000 × 30,000 pixels.
fn bomb_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc(&body).to_be_bytes());
    };
    let mut header = 30_000u32.to_be_bytes().to_vec();
    header.extend_from_slice(&30_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(b"IHDR", &header);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    png
}

#[test]
fn a_decompression_bomb_is_published_without_copies_and_told_of() {
    let site = article_showing("![huge](huge.png)\n", "huge.png", &bomb_png());
    let warnings = build_warnings(site.path(), &[]);
    assert_eq!(
        warnings,
        "warning: ROOT/content/posts/a/huge.png: 30000 × 30000 pixels is more than the 100 megapixels mend resizes; it is published without smaller copies: save it at 8,000 pixels wide or less\n"
    );
    let public = site.path().join("public");
    assert_eq!(
        fs::read(public.join("posts/a/huge.png")).unwrap(),
        bomb_png()
    );
    let page = html(public.join("posts/a/index.html"));
    assert_eq!(
        crate::common::attrs(&page, ".content img", "width"),
        ["30000"]
    );
    assert_eq!(
        crate::common::attrs(&page, ".content img", "srcset"),
        Vec::<String>::new()
    );
}

#[test]
fn the_preview_shows_a_page_at_once_and_its_images_while_their_sizes_are_made() {
    let site = photo_site();
    let root = site.path();
    let port = crate::common::free_port().to_string();
    let server = crate::common::start_server(&["serve", "--port", &port], root, "serving ");
    // The first build did not wait for the sizes (the photo takes seconds):
    // making them shares no threads with rendering.
    let lines = server.lines.lock().unwrap().clone();
    assert!(
        lines.iter().any(|l| l.starts_with("built "))
            && !lines.iter().any(|l| l.starts_with("made the sizes")),
        "{lines:?}"
    );
    let page = crate::common::http(&server, "GET", "/posts/lake/", &[], b"");
    assert_eq!(page.status, 200);
    let page = scraper::Html::parse_document(&String::from_utf8(page.body).unwrap());
    let webp = crate::common::attrs(&page, ".content source", "srcset");
    assert!(
        webp[0].starts_with("../../posts/lake/photo.480w.webp 480w"),
        "{webp:?}"
    );
    // Made or not yet, the copy is an image (the source until it is made).
    let copy = crate::common::http(&server, "GET", "/posts/lake/photo.480w.webp", &[], b"");
    assert_eq!(copy.status, 200);
    assert!(image::load_from_memory(&copy.body).is_ok());
    // Reading the site again while the photo is made starts no more
    // threads: one makes the images, in a pool of half the cores.
    let settings = fs::read_to_string(root.join("site.toml")).unwrap();
    fs::write(root.join("site.toml"), settings + "# read again\n").unwrap();
    crate::common::wait_for_line(&server, |l| l.starts_with("site.toml changed"));
    let cores = std::thread::available_parallelism().unwrap().get();
    assert_eq!(
        threads_named(server.child.0.id(), "mend-images"),
        1 + (cores / 2).max(1)
    );
    // The sizes are made beside the preview, into the cache builds share,
    // and the pages that show them are reloaded.
    crate::common::wait_for_line_within(&server, std::time::Duration::from_secs(300), |l| {
        l.starts_with("made the sizes of 5 images in ")
    });
    let status = crate::common::http(&server, "GET", "/__mend/status", &[], b"");
    let status: serde_json::Value = serde_json::from_slice(&status.body).unwrap();
    assert!(status["reload_generation"].as_u64() >= Some(1), "{status}");
    assert!(root.join(".mend/images/index").exists());
    let copy = crate::common::http(&server, "GET", "/posts/lake/photo.480w.webp", &[], b"");
    assert_eq!(decoded_bytes(&copy.body), (480, 640));
    // The second reading found them made: nothing was made twice.
    let lines = server.lines.lock().unwrap().clone();
    let made = lines.iter().filter(|l| l.starts_with("made the sizes of"));
    assert_eq!(made.count(), 1, "{lines:?}");
    drop(server);
    // A build after it makes nothing again.
    let cache = times(&root.join(".mend/images"));
    build_warnings(root, &[]);
    assert_eq!(times(&root.join(".mend/images")), cache);
}

/// How many threads of process `pid` have a name starting with `name`.
fn threads_named(pid: u32, name: &str) -> usize {
    fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .filter_map(|task| fs::read_to_string(task.unwrap().path().join("comm")).ok())
        .filter(|comm| comm.starts_with(name))
        .count()
}

fn decoded_bytes(bytes: &[u8]) -> (u32, u32) {
    let image = image::load_from_memory(bytes).unwrap();
    (image.width(), image.height())
}

#[test]
fn an_image_index_that_cannot_be_kept_is_a_warning_not_a_failure() {
    let site = article_showing("![logo](logo.png)\n", "logo.png", &logo_png());
    fs::create_dir_all(site.path().join(".mend/images/index")).unwrap();
    assert_eq!(
        build_warnings(site.path(), &[]),
        "warning: ROOT/.mend/images: Is a directory (os error 21); \
         the next build reads every image again\n"
    );
    assert!(site.path().join("public/posts/a/logo.png").is_file());
}
