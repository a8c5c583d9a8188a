//! A batch's asks between planning and sending, kept small: a new ask is
//! held as the parts its request is made of (what the user typed, its id,
//! Message-ID and subject), not as the request, which is built when it is
//! recorded and again when its turn to be sent comes. A big batch then
//! holds a few hundred bytes a row instead of a request and its message.

use std::borrow::Cow;

use time::OffsetDateTime;

use crate::domain::request::{AskSpec, Direction, Request};

use super::planner::Planned;

/// One ask of a batch (or the single ask), waiting for its turn.
pub(super) struct Queued {
    /// The CSV line, for batch messages.
    pub(super) line: Option<u64>,
    /// True when an earlier run recorded it and may have sent it.
    pub(super) resumed: bool,
    /// Ask fatigue: A was asked a lot lately, or has an open ask.
    pub(super) warning: Option<String>,
    made: Made,
}

/// What the request is made of.
#[allow(
    clippy::large_enum_variant,
    reason = "nearly every row is Parts: kept inline, it needs no allocation of its own"
)]
enum Made {
    /// A new ask of A alone: its parts.
    Parts(Parts),
    /// One an earlier run began, or one that asks B too: the request.
    Whole(Box<Request>),
}

/// The parts of a new request as [`Request::new`] takes them.
struct Parts {
    id: String,
    spec: AskSpec,
    why_b: Option<String>,
    direction: Direction,
    subject: String,
    message_id: String,
}

impl Queued {
    /// `planned`, kept as its parts when they make the same request again
    /// (at `now`, the time it was planned at).
    pub(super) fn of(planned: Planned, now: OffsetDateTime) -> Queued {
        let Planned {
            line,
            request,
            resumed,
            warning,
        } = planned;
        let made = match Parts::of(&request) {
            Some(parts) if !resumed && parts.request(now) == request => Made::Parts(parts),
            _ => Made::Whole(Box::new(request)),
        };
        Queued {
            line,
            resumed,
            warning,
            made,
        }
    }

    /// The request, built from its parts at `now` (the time it was
    /// planned at) or as kept.
    pub(super) fn request(&self, now: OffsetDateTime) -> Cow<'_, Request> {
        match &self.made {
            Made::Parts(parts) => Cow::Owned(parts.request(now)),
            Made::Whole(r) => Cow::Borrowed(r),
        }
    }

    pub(super) fn id(&self) -> &str {
        match &self.made {
            Made::Parts(p) => &p.id,
            Made::Whole(r) => &r.id,
        }
    }

    /// A's handle.
    pub(super) fn a(&self) -> &str {
        match &self.made {
            Made::Parts(p) => &p.spec.a,
            Made::Whole(r) => &r.a,
        }
    }

    /// B's handle.
    pub(super) fn b(&self) -> &str {
        match &self.made {
            Made::Parts(p) => &p.spec.b,
            Made::Whole(r) => &r.b,
        }
    }

    pub(super) fn why(&self) -> &str {
        match &self.made {
            Made::Parts(p) => &p.spec.why,
            Made::Whole(r) => &r.why,
        }
    }

    pub(super) fn direction(&self) -> Direction {
        match &self.made {
            Made::Parts(p) => p.direction,
            Made::Whole(r) => r.direction,
        }
    }
}

impl Parts {
    /// The parts of a request made by [`Request::new`] and nothing more
    /// than its `why_b` and direction; None for one that asks B too.
    fn of(r: &Request) -> Option<Parts> {
        if r.b_side.is_some() {
            return None;
        }
        Some(Parts {
            id: r.id.clone(),
            spec: AskSpec {
                a: r.a.clone(),
                a_email: r.a_email.clone(),
                b: r.b.clone(),
                b_email: r.b_email.clone(),
                why: r.why.clone(),
                wants: r.wants.clone(),
                format: r.format.clone(),
                note: r.note.clone(),
            },
            why_b: r.why_b.clone(),
            direction: r.direction,
            subject: r.a_side.subject.clone(),
            message_id: r.a_side.message_id.clone(),
        })
    }

    fn request(&self, now: OffsetDateTime) -> Request {
        let mut r = Request::new(
            self.id.clone(),
            self.spec.clone(),
            self.subject.clone(),
            self.message_id.clone(),
            now,
        );
        r.why_b.clone_from(&self.why_b);
        r.direction = self.direction;
        r
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-06-01 09:00 UTC);

    fn planned(request: Request, resumed: bool) -> Planned {
        Planned {
            line: Some(7),
            request,
            resumed,
            warning: Some("asked often".into()),
        }
    }

    fn new_request() -> Request {
        let mut spec = AskSpec::of_about_sam("ada");
        spec.wants = Some("advice".into());
        spec.note = Some("Hope you are well.".into());
        let mut r = Request::new(
            "0000000a".into(),
            spec,
            "Ada, meet Sam?".into(),
            "<a1@example.com>".into(),
            NOW,
        );
        r.direction = Direction::Requested;
        r
    }

    #[test]
    fn a_new_ask_is_kept_as_parts_that_build_the_same_request() {
        let r = new_request();
        let q = Queued::of(planned(r.clone(), false), NOW);
        assert!(matches!(q.made, Made::Parts(_)));
        assert_eq!(*q.request(NOW), r);
        assert_eq!(
            (q.id(), q.a(), q.b(), q.why(), q.direction()),
            ("0000000a", "ada", "sam", "compilers", Direction::Requested)
        );
        assert_eq!((q.line, q.resumed), (Some(7), false));
        assert_eq!(q.warning.as_deref(), Some("asked often"));
    }

    #[test]
    fn a_resumed_ask_or_one_that_asks_b_too_is_kept_whole() {
        let mut begun = new_request();
        begun.sending_run = Some("run1".into());
        let q = Queued::of(planned(begun.clone(), true), NOW);
        assert!(matches!(q.made, Made::Whole(_)));
        assert_eq!(*q.request(NOW), begun);
        let both = new_request().with_b_side("<b1@example.com>".into(), "Sam?".into());
        let q = Queued::of(planned(both.clone(), false), NOW);
        assert!(matches!(q.made, Made::Whole(_)));
        assert_eq!(*q.request(NOW), both);
    }

    #[test]
    fn a_request_its_parts_would_not_rebuild_is_kept_whole() {
        // Planned at another time than the one it is rebuilt at.
        let r = new_request();
        let q = Queued::of(planned(r.clone(), false), NOW + time::Duration::SECOND);
        assert!(matches!(q.made, Made::Whole(_)));
        assert_eq!(*q.request(NOW), r);
    }
}
