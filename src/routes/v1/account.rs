use actix_web::HttpResponse;

use crate::auth::AuthUser;
use crate::routes::views::UserView;

/// `GET /user`: the caller's own user object.
pub async fn current(auth: AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(UserView::from(auth.user))
}
