//! What an image file is, read from its bytes without decoding its pixels:
//! its format (by content, not by name), its size, its EXIF orientation and
//! whether it says where it was taken (GPS).
//!
//! Not for pixels (`images::process`).

use std::io::Cursor;

use image::ImageDecoder;

use super::Format;

/// What the header of an image says, and the hash of all its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Probed {
    /// Of every byte of the file (`images::hash_bytes`).
    pub hash: u64,
    pub format: Format,
    /// As stored, before the orientation is applied.
    pub width: u32,
    pub height: u32,
    /// The EXIF orientation, 1 (as stored) to 8.
    pub orientation: u8,
    /// Whether its EXIF holds a GPS position.
    pub gps: bool,
}

impl Probed {
    /// Width and height as a reader sees the image: turned by its
    /// orientation (5 to 8 swap them).
    pub(crate) fn shown_size(&self) -> (u32, u32) {
        if self.orientation >= 5 {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Why an image could not be read, as the end of a sentence that names it.
pub(crate) type Unreadable = String;

/// Reads what `bytes` (an image file's) are.
pub(crate) fn probe(bytes: &[u8]) -> Result<Probed, Unreadable> {
    let format = Format::of_bytes(bytes).ok_or_else(|| {
        "is not a JPEG, PNG, GIF or WebP image (its first bytes are not one's)".to_string()
    })?;
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format.image_format());
    // Only the header is read here; `process` bounds what is decoded.
    reader.no_limits();
    let mut decoder = reader.into_decoder().map_err(|e| {
        format!(
            "cannot be read as {}: {}",
            format.name(),
            one_line(&e.to_string())
        )
    })?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(format!(
            "cannot be read as {}: it has no pixels",
            format.name()
        ));
    }
    let exif = decoder.exif_metadata().ok().flatten();
    let (orientation, gps) = exif.as_deref().map_or((1, false), read_exif);
    Ok(Probed {
        hash: super::hash_bytes(bytes),
        format,
        width,
        height,
        orientation,
        gps,
    })
}

/// A library's message on one line, for a warning that must stay one.
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The orientation and whether there is a GPS position, from raw EXIF.
fn read_exif(raw: &[u8]) -> (u8, bool) {
    let Ok(exif) = exif::Reader::new().read_raw(raw.to_vec()) else {
        return (1, false);
    };
    let orientation = exif
        .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|o| u8::try_from(o).ok())
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1);
    let gps = exif.fields().any(|f| {
        matches!(
            f.tag,
            exif::Tag::GPSLatitude | exif::Tag::GPSLongitude | exif::Tag::GPSAltitude
        )
    });
    (orientation, gps)
}
