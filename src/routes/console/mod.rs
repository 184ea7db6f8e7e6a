//! The admin console: a single page written against `/api/v1` like any other frontend,
//! its HTML, CSS and JavaScript modules compiled into the binary (no build step, nothing
//! fetched from elsewhere). Served at `/` and `/console/`, under a strict
//! Content-Security-Policy.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::error::ApiError;
use super::resource;

/// Where the console's files live; the page at `/` loads them from here too.
pub const BASE_PATH: &str = "/console/";

/// Only the console's own files, no inline script or style, no framing, no other origin:
/// user data that slipped into the page as markup still could not run.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

macro_rules! asset {
    ($name:literal, $content_type:literal) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_str!(concat!("assets/", $name)),
        }
    };
}

const INDEX: Asset = asset!("index.html", "text/html; charset=utf-8");

/// Every file the page loads.
const ASSETS: &[Asset] = &[
    asset!("console.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("access.js", "text/javascript; charset=utf-8"),
    asset!("address.js", "text/javascript; charset=utf-8"),
    asset!("api.js", "text/javascript; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("audit.js", "text/javascript; charset=utf-8"),
    asset!("dom.js", "text/javascript; charset=utf-8"),
    asset!("format.js", "text/javascript; charset=utf-8"),
    asset!("groups.js", "text/javascript; charset=utf-8"),
    asset!("links.js", "text/javascript; charset=utf-8"),
    asset!("profile.js", "text/javascript; charset=utf-8"),
    asset!("register.js", "text/javascript; charset=utf-8"),
    asset!("returnto.js", "text/javascript; charset=utf-8"),
    asset!("signin.js", "text/javascript; charset=utf-8"),
    asset!("user_dialog.js", "text/javascript; charset=utf-8"),
    asset!("users.js", "text/javascript; charset=utf-8"),
];

/// The pages the links in Roster's mails open (`ROSTER_PUBLIC_URL` + path + `?token=`):
/// the console, which reads the token from the address.
pub const MAIL_LINK_PATHS: [&str; 2] = ["/reset-password", "/confirm-email"];

/// Registers `/`, the mail link pages, `/console` (a redirect), `/console/` and the files
/// beneath it.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for path in MAIL_LINK_PATHS {
        cfg.service(resource(path).route(web::get().to(index)));
    }
    cfg.service(resource("/").route(web::get().to(index)))
        .service(resource("/console").route(web::get().to(redirect_to_console)))
        .service(resource(BASE_PATH).route(web::get().to(index)))
        // In a scope, so that other paths skip the `{file}` pattern (a regular expression)
        // with a prefix comparison.
        .service(
            web::scope("/console")
                .service(resource("/{file}").route(web::get().to(file)))
                .default_service(web::to(super::route_not_found)),
        );
}

async fn index() -> HttpResponse {
    serve(&INDEX)
}

async fn redirect_to_console() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, BASE_PATH))
        .finish()
}

async fn file(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let asset = ASSETS
        .iter()
        .find(|asset| asset.name == name.as_str())
        .ok_or(ApiError::RouteNotFound)?;
    Ok(serve(asset))
}

fn serve(asset: &Asset) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(asset.body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AuditEvent;

    fn scripts() -> impl Iterator<Item = &'static Asset> {
        ASSETS.iter().filter(|a| a.name.ends_with(".js"))
    }

    #[test]
    fn user_data_is_never_written_as_markup() {
        for asset in scripts() {
            for sink in [
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
                "eval(",
            ] {
                assert!(!asset.body.contains(sink), "{} uses {sink}", asset.name);
            }
        }
    }

    #[test]
    fn the_page_has_no_inline_script_or_style() {
        let html = INDEX.body;
        for tag in html.match_indices("<script").map(|(at, _)| &html[at..]) {
            let open = &tag[..tag.find('>').unwrap()];
            assert!(open.contains("src=\"/console/"), "inline script: {open}");
        }
        assert!(!html.contains("<style") && !html.contains(" style="));
        let handler = html
            .split(|c: char| c.is_whitespace() || c == '<')
            .find(|word| word.starts_with("on") && word.contains('='));
        assert_eq!(handler, None, "inline event handler");
    }

    #[test]
    fn every_module_the_page_imports_is_served() {
        let imported = scripts().flat_map(|a| {
            a.body
                .lines()
                .filter_map(|line| line.split(" from \"./").nth(1))
                .map(|rest| rest.trim_end_matches("\";"))
        });
        let linked = ["app.js", "console.css", "favicon.svg"];
        for name in linked {
            assert!(INDEX.body.contains(&format!("\"{BASE_PATH}{name}\"")));
        }
        for name in imported.chain(linked) {
            assert!(
                ASSETS.iter().any(|a| a.name == name),
                "{name} is not served"
            );
        }
    }

    #[test]
    fn the_audit_filter_offers_every_event_type() {
        let audit = scripts().find(|a| a.name == "audit.js").unwrap();
        for event in AuditEvent::ALL {
            let quoted = format!("\"{}\"", event.as_str());
            assert!(audit.body.contains(&quoted), "audit.js lacks {quoted}");
        }
    }
}
