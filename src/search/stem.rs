//! Words to their stems, so that "calling", "calls" and "called" are one
//! term: the Snowball stemmer of the site's `language` (`rust-stemmers`),
//! or the words as they are where Snowball has none for it.
//!
//! The search page stems what the reader types with the same algorithm
//! where its script has it (English, `mendStem` in the theme's
//! `search.js`), and otherwise takes a term that starts a typed word as its
//! stem.
//!
//! Not for splitting text into words (`search::for_each_word`).

use rust_stemmers::{Algorithm, Stemmer};

/// The stemmer of a site, named as the search page is told it.
pub(crate) struct Stems {
    stemmer: Option<Stemmer>,
    name: &'static str,
}

impl Stems {
    /// The stemmer for `language`, a tag such as `en` or `pt-BR`; none (the
    /// words as they are) for a language Snowball has no stemmer for.
    pub(crate) fn for_language(language: &str) -> Stems {
        let primary = language
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let found = ALGORITHMS
            .iter()
            .find(|(codes, _, _)| codes.contains(&primary.as_str()));
        match found {
            Some(&(_, algorithm, name)) => Stems {
                stemmer: Some(Stemmer::create(algorithm)),
                name,
            },
            None => Stems {
                stemmer: None,
                name: "",
            },
        }
    }

    /// The algorithm's name (`english`), or empty where words are not
    /// stemmed.
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    /// The stem of `word`, which is lowercase.
    pub(crate) fn stem<'a>(&self, word: &'a str) -> std::borrow::Cow<'a, str> {
        match &self.stemmer {
            Some(stemmer) => stemmer.stem(word),
            None => word.into(),
        }
    }
}

/// Languages (ISO 639-1 codes) and their Snowball stemmers.
const ALGORITHMS: [(&[&str], Algorithm, &str); 18] = [
    (&["ar"], Algorithm::Arabic, "arabic"),
    (&["da"], Algorithm::Danish, "danish"),
    (&["nl"], Algorithm::Dutch, "dutch"),
    (&["en"], Algorithm::English, "english"),
    (&["fi"], Algorithm::Finnish, "finnish"),
    (&["fr"], Algorithm::French, "french"),
    (&["de"], Algorithm::German, "german"),
    (&["el"], Algorithm::Greek, "greek"),
    (&["hu"], Algorithm::Hungarian, "hungarian"),
    (&["it"], Algorithm::Italian, "italian"),
    (&["no", "nb", "nn"], Algorithm::Norwegian, "norwegian"),
    (&["pt"], Algorithm::Portuguese, "portuguese"),
    (&["ro"], Algorithm::Romanian, "romanian"),
    (&["ru"], Algorithm::Russian, "russian"),
    (&["es"], Algorithm::Spanish, "spanish"),
    (&["sv"], Algorithm::Swedish, "swedish"),
    (&["ta"], Algorithm::Tamil, "tamil"),
    (&["tr"], Algorithm::Turkish, "turkish"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_language_picks_its_stemmer() {
        let english = Stems::for_language("en-GB");
        assert_eq!(english.name(), "english");
        for (word, stem) in [
            ("calling", "call"),
            ("calls", "call"),
            ("relapse", "relaps"),
            ("relapsed", "relaps"),
            ("happiness", "happi"),
            ("2024", "2024"),
        ] {
            assert_eq!(english.stem(word), stem, "{word}");
        }
        assert_eq!(Stems::for_language("FR").stem("appelait"), "appel");
        assert_eq!(Stems::for_language("pt-BR").name(), "portuguese");
        let none = Stems::for_language("ja");
        assert_eq!((none.name(), none.stem("calling")), ("", "calling".into()));
    }
}
