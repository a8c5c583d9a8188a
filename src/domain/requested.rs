//! Introductions the user asks for: connector C is asked to introduce the
//! user to T (`intro request`). Such a request is a [`Request`] like an
//! ask, with A = C (the one asked, whose answer is awaited, followed up
//! and thanked) and B = T; what differs is who makes the introduction (C,
//! so intro notices it instead of sending it) and what follows it (a
//! thank-you to C). Pure: `now` is always a parameter.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::request::{
    EventKind, PendingKind, Request, Sent, SideState, State, TransitionError,
};

/// Who makes the introduction a request is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Direction {
    /// The user introduces A to B, once A agreed (`intro ask`).
    #[default]
    Introducing,
    /// The user asked connector A to introduce them to B (`intro request`).
    Requested,
}

impl Direction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Direction::Introducing => "introducing",
            Direction::Requested => "requested",
        }
    }

    /// For serde: the default is not written, so stores stay as they were.
    pub(crate) fn is_introducing(&self) -> bool {
        *self == Direction::Introducing
    }
}

/// How an introduction the user asked for was noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Noticed {
    /// `intro sync` found a message from C to the user and T: its
    /// Message-ID (with angle brackets) and Date.
    Found {
        message_id: Option<String>,
        at: OffsetDateTime,
    },
    /// The user said so (`intro introduced`).
    ByHand,
}

impl Request {
    /// The user asked a connector for this introduction (`intro request`).
    pub(crate) fn is_requested(&self) -> bool {
        self.direction == Direction::Requested
    }

    /// An introduction the user asked for may still come: the request
    /// went out and is neither closed nor still being sent.
    pub(crate) fn awaits_introduction(&self) -> bool {
        self.is_requested()
            && matches!(self.status, State::Asked | State::Replied | State::Approved)
    }

    /// The connector made the introduction: the request is `introduced`,
    /// from `asked`, `replied` or `approved` (a connector may introduce
    /// without answering first; that is a yes).
    pub(crate) fn mark_introduced_by_connector(
        &mut self,
        now: OffsetDateTime,
        how: Noticed,
    ) -> Result<(), TransitionError> {
        if !self.is_requested() {
            return Err(TransitionError {
                id: self.id.clone(),
                from: self.status,
                action: "marked introduced by hand: it is your own introduction to send (`intro introduce`)",
            });
        }
        if !self.awaits_introduction() {
            return Err(TransitionError {
                id: self.id.clone(),
                from: self.status,
                action: "marked introduced",
            });
        }
        self.status = State::Introduced;
        if self.a_side.status != SideState::Declined {
            self.a_side.status = SideState::Approved;
        }
        // A follow-up cut off mid-send is kept in the history.
        self.settle_pending_of_closing(now);
        let note = match how {
            Noticed::Found { message_id, at } => {
                let id = message_id.clone().unwrap_or_else(|| "no Message-ID".into());
                self.introduction = message_id.map(|message_id| Sent { message_id, at });
                format!("found by sync ({id})")
            }
            Noticed::ByHand => "marked by hand".to_string(),
        };
        self.updated_at = now;
        self.history.push(crate::domain::request::Event {
            at: now,
            kind: EventKind::Introduced,
            note: Some(note),
        });
        Ok(())
    }

    fn settle_pending_of_closing(&mut self, now: OffsetDateTime) {
        if let Some(p) = self.pending.take() {
            self.updated_at = now;
            self.history.push(crate::domain::request::Event {
                at: now,
                kind: EventKind::Unconfirmed,
                note: Some(format!("a follow-up ({}) may have been sent", p.message_id)),
            });
        }
    }

    /// A thank-you to the connector may be sent: the introduction the user
    /// asked for happened, and no thank-you went out yet.
    pub(crate) fn check_thank(&self) -> Result<(), TransitionError> {
        let refuse = |action| {
            Err(TransitionError {
                id: self.id.clone(),
                from: self.status,
                action,
            })
        };
        if !self.is_requested() {
            return refuse(
                "thanked: a thank-you goes to a connector you asked for an introduction (`intro request`)",
            );
        }
        if self.status != State::Introduced {
            return refuse("thanked yet: the connector has not introduced you");
        }
        if self.thanks.is_some() {
            return refuse("thanked again: the thank-you was sent");
        }
        Ok(())
    }

    /// The transport accepted the thank-you.
    pub(crate) fn mark_thanked(
        &mut self,
        now: OffsetDateTime,
        message_id: String,
    ) -> Result<(), TransitionError> {
        self.check_thank()?;
        if self
            .pending
            .as_ref()
            .is_some_and(|p| p.kind == PendingKind::Thanks)
        {
            self.pending = None;
        }
        self.thanks = Some(Box::new(Sent {
            message_id: message_id.clone(),
            at: now,
        }));
        self.drafted = None;
        self.updated_at = now;
        self.history.push(crate::domain::request::Event {
            at: now,
            kind: EventKind::Thanked,
            note: Some(message_id),
        });
        Ok(())
    }
}

/// An open request of another connector for the same person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OtherConnector {
    /// The request id, or `line N` for an earlier row of the same batch.
    pub id: String,
    pub connector: String,
}

impl OtherConnector {
    pub(crate) fn of(r: &Request) -> OtherConnector {
        OtherConnector {
            id: r.id.clone(),
            connector: r.a.clone(),
        }
    }
}

/// The open requests, other than one of `connector`, that ask someone
/// for an introduction to `t`.
pub(crate) fn asking_for<'r>(
    requests: impl IntoIterator<Item = &'r Request>,
    t: &str,
    connector: &str,
) -> Vec<OtherConnector> {
    requests
        .into_iter()
        .filter(|r| r.is_requested() && r.status.is_open() && r.b == t && r.a != connector)
        .map(OtherConnector::of)
        .collect()
}

/// The warning for asking `connector` for an introduction to `t` while
/// `others` are asked for the same: two connectors may both introduce, and
/// T then hears about the user twice.
pub(crate) fn same_person_warning(
    t: &str,
    connector: &str,
    others: &[OtherConnector],
) -> Option<String> {
    if others.is_empty() {
        return None;
    }
    let mut names: Vec<String> = others
        .iter()
        .take(3)
        .map(|o| format!("`{}` ({})", o.connector, o.id))
        .collect();
    if others.len() > 3 {
        names.push(format!("{} more", others.len() - 3));
    }
    Some(format!(
        "you are also asking {} for an introduction to `{t}`; if `{connector}` says yes too, `{t}` may hear about you twice",
        join_and(&names)
    ))
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::{AskSpec, Side};
    use time::macros::datetime;

    fn requested(id: &str, c: &str, t: &str) -> Request {
        let at = datetime!(2026-03-01 09:00 UTC);
        let spec = AskSpec {
            a: c.into(),
            a_email: format!("{c}@example.com"),
            b: t.into(),
            b_email: format!("{t}@example.com"),
            why: "compilers".into(),
            wants: None,
            format: None,
            note: None,
        };
        let mut r = Request::new(id.into(), spec, "s".into(), format!("<{id}@x>"), at);
        r.direction = Direction::Requested;
        r.mark_asked(at).unwrap();
        r
    }

    #[test]
    fn a_connector_s_introduction_closes_the_request_once() {
        let t = datetime!(2026-03-04 09:00 UTC);
        let mut r = requested("aaaa1111", "jo", "sam");
        assert!(r.awaits_introduction());
        r.mark_introduced_by_connector(
            t,
            Noticed::Found {
                message_id: Some("<intro@jo>".into()),
                at: t,
            },
        )
        .unwrap();
        assert_eq!(r.status, State::Introduced);
        assert_eq!(r.a_side.status, SideState::Approved);
        assert_eq!(r.introduction.as_ref().unwrap().message_id, "<intro@jo>");
        assert!(!r.awaits_introduction());
        assert!(r.mark_introduced_by_connector(t, Noticed::ByHand).is_err());
    }

    #[test]
    fn only_a_requested_introduction_is_marked_by_hand_or_thanked() {
        let t = datetime!(2026-03-04 09:00 UTC);
        let mut ask = requested("bbbb2222", "jo", "sam");
        ask.direction = Direction::Introducing;
        assert!(
            ask.mark_introduced_by_connector(t, Noticed::ByHand)
                .is_err()
        );
        assert!(ask.check_thank().is_err());
        let mut r = requested("cccc3333", "jo", "sam");
        assert!(r.check_introduce().is_err(), "the connector introduces");
        assert!(r.check_thank().is_err(), "not introduced yet");
        r.approve(Side::A, t, None).unwrap();
        r.mark_introduced_by_connector(t, Noticed::ByHand).unwrap();
        r.mark_thanked(t, "<thanks@x>".into()).unwrap();
        assert!(r.check_thank().is_err(), "thanked once");
        assert_eq!(r.history.last().unwrap().kind, EventKind::Thanked);
    }

    #[test]
    fn a_declined_or_cancelled_request_is_not_introduced() {
        let t = datetime!(2026-03-04 09:00 UTC);
        let mut r = requested("dddd4444", "jo", "sam");
        r.decline(Side::A, t, None).unwrap();
        assert!(!r.awaits_introduction());
        assert!(r.mark_introduced_by_connector(t, Noticed::ByHand).is_err());
    }

    #[test]
    fn asking_two_connectors_for_the_same_person_warns() {
        let jo = requested("eeee5555", "jo", "sam");
        let kay = requested("ffff6666", "kay", "sam");
        let other = requested("abab1212", "kay", "ada");
        let others = asking_for([&jo, &kay, &other], "sam", "kay");
        assert_eq!(others, [OtherConnector::of(&jo)]);
        let w = same_person_warning("sam", "kay", &others).unwrap();
        assert_eq!(
            w,
            "you are also asking `jo` (eeee5555) for an introduction to `sam`; if `kay` says yes too, `sam` may hear about you twice"
        );
        assert_eq!(same_person_warning("sam", "kay", &[]), None);
    }
}
