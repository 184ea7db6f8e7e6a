//! Roster: a user-management REST service with a versioned JSON API.

// Unit tests may unwrap: a failed unwrap is a failed test. Production code may not.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod admin_cli;
pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod metrics;
pub mod models;
pub mod routes;
pub mod security;
pub mod startup;
pub mod state;
pub mod transfer;
