//! What the shell offers on TAB for contact handles and request ids. The
//! shell script from `intro completions` calls intro back with
//! `INTRO_COMPLETE` set; clap_complete then asks these functions.
//!
//! Each reads through the same `Context` a plain run gets (so the same
//! config, contacts file and data dir), and on any problem — no config, a
//! broken file, a store another run is writing — offers nothing: a
//! completion must never print, fail, panic or wait.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use clap_complete::engine::CompletionCandidate;

use crate::context::Context;
use crate::domain::request::{Request, State};

/// The variable that makes intro answer a shell's completion request.
pub(crate) const VAR: &str = "INTRO_COMPLETE";

/// Contact handles, with the name as the description.
pub(crate) fn contacts() -> Vec<CompletionCandidate> {
    quietly(|| {
        let ctx = context()?;
        let config = ctx.load_settings().ok();
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
pub(crate) fn any_request() -> Vec<CompletionCandidate> {
    requests(|_| true, true)
}

/// Requests that can be cancelled.
pub(crate) fn open_requests() -> Vec<CompletionCandidate> {
    requests(State::is_open, false)
}

/// Requests waiting for A's decision (for `approve` and `decline`).
pub(crate) fn undecided_requests() -> Vec<CompletionCandidate> {
    requests(|s| matches!(s, State::Asked | State::Replied), false)
}

/// Requests a follow-up can go to.
pub(crate) fn asked_requests() -> Vec<CompletionCandidate> {
    requests(|s| s == State::Asked, false)
}

/// Requests ready to be introduced.
pub(crate) fn approved_requests() -> Vec<CompletionCandidate> {
    requests(|s| s == State::Approved, false)
}

/// Ids of the requests in a state `keep` accepts, newest first, described
/// as `ada about sam, asked`. Only `closed_too` reads the archive of
/// closed requests (`keep` accepts closed states).
fn requests(keep: fn(State) -> bool, closed_too: bool) -> Vec<CompletionCandidate> {
    quietly(|| {
        let mut ctx = context()?;
        let requests = match closed_too {
            true => ctx.store.read_now().ok()?,
            false => ctx.store.read_open_now().ok()?,
        };
        let mut list: Vec<&Request> = requests.iter().filter(|r| keep(r.status)).collect();
        list.sort_by(|x, y| y.created_at.cmp(&x.created_at).then(x.id.cmp(&y.id)));
        let mut candidates: Vec<CompletionCandidate> = list
            .iter()
            .enumerate()
            .map(|(i, r)| {
                CompletionCandidate::new(&r.id)
                    .help(Some(format!("{} about {}, {}", r.a, r.b, r.status).into()))
                    .display_order(Some(i))
            })
            .collect();
        // A handle names its contact's one open request as A: offered
        // when that request is one of those listed.
        let mut by_a: BTreeMap<&str, Vec<&Request>> = BTreeMap::new();
        for r in requests.iter().filter(|r| r.status.is_open()) {
            by_a.entry(r.a.as_str()).or_default().push(r);
        }
        for (handle, rs) in by_a {
            if let [r] = rs.as_slice()
                && keep(r.status)
            {
                candidates.push(
                    CompletionCandidate::new(handle)
                        .help(Some(
                            format!("{} ({} about {}, {})", r.id, r.a, r.b, r.status).into(),
                        ))
                        .display_order(Some(list.len())),
                );
            }
        }
        Some(candidates)
    })
}

/// The context of the line being completed. clap_complete gives intro the
/// line's words (after `--` in its arguments) but does not hand these
/// functions the options typed on it, so `--config` and `--contacts` are
/// read from the words here.
fn context() -> Option<Context> {
    let words: Vec<String> = std::env::args().skip_while(|a| a != "--").skip(1).collect();
    let (config, contacts) = paths_on_line(&words);
    Context::for_completion(config, contacts)
}

/// `--config` and `--contacts` among `words` (the last, being completed,
/// left out), as the shell would pass them: unquoted, `~` expanded.
fn paths_on_line(words: &[String]) -> (Option<PathBuf>, Option<PathBuf>) {
    let typed = &words[..words.len().saturating_sub(1)];
    let path = |word: &str| {
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| word.strip_prefix(*q).and_then(|w| w.strip_suffix(*q)))
            .unwrap_or(word);
        crate::fsutil::expand_tilde(std::path::Path::new(unquoted))
    };
    let (mut config, mut contacts) = (None, None);
    let mut i = 0;
    while i < typed.len() {
        let word = typed[i].as_str();
        for (flag, slot) in [("--config", &mut config), ("--contacts", &mut contacts)] {
            if word == flag {
                if let Some(value) = typed.get(i + 1) {
                    *slot = Some(path(value));
                    i += 1;
                }
            } else if let Some(value) = word.strip_prefix(flag).and_then(|w| w.strip_prefix('=')) {
                *slot = Some(path(value));
            }
        }
        i += 1;
    }
    (config, contacts)
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

    #[test]
    fn config_and_contacts_typed_on_the_line_are_used() {
        let words = |line: &[&str]| line.iter().map(ToString::to_string).collect::<Vec<_>>();
        let (config, contacts) = paths_on_line(&words(&[
            "intro",
            "--config",
            "'a b.toml'",
            "--contacts=c.toml",
            "ask",
            "",
        ]));
        assert_eq!(config, Some(PathBuf::from("a b.toml")));
        assert_eq!(contacts, Some(PathBuf::from("c.toml")));
        // The word being completed is not a value yet.
        assert_eq!(
            paths_on_line(&words(&["intro", "ask", "--config"])),
            (None, None)
        );
        assert_eq!(
            paths_on_line(&words(&["intro", "--config", "x.toml"])),
            (None, None)
        );
        assert_eq!(paths_on_line(&[]), (None, None));
    }
}
