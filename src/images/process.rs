//! The pixels: the files of each image made into the cache
//! (`images::cache`) once, images in parallel. The original leaves without
//! its metadata: its blocks dropped as they are (`images::strip`), or, when
//! its EXIF orientation turns it, encoded again upright. The copies are
//! resized with `fast_image_resize` (Lanczos) and encoded as WebP (libwebp)
//! and in the original's format. Decoding is bounded: nothing over
//! `MAX_PIXELS`, and `image`'s allocation limit besides.
//!
//! Not for which copies an image gets (`images`).

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder};
use rayon::prelude::*;

use super::{Copy, Format, Images, MAX_PIXELS, Picture, cache, strip};
use crate::error::Warning;

/// The least quality an original turned upright is encoded at: it stands
/// for the photo itself.
const ORIGINAL_QUALITY: u8 = 90;

/// An image whose copies could not be made: the page shows the original.
#[derive(Debug)]
pub(crate) struct Failed {
    /// The image's output path.
    pub path: String,
    pub warning: Warning,
}

/// Makes every file of `images` the cache does not hold yet; what could
/// not be made is told.
pub(crate) fn make(images: &Images, quality: u8) -> Vec<Failed> {
    let pictures: Vec<(&String, &Picture)> = images.pictures().collect();
    pictures
        .par_iter()
        .with_max_len(1)
        .filter_map(|(path, picture)| {
            make_one(images, picture, quality)
                .err()
                .map(|warning| Failed {
                    path: (*path).clone(),
                    warning,
                })
        })
        .collect()
}

/// One file to make of a picture.
enum Wanted<'a> {
    Original,
    Copy(&'a Copy),
}

fn make_one(images: &Images, picture: &Picture, quality: u8) -> Result<(), Warning> {
    if images.is_made(picture) {
        return Ok(());
    }
    let mut wanted: Vec<(String, Wanted)> = Vec::new();
    if !picture.keep_metadata {
        wanted.push((picture.original_name(), Wanted::Original));
    }
    wanted.extend(
        picture
            .copies
            .iter()
            .map(|c| (c.cache_name(), Wanted::Copy(c))),
    );
    wanted.retain(|(name, _)| !cache::file(images.dir(), picture.key, name).exists());
    if wanted.is_empty() {
        note_made(images, picture);
        return Ok(());
    }
    let unreadable = |reason: String| Warning::ImageUnreadable {
        path: picture.source.clone(),
        reason,
    };
    let bytes =
        std::fs::read(&picture.source).map_err(|e| unreadable(format!("cannot be read: {e}")))?;
    let mut pixels: Option<Result<DynamicImage, String>> = None;
    let mut failed = None;
    for (name, what) in wanted {
        let made = match what {
            Wanted::Original => Ok(original(picture, &bytes, &mut pixels)),
            Wanted::Copy(copy) => decoded(picture, &bytes, &mut pixels)
                .and_then(|image| copy_of(image, copy, quality)),
        };
        let made = match made {
            Ok(made) => made,
            Err(reason) => {
                failed.get_or_insert(reason);
                continue;
            }
        };
        let file = cache::file(images.dir(), picture.key, &name);
        if let Err(e) = crate::durable::replace_unflushed(&file, &made) {
            failed.get_or_insert(format!("could not be written to {}: {e}", file.display()));
        }
    }
    if let Some(reason) = failed {
        return Err(unreadable(reason));
    }
    note_made(images, picture);
    Ok(())
}

/// Notes that every file of `picture` is in the cache; without the note,
/// the files are looked at one by one next time.
fn note_made(images: &Images, picture: &Picture) {
    let note = cache::file(images.dir(), picture.key, cache::MADE);
    let _ = crate::durable::replace_unflushed(&note, picture.cache_names().join("\n").as_bytes());
}

/// The pixels of `picture`, upright, decoded once for all its files.
fn decoded<'p>(
    picture: &Picture,
    bytes: &[u8],
    pixels: &'p mut Option<Result<DynamicImage, String>>,
) -> Result<&'p DynamicImage, String> {
    pixels
        .get_or_insert_with(|| decode(picture, bytes))
        .as_ref()
        .map_err(Clone::clone)
}

/// The original's bytes as published: upright, without metadata; as they
/// are when they cannot be read (a broken file is told about when probed).
fn original(
    picture: &Picture,
    bytes: &[u8],
    pixels: &mut Option<Result<DynamicImage, String>>,
) -> Vec<u8> {
    let Some(probed) = picture.probed else {
        return Format::of_bytes(bytes)
            .and_then(|format| strip::strip(bytes, format))
            .unwrap_or_else(|| bytes.to_vec());
    };
    if probed.orientation != 1 && picture.decodable() && probed.format != Format::Gif {
        let upright = decoded(picture, bytes, pixels)
            .and_then(|image| encode(image, probed.format, ORIGINAL_QUALITY));
        if let Ok(upright) = upright {
            return upright;
        }
    }
    strip::strip(bytes, probed.format).unwrap_or_else(|| bytes.to_vec())
}

fn decode(picture: &Picture, bytes: &[u8]) -> Result<DynamicImage, String> {
    let probed = picture
        .probed
        .ok_or_else(|| "cannot be read as an image".to_string())?;
    if !picture.decodable() {
        return Err(format!(
            "is {} × {} pixels, more than the {} megapixels mend decodes",
            probed.width,
            probed.height,
            MAX_PIXELS / 1_000_000
        ));
    }
    let mut reader =
        image::ImageReader::with_format(Cursor::new(bytes), probed.format.image_format());
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let failed = |e: image::ImageError| {
        format!(
            "cannot be read as {}: {}",
            probed.format.name(),
            super::probe::one_line(&e.to_string())
        )
    };
    let mut decoder = reader.into_decoder().map_err(failed)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(failed)?;
    image.apply_orientation(orientation);
    Ok(if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    })
}

/// `image` resized to `copy`'s size and encoded in its format.
fn copy_of(image: &DynamicImage, copy: &Copy, quality: u8) -> Result<Vec<u8>, String> {
    let resized = if (image.width(), image.height()) == (copy.width, copy.height) {
        image.clone()
    } else {
        let mut resized = DynamicImage::new(copy.width, copy.height, image.color());
        let options = fast_image_resize::ResizeOptions::new().resize_alg(
            fast_image_resize::ResizeAlg::Convolution(fast_image_resize::FilterType::Lanczos3),
        );
        fast_image_resize::Resizer::new()
            .resize(image, &mut resized, &options)
            .map_err(|e| format!("could not be resized: {e}"))?;
        resized
    };
    encode(&resized, copy.format, quality)
}

fn encode(image: &DynamicImage, format: Format, quality: u8) -> Result<Vec<u8>, String> {
    let failed = |e: String| format!("could not be encoded as {}: {e}", format.name());
    let mut out = Vec::new();
    match format {
        Format::Webp => {
            let (width, height) = (image.width(), image.height());
            let encoder = match image {
                DynamicImage::ImageRgba8(rgba) => webp::Encoder::from_rgba(rgba, width, height),
                DynamicImage::ImageRgb8(rgb) => webp::Encoder::from_rgb(rgb, width, height),
                _ => return Err(failed("its pixels are not 8-bit RGB".into())),
            };
            out = encoder.encode(f32::from(quality)).to_vec();
        }
        Format::Jpeg => {
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
                .encode_image(&image.to_rgb8())
                .map_err(|e| failed(e.to_string()))?;
        }
        Format::Png => {
            let encoder = image::codecs::png::PngEncoder::new_with_quality(
                &mut out,
                image::codecs::png::CompressionType::Best,
                image::codecs::png::FilterType::Adaptive,
            );
            image
                .write_with_encoder(encoder)
                .map_err(|e| failed(e.to_string()))?;
        }
        Format::Gif => return Err(failed("mend makes no GIF".into())),
    }
    Ok(out)
}
