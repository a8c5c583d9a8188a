//! What the store records of a batch's sends: every ask as `sending` before
//! any goes out, each as `asked` once the transport accepts it, and the
//! records of asks that failed or were never tried dropped again.

use std::collections::HashMap;

use crate::cmd::send::claim;
use crate::cmd::send::resend;
use crate::context::Context;
use crate::domain::request::{Request, State};
use crate::mail::message::Outgoing;
use crate::mail::transport::{SendError, Transport};
use crate::store::StoreError;

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
    let run = ctx.run_id()?;
    let data_dir = ctx.paths.data_dir.clone();
    let now = ctx.now;
    let results = ctx.store.write_open(|txn| {
        let mut results = Vec::with_capacity(planned.len());
        // Open requests by pair, with their why and id, built once: a batch
        // of thousands must not scan the store for each of its rows.
        let mut open: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
        // Asks and requests of a connector are checked each against its own.
        let direction = planned.first().map(Queued::direction);
        for r in txn
            .requests()
            .iter()
            .filter(|r| r.status.is_open() && Some(r.direction) == direction)
        {
            open.entry((r.a.clone(), r.b.clone()))
                .or_default()
                .push((r.why.clone(), r.id.clone()));
        }
        for p in planned {
            if p.resumed {
                let current = txn.requests().get(p.id()).cloned();
                let free = current.as_ref().is_some_and(|r| {
                    r.status == State::Sending
                        && r.sending_run.as_deref().is_none_or(|other| {
                            other == run || claim::is_abandoned(&data_dir, other)
                        })
                });
                match current {
                    Some(mut r) if free => {
                        r.sending_run = Some(run.clone());
                        txn.put(r);
                        results.push(Ok(()));
                    }
                    _ => results.push(Err(format!(
                        "request {} was finished by another run meanwhile",
                        p.id()
                    ))),
                }
                continue;
            }
            let clash = open
                .get(&(p.a().to_string(), p.b().to_string()))
                .and_then(|list| list.iter().find(|(why, _)| !force || why == p.why()));
            if let Some((_, id)) = clash {
                results.push(Err(format!(
                    "`{}` was asked about `{}` by another run meanwhile (request {id})",
                    p.a(),
                    p.b()
                )));
                continue;
            }
            // No need to add this ask to `open`: the planner let no pair
            // into a batch twice.
            let mut r = p.request(now).into_owned();
            r.sending_run = Some(run.clone());
            txn.put(r);
            results.push(Ok(()));
        }
        Ok::<_, StoreError>(results)
    })?;
    Ok(results)
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
    if e.maybe_accepted || planned.resumed {
        return Ok(());
    }
    forget_sending(ctx, &[planned.id()])
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
    forget_sending(ctx, &ids)
}

/// Drop the records of the asks `ids` that are still `sending`, in one
/// write.
fn forget_sending(ctx: &mut Context, ids: &[&str]) -> anyhow::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    ctx.store.write_open(|txn| {
        for id in ids {
            if txn
                .requests()
                .get(id)
                .is_some_and(|r| r.status == State::Sending)
            {
                txn.remove(id);
            }
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(())
}
