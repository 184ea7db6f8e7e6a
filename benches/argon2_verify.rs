//! One argon2id verification with Roster's parameters, timed: the divisor of the login
//! ceiling (cores ÷ verify time) that `benches/run.sh` compares the login rate with.
//!
//!     cargo bench --bench argon2_verify

use std::time::Instant;

use roster::auth::password::{hash, verify, Workspace};
use roster::domain::Password;

fn main() {
    let mut memory = Workspace::new();
    let password = Password::unchecked("plum-kayak-41-zebra".to_owned());
    let Ok(stored) = hash(&password, &mut memory) else {
        eprintln!("hashing failed");
        std::process::exit(1);
    };
    let mut times: Vec<f64> = (0..30)
        .map(|_| {
            let started = Instant::now();
            assert!(verify(&password, &stored, &mut memory));
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    // The median of 30, in milliseconds.
    println!("argon2id verify ms: {:.2}", times[times.len() / 2]);
}
