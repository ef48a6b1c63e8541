//! An image file without its metadata, the pixels untouched: the blocks
//! that carry EXIF (camera, time, GPS position), XMP, IPTC and comments are
//! left out, and everything a viewer needs to show the image (colour
//! profile, animation) is kept.
//!
//! Not for images whose orientation must be applied first: those are
//! encoded again (`images::process`).

use img_parts::{Bytes, ImageEXIF, jpeg::Jpeg, png::Png, webp::WebP};

use super::Format;

/// `bytes` without metadata, or `None` if their blocks cannot be read.
pub(crate) fn strip(bytes: &[u8], format: Format) -> Option<Vec<u8>> {
    let bytes = Bytes::copy_from_slice(bytes);
    let mut out = Vec::with_capacity(bytes.len());
    match format {
        Format::Jpeg => {
            let mut jpeg = Jpeg::from_bytes(bytes).ok()?;
            jpeg.segments_mut()
                .retain(|s| !is_jpeg_metadata(s.marker(), s.contents()));
            jpeg.encoder().write_to(&mut out).ok()?;
        }
        Format::Png => {
            let mut png = Png::from_bytes(bytes).ok()?;
            png.chunks_mut()
                .retain(|c| !PNG_METADATA.contains(&c.kind()));
            png.encoder().write_to(&mut out).ok()?;
        }
        Format::Webp => {
            let mut webp = WebP::from_bytes(bytes).ok()?;
            webp.remove_chunks_by_id(*b"XMP ");
            // Also sets the header's flags to what is left.
            webp.set_exif(None);
            webp.encoder().write_to(&mut out).ok()?;
        }
        Format::Gif => out = strip_gif(&bytes)?,
    }
    Some(out)
}

/// APP1 (EXIF, XMP), APP3–APP13 (IPTC, makers' notes), APP15 and comments;
/// APP0 (JFIF), APP2 (the colour profile) and APP14 (Adobe's colour
/// transform, needed to read CMYK) stay.
fn is_jpeg_metadata(marker: u8, contents: &[u8]) -> bool {
    const APP0: u8 = 0xE0;
    const COM: u8 = 0xFE;
    match marker {
        COM => true,
        m if (APP0..=APP0 + 15).contains(&m) => {
            let n = m - APP0;
            // An APP2 that is not a colour profile (FlashPix, MPF) goes too.
            !(n == 0 || n == 14 || (n == 2 && contents.starts_with(b"ICC_PROFILE\0")))
        }
        _ => false,
    }
}

/// Text, EXIF and the time it was last changed.
const PNG_METADATA: [[u8; 4]; 5] = [*b"tEXt", *b"zTXt", *b"iTXt", *b"eXIf", *b"tIME"];

/// A GIF without comment blocks and without application blocks other than
/// the ones that make it loop (XMP travels in one).
fn strip_gif(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    // The header and the logical screen: 13 bytes, then the global colour
    // table if the screen's flags say there is one.
    let flags = *bytes.get(10)?;
    let mut at = 13 + colour_table_len(flags);
    out.extend_from_slice(bytes.get(..at)?);
    loop {
        match *bytes.get(at)? {
            0x3B => {
                out.push(0x3B);
                return Some(out);
            }
            0x21 => {
                let label = *bytes.get(at + 1)?;
                let end = after_sub_blocks(bytes, at + 2)?;
                let block = &bytes[at..end];
                let metadata =
                    label == 0xFE || (label == 0xFF && !is_loop_block(bytes.get(at + 3..at + 14)?));
                if !metadata {
                    out.extend_from_slice(block);
                }
                at = end;
            }
            0x2C => {
                let flags = *bytes.get(at + 9)?;
                // Descriptor (10 bytes), local colour table, the code size.
                let data = at + 10 + colour_table_len(flags) + 1;
                let end = after_sub_blocks(bytes, data)?;
                out.extend_from_slice(&bytes[at..end]);
                at = end;
            }
            _ => return None,
        }
    }
}

/// The bytes of the colour table that `flags` announce.
fn colour_table_len(flags: u8) -> usize {
    if flags & 0x80 == 0 {
        0
    } else {
        3 << ((flags & 0x07) + 1)
    }
}

/// Where the run of sub-blocks starting at `at` ends (after its empty
/// block).
fn after_sub_blocks(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let len = usize::from(*bytes.get(at)?);
        at += 1 + len;
        if len == 0 {
            return Some(at);
        }
    }
}

/// An application block that makes an animation loop.
fn is_loop_block(identifier: &[u8]) -> bool {
    identifier == b"NETSCAPE2.0" || identifier == b"ANIMEXTS1.0"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 GIF with a comment, an XMP block and a loop block.
    fn gif_with_metadata() -> Vec<u8> {
        let mut gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff".to_vec();
        gif.extend_from_slice(b"\x21\xfe\x0ahome 51.5N\x00");
        gif.extend_from_slice(b"\x21\xff\x0bXMP DataXMP\x05<xmp>\x00");
        gif.extend_from_slice(b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00");
        gif.extend_from_slice(b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b");
        gif
    }

    #[test]
    fn a_gif_loses_its_comment_and_xmp_and_keeps_its_loop_and_pixels() {
        let stripped = strip(&gif_with_metadata(), Format::Gif).unwrap();
        let text = String::from_utf8_lossy(&stripped);
        assert!(!text.contains("home"), "{text}");
        assert!(!text.contains("XMP"), "{text}");
        assert!(text.contains("NETSCAPE2.0"), "{text}");
        let decoded = image::load_from_memory(&stripped).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (1, 1));
    }

    #[test]
    fn a_broken_gif_is_not_stripped() {
        let gif = gif_with_metadata();
        assert_eq!(strip(&gif[..30], Format::Gif), None);
    }

    #[test]
    fn jpeg_metadata_is_told_from_what_shows_the_image() {
        assert!(is_jpeg_metadata(0xE1, b"Exif\0\0"));
        assert!(is_jpeg_metadata(0xED, b"Photoshop 3.0"));
        assert!(is_jpeg_metadata(0xFE, b"a comment"));
        assert!(is_jpeg_metadata(0xE2, b"MPF\0"));
        assert!(!is_jpeg_metadata(0xE2, b"ICC_PROFILE\0\x01\x01"));
        assert!(!is_jpeg_metadata(0xE0, b"JFIF\0"));
        assert!(!is_jpeg_metadata(0xEE, b"Adobe"));
        assert!(!is_jpeg_metadata(0xDB, b""));
    }
}
