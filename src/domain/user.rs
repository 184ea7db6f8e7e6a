use super::{Email, Name, Password, Username, ValidationError};

/// A user to be created, every field checked.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name, unique ignoring case.
    pub username: Username,
    /// Optional contact address, unique ignoring case when present.
    pub email: Option<Email>,
    /// Display name, possibly empty.
    pub name: Name,
    /// The initial password, hashed before storage.
    pub password: Password,
    /// Whether the user administers others (ignored by registration, which decides itself).
    pub is_admin: bool,
    /// Whether the address is known to reach the user (an admin may vouch for it).
    pub email_confirmed: bool,
}

impl NewUser {
    /// Parses the fields of a user created by an admin, the command line or an import:
    /// an absent or empty email means none, an absent name is empty.
    pub fn parse(
        username: String,
        email: Option<String>,
        name: Option<String>,
        password: String,
        is_admin: bool,
    ) -> Result<Self, ValidationError> {
        Ok(Self {
            username: Username::parse(username)?,
            email: Email::parse_optional(email)?,
            name: Name::parse(name.unwrap_or_default())?,
            password: Password::parse(password)?,
            is_admin,
            email_confirmed: false,
        })
    }

    /// Parses a self-registration: like [`NewUser::parse`], but the email is required and
    /// admin rights are not the registrant's to ask for.
    pub fn registration(
        username: String,
        email: Option<String>,
        name: Option<String>,
        password: String,
    ) -> Result<Self, ValidationError> {
        if email.as_deref().is_none_or(str::is_empty) {
            return Err(ValidationError::EmailRequired);
        }
        Self::parse(username, email, name, password, false)
    }

    /// What the user's own details would make guessable in a password.
    pub fn personal_inputs(&self) -> Vec<String> {
        personal_inputs(
            self.username.as_str(),
            self.name.as_str(),
            self.email.as_ref().map(Email::as_str),
        )
    }
}

/// The details of a user that would make a password guessable: its username, name and
/// email. One list for every way a password is set.
pub fn personal_inputs(username: &str, name: &str, email: Option<&str>) -> Vec<String> {
    let mut inputs = vec![username.to_owned(), name.to_owned()];
    inputs.extend(email.map(str::to_owned));
    inputs
}

/// A partial change to a user: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserUpdate {
    /// New login name.
    pub username: Option<Username>,
    /// New display name.
    pub name: Option<Name>,
    /// `Some(None)` removes the address.
    pub email: Option<Option<Email>>,
    /// Grant or revoke admin rights.
    pub is_admin: Option<bool>,
    /// Disable or re-enable the account.
    pub disabled: Option<bool>,
    /// Mark the address confirmed or not (admins).
    pub email_confirmed: Option<bool>,
}

impl UserUpdate {
    /// True when the update would change nothing.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// Applies the confirmation rule to an update of a user whose address is `current`: a
    /// new address is unconfirmed until its owner confirms it, unless the update itself
    /// says (an admin vouching for it). Returns whether the address changes.
    pub fn unconfirm_new_email(&mut self, current: Option<&str>) -> bool {
        let changes = match &self.email {
            Some(new) => {
                let new = new.as_ref().map(|e| e.as_str().to_ascii_lowercase());
                new != current.map(str::to_ascii_lowercase)
            }
            None => false,
        };
        if changes && self.email_confirmed.is_none() {
            self.email_confirmed = Some(false);
        }
        changes
    }

    /// True when the update takes admin rights away from `user`, by demoting or disabling.
    pub fn removes_admin(&self, is_admin: bool, disabled: bool) -> bool {
        let active_admin = is_admin && !disabled;
        active_admin && (self.is_admin == Some(false) || self.disabled == Some(true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demoting_or_disabling_an_active_admin_removes_admin() {
        let demote = UserUpdate {
            is_admin: Some(false),
            ..Default::default()
        };
        let disable = UserUpdate {
            disabled: Some(true),
            ..Default::default()
        };
        assert!(demote.removes_admin(true, false));
        assert!(disable.removes_admin(true, false));
        assert!(!disable.removes_admin(false, false));
        assert!(!demote.removes_admin(true, true));
        assert!(!UserUpdate::default().removes_admin(true, false));
        assert!(UserUpdate::default().is_empty());
    }
}
