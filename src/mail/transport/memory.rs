//! A transport that keeps what it accepts in memory, for unit tests of
//! code that sends: each attempt can be scripted to fail (refused for now,
//! for good, or fatally), and what a batch offered ahead is noted.

use std::collections::HashMap;

use crate::mail::message::Outgoing;
use crate::mail::transport::{SendError, Severity, Transport};

/// What the transport does with one attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Script {
    /// Refuse the message with this severity.
    Fail(Severity),
}

#[derive(Default)]
pub(crate) struct MemoryTransport {
    /// The messages accepted, in order.
    pub(crate) accepted: Vec<Outgoing>,
    /// Every attempt, accepted or not.
    pub(crate) attempts: usize,
    /// Per attempt, the Message-ID of the message offered to follow.
    pub(crate) offered_next: Vec<Option<String>>,
    /// Scripted outcomes, by attempt (from 0); unscripted ones succeed.
    scripted: HashMap<usize, Script>,
    pub(crate) closed: bool,
}

impl MemoryTransport {
    pub(crate) fn new() -> MemoryTransport {
        MemoryTransport::default()
    }

    /// Make attempt number `attempt` (from 0) do `what`.
    pub(crate) fn script(&mut self, attempt: usize, what: Script) {
        self.scripted.insert(attempt, what);
    }

    /// The Message-IDs accepted, in order.
    pub(crate) fn accepted_ids(&self) -> Vec<&str> {
        self.accepted
            .iter()
            .map(|m| m.message_id.as_str())
            .collect()
    }
}

impl Transport for MemoryTransport {
    fn send(&mut self, message: &Outgoing) -> Result<(), SendError> {
        self.send_ahead(message, None)
    }

    fn send_ahead(&mut self, message: &Outgoing, next: Option<&Outgoing>) -> Result<(), SendError> {
        let attempt = self.attempts;
        self.attempts += 1;
        self.offered_next.push(next.map(|m| m.message_id.clone()));
        match self.scripted.get(&attempt) {
            Some(Script::Fail(severity)) => Err(SendError::new(
                *severity,
                format!("attempt {attempt} refused ({severity:?})"),
            )),
            None => {
                self.accepted.push(message.clone());
                Ok(())
            }
        }
    }

    fn close(&mut self) {
        self.closed = true;
    }

    fn describe(&self) -> String {
        "memory".to_string()
    }
}
