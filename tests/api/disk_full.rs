//! A full disk: writes answer 503 5032 with `Retry-After` and store nothing, reads go on,
//! readiness reports it, and service resumes once space is freed. SQLite on a real 2 MiB
//! tmpfs, filled for real. Mounting needs root: elsewhere the test says so and passes,
//! except under CI, which must run it.

use std::io::Write;
use std::process::Command;
use std::sync::Arc;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Body, TestApp, TestDatabase};

/// A tmpfs of `size`, unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|status| status.success());
        if mounted {
            return Some(Self { dir });
        }
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must be able to mount a tmpfs (it runs as root)"
        );
        eprintln!("skipped: mounting a tmpfs needs root");
        None
    }

    /// Writes a file until the disk is full; removing it frees the space.
    fn fill(&self) -> std::path::PathBuf {
        let path = self.dir.path().join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 4096];
        while file.write_all(&chunk).is_ok() {}
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily: the server still holds its files open until the test's runtime ends.
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test]
async fn a_full_disk_answers_503_and_service_resumes_when_space_is_freed() {
    let Some(disk) = SmallDisk::mount("2m") else {
        return;
    };
    let url = format!("sqlite://{}", disk.dir.path().join("roster.db").display());
    let database: Arc<TestDatabase> = TestDatabase::create();
    let app = TestApp::spawn_on(database, url, &[]);
    let admin = app.admin().await;
    let filler = disk.fill();

    let body = json!({"username": "bob", "password": "bob-glacier-kettle"});
    let answer = app.put("/users", Some(&admin.token), body.clone()).await;
    answer.assert_error(503, 5032);
    assert_eq!(answer.header("retry-after").as_deref(), Some("60"));
    // Reads go on, and nothing half-written is there.
    let users = app.all_users(&admin).await;
    assert_eq!(users.len(), 1, "{users:?}");
    let ready = app
        .raw_request(Method::GET, "/health/ready", None, Body::None)
        .await;
    ready.assert_error(503, 5032);

    std::fs::remove_file(filler).unwrap();
    app.put("/users", Some(&admin.token), body).await.ok();
    app.raw_request(Method::GET, "/health/ready", None, Body::None)
        .await
        .ok();
    app.login("bob", "bob-glacier-kettle").await.ok();
}
