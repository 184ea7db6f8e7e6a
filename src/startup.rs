//! Builds the running service: pool, migrations, shared state, listener, HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::ServiceResponse;
use actix_web::dev::{Server, ServerHandle};
use actix_web::http::header;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{from_fn, DefaultHeaders, ErrorHandlerResponse, ErrorHandlers};
use actix_web::ResponseError;
use actix_web::{web, App, HttpServer};

use crate::accounts::{Accounts, Rules};
use crate::auth::hashing::HashingPool;
use crate::auth::password::HashError;
use crate::config::Settings;
use crate::db::{self, DbError};
use crate::mail::worker::Worker;
use crate::mail::{MailError, Mailer};
use crate::metrics::Metrics;
use crate::routes::cookie::CookiePolicy;
use crate::routes::error::ApiError;
use crate::routes::state::AppState;
use crate::routes::{self, request_id};
use crate::security::clock::{Clock, SystemClock};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Database(#[from] DbError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// `ROSTER_BIND`.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The start-up hash could not be computed.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// Mail is set but cannot be set up (the sender, TLS).
    #[error("mail: {0}")]
    Mail(MailError),
}

/// `/metrics` alone, on its own address, so it can stay off the public interface.
fn metrics_server(addr: &str, state: web::Data<AppState>) -> Result<(u16, Server), StartupError> {
    let bind_error = |source| StartupError::Bind {
        addr: addr.to_owned(),
        source,
    };
    let listener = TcpListener::bind(addr).map_err(bind_error)?;
    let port = listener.local_addr().map_err(bind_error)?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(routes::metrics_page))
    })
    .workers(1)
    .listen(listener)
    .map_err(bind_error)?
    .run();
    Ok((port, server))
}

/// actix-cors refuses a preflight from another origin with a plain-text 400; answer it
/// like every other error instead (403 JSON). Other 400s are the API's own, already JSON.
fn refused_preflight<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_preflight = res.request().method() == Method::OPTIONS
        && res.request().headers().contains_key(header::ORIGIN);
    if !is_preflight {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let (req, _) = res.into_parts();
    let answer = ApiError::OriginNotAllowed.error_response();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, answer).map_into_right_body(),
    ))
}

/// CORS for the configured origins: preflights answered, `Authorization` and
/// `Content-Type` allowed, the pagination headers exposed. With no origins nothing is
/// allowed. Requests from other origins are served without CORS headers (the browser then
/// withholds the answer) rather than refused, so every answer stays JSON.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([
            "x-pagination-total-pages",
            "x-pagination-result-count",
            "x-pagination-total-count",
        ])
        .block_on_origin_mismatch(false)
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
    metrics: Option<(u16, Server)>,
    mail: Option<Worker>,
    accounts: Arc<Accounts>,
}

impl Application {
    /// Opens and migrates the database and binds the listener. With port 0 in `bind`, the
    /// OS picks a free port: see [`Application::port`].
    pub fn build(settings: &Settings) -> Result<Self, StartupError> {
        Self::build_with_clock(settings, Arc::new(SystemClock))
    }

    /// Like [`Application::build`], with the one clock every part reads (tests move it).
    pub fn build_with_clock(
        settings: &Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        let pool = db::connect(settings)?;
        let mut conn = pool.get().map_err(|e| DbError::Migrate(e.to_string()))?;
        let applied = db::migrate(&mut conn)?;
        drop(conn);
        if applied > 0 {
            log::info!("applied {applied} database migration(s)");
        }
        let hashing = HashingPool::new(settings.hash_concurrency, settings.hash_wait);
        let rules = Rules::from_settings(settings);
        // actix-web's default: one async worker per core.
        let workers = std::thread::available_parallelism().map_or(1, usize::from);
        let accounts = Arc::new(Accounts::new(
            db::server_store(settings, pool, workers)?,
            clock,
            hashing,
            rules,
        )?);
        let metrics = Metrics::default();
        let mail = match Mailer::from_settings(settings) {
            Ok(mailer) => Some(Worker::new(accounts.clone(), mailer, metrics.mail())),
            Err(MailError::Off) => None,
            Err(e) => return Err(StartupError::Mail(e)),
        };
        let state = web::Data::new(AppState {
            accounts: accounts.clone(),
            trusted_proxies: settings.trusted_proxies.clone(),
            metrics,
            public_url: settings.public_url.clone(),
            request_timeout: settings.request_timeout,
            web: CookiePolicy::from_settings(settings),
        });
        let state_for_metrics = state.clone();
        let bind_error = |source| StartupError::Bind {
            addr: settings.bind.clone(),
            source,
        };
        let listener = TcpListener::bind(&settings.bind).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let cors_origins = settings.cors_origins.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(cors(&cors_origins))
                .wrap(ErrorHandlers::new().handler(StatusCode::BAD_REQUEST, refused_preflight))
                // Every answer is about accounts: never cached, never sniffed.
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("Cache-Control", "no-store")),
                )
                // Outermost: every line written for the request, to its access line, is
                // written in its context; and it counts the request for the metrics.
                .wrap(from_fn(request_id::observe))
                .app_data(state.clone())
                .configure(routes::configure)
        })
        .workers(workers)
        .shutdown_timeout(settings.shutdown_timeout.as_secs())
        .client_request_timeout(settings.request_timeout)
        .listen(listener)
        .map_err(bind_error)?
        .run();
        let metrics = match &settings.metrics_bind {
            None => None,
            Some(addr) => Some(metrics_server(addr, state_for_metrics)?),
        };
        Ok(Self {
            port,
            server,
            metrics,
            mail,
            accounts,
        })
    }

    /// The account operations this server runs on (to wake its mail worker, say).
    pub fn accounts(&self) -> Arc<Accounts> {
        self.accounts.clone()
    }

    /// The port of the metrics address, when `ROSTER_METRICS_BIND` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the process is signalled or the handle stops it.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Some(worker) = self.mail else {
            return Self::serve(self.server, self.metrics).await;
        };
        // The worker runs beside the server and stops with it.
        tokio::select! {
            result = Self::serve(self.server, self.metrics) => result,
            () = worker.run() => Ok(()),
        }
    }

    async fn serve(server: Server, metrics: Option<(u16, Server)>) -> std::io::Result<()> {
        let Some((_, metrics)) = metrics else {
            return server.await;
        };
        // Both in this task; when the API server stops (signal or handle), so does /metrics.
        let metrics_handle = metrics.handle();
        let api = async {
            let result = server.await;
            metrics_handle.stop(true).await;
            result
        };
        let (result, _) = futures_util::future::join(api, metrics).await;
        result
    }
}
