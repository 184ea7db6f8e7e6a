use std::fmt;

use super::ValidationError;

/// A plaintext password of 8–1024 characters, kept exactly as sent.
///
/// `Debug` prints a placeholder so a stray log line never shows it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Checks the length, in characters; no trimming.
    pub fn parse(raw: String) -> Result<Self, ValidationError> {
        let len = raw.chars().count();
        if len < 8 {
            return Err(ValidationError::Password(
                "The password must be at least 8 characters long.",
            ));
        }
        if len > 1024 {
            return Err(ValidationError::Password(
                "The password must be at most 1024 characters long.",
            ));
        }
        Ok(Self(raw))
    }

    /// Wraps a password from a login attempt, where only the stored hash decides.
    pub fn unchecked(raw: String) -> Self {
        Self(raw)
    }

    /// The plaintext, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// How strong a new password must be, by zxcvbn's 0–4 guessability score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// The lowest accepted score; 0 accepts anything of a valid length.
    pub min_score: u8,
}

impl PasswordPolicy {
    /// Refuses common and easily guessed passwords, and ones built from the user's own
    /// `user_inputs` (username, email, name), saying why.
    pub fn check(
        &self,
        password: &Password,
        user_inputs: &[String],
    ) -> Result<(), ValidationError> {
        if self.min_score == 0 {
            return Ok(());
        }
        // zxcvbn's cost grows with length; a long password is not a common one, so the
        // first 100 characters decide.
        let sample: String = password.0.chars().take(100).collect();
        let inputs: Vec<&str> = user_inputs.iter().map(String::as_str).collect();
        let estimate = zxcvbn::zxcvbn(&sample, &inputs);
        if u8::from(estimate.score()) >= self.min_score {
            return Ok(());
        }
        let feedback = estimate.feedback();
        let warning = feedback
            .and_then(|f| f.warning())
            .map_or_else(|| "It is easy to guess.".to_owned(), |w| w.to_string());
        let suggestion = feedback
            .and_then(|f| f.suggestions().first())
            .map_or_else(String::new, |s| format!(" {s}"));
        Err(ValidationError::WeakPassword(format!(
            "The password is too easy to guess. {warning}{suggestion}"
        )))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(********)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_and_kept_exact() {
        assert!(Password::parse("1234567".into()).is_err());
        let p = Password::parse("  ünïcødé  ".into()).unwrap();
        assert_eq!(p.expose(), "  ünïcødé  ");
        assert!(Password::parse("ü".repeat(1024)).is_ok());
        assert!(Password::parse("ü".repeat(1025)).is_err());
    }

    #[test]
    fn common_and_personal_passwords_are_refused() {
        let policy = PasswordPolicy { min_score: 3 };
        let check = |p: &str, inputs: &[&str]| {
            let inputs: Vec<String> = inputs.iter().map(|s| (*s).to_owned()).collect();
            policy.check(&Password::parse(p.into()).unwrap(), &inputs)
        };
        let err = check("password", &[]).unwrap_err();
        assert!(err.to_string().contains("too easy to guess"), "{err}");
        assert!(check("12345678", &[]).is_err());
        assert!(check("password-1", &[]).is_err());
        assert!(check("glacier-kettle-41", &[]).is_ok());
        assert!(check("jdoe-jdoe-2024", &["jdoe"]).is_err());
        assert!(PasswordPolicy { min_score: 0 }
            .check(&Password::parse("password".into()).unwrap(), &[])
            .is_ok());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let p = Password::parse("hunter2-hunter2".into()).unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}
