//! Sending a message that belongs to an existing request (a follow-up or an
//! introduction) so that it is never lost nor doubled: record its Message-ID
//! as pending, send, then record it as sent. A rerun after a crash finds the
//! pending id and sends the same message again.

use crate::context::Context;
use crate::domain::request::{PendingKind, Request, Side};
use crate::error::UserError;
use crate::mail::message::Outgoing;
use crate::mail::template::Rendered;
use crate::mail::transport::Transport;
use crate::store::StoreError;

/// A message of an existing request, to send and record.
pub(crate) struct Tracked<'a> {
    /// The request's id.
    pub(crate) id: &'a str,
    pub(crate) kind: PendingKind,
    pub(crate) message: &'a Outgoing,
    /// The words the user edited (`--edit`, a draft), kept so that a
    /// rerun sends the same.
    pub(crate) edited: Option<&'a Rendered>,
}

/// Send `tracked`'s message and record it; returns the request after.
pub(crate) fn send_tracked(
    ctx: &mut Context,
    transport: &mut dyn Transport,
    tracked: Tracked<'_>,
) -> anyhow::Result<Request> {
    send_closing(ctx, transport, tracked, |_| Ok(()))
}

/// [`send_tracked`] for a note that goes with closing the request (to B
/// after A's no, or withdrawing the ask): `then` records the decline or
/// the cancel in the same write that records the note as sent, so a rerun
/// after a crash finds either both or neither.
pub(crate) fn send_closing(
    ctx: &mut Context,
    transport: &mut dyn Transport,
    tracked: Tracked<'_>,
    then: impl FnOnce(&mut Request) -> Result<(), crate::domain::request::TransitionError>,
) -> anyhow::Result<Request> {
    let Tracked {
        id,
        kind,
        message,
        edited,
    } = tracked;
    let message_id = message.message_id.clone();
    let run = ctx.run_id()?;
    let data_dir = ctx.paths.data_dir.clone();
    // Follow-ups and introductions go to open requests: the archive of
    // closed ones is not read (a thank-you's request, closed, was read by
    // name before, which keeps the archive in this store's reads).
    let was_pending = ctx.store.write_open(|txn| {
        let mut r = open_request(txn.requests(), id)?;
        let check = match kind {
            PendingKind::Followup(side) => r.check_followup(side),
            PendingKind::Introduction => r.check_introduce(),
            PendingKind::Ask(side) => r.check_ask(side),
            PendingKind::DeclineNote | PendingKind::CancelNote(_) => r.check_note(kind),
            PendingKind::Thanks => r.check_thank(),
        };
        check.map_err(|e| crate::error::transition_error_of(&r, Some(e)))?;
        let was_pending = r.pending_id(kind) == Some(message_id.as_str());
        if let Some(other) = &r.pending
            && other.message_id != message_id
        {
            // Another message of this request was interrupted mid-send; it
            // may have been accepted, so it must be finished, not forgotten.
            let finish = match other.kind {
                PendingKind::Followup(_) => format!("intro followup {id}"),
                PendingKind::Introduction => format!("intro introduce {id} --send"),
                PendingKind::Ask(_) => format!("intro ask {} {} --both --why ...", r.a, r.b),
                PendingKind::DeclineNote => format!("intro decline {id} --tell-b --send"),
                PendingKind::CancelNote(_) => format!("intro cancel {id} --tell --send"),
                PendingKind::Thanks => format!("intro thank {id} --send"),
            };
            return Err(crate::error::UserError::new(format!(
                "request {id} has an interrupted message that must be sent first"
            ))
            .hint(format!("finish it with `{finish}`"))
            .into());
        }
        if let Some(other) = r.pending.as_ref().and_then(|p| p.run.as_deref())
            && other != run
            && !crate::cmd::send::claim::is_abandoned(&data_dir, other)
        {
            return Err(crate::error::UserError::new(format!(
                "another intro run is sending a message for request {id} right now"
            ))
            .hint(format!(
                "`intro status {id}` shows it once that run is done"
            ))
            .into());
        }
        r.begin(kind, message_id.clone(), run.clone(), edited.cloned());
        txn.put(r);
        Ok::<_, anyhow::Error>(was_pending)
    })?;
    let now = ctx.now;
    match transport.send(message) {
        Ok(()) => ctx
            .store
            .write_open(|txn| {
                let mut r = open_request(txn.requests(), id)?;
                let result = match kind {
                    PendingKind::Followup(side) => {
                        r.mark_followed_up(side, now, message_id.clone())
                    }
                    PendingKind::Introduction => r.mark_introduced(now, message_id.clone()),
                    PendingKind::Ask(side) => r.mark_party_asked(side, now),
                    PendingKind::DeclineNote | PendingKind::CancelNote(_) => {
                        r.mark_note_sent(now, kind, message_id.clone())
                    }
                    PendingKind::Thanks => r.mark_thanked(now, message_id.clone()),
                };
                result
                    .and_then(|()| then(&mut r))
                    .map_err(crate::cmd::transition_error)?;
                txn.put(r.clone());
                Ok::<_, anyhow::Error>(r)
            })
            .map_err(|e| {
                let what = match kind {
                    PendingKind::Followup(Side::A) => "the follow-up".to_string(),
                    PendingKind::Followup(side) => format!("the follow-up to {side}"),
                    PendingKind::Introduction => "the introduction".to_string(),
                    PendingKind::Ask(side) => format!("the ask to {side}"),
                    PendingKind::DeclineNote => "the note to B".to_string(),
                    PendingKind::CancelNote(side) => {
                        format!("the note withdrawing the ask to {side}")
                    }
                    PendingKind::Thanks => "the thank-you".to_string(),
                };
                sent_but_unrecorded(&format!("{what} for request {id}"), &e).into()
            }),
        Err(e) => {
            // Forget the pending id only when this was the first try and the
            // message cannot have reached the server.
            if !was_pending && !e.maybe_accepted {
                ctx.store.write_open(|txn| {
                    if let Some(mut r) = txn.requests().get(id).cloned()
                        && r.pending_id(kind) == Some(message_id.as_str())
                    {
                        r.pending = None;
                        txn.put(r);
                    }
                    Ok::<_, StoreError>(())
                })?;
            }
            Err(e.into())
        }
    }
}

/// The request `id`, read without the archive: one closed and archived
/// since the command found it (by another run) is said to be so.
fn open_request(requests: &crate::store::Requests, id: &str) -> anyhow::Result<Request> {
    if let Some(r) = requests.get(id) {
        return Ok(r.clone());
    }
    if requests.is_archived_unread(id) {
        return Err(crate::error::UserError::new(format!(
            "request {id} was closed by another intro run meanwhile"
        ))
        .hint(format!("`intro status {id}` shows it"))
        .into());
    }
    Err(anyhow::anyhow!("request {id} disappeared from the store"))
}

/// A message the transport accepted whose record then failed (a full disk):
/// say that it went out, since the store still shows it as being sent, and
/// that the next run sends it once more.
pub(crate) fn sent_but_unrecorded(what: &str, e: &anyhow::Error) -> UserError {
    UserError::new(format!(
        "{what} was sent, but recording that failed: {}",
        crate::error::one_line(e)
    ))
    .hint("make room on the data dir's disk (or fix what the error names) and run the same command again")
    .hint("that sends it once more, with the same Message-ID, so mail clients show it once")
}
