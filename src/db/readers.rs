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
    /// Tells these readers from those of another store (tests run many) in [`SLOT`].
    id: usize,
    /// The next slot to deal to a thread.
    next: AtomicUsize,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Readers({})", self.queues.len())
    }
}

thread_local! {
    /// Which reader this thread sends to (the readers' id, the slot), chosen on its first
    /// lookup.
    static SLOT: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
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
        static IDS: AtomicUsize = AtomicUsize::new(0);
        Ok(Self {
            queues,
            id: IDS.fetch_add(1, Ordering::Relaxed),
            next: AtomicUsize::new(0),
        })
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
        SLOT.with(|slot| match slot.get() {
            Some((id, n)) if id == self.id => n,
            _ => {
                let n = self.next.fetch_add(1, Ordering::Relaxed) % self.queues.len();
                slot.set(Some((self.id, n)));
                n
            }
        })
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use diesel::connection::SimpleConnection;

    use super::*;
    use crate::config::DatabaseUrl;

    fn readers(count: usize) -> (tempfile::TempDir, Readers) {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("readers.db"));
        let readers = Readers::start(count, Manager::new(url, Duration::from_secs(1))).unwrap();
        (dir, readers)
    }

    fn thread_name() -> String {
        std::thread::current().name().unwrap_or("").to_owned()
    }

    #[tokio::test]
    async fn a_lookup_runs_on_a_reader_with_its_connection_and_survives_a_panic() {
        let (_dir, readers) = readers(1);
        let name = readers
            .run(|conn| {
                conn.batch_execute("SELECT 1")?;
                Ok::<_, StoreError>(thread_name())
            })
            .await
            .unwrap();
        assert_eq!(name, "roster-reader-0");
        let panicked = readers
            .run(|_| -> Result<(), StoreError> { panic!("a bug in a lookup") })
            .await;
        assert!(matches!(panicked, Err(StoreError::Task(_))));
        let again = readers.run(|_| Ok::<_, StoreError>(thread_name())).await;
        assert_eq!(again.unwrap(), "roster-reader-0");
    }

    #[test]
    fn each_thread_keeps_one_reader_and_threads_are_dealt_out_in_turn() {
        let (_dir, readers) = readers(2);
        let readers = std::sync::Arc::new(readers);
        let names: Vec<(String, String)> = (0..2)
            .map(|_| {
                let readers = readers.clone();
                std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_time()
                        .build()
                        .unwrap();
                    let ask = || readers.run(|_| Ok::<_, StoreError>(thread_name()));
                    runtime.block_on(async { (ask().await.unwrap(), ask().await.unwrap()) })
                })
            })
            .map(|thread| thread.join().unwrap())
            .collect();
        assert_eq!(names[0].0, names[0].1, "one thread, one reader");
        assert_eq!(names[1].0, names[1].1, "one thread, one reader");
        assert_ne!(names[0].0, names[1].0, "two threads, two readers");
    }
}
