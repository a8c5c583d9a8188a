//! Numbers about past requests: how many are in each state, how often A says
//! yes, how long A takes to answer, how many follow-ups an answer needed;
//! overall and per contact asked as A. Pure: requests (and the cut-off) in,
//! numbers out.
//!
//! Definitions, also given in `intro stats --help` and the README:
//! - A request **said yes** when A approved it: it is `approved` or
//!   `introduced`, or was cancelled after A's yes; it **said no** when A
//!   declined it. The approval rate is yes / (yes + no): undecided requests
//!   do not count. With `--both` only A's answer counts here (B's no
//!   declines the request, but A still said yes).
//! - A request's **answer** is the first reply, approval or decline recorded
//!   after the ask. A reply counts from its `Date` header (when A wrote,
//!   not when `intro sync` noticed), kept between the ask and the sync.
//! - A follow-up was **needed** by an answered request when at least one
//!   follow-up went out before the answer.

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime};

use crate::domain::request::{EventKind, Request, Side, State};

/// Every number `intro stats` shows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stats {
    /// Only requests created at or after this time were counted.
    pub since: Option<OffsetDateTime>,
    pub total: usize,
    /// Every state, also those with no request.
    pub by_state: BTreeMap<State, usize>,
    pub approval: Approval,
    /// How many requests were answered, and how long the answers took.
    pub answers: Answers,
    pub followups: Followups,
    /// Contacts asked as A, most asked first.
    pub per_contact: Vec<ContactStats>,
}

/// Decisions A made: yes or no.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Approval {
    pub yes: usize,
    pub no: usize,
}

impl Approval {
    pub(crate) fn decided(&self) -> usize {
        self.yes + self.no
    }

    /// yes / decided, or None when nothing was decided.
    pub(crate) fn rate(&self) -> Option<f64> {
        ratio(self.yes, self.decided())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Answers {
    pub answered: usize,
    /// The median time from the ask to the answer.
    pub median: Option<Duration>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Followups {
    /// Follow-ups sent, over every counted request.
    pub sent: usize,
    /// Answered requests (the base of the two numbers below).
    pub answered: usize,
    /// Answered requests that had at least one follow-up before the answer.
    pub needed: usize,
    /// Follow-ups that went out before an answer, over answered requests.
    pub before_answer: usize,
}

impl Followups {
    /// The share of answered requests that needed a follow-up.
    pub(crate) fn share(&self) -> Option<f64> {
        ratio(self.needed, self.answered)
    }

    /// Follow-ups per answered request, on average.
    pub(crate) fn average(&self) -> Option<f64> {
        ratio(self.before_answer, self.answered)
    }
}

/// One contact, as the A of requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContactStats {
    pub handle: String,
    /// Requests whose ask went out to this contact.
    pub asked: usize,
    pub answers: Answers,
    pub approval: Approval,
    pub last_asked: OffsetDateTime,
}

/// Count `requests` created at or after `since` (all when None).
pub(crate) fn compute<'r>(
    requests: impl IntoIterator<Item = &'r Request>,
    since: Option<OffsetDateTime>,
) -> Stats {
    let mut by_state: BTreeMap<State, usize> = ALL_STATES.iter().map(|s| (*s, 0)).collect();
    let mut total = 0;
    let mut approval = Approval::default();
    let mut followups = Followups::default();
    let mut waits: Vec<Duration> = Vec::new();
    let mut contacts: BTreeMap<&str, ContactAcc> = BTreeMap::new();
    for r in requests {
        if since.is_some_and(|since| r.created_at < since) {
            continue;
        }
        total += 1;
        *by_state.entry(r.status).or_default() += 1;
        followups.sent += r.a_side.followups.len();
        let decision = decision(r);
        match decision {
            Some(true) => approval.yes += 1,
            Some(false) => approval.no += 1,
            None => {}
        }
        // An ask that never went out (`sending`) was not put to A.
        let Some(asked_at) = r.a_side.asked_at else {
            continue;
        };
        let contact = contacts.entry(r.a.as_str()).or_insert_with(|| ContactAcc {
            asked: 0,
            waits: Vec::new(),
            approval: Approval::default(),
            last_asked: asked_at,
        });
        contact.asked += 1;
        contact.last_asked = contact.last_asked.max(asked_at);
        match decision {
            Some(true) => contact.approval.yes += 1,
            Some(false) => contact.approval.no += 1,
            None => {}
        }
        if let Some(answered_at) = answered_at(r, asked_at) {
            let wait = answered_at - asked_at;
            waits.push(wait);
            contact.waits.push(wait);
            let before = r
                .a_side
                .followups
                .iter()
                .filter(|f| f.at < answered_at)
                .count();
            followups.answered += 1;
            followups.before_answer += before;
            if before > 0 {
                followups.needed += 1;
            }
        }
    }
    let mut per_contact: Vec<ContactStats> = contacts
        .into_iter()
        .map(|(handle, acc)| ContactStats {
            handle: handle.to_string(),
            asked: acc.asked,
            answers: Answers {
                answered: acc.waits.len(),
                median: median(acc.waits),
            },
            approval: acc.approval,
            last_asked: acc.last_asked,
        })
        .collect();
    per_contact.sort_by(|x, y| y.asked.cmp(&x.asked).then(x.handle.cmp(&y.handle)));
    Stats {
        since,
        total,
        by_state,
        approval,
        answers: Answers {
            answered: waits.len(),
            median: median(waits),
        },
        followups,
        per_contact,
    }
}

/// The states in the order intro shows them.
pub(crate) const ALL_STATES: [State; 9] = [
    State::NoteRequested,
    State::NoteReceived,
    State::Sending,
    State::Asked,
    State::Replied,
    State::Approved,
    State::Declined,
    State::Introduced,
    State::Cancelled,
];

struct ContactAcc {
    asked: usize,
    waits: Vec<Duration>,
    approval: Approval,
    last_asked: OffsetDateTime,
}

/// What A decided: yes, no, or nothing yet. Read from A's own approval or
/// decline in the history, so neither a later cancel nor B's answer (with
/// `--both`, B's no declines the request) changes what A said. A
/// connector asked for an introduction (`intro request`) who made it said
/// yes by making it, whether or not they answered first.
fn decision(r: &Request) -> Option<bool> {
    r.history.iter().rev().find_map(|e| match e.kind {
        EventKind::Approved(Side::A) => Some(true),
        EventKind::Introduced if r.is_requested() => Some(true),
        EventKind::Declined(Side::A) => Some(false),
        _ => None,
    })
}

/// When A answered: the first reply, approval or decline after the ask.
fn answered_at(r: &Request, asked_at: OffsetDateTime) -> Option<OffsetDateTime> {
    r.history
        .iter()
        .filter(|e| e.at >= asked_at)
        .filter_map(|e| match e.kind {
            // The reply's Date says when A wrote; the event, when sync saw it.
            // A skewed clock cannot put it before the ask or after the sync.
            EventKind::Replied(Side::A) => Some(
                r.a_side
                    .reply
                    .as_ref()
                    .map_or(e.at, |reply| reply.at.clamp(asked_at, e.at)),
            ),
            EventKind::Approved(Side::A) | EventKind::Declined(Side::A) => Some(e.at),
            EventKind::Introduced if r.is_requested() => Some(e.at),
            _ => None,
        })
        .min()
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(mut values: Vec<Duration>) -> Option<Duration> {
    values.sort();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2),
    }
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::{AskSpec, Reply, Side};
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-01-01 09:00 UTC);

    fn hours(h: i64) -> Duration {
        Duration::hours(h)
    }

    /// A request of `a` about sam, asked at T0 + `at` hours.
    fn asked(id: &str, a: &str, at: i64) -> Request {
        let spec = AskSpec::pair(
            a.into(),
            format!("{a}@example.com"),
            "sam".into(),
            "sam@example.com".into(),
            "why".into(),
        );
        let t = T0 + hours(at);
        let mut r = Request::new(id.into(), spec, "s".into(), format!("<{id}@x>"), t);
        r.mark_asked(t).unwrap();
        r
    }

    fn reply(at: OffsetDateTime) -> Reply {
        Reply {
            at,
            snippet: "ok".into(),
            message_id: None,
        }
    }

    #[test]
    fn an_empty_store_has_no_rates() {
        let s = compute(&[], None);
        assert_eq!(s.total, 0);
        assert_eq!(s.by_state.len(), 9);
        assert!(s.by_state.values().all(|n| *n == 0));
        assert_eq!(s.approval.rate(), None);
        assert_eq!(s.answers.median, None);
        assert_eq!(s.followups.share(), None);
        assert_eq!(s.followups.average(), None);
        assert!(s.per_contact.is_empty());
    }

    #[test]
    fn a_connector_who_made_the_introduction_said_yes() {
        use crate::domain::request::Direction;
        use crate::domain::requested::Noticed;
        let mut unanswered = asked("u", "jo", 0);
        unanswered.direction = Direction::Requested;
        unanswered
            .mark_introduced_by_connector(T0 + hours(3), Noticed::ByHand)
            .unwrap();
        let s = compute(&[unanswered], None);
        assert_eq!((s.approval.yes, s.approval.decided()), (1, 1));
        assert_eq!(s.answers.median, Some(hours(3)));
    }

    #[test]
    fn approval_counts_yes_over_decided() {
        let mut yes = asked("y", "ada", 0);
        yes.approve(Side::A, T0 + hours(2), None).unwrap();
        let mut introduced = asked("i", "ada", 0);
        introduced.approve(Side::A, T0 + hours(4), None).unwrap();
        introduced
            .mark_introduced(T0 + hours(5), "<i>".into())
            .unwrap();
        let mut no = asked("n", "kay", 0);
        no.decline(Side::A, T0 + hours(6), None).unwrap();
        let mut yes_then_cancelled = asked("c", "kay", 0);
        yes_then_cancelled
            .approve(Side::A, T0 + hours(8), None)
            .unwrap();
        yes_then_cancelled.cancel(T0 + hours(9)).unwrap();
        let mut just_cancelled = asked("x", "kay", 0);
        just_cancelled.cancel(T0 + hours(1)).unwrap();
        let open = asked("o", "kay", 0);
        let all = [
            yes,
            introduced,
            no,
            yes_then_cancelled,
            just_cancelled,
            open,
        ];
        let s = compute(&all, None);
        assert_eq!(s.total, 6);
        assert_eq!(s.approval, Approval { yes: 3, no: 1 });
        assert_eq!(s.approval.rate(), Some(0.75));
        assert_eq!(s.by_state[&State::Approved], 1);
        assert_eq!(s.by_state[&State::Introduced], 1);
        assert_eq!(s.by_state[&State::Declined], 1);
        assert_eq!(s.by_state[&State::Cancelled], 2);
        assert_eq!(s.by_state[&State::Asked], 1);
        assert_eq!(s.by_state[&State::Replied], 0);
        // Answers at 2h, 4h (approve), 6h, 8h; the plain cancel is no answer.
        assert_eq!(s.answers.answered, 4);
        assert_eq!(s.answers.median, Some(hours(5)));
    }

    #[test]
    fn with_both_sides_only_a_answer_counts() {
        let mut r = asked("b", "ada", 0).with_b_side("<b@x>".into(), "s".into());
        r.mark_party_asked(Side::B, T0).unwrap();
        r.approve(Side::A, T0 + hours(2), None).unwrap();
        r.decline(Side::B, T0 + hours(1), None).unwrap();
        assert_eq!(r.status, State::Declined, "B's no declines the request");
        let s = compute(&[r], None);
        assert_eq!(s.approval, Approval { yes: 1, no: 0 });
        assert_eq!(s.answers.median, Some(hours(2)), "B's answer is not A's");
        assert_eq!(s.by_state[&State::Declined], 1);
    }

    #[test]
    fn a_reply_answers_from_its_date_header_clamped_to_the_ask_and_the_sync() {
        let mut r = asked("r", "ada", 0);
        // A wrote after 3h; sync noticed after 10h; approved after 20h.
        assert!(r.record_reply(Side::A, T0 + hours(10), reply(T0 + hours(3))));
        r.approve(Side::A, T0 + hours(20), None).unwrap();
        let s = compute(&[r.clone()], None);
        assert_eq!(s.answers.median, Some(hours(3)));

        // A Date before the ask (a skewed clock) counts as an instant answer.
        let mut early = asked("e", "ada", 0);
        assert!(early.record_reply(Side::A, T0 + hours(1), reply(T0 - hours(5))));
        assert_eq!(compute(&[early], None).answers.median, Some(hours(0)));

        // A Date after the sync saw it cannot be: the sync time counts.
        let mut late = asked("l", "ada", 0);
        assert!(late.record_reply(Side::A, T0 + hours(2), reply(T0 + hours(30))));
        assert_eq!(compute(&[late], None).answers.median, Some(hours(2)));
    }

    #[test]
    fn followups_needed_counts_those_before_the_answer() {
        let mut nudged_twice = asked("a", "ada", 0);
        nudged_twice
            .mark_followed_up(Side::A, T0 + hours(120), "<f1>".into())
            .unwrap();
        nudged_twice
            .mark_followed_up(Side::A, T0 + hours(240), "<f2>".into())
            .unwrap();
        nudged_twice
            .approve(Side::A, T0 + hours(250), None)
            .unwrap();
        let mut nudged_once = asked("b", "ada", 0);
        nudged_once
            .mark_followed_up(Side::A, T0 + hours(120), "<f3>".into())
            .unwrap();
        nudged_once.decline(Side::A, T0 + hours(130), None).unwrap();
        let mut prompt = asked("c", "kay", 0);
        prompt.approve(Side::A, T0 + hours(1), None).unwrap();
        let mut silent = asked("d", "kay", 0);
        silent
            .mark_followed_up(Side::A, T0 + hours(120), "<f4>".into())
            .unwrap();
        let s = compute(&[nudged_twice, nudged_once, prompt, silent], None);
        assert_eq!(
            s.followups,
            Followups {
                sent: 4,
                answered: 3,
                needed: 2,
                before_answer: 3,
            }
        );
        assert_eq!(s.followups.share(), Some(2.0 / 3.0));
        assert_eq!(s.followups.average(), Some(1.0));
    }

    #[test]
    fn since_filters_by_creation_time() {
        let old = asked("old", "ada", 0);
        let new = asked("new", "kay", 48);
        let s = compute(&[old.clone(), new.clone()], Some(T0 + hours(24)));
        assert_eq!(s.total, 1);
        assert_eq!(s.per_contact.len(), 1);
        assert_eq!(s.per_contact[0].handle, "kay");
        // The cut-off itself is included.
        assert_eq!(compute(&[old, new], Some(T0)).total, 2);
    }

    #[test]
    fn per_contact_counts_asks_answers_and_speed_most_asked_first() {
        let mut a1 = asked("a1", "ada", 0);
        a1.approve(Side::A, T0 + hours(1), None).unwrap();
        let mut a2 = asked("a2", "ada", 10);
        a2.decline(Side::A, T0 + hours(13), None).unwrap();
        let a3 = asked("a3", "ada", 20);
        let mut k1 = asked("k1", "kay", 5);
        k1.approve(Side::A, T0 + hours(29), None).unwrap();
        let mut b1 = asked("b1", "bob", 7);
        b1.approve(Side::A, T0 + hours(8), None).unwrap();
        // Interrupted mid-send: never asked, so not counted for anyone.
        let spec = AskSpec::pair(
            "zed".into(),
            "zed@example.com".into(),
            "sam".into(),
            "sam@example.com".into(),
            "why".into(),
        );
        let sending = Request::new("s".into(), spec, "s".into(), "<s>".into(), T0);
        let s = compute(&[a1, a2, a3, k1, b1, sending], None);
        assert_eq!(s.total, 6);
        assert_eq!(s.by_state[&State::Sending], 1);
        let handles: Vec<&str> = s.per_contact.iter().map(|c| c.handle.as_str()).collect();
        assert_eq!(handles, ["ada", "bob", "kay"]);
        let ada = &s.per_contact[0];
        assert_eq!(ada.asked, 3);
        assert_eq!(ada.answers.answered, 2);
        assert_eq!(ada.approval, Approval { yes: 1, no: 1 });
        assert_eq!(ada.approval.rate(), Some(0.5));
        // 1h and 3h: the median of two is their mean.
        assert_eq!(ada.answers.median, Some(hours(2)));
        assert_eq!(ada.last_asked, T0 + hours(20));
        let kay = &s.per_contact[2];
        assert_eq!(kay.answers.median, Some(hours(24)));
        assert_eq!(kay.approval.rate(), Some(1.0));
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![hours(5)]), Some(hours(5)));
        assert_eq!(median(vec![hours(9), hours(1), hours(5)]), Some(hours(5)));
        assert_eq!(
            median(vec![hours(4), hours(1), hours(2), hours(100)]),
            Some(hours(3))
        );
    }
}
