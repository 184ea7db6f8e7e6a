//! argon2id verification with Roster's parameters, timed two ways: alone on one core, and
//! with every core verifying at once (argon2 is memory-bound, so parallel runs slow each
//! other down). The second gives the machine's real login ceiling: verifications per
//! second with all cores busy. `benches/run.sh` compares the login rate with both.
//!
//!     cargo bench --bench argon2_verify

use std::thread;
use std::time::Instant;

use roster::auth::password::{hash, verify, Workspace};
use roster::domain::Password;

const RUNS: usize = 30;

fn main() {
    let password = Password::unchecked("plum-kayak-41-zebra".to_owned());
    let Ok(stored) = hash(&password, &mut Workspace::new()) else {
        eprintln!("hashing failed");
        std::process::exit(1);
    };
    let verify_all = |count: usize| {
        let mut memory = Workspace::new();
        for _ in 0..count {
            assert!(verify(&password, &stored, &mut memory));
        }
    };

    let mut alone: Vec<f64> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            verify_all(1);
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    alone.sort_by(f64::total_cmp);
    println!("argon2id verify ms alone: {:.2}", alone[RUNS / 2]);

    let cores = thread::available_parallelism().map_or(1, usize::from);
    let started = Instant::now();
    thread::scope(|scope| {
        for _ in 0..cores {
            scope.spawn(|| verify_all(RUNS));
        }
    });
    let per_second = (cores * RUNS) as f64 / started.elapsed().as_secs_f64();
    println!("argon2id verifications per second on {cores} busy cores: {per_second:.1}");
}
