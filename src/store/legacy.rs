//! Requests as formats 1 and 2 wrote them, A's ask inline in the request,
//! read into today's shape, where A's side is a [`Party`] like B's.
//!
//! The archive is only ever appended to, so it may hold lines of both
//! shapes under one header: each line is told apart by itself.

use serde::Deserialize;
use time::OffsetDateTime;

use crate::domain::request::{
    Event, EventKind, Note, Party, Pending, Rendered, Reply, Request, Sent, Side, SideState, State,
};

/// Whether a request line is in today's shape. `"a_side":` occurs in a
/// line only as a key: inside a JSON string its quotes are escaped.
pub(super) fn is_current(raw: &[u8]) -> bool {
    raw.windows(9).any(|w| w == b"\"a_side\":")
}

/// A request as formats 1 and 2 wrote it.
#[derive(Deserialize)]
pub(super) struct LegacyRequest {
    id: String,
    a: String,
    a_email: String,
    b: String,
    b_email: String,
    why: String,
    #[serde(default)]
    why_b: Option<String>,
    #[serde(default)]
    wants: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    note: Option<String>,
    status: State,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    asked_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
    subject: String,
    message_id: String,
    #[serde(default)]
    edited: Option<Rendered>,
    #[serde(default)]
    sending_run: Option<String>,
    #[serde(default)]
    followups: Vec<Sent>,
    #[serde(default)]
    pending: Option<Pending>,
    #[serde(default)]
    reply: Option<Reply>,
    #[serde(default)]
    introduction: Option<Sent>,
    #[serde(default)]
    history: Vec<Event>,
    #[serde(default)]
    b_side: Option<Party>,
    #[serde(default)]
    a_approved: bool,
    #[serde(default)]
    drafted: Option<Rendered>,
    #[serde(default)]
    notes: Vec<Note>,
}

impl From<LegacyRequest> for Request {
    fn from(old: LegacyRequest) -> Request {
        let status = a_status(old.status, old.a_approved, &old.history);
        Request {
            id: old.id,
            a: old.a,
            a_email: old.a_email,
            b: old.b,
            b_email: old.b_email,
            why: old.why,
            why_b: old.why_b,
            wants: old.wants,
            format: old.format,
            note: old.note,
            status: old.status,
            created_at: old.created_at,
            updated_at: old.updated_at,
            a_side: Party {
                status,
                message_id: old.message_id,
                subject: old.subject,
                asked_at: old.asked_at,
                followups: old.followups,
                reply: old.reply.map(Box::new),
                edited: old.edited,
                auto_replies: Vec::new(),
            },
            sending_run: old.sending_run,
            pending: old.pending.map(Box::new),
            introduction: old.introduction,
            history: old.history,
            b_side: old.b_side.map(Box::new),
            drafted: old.drafted.map(Box::new),
            notes: old.notes,
            forward_note: None,
            // Older formats held only the user's own introductions.
            direction: Default::default(),
            thanks: None,
            direct: false,
        }
    }
}

/// A's own answer, which the old shape kept only as the request's state
/// (and `a_approved` while the request waited for B): the last of A's
/// moves in the history tells it when B's no or a cancel closed it.
fn a_status(status: State, a_approved: bool, history: &[Event]) -> SideState {
    if a_approved {
        return SideState::Approved;
    }
    match status {
        State::Sending => return SideState::Sending,
        State::Approved | State::Introduced => return SideState::Approved,
        _ => {}
    }
    history
        .iter()
        .rev()
        .find_map(|e| match e.kind {
            EventKind::Asked(Side::A) => Some(SideState::Asked),
            EventKind::Replied(Side::A) => Some(SideState::Replied),
            EventKind::Approved(Side::A) => Some(SideState::Approved),
            EventKind::Declined(Side::A) => Some(SideState::Declined),
            _ => None,
        })
        .unwrap_or(SideState::Sending)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A format 2 line: A's ask inline, A's yes waiting for B's.
    const WAITING_FOR_B: &str = r#"{"id":"b8909804","a":"p8","a_email":"p8@example.com","b":"p9","b_email":"p9@example.com","why":"w","status":"asked","created_at":"2026-03-01T09:00:00Z","asked_at":"2026-03-01T09:00:00Z","updated_at":"2026-03-02T09:00:00Z","subject":"S","message_id":"<a@x>","followups":[{"message_id":"<f@x>","at":"2026-03-08T09:00:00Z"}],"history":[{"at":"2026-03-01T09:00:00Z","kind":"asked"},{"at":"2026-03-01T09:00:00Z","kind":"asked_b"},{"at":"2026-03-02T09:00:00Z","kind":"approved"}],"b_side":{"status":"asked","message_id":"<b@x>","subject":"SB","asked_at":"2026-03-01T09:00:00Z","followups":[],"reply":null},"a_approved":true}"#;

    fn read(line: &str) -> Request {
        assert!(!is_current(line.as_bytes()));
        serde_json::from_str::<LegacyRequest>(line).unwrap().into()
    }

    #[test]
    fn a_s_ask_moves_into_a_s_side_with_a_s_answer() {
        let r = read(WAITING_FOR_B);
        assert_eq!(r.a_side.status, SideState::Approved);
        assert!(r.a_waits_for_b());
        assert_eq!(r.a_side.message_id, "<a@x>");
        assert_eq!(r.a_side.subject, "S");
        assert_eq!(r.a_side.followups.len(), 1);
        assert_eq!(r.b_side.as_ref().unwrap().subject, "SB");
        // Written again, it is in today's shape and reads back the same.
        let line = serde_json::to_string(&r).unwrap();
        assert!(is_current(line.as_bytes()));
        assert_eq!(serde_json::from_str::<Request>(&line).unwrap(), r);
    }

    #[test]
    fn a_s_answer_survives_b_s_no_and_a_cancel() {
        // B's no cleared `a_approved`: A's yes is read from the history.
        let declined_by_b = WAITING_FOR_B
            .replace(r#""a_approved":true"#, r#""a_approved":false"#)
            .replace(
                r#""status":"asked","created_at""#,
                r#""status":"declined","created_at""#,
            )
            .replace(
                r#""kind":"approved"}"#,
                r#""kind":"approved"},{"at":"2026-03-03T09:00:00Z","kind":"declined_b"}"#,
            );
        let r = read(&declined_by_b);
        assert_eq!(r.status, State::Declined);
        assert_eq!(r.a_side.status, SideState::Approved);
        assert!(!r.a_waits_for_b());

        // Cancelled while its ask was still sending: never asked.
        let never_sent = WAITING_FOR_B
            .replace(r#""a_approved":true"#, r#""a_approved":false"#)
            .replace(
                r#""status":"asked","created_at""#,
                r#""status":"cancelled","created_at""#,
            )
            .replace(r#"{"at":"2026-03-01T09:00:00Z","kind":"asked"},"#, "")
            .replace(r#"{"at":"2026-03-01T09:00:00Z","kind":"asked_b"},"#, "")
            .replace(r#"{"at":"2026-03-02T09:00:00Z","kind":"approved"}"#, "");
        assert_eq!(read(&never_sent).a_side.status, SideState::Sending);
    }
}
