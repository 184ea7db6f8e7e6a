use super::ValidationError;

/// Which slice of a list to return: `page` from 1, `per_page` from 1 to 1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    number: u64,
    size: u64,
}

impl Page {
    /// Items per page when the client does not say.
    pub const DEFAULT_SIZE: u64 = 50;
    /// The largest page; larger requests are reduced to it.
    pub const MAX_SIZE: u64 = 1000;

    /// Parses the raw query values; absent values take the defaults.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, ValidationError> {
        let number = match page {
            None => 1,
            Some(raw) => positive(raw).ok_or(ValidationError::Page(
                "`page` must be a whole number of at least 1.",
            ))?,
        };
        let size = match per_page {
            None => Self::DEFAULT_SIZE,
            Some(raw) => positive(raw).ok_or(ValidationError::Page(
                "`per_page` must be a whole number of at least 1.",
            ))?,
        };
        Ok(Self {
            number,
            size: size.min(Self::MAX_SIZE),
        })
    }

    /// Items per page.
    pub fn size(self) -> i64 {
        // At most MAX_SIZE, so the cast is lossless.
        self.size as i64
    }

    /// Items to skip; saturates for absurd page numbers, which then return nothing.
    pub fn offset(self) -> i64 {
        let skip = (self.number - 1).saturating_mul(self.size);
        i64::try_from(skip).unwrap_or(i64::MAX)
    }

    /// How many pages `total` items fill.
    pub fn count_for(self, total: i64) -> i64 {
        let total = total.max(0);
        (total + self.size() - 1) / self.size()
    }
}

fn positive(raw: &str) -> Option<u64> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Digits only: an overflow is a huge page number, not an error.
    let n = raw.parse::<u64>().unwrap_or(u64::MAX);
    (n >= 1).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_clamping() {
        let p = Page::parse(None, None).unwrap();
        assert_eq!((p.size(), p.offset()), (50, 0));
        let p = Page::parse(Some("3"), Some("5000")).unwrap();
        assert_eq!((p.size(), p.offset()), (1000, 2000));
    }

    #[test]
    fn refuses_zero_negative_and_words() {
        for bad in ["0", "-1", "", "two", "1.5", " 1"] {
            assert!(Page::parse(Some(bad), None).is_err(), "page {bad:?}");
            assert!(Page::parse(None, Some(bad)).is_err(), "per_page {bad:?}");
        }
    }

    #[test]
    fn huge_pages_saturate() {
        let p = Page::parse(Some("99999999999999999999999"), Some("1000")).unwrap();
        assert_eq!(p.offset(), i64::MAX);
    }

    #[test]
    fn page_count_rounds_up() {
        let p = Page::parse(None, Some("2")).unwrap();
        assert_eq!([0, 1, 2, 3].map(|t| p.count_for(t)), [0, 1, 1, 2]);
    }
}
