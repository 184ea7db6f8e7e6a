//! Roster: a user-management REST service with a versioned JSON API.
//!
//! Layers, top to bottom (imports point down only): the doors `routes` (HTTP) and `cli`
//! (the `roster user` commands), built by `startup`; `accounts`, the one application layer
//! under every door; then `domain`, `models`, `db`, `auth`, `security`; `config`,
//! `logging`, `metrics` and `views` beside them. docs/architecture.md draws it.

// Unit tests may unwrap: a failed unwrap is a failed test. Production code may not.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod accounts;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod logging;
pub mod mail;
pub mod metrics;
pub mod models;
pub mod routes;
pub mod security;
pub mod startup;
pub mod views;
