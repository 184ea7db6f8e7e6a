//! Start-up migrations when several instances start together on a new database.

use roster::config::Settings;
use roster::db;

use crate::helpers::TestDatabase;

backend_tests! {
    async fn instances_starting_together_migrate_once() {
        let database = TestDatabase::create();
        let url = database.url.clone();
        let settings = Settings::from_lookup(|name| {
            (name == "ROSTER_DATABASE_URL").then(|| url.clone())
        })
        .unwrap();
        let starts: Vec<_> = (0..3)
            .map(|_| {
                let settings = settings.clone();
                std::thread::spawn(move || {
                    let mut conn = db::connect_one(&settings).map_err(|e| e.to_string())?;
                    db::migrate(&mut conn).map_err(|e| e.to_string())
                })
            })
            .collect();
        let applied: Vec<usize> = starts
            .into_iter()
            .map(|start| start.join().unwrap().unwrap())
            .collect();
        // One instance applied the migrations; the others found nothing left to do.
        let applying: Vec<_> = applied.iter().filter(|n| **n > 0).collect();
        assert_eq!(applying.len(), 1, "{applied:?}");
    }
}
