use super::ValidationError;

/// A literal substring to look for in usernames, names and emails, ignoring case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm(String);

impl SearchTerm {
    /// The escape character used in [`SearchTerm::like_pattern`].
    pub const ESCAPE: char = '\\';

    /// An empty `?s=` means no filter. Control characters are refused: no username, name
    /// or email holds one, and PostgreSQL cannot even take NUL as a parameter.
    pub fn parse(raw: Option<&str>) -> Result<Option<Self>, ValidationError> {
        match raw {
            None | Some("") => Ok(None),
            Some(s) if s.chars().any(char::is_control) => Err(ValidationError::SearchTerm),
            Some(s) => Ok(Some(Self(s.to_owned()))),
        }
    }

    /// The shortest term a trigram index can serve, in characters.
    pub const MIN_INDEXED_CHARS: usize = 3;

    /// The term as an FTS5 phrase (`"..."`, inner quotes doubled), which a trigram index
    /// matches anywhere in a column; `None` when the term is too short for trigrams.
    pub fn trigram_phrase(&self) -> Option<String> {
        (self.0.chars().count() >= Self::MIN_INDEXED_CHARS)
            .then(|| format!("\"{}\"", self.0.replace('"', "\"\"")))
    }

    /// A `LIKE` pattern matching the term anywhere, with `%`, `_` and the escape character
    /// taken literally. The database lower-cases both sides, so case folding is the same
    /// for the pattern and the columns.
    pub fn like_pattern(&self) -> String {
        let mut pattern = String::with_capacity(self.0.len() + 2);
        pattern.push('%');
        for c in self.0.chars() {
            if matches!(c, '%' | '_' | Self::ESCAPE) {
                pattern.push(Self::ESCAPE);
            }
            pattern.push(c);
        }
        pattern.push('%');
        pattern
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigram_phrases_quote_the_term_and_need_three_characters() {
        let phrase = |s| {
            SearchTerm::parse(Some(s))
                .unwrap()
                .unwrap()
                .trigram_phrase()
        };
        assert_eq!(phrase("ab"), None);
        assert_eq!(phrase("äö"), None);
        assert_eq!(phrase("äöü").as_deref(), Some("\"äöü\""));
        assert_eq!(phrase(r#"a"b OR c"#).as_deref(), Some(r#""a""b OR c""#));
    }

    #[test]
    fn wildcards_are_escaped() {
        let term = SearchTerm::parse(Some(r"50%_A\b")).unwrap().unwrap();
        assert_eq!(term.like_pattern(), r"%50\%\_A\\b%");
        assert_eq!(SearchTerm::parse(Some("")), Ok(None));
        assert_eq!(SearchTerm::parse(None), Ok(None));
        assert_eq!(
            SearchTerm::parse(Some("a\u{0}b")),
            Err(ValidationError::SearchTerm)
        );
    }
}
