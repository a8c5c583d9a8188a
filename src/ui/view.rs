//! How a request is shown: the JSON object scripts read (the spec's fields),
//! and the "next step" a person reads in `intro status`.

use serde::Serialize;
use time::OffsetDateTime;

use crate::domain::request::{
    Direction, EventKind, Party, PendingKind, Request, Side, SideState, State,
};
use crate::domain::snippet::{Tone, tone};
use crate::setup::config::FollowupSettings;
use crate::ui::output::{rfc3339, until};

#[derive(Serialize)]
pub(crate) struct ReplyJson {
    pub at: String,
    pub snippet: String,
}

#[derive(Serialize)]
pub(crate) struct EventJson {
    pub at: String,
    pub event: EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A request as `--json` prints it.
#[derive(Serialize)]
pub(crate) struct RequestJson {
    pub id: String,
    pub a: String,
    pub b: String,
    pub status: State,
    pub why: String,
    /// With `--both`: the reason B read, when it differs from `why`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_b: Option<String>,
    pub wants: Option<String>,
    pub format: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    pub asked_at: Option<String>,
    pub updated_at: String,
    pub message_id: String,
    pub followups: usize,
    pub due: bool,
    pub reply: Option<ReplyJson>,
    /// B is asked too (`intro ask --both`).
    pub both: bool,
    /// A direct introduction (`intro introduce A B --direct`): no ask.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub direct: bool,
    /// B's answer with `--both`: null, or asked, replied, approved, declined.
    pub b_status: Option<SideState>,
    /// A's own answer, apart from B's (for `--both` requests).
    pub a_status: State,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b_followups: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b_reply: Option<ReplyJson>,
    pub a_email: String,
    pub b_email: String,
    pub subject: String,
    pub next_followup_at: Option<String>,
    pub next_step: String,
    pub history: Vec<EventJson>,
    /// B's forwardable note (`intro note`): null, or the text as it is
    /// forwarded.
    pub forward_note: Option<String>,
    /// What the command warned about (ask fatigue), if anything.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Where a draft was saved by this command, if it saved one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft: Option<String>,
    /// `introducing` (the user introduces A and B) or `requested` (the
    /// user asked connector A to introduce them to B).
    pub direction: Direction,
    /// For a request of a connector: when the thank-you went out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thanked_at: Option<String>,
}

pub(crate) fn request_json(
    r: &Request,
    now: OffsetDateTime,
    settings: &FollowupSettings,
) -> RequestJson {
    RequestJson {
        id: r.id.clone(),
        a: r.a.clone(),
        b: r.b.clone(),
        status: r.shown_status(),
        why: r.why.clone(),
        why_b: r.why_b.clone(),
        wants: r.wants.clone(),
        format: r.format.clone(),
        note: r.note.clone(),
        created_at: rfc3339(r.created_at),
        asked_at: r.a_side.asked_at.map(rfc3339),
        updated_at: rfc3339(r.updated_at),
        message_id: r.a_side.message_id.clone(),
        followups: r.a_side.followups.len(),
        due: r.is_due(now, settings),
        reply: r.a_side.reply.as_ref().map(|reply| ReplyJson {
            at: rfc3339(reply.at),
            snippet: reply.snippet.clone(),
        }),
        both: r.both(),
        direct: r.direct,
        b_status: r.b_side.as_ref().map(|b| b.status),
        a_status: if r.note_request_unsent() {
            State::Sending
        } else {
            r.a_status()
        },
        b_followups: r.b_side.as_ref().map(|b| b.followups.len()),
        b_reply: r
            .b_side
            .as_ref()
            .and_then(|b| b.reply.as_ref())
            .map(|reply| ReplyJson {
                at: rfc3339(reply.at),
                snippet: reply.snippet.clone(),
            }),
        a_email: r.a_email.clone(),
        b_email: r.b_email.clone(),
        subject: r.a_side.subject.clone(),
        next_followup_at: r.next_followup_at(Side::A, settings).map(rfc3339),
        next_step: next_step(r, now, settings),
        history: r
            .history
            .iter()
            .map(|e| EventJson {
                at: rfc3339(e.at),
                event: e.kind,
                note: e.note.clone(),
            })
            .collect(),
        forward_note: r.forward_note_text().map(str::to_string),
        warnings: Vec::new(),
        draft: None,
        direction: r.direction,
        thanked_at: r.thanks.as_ref().map(|t| rfc3339(t.at)),
    }
}

/// One JSON object per request, for commands that change a request more
/// than once in a run (`followup` to both sides, `sync` finding A's and
/// B's replies): the last version of each, in the order first changed.
pub(crate) fn latest_json<'r>(
    changed: impl IntoIterator<Item = &'r Request>,
    now: OffsetDateTime,
    settings: &FollowupSettings,
) -> Vec<RequestJson> {
    let mut latest: Vec<&Request> = Vec::new();
    for r in changed {
        match latest.iter_mut().find(|l| l.id == r.id) {
            Some(slot) => *slot = r,
            None => latest.push(r),
        }
    }
    latest
        .into_iter()
        .map(|r| request_json(r, now, settings))
        .collect()
}

/// What the user should do next about `r`, with the command when there is one.
pub(crate) fn next_step(r: &Request, now: OffsetDateTime, settings: &FollowupSettings) -> String {
    let short = &r.id;
    // A closing note cut off mid-send may have reached its reader: it is
    // finished by the same command, before anything else.
    match r.pending.as_ref().map(|p| p.kind) {
        Some(PendingKind::DeclineNote) => {
            return format!(
                "the note to B was interrupted: `intro decline {short} --tell-b --send`"
            );
        }
        Some(PendingKind::CancelNote(_)) => {
            return format!("a note was interrupted: `intro cancel {short} --tell --send`");
        }
        _ => {}
    }
    if let Some(b) = &r.b_side
        && matches!(r.status, State::Asked | State::Replied)
    {
        return both_next_step(r, b, now, settings);
    }
    if r.is_requested() {
        match r.status {
            State::Sending => {
                return format!(
                    "interrupted mid-send: rerun the same `intro request {} {} ...`, or `intro cancel {short}`",
                    r.a, r.b
                );
            }
            State::Approved => {
                return format!(
                    "wait for {}'s introduction (`intro sync` notices it), or `intro introduced {short}`",
                    r.a
                );
            }
            State::Introduced if r.pending_id(PendingKind::Thanks).is_some() => {
                return format!("the thank-you was interrupted: `intro thank {short} --send`");
            }
            State::Introduced if r.thanks.is_none() => {
                return format!("thank {}: `intro thank {short} --how TEXT`", r.a);
            }
            _ => {}
        }
    }
    match r.status {
        State::Sending => format!("interrupted mid-send: rerun the ask, or `intro cancel {short}`"),
        State::Asked => {
            if r.pending.is_some() {
                return format!("a follow-up was interrupted: `intro followup {short}`");
            }
            match r.next_followup_at(Side::A, settings) {
                Some(at) if now >= at => format!("follow up: `intro followup {short}`"),
                // An out-of-office reply says why the wait is longer.
                Some(at)
                    if r.auto_reply_hold(Side::A, settings)
                        .is_some_and(|h| h >= at) =>
                {
                    format!(
                        "{} is away; wait for a reply (follow-up due {})",
                        r.a,
                        until(at, now)
                    )
                }
                Some(at) => format!("wait for a reply (follow-up due {})", until(at, now)),
                None => "wait for a reply, or decline".into(),
            }
        }
        State::Replied => {
            let tone = r
                .a_side
                .reply
                .as_ref()
                .and_then(|reply| tone(&reply.snippet));
            match tone {
                Some(Tone::Yes) => {
                    format!("approve or decline (reads like a yes): `intro approve {short}`")
                }
                Some(Tone::No) => {
                    format!("approve or decline (reads like a no): `intro decline {short}`")
                }
                None => format!("approve or decline: `intro approve {short}`"),
            }
        }
        // An introduction cut off mid-send may have reached A and B: it is
        // finished with `--send`, not drafted anew.
        State::Approved if r.pending_id(PendingKind::Introduction).is_some() => {
            format!("an introduction was interrupted: `intro introduce {short} --send`")
        }
        State::Approved => format!("introduce: `intro introduce {short}`"),
        State::Declined | State::Introduced | State::Cancelled => "done".into(),
        State::NoteRequested | State::NoteReceived => forward_note_step(r),
    }
}

/// The next step of a request made by `intro note`, before its ask.
fn forward_note_step(r: &Request) -> String {
    let id = &r.id;
    if r.note_request_unsent() {
        return format!(
            "the note request to B was interrupted: rerun `intro note {} --for {}`, or `intro cancel {id}`",
            r.b, r.a
        );
    }
    if r.note_reads_like_no() {
        return format!(
            "B's reply reads like a no: read it (`intro status {id}`), and if B declined, `intro cancel {id}`"
        );
    }
    if r.status == State::NoteReceived {
        return format!("check B's note (`intro status {id}`), then ask A: `intro ask {id}`");
    }
    format!("wait for B's note (`intro sync`), or record it: `intro note {id} --file FILE`")
}

/// The next step while a `--both` request waits for A, B, or both.
fn both_next_step(
    r: &Request,
    b: &Party,
    now: OffsetDateTime,
    settings: &FollowupSettings,
) -> String {
    let id = &r.id;
    if b.status == SideState::Sending {
        return format!(
            "B's ask was not sent: run the same `intro ask ... --both` again, or `intro cancel {id}`"
        );
    }
    if r.pending.is_some() {
        return format!("a follow-up was interrupted: `intro followup {id}`");
    }
    let a_replied = r.status == State::Replied && !r.a_waits_for_b();
    let b_replied = b.status == SideState::Replied;
    if a_replied || b_replied {
        let side = if a_replied { "a" } else { "b" };
        return format!("approve or decline: `intro approve {id} --side {side}`");
    }
    if r.is_due(now, settings) {
        return format!("follow up: `intro followup {id}`");
    }
    let waiting: Vec<&str> = [
        (!r.a_waits_for_b()).then_some(r.a.as_str()),
        (b.status != SideState::Approved).then_some(r.b.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let next = [
        r.next_followup_at(Side::A, settings),
        r.next_followup_at(Side::B, settings),
    ]
    .into_iter()
    .flatten()
    .min();
    match next {
        Some(at) => format!(
            "wait for {} (follow-up due {})",
            waiting.join(" and "),
            until(at, now)
        ),
        None => format!("wait for {}, or decline", waiting.join(" and ")),
    }
}
