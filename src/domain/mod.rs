//! The pure domain: requests and their states, and what can be decided
//! about them without any I/O (time is always passed in). Imports nothing
//! from the other layers.

pub(crate) mod ask_plan;
pub(crate) mod auto_reply;
pub(crate) mod direct;
pub(crate) mod fatigue;
pub(crate) mod forward_note;
pub(crate) mod request;
pub(crate) mod requested;
pub(crate) mod snippet;
pub(crate) mod stats;
pub(crate) mod text;
pub(crate) mod who_knows;
