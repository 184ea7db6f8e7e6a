use actix_web::HttpResponse;

use crate::routes::extractors::AuthUser;
use crate::routes::responses::{InternalError, Unauthenticated, Unavailable};
use crate::views::UserView;

/// `GET /user`: the caller's own user object.
#[utoipa::path(
    get,
    path = "/api/v1/user",
    operation_id = "getCurrentUser",
    summary = "The signed-in user",
    tag = "account",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The signed-in user.", body = UserView),
        (status = 401, response = Unauthenticated),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn current(auth: AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(UserView::from(auth.0.user))
}
