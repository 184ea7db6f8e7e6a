//! `Store`: where an operation's connection comes from, and the one way database work
//! leaves the async workers (a blocking call on an async worker stalls every request on it).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::readers::Readers;
use super::{Conn, Pool, StoreError};

/// The server's pool, or the single connection of a short-lived command (a pool keeps
/// background threads that would still be using the client library while the process
/// exits).
#[derive(Clone)]
pub enum Store {
    /// Pooled connections, for the server. Work that has not finished within `deadline`
    /// (`ROSTER_DB_TIMEOUT`) is answered as unavailable: a frozen database server answers
    /// nothing, not even to the statement timeouts it enforces itself.
    Pool {
        /// The connections.
        pool: Pool,
        /// The longest a request waits for its database work.
        deadline: Duration,
        /// SQLite's reader threads for [`Store::lookup`] (none on server backends).
        readers: Option<Arc<Readers>>,
    },
    /// One connection, for the command line, with no deadline (an import may take
    /// minutes, and the operator is watching).
    Single(Arc<Mutex<Conn>>),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pool {
                pool,
                deadline,
                readers,
            } => {
                write!(
                    f,
                    "Store::Pool({:?}, {deadline:?}, {readers:?})",
                    pool.state()
                )
            }
            Self::Single(_) => f.write_str("Store::Single"),
        }
    }
}

impl Store {
    /// A store over one connection.
    pub fn single(conn: Conn) -> Self {
        Self::Single(Arc::new(Mutex::new(conn)))
    }

    /// Runs `f` with a connection on the blocking thread pool, within the store's deadline.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let deadline = match self {
            Self::Pool { deadline, .. } => Some(*deadline),
            Self::Single(_) => None,
        };
        self.run_within(deadline, f).await
    }

    /// Runs `f`, a short read by key (a token, one row), like [`Store::run`]: on SQLite on
    /// the calling worker's reader thread (see [`Readers`]), elsewhere on the pool. `f`
    /// should only read: a write would make the reader, and every lookup queued behind it,
    /// wait for SQLite's write lock.
    pub async fn lookup<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let Self::Pool {
            readers: Some(readers),
            deadline,
            ..
        } = self
        else {
            return self.run(f).await;
        };
        match tokio::time::timeout(*deadline, readers.run(f)).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Unavailable(TimedOut(*deadline).into()).into()),
        }
    }

    /// Runs `f` like [`Store::run`], answering unavailable after `deadline` if given. The
    /// blocking task itself cannot be stopped: it finishes (or fails) when the database
    /// answers again, and its connection goes back to the pool then. A write cut off this
    /// way may still commit later.
    pub async fn run_within<T, E, F>(&self, deadline: Option<Duration>, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let store = self.clone();
        let task = crate::logging::spawn_blocking(move || store.with_conn(f));
        let finished = match deadline {
            Some(deadline) => match tokio::time::timeout(deadline, task).await {
                Ok(finished) => finished,
                Err(_) => return Err(StoreError::Unavailable(TimedOut(deadline).into()).into()),
            },
            None => task.await,
        };
        match finished {
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
            Self::Pool { pool, .. } => {
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
            Self::Pool { pool, .. } => {
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

/// What kind of read a piece of work is, for where it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// A short read by key (a token, one row): [`Store::lookup`].
    Lookup,
    /// Anything longer (a list, a search): [`Store::run`].
    Scan,
}

/// The database did not answer within the deadline.
#[derive(Debug, thiserror::Error)]
#[error("the database did not answer within {0:?}")]
struct TimedOut(Duration);
