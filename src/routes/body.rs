//! `JsonOrForm<T>`: a request body as JSON, as plain form fields, or as Vikunja's form value
//! `user=<json>`, at most 64 KiB. Every failure becomes an `ApiError`. Behind a guard
//! (`Guarded`), the body is read only after authentication.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer};

use super::error::ApiError;
use super::extractors::state_of;

/// The largest body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How form data carries the fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormShape {
    /// Plain fields: `username=..&password=..`.
    Fields,
    /// The JSON object in the value `user` (`user={"name": ".."}`), as Vikunja takes it;
    /// plain fields are accepted too.
    UserObject,
}

/// How a body is encoded, by its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `application/json`, or no `Content-Type`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// A body type, and how form data carries it.
pub trait RequestBody: DeserializeOwned + 'static {
    /// Plain fields only, or also the JSON object in `user`.
    const FORM: FormShape = FormShape::Fields;
}

/// The request body, parsed into `T`.
#[derive(Debug)]
pub struct JsonOrForm<T>(pub T);

impl<T: RequestBody> FromRequest for JsonOrForm<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // Nothing happens before the future is polled: an earlier extractor's error wins.
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move {
            let encoding = encoding_of(&req)?;
            let wait = state_of(&req)?.request_timeout;
            // A client that stalls mid-body must not hold the connection open.
            let bytes = tokio::time::timeout(wait, collect(&req, payload, MAX_BODY_BYTES))
                .await
                .map_err(|_| ApiError::RequestTimeout)??;
            parse(encoding, &bytes, T::FORM).map(Self)
        })
    }
}

/// Parses a complete body into `T`.
pub fn parse<T: DeserializeOwned>(
    encoding: Encoding,
    bytes: &[u8],
    shape: FormShape,
) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::EmptyPayload);
    }
    match encoding {
        Encoding::Json => from_json(bytes),
        Encoding::Form => {
            let user_object = match shape {
                FormShape::UserObject => form_value(bytes, "user")?,
                FormShape::Fields => None,
            };
            match user_object {
                Some(json) if json.trim().is_empty() => Err(ApiError::EmptyPayload),
                Some(json) => from_json(json.as_bytes()),
                None => serde_urlencoded::from_bytes(bytes)
                    .map_err(|e| ApiError::InvalidBody(e.to_string())),
            }
        }
    }
}

fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::InvalidBody(e.to_string()))
}

/// The media type of the body, lowercase and without parameters (`None`: no
/// `Content-Type`); a header that is not text is refused.
pub fn media_type(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(CONTENT_TYPE) else {
        return Ok(None);
    };
    let essence = value
        .to_str()
        .map_err(|_| ApiError::UnsupportedMediaType)?
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    Ok(Some(essence))
}

fn encoding_of(req: &HttpRequest) -> Result<Encoding, ApiError> {
    // curl and scripts often omit it; JSON is the API's native encoding.
    let Some(essence) = media_type(req)? else {
        return Ok(Encoding::Json);
    };
    match essence.as_str() {
        "application/json" => Ok(Encoding::Json),
        "application/x-www-form-urlencoded" => Ok(Encoding::Form),
        _ => Err(ApiError::UnsupportedMediaType),
    }
}

/// The whole body, refused as too large past `limit` bytes (by its declared length before
/// reading any of it).
pub async fn collect(
    req: &HttpRequest,
    mut payload: Payload,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(ApiError::PayloadTooLarge);
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::InvalidBody(e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The value of `key` in form data, if present. A field beside it is refused, like an
/// unknown field anywhere else: it would otherwise be dropped without a word.
fn form_value(bytes: &[u8], key: &str) -> Result<Option<String>, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(bytes).map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    let Some(value) = pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()) else {
        return Ok(None);
    };
    if let Some((other, _)) = pairs.iter().find(|(k, _)| k != key) {
        return Err(ApiError::InvalidBody(format!(
            "unknown field `{other}` beside `{key}`: send every field inside `{key}`, or all as plain fields"
        )));
    }
    Ok(Some(value))
}

/// For `Option<Option<T>>` fields: absent → `None`, `null` → `Some(None)`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// For `Option<T>` fields that may be absent but not `null`: `null` is refused like any
/// other value of the wrong type, never taken for "absent".
pub fn not_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// For fields that must not be sent at all: true when present, whatever the value.
pub fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}
