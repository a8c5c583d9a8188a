//! intro's end-to-end tests, one binary with a module per area: each runs
//! the real `intro` in a sealed sandbox (`support`), many against real mail
//! servers on 127.0.0.1. One binary links once, and its modules share the
//! fixtures in `support`.
//!
//! Run one area with `scripts/test --test main batch::`.

mod support;

mod address_book;
mod bad_input;
mod batch;
mod both_sides;
mod concurrency;
mod contacts_import;
mod core_loop;
mod disk_full;
mod errors;
mod faults;
mod mail_servers_selftest;
mod messages;
mod note;
mod preferences;
mod reminders;
mod requests;
mod secrets;
mod shell;
mod smtp;
mod stats;
mod store_archive;
mod store_upgrade;
mod sync;
mod terminal;
mod who_knows;
