//! What the store records of a batch's sends: every ask as `sending` before
//! any goes out, each as `asked` once the transport accepts it, and the
//! records of asks that failed or were never tried dropped again.

use std::collections::HashMap;

use time::OffsetDateTime;

use crate::cmd::send::resend;
use crate::cmd::send::sending;
use crate::context::Context;
use crate::domain::request::{Request, State};
use crate::mail::message::Outgoing;
use crate::mail::transport::{SendError, Transport};

use super::queue::Queued;

/// Record every planned ask as `sending` by this run in one write,
/// re-checking under the lock that no other run asked the same pair (or
/// took over the same interrupted ask) meanwhile. Returns, per planned ask,
/// Ok or why it must not be sent.
pub(super) fn record_intent(
    ctx: &mut Context,
    planned: &[Queued],
    force: bool,
) -> anyhow::Result<Vec<Result<(), String>>> {
    // Asks and requests of a connector are checked each against its own.
    let direction = planned.first().map(Queued::direction);
    sending::record(ctx, planned, still_sending, |requests| {
        // Open requests by pair, with their why and id, built once: a
        // batch of thousands must not scan the store for each of its
        // rows. No need to add the batch's own asks: the planner let no
        // pair into a batch twice.
        let mut open: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
        for r in requests
            .iter()
            .filter(|r| r.status.is_open() && Some(r.direction) == direction)
        {
            open.entry((r.a.clone(), r.b.clone()))
                .or_default()
                .push((r.why.clone(), r.id.clone()));
        }
        move |p: &Queued| {
            let (_, id) = open
                .get(&(p.a().to_string(), p.b().to_string()))?
                .iter()
                .find(|(why, _)| !force || why == p.why())?;
            Some(format!(
                "`{}` was asked about `{}` by another run meanwhile (request {id})",
                p.a(),
                p.b()
            ))
        }
    })
}

impl sending::Planned for Queued {
    fn id(&self) -> &str {
        Queued::id(self)
    }

    fn resumed(&self) -> bool {
        self.resumed
    }

    fn fresh(&self, now: OffsetDateTime) -> Request {
        self.request(now).into_owned()
    }
}

/// Send one planned ask and record the outcome. Returns the request as stored.
pub(super) fn send_one(
    ctx: &mut Context,
    transport: &mut dyn Transport,
    planned: &Queued,
    outgoing: &Outgoing,
    next: Option<&Outgoing>,
) -> anyhow::Result<Request> {
    match transport.send_ahead(outgoing, next) {
        Ok(()) => {
            let now = ctx.now;
            let id = planned.id();
            let request = ctx.store.write_open(|txn| {
                let mut r = txn
                    .requests()
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| planned.request(now).into_owned());
                if r.status == State::Sending {
                    r.mark_asked(now).map_err(|e| anyhow::anyhow!(e))?;
                    txn.put(r.clone());
                }
                Ok::<_, anyhow::Error>(r)
            });
            let request = request.map_err(|e| {
                let what = format!("the ask to `{}` (request {id})", planned.a());
                resend::sent_but_unrecorded(&what, &e)
            })?;
            Ok(request)
        }
        Err(e) => {
            forget_unsent(ctx, planned, &e)?;
            Err(e.into())
        }
    }
}

/// A send that failed: drop the `sending` record unless the message may
/// have reached the server (then a rerun re-sends it with the same id).
pub(super) fn forget_unsent(
    ctx: &mut Context,
    planned: &Queued,
    e: &SendError,
) -> anyhow::Result<()> {
    sending::forget_failed(ctx, planned.id(), planned.resumed, e, still_sending)
}

/// Asks recorded as `sending` and then not tried (the run was stopped, or
/// the transport failed for good): drop their records in one write, so
/// none is left looking as if it were on its way. Asks an earlier run
/// began keep theirs: they may have gone out then.
pub(super) fn forget_untried(ctx: &mut Context, untried: &[&Queued]) -> anyhow::Result<()> {
    let ids: Vec<&str> = untried
        .iter()
        .filter(|p| !p.resumed)
        .map(|p| p.id())
        .collect();
    sending::forget(ctx, &ids, still_sending)
}

fn still_sending(r: &Request) -> bool {
    r.status == State::Sending
}
