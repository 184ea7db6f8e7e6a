//! `/api/v1`: the first version of the JSON API.

pub(crate) mod account;
pub(crate) mod audit;
pub(crate) mod forward;
pub(crate) mod groups;
pub(crate) mod info;
pub(crate) mod password;
pub(crate) mod recovery;
pub(crate) mod session;
pub(crate) mod tokens;
pub(crate) mod users;

#[cfg(test)]
mod parsing_properties;

use actix_web::web;

use super::resource;

/// Registers the `/api/v1` routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            // First: routes are tried in order, and each pattern with a `{…}` is a regular
            // expression run on the path (twice: routing, then the metrics' route label), so
            // the most asked-for one goes before the others (docs/performance.md).
            .service(
                resource("/users/{id}")
                    .route(web::get().to(users::get))
                    .route(web::post().to(users::update))
                    .route(web::delete().to(users::delete)),
            )
            .service(resource("/info").route(web::get().to(info::info)))
            .service(resource("/audit").route(web::get().to(audit::list)))
            // Proxies may ask with the method of the request they guard.
            .service(resource("/auth/forward").route(web::route().to(forward::forward)))
            .service(resource("/auth/request").route(web::route().to(forward::request)))
            .service(resource("/auth/return").route(web::get().to(forward::return_address)))
            .service(resource("/register").route(web::post().to(session::register)))
            .service(resource("/login").route(web::post().to(session::login)))
            .service(resource("/logout").route(web::post().to(session::logout)))
            .service(resource("/user").route(web::get().to(account::current)))
            .service(resource("/user/sessions").route(web::get().to(tokens::own_sessions)))
            .service(resource("/user/groups").route(web::get().to(groups::own)))
            .service(
                resource("/groups")
                    .route(web::get().to(groups::list))
                    .route(web::put().to(groups::create)),
            )
            .service(
                resource("/groups/{id}")
                    .route(web::get().to(groups::get))
                    .route(web::post().to(groups::update))
                    .route(web::delete().to(groups::delete)),
            )
            .service(
                resource("/groups/{id}/members")
                    .route(web::get().to(groups::members))
                    .route(web::put().to(groups::add_member)),
            )
            .service(
                resource("/groups/{id}/members/{user_id}")
                    .route(web::delete().to(groups::remove_member)),
            )
            .service(
                resource("/user/sessions/{id}").route(web::delete().to(tokens::end_own_session)),
            )
            .service(
                resource("/tokens")
                    .route(web::get().to(tokens::list))
                    .route(web::put().to(tokens::create)),
            )
            .service(resource("/tokens/{id}").route(web::delete().to(tokens::revoke)))
            .service(
                resource("/user/password/token").route(web::post().to(recovery::request_reset)),
            )
            .service(resource("/user/password/reset").route(web::post().to(recovery::reset)))
            .service(resource("/user/confirm").route(web::post().to(recovery::confirm)))
            .service(
                resource("/user/confirm/token")
                    .route(web::post().to(recovery::request_confirmation)),
            )
            .service(
                resource("/users")
                    .route(web::get().to(users::list))
                    .route(web::put().to(users::create)),
            )
            .service(resource("/users/{id}/password").route(web::post().to(password::change)))
            .service(resource("/users/{id}/sessions").route(web::get().to(tokens::user_sessions)))
            .service(resource("/users/{id}/tokens").route(web::get().to(tokens::user_tokens)))
            .service(resource("/users/{id}/groups").route(web::get().to(groups::of_user)))
            .service(resource("/users/{id}/logout-all").route(web::post().to(users::logout_all)))
            .service(
                resource("/users/{id}/lockout")
                    .route(web::get().to(users::lockout))
                    .route(web::delete().to(users::unlock)),
            ),
    );
}
