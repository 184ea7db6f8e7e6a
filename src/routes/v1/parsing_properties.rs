//! Property tests of the request parsers: arbitrary bytes, as JSON and as form data, fed
//! to every request body type and its validation. Nothing may panic, and whatever is
//! accepted must satisfy the rules the validated types promise.

use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::domain::{AuditEvent, NewUser, Page, SearchTerm, UserId, UserUpdate};
use crate::routes::body::{self, Encoding, FormShape};
use crate::routes::error::ApiError;

use super::password::PasswordBody;
use super::session::{LoginBody, RegisterBody};
use super::users::{CreateUserBody, UpdateUserBody};

/// Decodes `bytes` both ways; every outcome is fine but a panic.
fn decode_both<T: DeserializeOwned>(bytes: &[u8], shape: FormShape) -> Vec<Result<T, ApiError>> {
    [Encoding::Json, Encoding::Form]
        .into_iter()
        .map(|encoding| body::parse::<T>(encoding, bytes, shape))
        .collect()
}

fn check_new_user(user: &NewUser) {
    let username = user.username.as_str();
    assert!((1..=64).contains(&username.len()), "{username:?}");
    assert!(username
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._-@+".contains(&b)));
    assert!(
        username.bytes().any(|b| b.is_ascii_alphanumeric()),
        "{username:?}"
    );
    assert!(user.name.as_str().chars().count() <= 250);
    assert!(!user.name.as_str().chars().any(char::is_control));
    let password = user.password.expose().chars().count();
    assert!((8..=1024).contains(&password));
    if let Some(email) = &user.email {
        assert!(email.as_str().contains('@'), "{:?}", email.as_str());
    }
}

fn check_update(update: &UserUpdate) {
    assert!(!update.is_empty());
    if let Some(username) = &update.username {
        assert!((1..=64).contains(&username.as_str().len()));
    }
    if let Some(name) = &update.name {
        assert!(!name.as_str().chars().any(char::is_control));
    }
}

/// Every request body type, decoded from `bytes` and validated.
fn feed(bytes: &[u8]) {
    for parsed in decode_both::<CreateUserBody>(bytes, FormShape::UserObject) {
        if let Ok(Ok(user)) = parsed.map(NewUser::try_from) {
            check_new_user(&user);
        }
    }
    for parsed in decode_both::<RegisterBody>(bytes, FormShape::Fields) {
        if let Ok(Ok(user)) = parsed.map(NewUser::try_from) {
            check_new_user(&user);
            assert!(!user.is_admin, "registration never asks for admin");
        }
    }
    for parsed in decode_both::<UpdateUserBody>(bytes, FormShape::UserObject) {
        if let Ok(Ok(update)) = parsed.map(UserUpdate::try_from) {
            check_update(&update);
        }
    }
    drop(decode_both::<LoginBody>(bytes, FormShape::Fields));
    drop(decode_both::<PasswordBody>(bytes, FormShape::Fields));
}

/// JSON objects made of the fields the API knows, with values of any JSON type.
fn json_object() -> impl Strategy<Value = Value> {
    let key = prop::sample::select(vec![
        "username",
        "password",
        "email",
        "name",
        "isAdmin",
        "disabled",
        "oldPassword",
        "user",
        "extra",
    ]);
    let value = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,80}".prop_map(Value::String),
        "[a-zA-Z0-9._@+-]{0,70}".prop_map(Value::String),
    ];
    prop::collection::vec((key, value), 0..8).prop_map(|fields| {
        Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect::<Map<_, _>>(),
        )
    })
}

proptest! {
    // Bounded, and no regression files in the tree: a failure prints its minimal input.
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        feed(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,256}") {
        feed(text.as_bytes());
    }

    #[test]
    fn json_objects_of_known_fields_never_panic(object in json_object()) {
        let json = object.to_string();
        feed(json.as_bytes());
        // The same object in the form value `user`, and as plain form fields.
        let form = serde_urlencoded::to_string([("user", &json)]).unwrap_or_default();
        feed(form.as_bytes());
        if let Value::Object(fields) = &object {
            let pairs: Vec<(String, String)> = fields
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect();
            feed(serde_urlencoded::to_string(&pairs).unwrap_or_default().as_bytes());
        }
    }

    #[test]
    fn valid_users_are_accepted_in_every_encoding(
        username in "[a-zA-Z0-9._-]{0,31}[a-zA-Z0-9][a-zA-Z0-9._-]{0,32}",
        password in "[^\\p{Cc}]{8,60}",
        name in "[^\\p{Cc}\\p{Cf}]{0,60}",
        is_admin in any::<bool>(),
    ) {
        let object = serde_json::json!({
            "username": username, "password": password, "name": name, "isAdmin": is_admin,
        });
        let json = object.to_string();
        let user_value = serde_urlencoded::to_string([("user", &json)]).unwrap_or_default();
        let admin = is_admin.to_string();
        let fields = serde_urlencoded::to_string([
            ("username", &username), ("password", &password), ("name", &name), ("isAdmin", &admin),
        ]).unwrap_or_default();
        for (encoding, bytes) in [
            (Encoding::Json, json.as_bytes()),
            (Encoding::Form, user_value.as_bytes()),
            (Encoding::Form, fields.as_bytes()),
        ] {
            let parsed = body::parse::<CreateUserBody>(encoding, bytes, FormShape::UserObject)
                .map_err(|e| e.to_string())
                .and_then(|b| NewUser::try_from(b).map_err(|e| e.to_string()));
            let user = match parsed {
                Ok(user) => user,
                Err(e) => return Err(TestCaseError::fail(format!("{encoding:?} {bytes:?}: {e}"))),
            };
            check_new_user(&user);
            prop_assert_eq!(user.username.as_str(), username.as_str());
            prop_assert_eq!(user.name.as_str(), name.as_str());
            prop_assert_eq!(user.is_admin, is_admin);
        }
    }

    #[test]
    fn query_and_path_values_never_panic(a in ".{0,40}", b in ".{0,40}") {
        if let Ok(page) = Page::parse(Some(&a), Some(&b)) {
            prop_assert!((1..=Page::MAX_SIZE as i64).contains(&page.size()));
            prop_assert!(page.offset() >= 0);
        }
        if let Ok(id) = UserId::parse(&a) {
            prop_assert!(id.get() > 0);
            prop_assert_eq!(id.get().to_string(), a.clone());
        }
        let _ = AuditEvent::parse(&a);
        if let Ok(Some(term)) = SearchTerm::parse(Some(&a)) {
            prop_assert!(term.like_pattern().len() >= a.len() + 2);
        }
    }
}
