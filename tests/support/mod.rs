//! Shared fixtures for the end-to-end tests: the sealed sandbox, real mail
//! servers and sendmail transports that hold a message in flight.
#![allow(clippy::unwrap_used)]

pub mod gated_sendmail;
pub mod held_sendmail;
pub mod mail_servers;
pub mod sandbox;
pub mod sendmail;
