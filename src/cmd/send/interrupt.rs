//! A stop asked for with SIGINT (Ctrl-C) or SIGTERM while intro sends many
//! messages. Dying at once would leave the message in flight unrecorded
//! and the user with no summary; instead the signal is noted, the message
//! in flight goes out and is recorded, and the run ends with a summary and
//! the exit code a shell expects of that signal.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use signal_hook::SigId;
use signal_hook::consts::{SIGINT, SIGTERM};

/// Which signal asked for the stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    Interrupt,
    Terminate,
}

impl Stop {
    /// The exit code a shell expects after this signal.
    pub(crate) fn exit(self) -> crate::error::Exit {
        match self {
            Stop::Interrupt => crate::error::Exit::Interrupted,
            Stop::Terminate => crate::error::Exit::Terminated,
        }
    }

    /// The signal's name, for messages.
    pub(crate) fn signal(self) -> &'static str {
        match self {
            Stop::Interrupt => "SIGINT",
            Stop::Terminate => "SIGTERM",
        }
    }
}

/// SIGINT and SIGTERM caught while this lives. A second one ends the
/// process at once, as if none were caught: the way out of a message that
/// hangs.
pub(crate) struct Interrupts {
    caught: Arc<AtomicUsize>,
    ids: Vec<SigId>,
}

impl Interrupts {
    /// Catch SIGINT and SIGTERM until the value is dropped.
    pub(crate) fn catch() -> std::io::Result<Interrupts> {
        let caught = Arc::new(AtomicUsize::new(0));
        let once = Arc::new(AtomicBool::new(false));
        let mut ids = Vec::new();
        for signal in [SIGINT, SIGTERM] {
            // In the order they run: the default action when a signal came
            // before, then noting this one.
            ids.push(signal_hook::flag::register_conditional_default(
                signal,
                Arc::clone(&once),
            )?);
            ids.push(signal_hook::flag::register(signal, Arc::clone(&once))?);
            ids.push(signal_hook::flag::register_usize(
                signal,
                Arc::clone(&caught),
                usize::try_from(signal).unwrap_or(usize::MAX),
            )?);
        }
        Ok(Interrupts { caught, ids })
    }

    /// The stop asked for, if one was.
    pub(crate) fn stop(&self) -> Option<Stop> {
        match self.caught.load(Ordering::SeqCst) {
            0 => None,
            n if n == usize::try_from(SIGTERM).unwrap_or(usize::MAX) => Some(Stop::Terminate),
            _ => Some(Stop::Interrupt),
        }
    }

    /// Wait `duration`, or less when a stop is asked for meanwhile.
    pub(crate) fn sleep(&self, duration: Duration) {
        let end = Instant::now() + duration;
        while self.stop().is_none() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}
