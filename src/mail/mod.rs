//! Mail in and out: templates and what fills them, composing and building
//! messages, the transports that deliver them and the inboxes `sync` reads
//! replies from, and the IMAP connection both of those use. May import
//! `domain`, `setup`, `store` and `ui`.

pub(crate) mod ask_check;
pub(crate) mod compose;
pub(crate) mod imap_connection;
pub(crate) mod mailbox_index;
pub(crate) mod message;
pub(crate) mod phrase;
pub(crate) mod request_mail;
pub(crate) mod sync;
pub(crate) mod template;
pub(crate) mod transport;
