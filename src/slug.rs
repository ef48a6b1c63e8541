//! Slugs: the URL-safe names of articles, tags and headings.
//!
//! Unicode is folded to ASCII first (`"Café Été"` → `cafe-ete`), so slugs are
//! stable and readable in any browser bar.
//!
//! Not for deciding where a slug goes in a URL (`urls`).

/// Lower-case ASCII letters and digits, every other run of characters
/// becoming one `-`, none at either end. Empty when nothing is left.
pub(crate) fn slugify(text: &str) -> String {
    let folded = deunicode::deunicode(text);
    let mut slug = String::with_capacity(folded.len());
    let mut pending_dash = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn contract_examples() {
        assert_eq!(slugify("No Contact!"), "no-contact");
        assert_eq!(slugify("no contact"), "no-contact");
        assert_eq!(slugify("  Letting   go -- now "), "letting-go-now");
    }

    #[test]
    fn unicode_is_folded() {
        assert_eq!(slugify("Café Été"), "cafe-ete");
        assert_eq!(slugify("Ærøskøbing"), "aeroskobing");
        assert_eq!(slugify("心"), "xin");
        assert_eq!(slugify("!!!"), "");
    }
}
