//! Quick questions about a text, asked of its bytes 64 at a time in a loop
//! the compiler turns into vector code: whether it holds a control
//! character, a markup character, anything but plain ASCII. Whole articles
//! and every comment are asked, on every build.
//!
//! Not for changing text: cleaning is `sanitize`'s, escaping `xml`'s and
//! the Markdown writer's.

/// Whether any byte of `text` is one `found` looks for.
pub(crate) fn any_byte(text: &str, found: impl Fn(u8) -> bool) -> bool {
    text.as_bytes()
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |any, &b| any | found(b)))
}

/// Whether `b` is an ASCII control character other than tab, line feed and
/// carriage return (in UTF-8, such a character is always its own byte).
pub(crate) fn is_control(b: u8) -> bool {
    b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_is_found_in_any_chunk() {
        assert!(!any_byte("", is_control));
        assert!(!any_byte(&"tab\tline\ncr\r ✓".repeat(20), is_control));
        for at in [0, 63, 64, 130] {
            let mut text = "x".repeat(131);
            text.replace_range(at..=at, "\u{1b}");
            assert!(any_byte(&text, is_control), "{at}");
        }
        assert!(any_byte("plain, then é", |b| !b.is_ascii()));
    }
}
