//! What an ask of A about B means given the requests already made and the
//! rows before it in a batch: a new request, one an earlier run began and
//! did not finish (send it now), one already made (skip it), one another
//! live run is sending (leave it), or a refusal (the pair twice in one
//! batch; another open ask of the pair without `--force`).
//!
//! Pure: the requests come in, and whether a run is still alive is asked
//! of the caller, who knows where runs leave their marks.

use std::collections::HashMap;

use crate::domain::request::{Request, SideState, State};

/// What to do about one ask whose pair and why are known.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision<'r> {
    /// Nothing open stands in the way: make a new request.
    New,
    /// The same ask, recorded as on its way by a run that died: finish it.
    Resume(&'r Request),
    /// The same ask is already made.
    Skip(&'r Request),
    /// The same ask is being sent right now by another live run.
    Busy(&'r Request),
}

/// Why an ask is refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal<'r> {
    /// The pair has another open request, for another reason, and
    /// `--force` was not given.
    OtherOpen(&'r Request),
}

/// The open requests by pair, and the pairs earlier rows asked.
pub(crate) struct AskPlan<'r> {
    /// Open requests by (A, B), built once so a batch is not quadratic.
    open_by_pair: HashMap<(&'r str, &'r str), Vec<&'r Request>>,
    /// Pairs earlier rows of the batch ask, with their line.
    seen: HashMap<(String, String), Option<u64>>,
    force: bool,
}

impl<'r> AskPlan<'r> {
    /// A plan over `requests` (every stored one; closed ones are passed
    /// over); `force` asks again a pair that has another open request.
    pub(crate) fn new(requests: impl IntoIterator<Item = &'r Request>, force: bool) -> Self {
        let mut open_by_pair: HashMap<(&str, &str), Vec<&Request>> = HashMap::new();
        for r in requests {
            if r.status.is_open() {
                open_by_pair.entry((&r.a, &r.b)).or_default().push(r);
            }
        }
        AskPlan {
            open_by_pair,
            seen: HashMap::new(),
            force,
        }
    }

    /// The line of an earlier row of the batch that asks A about B (None
    /// inside when that row had no line), if one did.
    pub(crate) fn asked_earlier(&self, a: &str, b: &str) -> Option<Option<u64>> {
        self.seen.get(&(a.to_string(), b.to_string())).copied()
    }

    /// Note that the row at `line` asks A about B, for [`Self::asked_earlier`].
    pub(crate) fn note(&mut self, a: &str, b: &str, line: Option<u64>) {
        self.seen.insert((a.to_string(), b.to_string()), line);
    }

    /// Decide the ask of A about B for `why`; `alive(run)` tells whether
    /// the run that began a send is still going.
    pub(crate) fn decide(
        &self,
        a: &str,
        b: &str,
        why: &str,
        alive: impl Fn(&str) -> bool,
    ) -> Result<Decision<'r>, Refusal<'r>> {
        let open = self
            .open_by_pair
            .get(&(a, b))
            .map_or(&[][..], Vec::as_slice);
        if let Some(&r) = open.iter().find(|r| r.why == why) {
            return Ok(match unsent_by(r) {
                None => Decision::Skip(r),
                Some(Some(run)) if alive(run) => Decision::Busy(r),
                Some(_) => Decision::Resume(r),
            });
        }
        match open.first() {
            Some(&r) if !self.force => Err(Refusal::OtherOpen(r)),
            _ => Ok(Decision::New),
        }
    }
}

/// For a request with an ask still to send (A's, or B's with `--both`),
/// the run that began it (None inside when no run was noted); None when
/// every ask went out.
fn unsent_by(r: &Request) -> Option<Option<&str>> {
    if r.status == State::Sending {
        return Some(r.sending_run.as_deref());
    }
    let b_unsent = r
        .b_side
        .as_ref()
        .is_some_and(|b| b.status == SideState::Sending);
    b_unsent.then(|| r.pending.as_ref().and_then(|p| p.run.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::{AskSpec, Side};
    use time::macros::datetime;

    fn request(id: &str, a: &str, b: &str, why: &str) -> Request {
        let spec = AskSpec::pair(
            a.into(),
            format!("{a}@example.com"),
            b.into(),
            format!("{b}@example.com"),
            why.into(),
        );
        let at = datetime!(2026-03-01 09:00 UTC);
        Request::new(id.into(), spec, "Intro?".into(), format!("<{id}@x>"), at)
    }

    fn asked(id: &str, a: &str, b: &str, why: &str) -> Request {
        let mut r = request(id, a, b, why);
        r.mark_asked(datetime!(2026-03-01 09:00 UTC)).unwrap();
        r
    }

    fn never_alive(_: &str) -> bool {
        false
    }

    #[test]
    fn a_pair_with_nothing_open_is_a_new_ask() {
        let stored = [asked("00000001", "ada", "kay", "orbits")];
        let plan = AskPlan::new(&stored, false);
        assert_eq!(
            plan.decide("ada", "sam", "compilers", never_alive),
            Ok(Decision::New)
        );
        assert_eq!(
            plan.decide("sam", "ada", "compilers", never_alive),
            Ok(Decision::New)
        );
    }

    #[test]
    fn the_same_ask_already_made_is_skipped() {
        let stored = [asked("00000001", "ada", "sam", "compilers")];
        let plan = AskPlan::new(&stored, false);
        assert_eq!(
            plan.decide("ada", "sam", "compilers", never_alive),
            Ok(Decision::Skip(&stored[0]))
        );
    }

    #[test]
    fn a_closed_request_does_not_stand_in_the_way() {
        let mut closed = asked("00000001", "ada", "sam", "compilers");
        closed
            .decline(Side::A, datetime!(2026-03-02 09:00 UTC), None)
            .unwrap();
        let stored = [closed];
        let plan = AskPlan::new(&stored, false);
        assert_eq!(
            plan.decide("ada", "sam", "compilers", never_alive),
            Ok(Decision::New)
        );
    }

    #[test]
    fn another_open_ask_of_the_pair_is_refused_unless_forced() {
        let stored = [asked("00000001", "ada", "sam", "compilers")];
        let plan = AskPlan::new(&stored, false);
        assert_eq!(
            plan.decide("ada", "sam", "a new reason", never_alive),
            Err(Refusal::OtherOpen(&stored[0]))
        );
        let forced = AskPlan::new(&stored, true);
        assert_eq!(
            forced.decide("ada", "sam", "a new reason", never_alive),
            Ok(Decision::New)
        );
        // Forced or not, the very same ask is not made twice.
        assert_eq!(
            forced.decide("ada", "sam", "compilers", never_alive),
            Ok(Decision::Skip(&stored[0]))
        );
    }

    #[test]
    fn an_ask_left_on_its_way_is_resumed_unless_its_run_is_alive() {
        let mut sending = request("00000001", "ada", "sam", "compilers");
        sending.sending_run = Some("run-1".into());
        let unclaimed = request("00000002", "kay", "sam", "orbits");
        let stored = [sending, unclaimed];
        let plan = AskPlan::new(&stored, false);
        assert_eq!(
            plan.decide("ada", "sam", "compilers", never_alive),
            Ok(Decision::Resume(&stored[0]))
        );
        assert_eq!(
            plan.decide("ada", "sam", "compilers", |run| run == "run-1"),
            Ok(Decision::Busy(&stored[0]))
        );
        // No run noted: nobody can be sending it.
        assert_eq!(
            plan.decide("kay", "sam", "orbits", |_| true),
            Ok(Decision::Resume(&stored[1]))
        );
    }

    #[test]
    fn a_pair_asked_earlier_in_the_batch_names_that_line() {
        let mut plan = AskPlan::new(&[], false);
        assert_eq!(plan.asked_earlier("ada", "sam"), None);
        plan.note("ada", "sam", Some(3));
        assert_eq!(plan.asked_earlier("ada", "sam"), Some(Some(3)));
        assert_eq!(
            plan.asked_earlier("sam", "ada"),
            None,
            "the pair has a direction"
        );
    }
}
