//! Sending many messages in a row, as `ask --batch` and `followup --due`
//! do: at most `[send] rate_limit` a minute, the next message built one
//! ahead when there is no limit (a transport may start on it early), a
//! progress bar on a terminal, a stop on SIGINT or SIGTERM after the
//! message in flight, and a stop when nothing can be sent any more (no
//! connection, a refused login). Each message is built only when its turn
//! comes and dropped once sent, so a long run holds one or two at a time.
//!
//! What a message means is the caller's: it builds each one and records
//! each send (through the exactly-once machinery in `resend` or the ask's
//! own); this module only decides when to try which.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cmd::send::interrupt::{Interrupts, Stop};
use crate::context::Context;
use crate::mail::message::Outgoing;
use crate::mail::transport::{SendError, Severity, Transport};

/// How fast and how visibly to send.
pub(crate) struct Pace {
    /// `[send] rate_limit`: messages a minute, 0 for no limit.
    pub(crate) rate_limit: u32,
    /// Shown or hidden; see [`progress_bar`].
    pub(crate) progress: ProgressBar,
}

impl Pace {
    /// The wait between two sends, if any.
    fn interval(&self) -> Option<Duration> {
        match self.rate_limit {
            0 => None,
            n => Some(Duration::from_secs_f64(60.0 / f64::from(n))),
        }
    }
}

/// What became of each message of a run, by its index.
pub(crate) struct Outcome<D> {
    /// Accepted and recorded, in order, with what recording returned.
    pub(crate) sent: Vec<(usize, D)>,
    /// Tried and not accepted (or not recorded), in order.
    pub(crate) failed: Vec<(usize, anyhow::Error)>,
    /// Not tried: the run was stopped, or a fatal error came first.
    pub(crate) untried: Vec<usize>,
    /// The failure that ended the run early, if one did.
    pub(crate) fatal: Option<SendError>,
    /// The signal that ended the run early, if one did (also one that came
    /// during the last send: the caller asked for a stop and is told).
    pub(crate) stop: Option<Stop>,
}

/// Send `count` messages: `build(i)` makes the i-th when its turn comes;
/// `send(i, message, next, transport, progress)` hands it to the transport
/// (`next` is the one that follows, when built ahead) and records the
/// outcome. An error from `send` that carries a [`SendError`] fails that
/// message (a fatal one ends the run, the rest untried); any other error
/// ends the whole run at once, as it means the records cannot be trusted.
pub(crate) fn send_all<D>(
    count: usize,
    pace: &Pace,
    interrupts: Option<&Interrupts>,
    transport: &mut dyn Transport,
    mut build: impl FnMut(usize) -> anyhow::Result<Outgoing>,
    mut send: impl FnMut(
        usize,
        &Outgoing,
        Option<&Outgoing>,
        &mut dyn Transport,
        &ProgressBar,
    ) -> anyhow::Result<D>,
) -> anyhow::Result<Outcome<D>> {
    let interval = pace.interval();
    let stop_asked = || interrupts.and_then(Interrupts::stop);
    let mut outcome = Outcome {
        sent: Vec::new(),
        failed: Vec::new(),
        untried: Vec::new(),
        fatal: None,
        stop: None,
    };
    let mut last_send: Option<Instant> = None;
    // Built one ahead, so the transport can start on the next message while
    // finishing this one; not with a rate limit: a server should not wait
    // on an open DATA.
    let mut built: Option<Outgoing> = None;
    for i in 0..count {
        if let (Some(interval), Some(last), None, None) =
            (interval, last_send, &outcome.fatal, outcome.stop)
        {
            let wait = interval.saturating_sub(last.elapsed());
            match interrupts {
                Some(interrupts) => interrupts.sleep(wait),
                None => std::thread::sleep(wait),
            }
        }
        outcome.stop = outcome.stop.or_else(stop_asked);
        if outcome.fatal.is_some() || outcome.stop.is_some() {
            outcome.untried.push(i);
            pace.progress.inc(1);
            continue;
        }
        last_send = Some(Instant::now());
        let message = match built.take() {
            Some(message) => message,
            None => build(i)?,
        };
        if interval.is_none() && i + 1 < count {
            built = Some(build(i + 1)?);
        }
        match send(i, &message, built.as_ref(), transport, &pace.progress) {
            Ok(done) => outcome.sent.push((i, done)),
            Err(e) => {
                let Some(send_error) = e.downcast_ref::<SendError>().cloned() else {
                    pace.progress.finish_and_clear();
                    return Err(e);
                };
                if send_error.severity == Severity::Fatal {
                    outcome.fatal = Some(send_error);
                    // A message built ahead goes unsent.
                    built = None;
                }
                outcome.failed.push((i, e));
            }
        }
        pace.progress.inc(1);
    }
    pace.progress.finish_and_clear();
    outcome.stop = outcome.stop.or_else(stop_asked);
    Ok(outcome)
}

/// A progress bar counting `len` `things` on stderr, shown only on a
/// terminal and when neither `--quiet` nor `--json` asks for silence.
pub(crate) fn progress_bar(ctx: &Context, len: u64, things: &str) -> ProgressBar {
    if ctx.out.quiet || ctx.out.json || !ctx.env.stderr_tty {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{bar:30}} {{pos}}/{{len}} {things}  {{elapsed_precise}} (eta {{eta}})"
    )) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::transport::memory::{MemoryTransport, Script};

    fn message(i: usize) -> Outgoing {
        Outgoing {
            message_id: format!("<m{i}@example.com>"),
            subject: format!("message {i}"),
            to: Vec::new(),
            envelope_from: "me@example.com".into(),
            envelope_to: vec!["a@example.com".into()],
            bytes: format!("Subject: message {i}\r\n\r\nhello\r\n").into_bytes(),
            bcc: None,
            label: format!("m{i}.ask"),
        }
    }

    fn pace() -> Pace {
        Pace {
            rate_limit: 0,
            progress: ProgressBar::hidden(),
        }
    }

    /// Send `count` messages through `transport`, recording each accepted
    /// index; returns the outcome and the indices recorded.
    fn run(count: usize, transport: &mut MemoryTransport) -> (Outcome<usize>, Vec<usize>) {
        let mut recorded = Vec::new();
        let outcome = send_all(
            count,
            &pace(),
            None,
            transport,
            |i| Ok(message(i)),
            |i, m, next, t, _| {
                t.send_ahead(m, next)?;
                recorded.push(i);
                Ok(i)
            },
        )
        .unwrap();
        (outcome, recorded)
    }

    #[test]
    fn every_message_goes_out_once_in_order() {
        let mut t = MemoryTransport::new();
        let (outcome, recorded) = run(4, &mut t);
        assert_eq!(recorded, [0, 1, 2, 3]);
        assert_eq!(
            t.accepted_ids(),
            [
                "<m0@example.com>",
                "<m1@example.com>",
                "<m2@example.com>",
                "<m3@example.com>"
            ]
        );
        assert!(outcome.failed.is_empty() && outcome.untried.is_empty());
        assert!(outcome.fatal.is_none() && outcome.stop.is_none());
    }

    #[test]
    fn the_next_message_is_offered_ahead_without_a_rate_limit() {
        let mut t = MemoryTransport::new();
        run(3, &mut t);
        assert_eq!(
            t.offered_next,
            [
                Some("<m1@example.com>".to_string()),
                Some("<m2@example.com>".to_string()),
                None
            ]
        );
    }

    #[test]
    fn a_refused_or_deferred_message_fails_alone() {
        let mut t = MemoryTransport::new();
        t.script(1, Script::Fail(Severity::Rejected));
        t.script(2, Script::Fail(Severity::Temporary));
        let (outcome, recorded) = run(4, &mut t);
        assert_eq!(recorded, [0, 3]);
        let failed: Vec<usize> = outcome.failed.iter().map(|(i, _)| *i).collect();
        assert_eq!(failed, [1, 2]);
        assert!(outcome.untried.is_empty());
        assert!(outcome.fatal.is_none());
        assert_eq!(t.accepted_ids(), ["<m0@example.com>", "<m3@example.com>"]);
    }

    #[test]
    fn a_fatal_failure_stops_the_run_and_leaves_the_rest_untried() {
        let mut t = MemoryTransport::new();
        t.script(1, Script::Fail(Severity::Fatal));
        let (outcome, recorded) = run(5, &mut t);
        assert_eq!(recorded, [0]);
        let failed: Vec<usize> = outcome.failed.iter().map(|(i, _)| *i).collect();
        assert_eq!(failed, [1]);
        assert_eq!(outcome.untried, [2, 3, 4]);
        assert_eq!(outcome.fatal.map(|f| f.severity), Some(Severity::Fatal));
        assert_eq!(t.attempts, 2, "nothing is tried after a fatal failure");
    }

    #[test]
    fn an_error_that_is_no_send_error_ends_the_run() {
        let mut t = MemoryTransport::new();
        let result = send_all(
            3,
            &pace(),
            None,
            &mut t,
            |i| Ok(message(i)),
            |i, m, next, t, _| {
                t.send_ahead(m, next)?;
                if i == 1 {
                    anyhow::bail!("cannot record");
                }
                Ok(i)
            },
        );
        assert_eq!(
            result.err().map(|e| e.to_string()).as_deref(),
            Some("cannot record")
        );
        assert_eq!(t.attempts, 2);
    }

    #[test]
    fn messages_are_built_only_when_their_turn_comes() {
        let mut t = MemoryTransport::new();
        t.script(0, Script::Fail(Severity::Fatal));
        let mut built = Vec::new();
        send_all(
            4,
            &pace(),
            None,
            &mut t,
            |i| {
                built.push(i);
                Ok(message(i))
            },
            |_, m, next, t, _| Ok(t.send_ahead(m, next)?),
        )
        .unwrap();
        assert_eq!(built, [0, 1], "the first and the one ahead, no more");
    }
}
