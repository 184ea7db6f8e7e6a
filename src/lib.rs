//! Roster: a user-management REST service with a versioned JSON API.

pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod models;
pub mod routes;
pub mod startup;
pub mod state;
