//! Shared fixtures for the end-to-end tests: the sealed sandbox, real mail
//! servers and sendmail transports that hold a message in flight.
#![allow(clippy::unwrap_used)]

pub(crate) mod gated_sendmail;
pub(crate) mod held_sendmail;
pub(crate) mod mail_servers;
pub(crate) mod sandbox;
pub(crate) mod sendmail;
