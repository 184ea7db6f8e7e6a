use super::{Email, Name, Password, Username};

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
}

impl NewUser {
    /// What the user's own details would make guessable in a password.
    pub fn personal_inputs(&self) -> Vec<String> {
        let mut inputs = vec![
            self.username.as_str().to_owned(),
            self.name.as_str().to_owned(),
        ];
        inputs.extend(self.email.as_ref().map(|e| e.as_str().to_owned()));
        inputs
    }
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
}

impl UserUpdate {
    /// True when the update would change nothing.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
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
