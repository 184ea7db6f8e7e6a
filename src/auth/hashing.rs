//! `HashingPool`: argon2 off the async workers, with bounded concurrency and memory.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Semaphore;

use super::password::Workspace;

/// Why a hashing run did not happen.
#[derive(Debug, thiserror::Error)]
pub enum HashingError {
    /// Every permit stayed taken for the configured wait.
    #[error("every hashing slot stayed busy")]
    Busy,
    /// The blocking task failed (it panicked), or the pool was closed.
    #[error("a hashing task failed: {0}")]
    Task(String),
}

/// Runs argon2 with bounded concurrency and memory: `permits` runs at once, each with one
/// of at most `permits` reused workspaces of 19 MiB. Waiting for a permit is async and
/// cheap; past `wait` the caller gets [`HashingError::Busy`] rather than queueing without
/// bound.
#[derive(Debug)]
pub struct HashingPool {
    permits: Semaphore,
    total: usize,
    spare: Mutex<Vec<Workspace>>,
    wait: Duration,
}

impl HashingPool {
    /// A pool of `permits` concurrent runs, waiting at most `wait` for one.
    pub fn new(permits: usize, wait: Duration) -> Self {
        Self {
            permits: Semaphore::new(permits),
            total: permits,
            spare: Mutex::new(Vec::with_capacity(permits)),
            wait,
        }
    }

    /// Runs `work` on the blocking pool with a permit and a workspace.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Workspace) -> T + Send + 'static,
    ) -> Result<T, HashingError> {
        let _permit = match tokio::time::timeout(self.wait, self.permits.acquire()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(closed)) => return Err(HashingError::Task(closed.to_string())),
            Err(_elapsed) => return Err(HashingError::Busy),
        };
        // A permit holder always finds a workspace or may make one: never more than
        // `permits` exist.
        let mut memory = self.spares().pop().unwrap_or_default();
        let (result, memory) = crate::logging::spawn_blocking(move || {
            let result = work(&mut memory);
            (result, memory)
        })
        .await
        .map_err(|failed| HashingError::Task(failed.to_string()))?;
        self.spares().push(memory);
        Ok(result)
    }

    /// Permits taken, and permits in all.
    pub fn usage(&self) -> (usize, usize) {
        (self.total - self.permits.available_permits(), self.total)
    }

    /// How many runs may go at once.
    pub fn permits(&self) -> usize {
        self.total
    }

    fn spares(&self) -> MutexGuard<'_, Vec<Workspace>> {
        // The vector is always valid, even if a holder panicked.
        self.spare.lock().unwrap_or_else(|e| e.into_inner())
    }
}
