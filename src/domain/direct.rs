//! A direct introduction (`intro introduce A B --direct`): A said once and
//! for all "just introduce me" (`prefers = "direct"`), so nobody is asked
//! and the request starts out `approved`. It is introduced, drafted or
//! sent, as any approved request is, and counts as one in `status` and
//! `stats`.

use time::OffsetDateTime;

use crate::domain::request::{AskSpec, EventKind, Request, Side, SideState, State};

impl Request {
    /// A request for a direct introduction, ready to be introduced.
    /// `prefers_direct` tells whether A asked for it (`prefers = "direct"`)
    /// or the user passed `--force`: the history says which.
    pub(crate) fn new_direct(
        id: String,
        spec: AskSpec,
        prefers_direct: bool,
        now: OffsetDateTime,
    ) -> Request {
        // No ask, so no ask's Message-ID or Subject: no reply is awaited.
        let mut r = Request::new(id, spec, String::new(), String::new(), now);
        r.direct = true;
        r.status = State::Approved;
        r.a_side.status = SideState::Approved;
        r.record(
            now,
            EventKind::Approved(Side::A),
            Some(if prefers_direct {
                "direct introduction: A prefers to be introduced without an ask".into()
            } else {
                "direct introduction without an ask (`--force`)".into()
            }),
        );
        r
    }

    /// A direct introduction not sent yet, whose words may still change.
    pub(crate) fn is_unsent_direct(&self) -> bool {
        self.direct && self.status == State::Approved && self.pending.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::{FollowupSettings, Side};
    use time::macros::datetime;

    #[test]
    fn a_direct_request_is_approved_awaits_no_reply_and_can_be_introduced() {
        let now = datetime!(2026-03-01 09:00 UTC);
        let spec = AskSpec::of_about_sam("ada");
        let mut r = Request::new_direct("aaaa1111".into(), spec, true, now);
        assert_eq!(r.status, State::Approved);
        assert!(!r.awaits_reply(Side::A));
        assert!(r.thread_ids(Side::B).is_empty());
        assert_eq!(
            r.next_followup_at(Side::A, &FollowupSettings::default()),
            None
        );
        assert!(r.is_unsent_direct());
        r.mark_introduced(now, "<intro@x>".into()).unwrap();
        assert_eq!(r.status, State::Introduced);
        assert!(!r.is_unsent_direct());
    }
}
