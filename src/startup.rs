//! Builds the running service: pool, migrations, shared state, listener, HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{DefaultHeaders, Logger};
use actix_web::{web, App, HttpServer};
use ipnet::IpNet;

use crate::auth::{self, password::HashError};
use crate::config::Settings;
use crate::db::{self, DbError};
use crate::routes;
use crate::security::clock::{Clock, SystemClock};
use crate::state::AppState;

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
}

/// One line per request: the client address as the trusted-proxy rule resolves it (not
/// a forgeable header), the request line, status, size and latency.
fn access_log(trusted_proxies: Arc<Vec<IpNet>>) -> Logger {
    Logger::new(r#"%{client}xi "%r" %s %b %Dms"#).custom_request_replace("client", move |req| {
        auth::client_ip_of(req.request(), &trusted_proxies).to_string()
    })
}

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Opens and migrates the database and binds the listener. With port 0 in `bind`, the
    /// OS picks a free port: see [`Application::port`].
    pub fn build(settings: &Settings) -> Result<Self, StartupError> {
        Self::build_with_clock(settings, Arc::new(SystemClock))
    }

    /// Like [`Application::build`], with the clock the throttle reads (tests move it).
    pub fn build_with_clock(
        settings: &Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        let pool = db::connect(settings)?;
        let applied = db::migrate(&pool)?;
        if applied > 0 {
            log::info!("applied {applied} database migration(s)");
        }
        let state = web::Data::new(AppState::new(pool, settings, clock)?);
        let trusted_proxies = Arc::new(settings.trusted_proxies.clone());
        let bind_error = |source| StartupError::Bind {
            addr: settings.bind.clone(),
            source,
        };
        let listener = TcpListener::bind(&settings.bind).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let server = HttpServer::new(move || {
            App::new()
                // Every answer is about accounts: never cached, never sniffed.
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("Cache-Control", "no-store")),
                )
                .wrap(access_log(trusted_proxies.clone()))
                .app_data(state.clone())
                .configure(routes::configure)
        })
        .listen(listener)
        .map_err(bind_error)?
        .run();
        Ok(Self { port, server })
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
        self.server.await
    }
}
