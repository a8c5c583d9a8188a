//! Requests recorded as being sent, before their first message goes out
//! (asks and note requests, one at a time or a batch): every one written
//! down by this run in one write before any send, an interrupted one taken
//! over from a run that died, and the records of those whose send failed
//! or was never tried dropped again, so that nothing is left looking as if
//! it were on its way; unless the message may have reached the server or
//! an earlier run began it (then a rerun sends it again with the same
//! Message-ID).

use std::path::Path;

use time::OffsetDateTime;

use crate::cmd::send::claim;
use crate::context::Context;
use crate::domain::request::Request;
use crate::mail::transport::SendError;
use crate::store::{Requests, StoreError};

/// One planned send, as recording it needs it.
pub(crate) trait Planned {
    fn id(&self) -> &str;
    /// An earlier run recorded it and was interrupted.
    fn resumed(&self) -> bool;
    /// The request to record for a new send.
    fn fresh(&self, now: OffsetDateTime) -> Request;
}

/// Record every one of `planned` as being sent by this run, in one write,
/// re-checking under the lock what may have changed since it was planned:
/// an interrupted one must still be `waiting` and not held by a run that
/// is alive; a new one must not clash with a request another run made
/// meanwhile. `clashes` sees the open requests once and returns that
/// check, which says why a send clashes. Returns, per planned send, Ok or
/// why it must not go.
pub(crate) fn record<P, F, C>(
    ctx: &mut Context,
    planned: &[P],
    waiting: fn(&Request) -> bool,
    clashes: F,
) -> anyhow::Result<Vec<Result<(), String>>>
where
    P: Planned,
    F: FnOnce(&Requests) -> C,
    C: FnMut(&P) -> Option<String>,
{
    let run = ctx.run_id()?;
    let data_dir = ctx.paths.data_dir.clone();
    let now = ctx.now;
    let results = ctx.store.write_open(|txn| {
        let mut clash = clashes(txn.requests());
        let mut results = Vec::with_capacity(planned.len());
        for p in planned {
            let taken = if p.resumed() {
                take_over(txn.requests().get(p.id()), waiting, &run, &data_dir).ok_or_else(|| {
                    format!("request {} was finished by another run meanwhile", p.id())
                })
            } else if let Some(why) = clash(p) {
                Err(why)
            } else {
                let mut r = p.fresh(now);
                r.sending_run = Some(run.clone());
                Ok(r)
            };
            results.push(taken.map(|r| txn.put(r)));
        }
        Ok::<_, StoreError>(results)
    })?;
    Ok(results)
}

/// An interrupted send's request, `current`, taken over by run `run`:
/// none when it was finished meanwhile (`waiting` no longer holds) or a
/// run that is still alive holds it.
fn take_over(
    current: Option<&Request>,
    waiting: fn(&Request) -> bool,
    run: &str,
    data_dir: &Path,
) -> Option<Request> {
    let free = current.filter(|r| {
        waiting(r)
            && r.sending_run
                .as_deref()
                .is_none_or(|other| other == run || claim::is_abandoned(data_dir, other))
    })?;
    let mut r = free.clone();
    r.sending_run = Some(run.to_string());
    Some(r)
}

/// After the send of request `id` failed with `e`: drop its record unless
/// the message may have been accepted or an earlier run began it
/// (`resumed`). `unsent` tells a record still waiting for this send.
pub(crate) fn forget_failed(
    ctx: &mut Context,
    id: &str,
    resumed: bool,
    e: &SendError,
    unsent: fn(&Request) -> bool,
) -> anyhow::Result<()> {
    if e.maybe_accepted || resumed {
        return Ok(());
    }
    forget(ctx, &[id], unsent)
}

/// Drop, in one write, the records of requests `ids` that `unsent` still
/// says are waiting for their send (another run may have finished one
/// meanwhile: that one stays).
pub(crate) fn forget(
    ctx: &mut Context,
    ids: &[&str],
    unsent: fn(&Request) -> bool,
) -> anyhow::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    ctx.store.write_open(|txn| {
        for id in ids {
            if txn.requests().get(id).is_some_and(unsent) {
                txn.remove(id);
            }
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(())
}
