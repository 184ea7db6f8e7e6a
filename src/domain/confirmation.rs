/// Whether addresses must be confirmed (`ROSTER_EMAIL_CONFIRMATION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmailConfirmation {
    /// No confirmation mails; `emailConfirmed` changes only by a reset link or an admin.
    #[default]
    Off,
    /// New and changed addresses get a confirmation mail; login does not wait for it.
    Optional,
    /// As `Optional`, and an account with an unconfirmed address cannot log in.
    Required,
}

impl EmailConfirmation {
    /// Parses `off`, `optional` or `required`.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value.to_ascii_lowercase().as_str() {
            "off" | "" => Ok(Self::Off),
            "optional" => Ok(Self::Optional),
            "required" => Ok(Self::Required),
            _ => Err("expected off, optional or required".into()),
        }
    }

    /// The setting's word, as `GET /info` says it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Optional => "optional",
            Self::Required => "required",
        }
    }

    /// Whether confirmation mails are sent.
    pub fn sends_mail(self) -> bool {
        self != Self::Off
    }
}
