//! What the shell offers on TAB for contact handles and request ids. The
//! shell script from `intro completions` calls intro back with
//! `INTRO_COMPLETE` set; clap_complete then asks these functions.
//!
//! Each reads through the same `Context` a plain run gets (so the same
//! config, contacts file and data dir), and on any problem — no config, a
//! broken file, a store another run is writing — offers nothing: a
//! completion must never print, fail, panic or wait.

use std::panic::{AssertUnwindSafe, catch_unwind};

use clap_complete::engine::CompletionCandidate;

use crate::context::Context;
use crate::request::{Request, State};

/// The variable that makes intro answer a shell's completion request.
pub const VAR: &str = "INTRO_COMPLETE";

/// Contact handles, with the name as the description.
pub fn contacts() -> Vec<CompletionCandidate> {
    quietly(|| {
        let ctx = Context::for_completion()?;
        let config = ctx.load_config().ok();
        let contacts = ctx.load_contacts(config.as_ref()).ok()?;
        Some(
            contacts
                .iter()
                .map(|c| CompletionCandidate::new(&c.handle).help(Some(c.name.clone().into())))
                .collect(),
        )
    })
}

/// Every request (for `status`).
pub fn any_request() -> Vec<CompletionCandidate> {
    requests(|_| true, true)
}

/// Requests that can be cancelled.
pub fn open_requests() -> Vec<CompletionCandidate> {
    requests(State::is_open, false)
}

/// Requests waiting for A's decision (for `approve` and `decline`).
pub fn undecided_requests() -> Vec<CompletionCandidate> {
    requests(|s| matches!(s, State::Asked | State::Replied), false)
}

/// Requests a follow-up can go to.
pub fn asked_requests() -> Vec<CompletionCandidate> {
    requests(|s| s == State::Asked, false)
}

/// Requests ready to be introduced.
pub fn approved_requests() -> Vec<CompletionCandidate> {
    requests(|s| s == State::Approved, false)
}

/// Ids of the requests in a state `keep` accepts, newest first, described
/// as `ada about sam, asked`. Only `closed_too` reads the archive of
/// closed requests (`keep` accepts closed states).
fn requests(keep: fn(State) -> bool, closed_too: bool) -> Vec<CompletionCandidate> {
    quietly(|| {
        let mut ctx = Context::for_completion()?;
        let requests = match closed_too {
            true => ctx.store.read_now().ok()?,
            false => ctx.store.read_open_now().ok()?,
        };
        let mut list: Vec<&Request> = requests.iter().filter(|r| keep(r.status)).collect();
        list.sort_by(|x, y| y.created_at.cmp(&x.created_at).then(x.id.cmp(&y.id)));
        Some(
            list.iter()
                .enumerate()
                .map(|(i, r)| {
                    CompletionCandidate::new(&r.id)
                        .help(Some(format!("{} about {}, {}", r.a, r.b, r.status).into()))
                        .display_order(Some(i))
                })
                .collect(),
        )
    })
}

/// Run `find`, turning a problem or a panic into no candidates, silently.
fn quietly(find: impl FnOnce() -> Option<Vec<CompletionCandidate>>) -> Vec<CompletionCandidate> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let found = catch_unwind(AssertUnwindSafe(find));
    std::panic::set_hook(hook);
    found.ok().flatten().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_or_a_problem_offers_nothing_and_prints_nothing() {
        assert!(quietly(|| panic!("boom")).is_empty());
        assert!(quietly(|| None).is_empty());
        let one = quietly(|| Some(vec![CompletionCandidate::new("ada")]));
        assert_eq!(one.len(), 1);
    }
}
