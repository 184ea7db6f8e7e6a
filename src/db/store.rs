//! `Store`: where an operation's connection comes from, and the one way database work
//! leaves the async workers (a blocking call on an async worker stalls every request on it).

use std::sync::{Arc, Mutex};

use super::{Conn, Pool, StoreError};

/// The server's pool, or the single connection of a short-lived command (a pool keeps
/// background threads that would still be using the client library while the process
/// exits).
#[derive(Clone)]
pub enum Store {
    /// Pooled connections, for the server.
    Pool(Pool),
    /// One connection, for the command line.
    Single(Arc<Mutex<Conn>>),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pool(pool) => write!(f, "Store::Pool({:?})", pool.state()),
            Self::Single(_) => f.write_str("Store::Single"),
        }
    }
}

impl Store {
    /// A store over one connection.
    pub fn single(conn: Conn) -> Self {
        Self::Single(Arc::new(Mutex::new(conn)))
    }

    /// Runs `f` with a connection on the blocking thread pool.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let store = self.clone();
        match actix_rt::task::spawn_blocking(move || store.with_conn(f)).await {
            Ok(result) => result,
            Err(failed) => Err(StoreError::Task(failed.to_string()).into()),
        }
    }

    /// Runs `f` with a connection on this thread (already off the async workers).
    pub fn with_conn<T, E>(&self, f: impl FnOnce(&mut Conn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        match self {
            Self::Pool(pool) => {
                let mut conn = pool.get().map_err(|e| StoreError::Unavailable(e.into()))?;
                f(&mut conn)
            }
            // The connection stays valid even if a holder panicked.
            Self::Single(conn) => f(&mut conn.lock().unwrap_or_else(|e| e.into_inner())),
        }
    }

    /// Connections lent out and idle, for the metrics page (none for a single connection).
    pub fn usage(&self) -> (u32, u32) {
        match self {
            Self::Pool(pool) => {
                let state = pool.state();
                (
                    state.connections - state.idle_connections,
                    state.idle_connections,
                )
            }
            Self::Single(_) => (0, 0),
        }
    }
}
