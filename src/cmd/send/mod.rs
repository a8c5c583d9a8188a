//! What every command that sends shares: the gate before a send
//! (`outgoing`, with `draft` for edited drafts), recording follow-ups and
//! introductions (`resend`), telling a crashed send from one in flight
//! (`claim`), stopping cleanly on a signal (`interrupt`), sending many
//! in a row (`send_loop`), and the records of requests being sent: written
//! before, taken over after a crash, dropped when not sent (`sending`).

pub(crate) mod claim;
pub(crate) mod draft;
pub(crate) mod interrupt;
pub(crate) mod outgoing;
pub(crate) mod resend;
pub(crate) mod send_loop;
pub(crate) mod sending;
