//! Shared helpers for the end-to-end tests. Each test file uses a part.
#![allow(dead_code, clippy::unwrap_used)]

pub mod gated_sendmail;
pub mod held_sendmail;
pub mod mail_servers;
pub mod sandbox;
pub mod sendmail;
