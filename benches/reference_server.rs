//! The framework's ceiling on this machine: a minimal actix-web server that answers
//! `GET /api/v1/users/{id}` with a fixed user JSON after comparing a fixed bearer token,
//! with no database. `benches/run.sh` drives it and Roster with the same load.
//!
//!     cargo bench --bench reference_server -- 127.0.0.1:18801

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde::Serialize;

const TOKEN: &str = "Bearer reference-token-0123456789abcdefghijklmnopqrstuv";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct User {
    id: i64,
    name: &'static str,
    username: &'static str,
    password: &'static str,
    email: &'static str,
    is_admin: bool,
    disabled: bool,
    created: i64,
    updated: i64,
}

async fn user(req: HttpRequest, id: web::Path<i64>) -> HttpResponse {
    let authorized = req
        .headers()
        .get("authorization")
        .is_some_and(|value| value.as_bytes() == TOKEN.as_bytes());
    if !authorized {
        return HttpResponse::Unauthorized().finish();
    }
    HttpResponse::Ok().json(User {
        id: id.into_inner(),
        name: "Ada Andersen",
        username: "user0000005",
        password: "",
        email: "user0000005@example.com",
        is_admin: false,
        disabled: false,
        created: 1_763_900_000,
        updated: 1_763_900_000,
    })
}

fn main() -> std::io::Result<()> {
    // `cargo bench` adds `--bench`; the address is the other argument.
    let address = std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with("--"))
        .unwrap_or_else(|| "127.0.0.1:18801".to_owned());
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(|| App::new().route("/api/v1/users/{id}", web::get().to(user)))
            .workers(2)
            .bind(address)?
            .run()
            .await
    })
}
