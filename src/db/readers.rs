//! Reader threads for SQLite key lookups: the token check and the read of one row that
//! nearly every request makes.
//!
//! The general blocking pool wakes a thread for each task it is given (a futex wake and two
//! context switches per request, a third of the CPU of a read under load). A reader is one
//! long-lived thread with its own connection and a queue: while it is busy, handing it the
//! next lookup is a push onto the queue, and it drains what has queued up without sleeping
//! in between. Each async worker thread sends to its own reader, so the workers never
//! contend for one queue. The lookups are still off the async workers: a page that is not
//! in the cache blocks the reader, never a worker.
//!
//! Only short reads by key come here. Scans (lists, searches) and writes stay on the pool,
//! so one slow statement cannot hold up the lookups queued behind it.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use r2d2::ManageConnection;

use super::connection::Manager;
use super::{Conn, StoreError};

type Job = Box<dyn FnOnce(&mut Result<Conn, String>) + Send>;

/// The reader threads of one store. They end when it is dropped (their queues close).
pub struct Readers {
    queues: Vec<mpsc::Sender<Job>>,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Readers({})", self.queues.len())
    }
}

thread_local! {
    /// Which reader this thread sends to, chosen on its first lookup.
    static SLOT: Cell<Option<usize>> = const { Cell::new(None) };
}

impl Readers {
    /// Starts `count` readers, each opening its connection through `manager` on its first
    /// lookup.
    pub fn start(count: usize, manager: Manager) -> std::io::Result<Self> {
        let manager = std::sync::Arc::new(manager);
        let queues = (0..count.max(1))
            .map(|n| {
                let (sender, jobs) = mpsc::channel::<Job>();
                let manager = manager.clone();
                std::thread::Builder::new()
                    .name(format!("roster-reader-{n}"))
                    .spawn(move || serve(&manager, &jobs))?;
                Ok(sender)
            })
            .collect::<std::io::Result<_>>()?;
        Ok(Self { queues })
    }

    /// Runs `f` on this thread's reader and hands back its answer.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let context = crate::logging::current();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Ok(conn) => crate::logging::within(context, || f(conn)),
                Err(reason) => Err(StoreError::Unavailable(reason.clone().into()).into()),
            };
            // The request may have stopped waiting (its deadline passed).
            let _ = answer.send(result);
        });
        if self.queues[self.slot()].send(job).is_err() {
            return Err(StoreError::Task("the reader thread has stopped".into()).into());
        }
        answered
            .await
            .unwrap_or_else(|_| Err(StoreError::Task("the lookup panicked".into()).into()))
    }

    /// The reader of the calling thread: threads are dealt out in turn, so with as many
    /// readers as async workers each worker has its own.
    fn slot(&self) -> usize {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let slot = SLOT.with(|slot| match slot.get() {
            Some(n) => n,
            None => {
                let n = NEXT.fetch_add(1, Ordering::Relaxed);
                slot.set(Some(n));
                n
            }
        });
        slot % self.queues.len()
    }
}

/// A reader's loop: one connection, opened on the first job (and again after a failure).
fn serve(manager: &Manager, jobs: &mpsc::Receiver<Job>) {
    let mut conn: Result<Conn, String> = Err("not connected yet".into());
    for job in jobs {
        if conn.is_err() {
            conn = manager.connect().map_err(|e| e.to_string());
        }
        // A panicking lookup drops its answer (the request gets a 500); the reader and its
        // connection carry on.
        let _ = panic::catch_unwind(AssertUnwindSafe(|| job(&mut conn)));
    }
}
