//! Integration tests: the real service over HTTP, one temporary database per test.
// Test code: a failed unwrap or expect is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod backends;
mod admin_cli;
mod api_tokens;
mod audit;
mod cli;
mod concurrency;
mod console;
mod cookies;
mod current_user;
mod disk_full;
mod errors;
mod forward_auth;
mod helpers;
mod import_export;
mod info;
mod instances;
mod login;
mod logout;
mod logs;
mod mail;
mod maintenance;
mod migrations;
mod openapi;
mod operations;
mod outage;
mod password;
mod password_policy;
mod persistence;
mod processes;
mod protocol;
mod races;
mod register;
mod sessions;
mod smtp;
mod storage;
mod throttle;
mod timeouts;
mod tokens;
mod users_create;
mod users_delete;
mod users_get;
mod users_list;
mod users_update;
