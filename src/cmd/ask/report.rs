//! What a batch tells the user: its warnings, one line per kind, and the
//! asks made as JSON.

use std::collections::{HashMap, HashSet};

use crate::context::Context;
use crate::domain::request::{Direction, Request, Side};
use crate::mail::ask_check;
use crate::mail::compose::Composer;
use crate::setup::config::Config;
use crate::setup::contacts::Contacts;
use crate::ui::view;

use super::queue::Queued;

/// The outcome of a batch, for the summary.
#[derive(Default)]
pub(super) struct Summary {
    /// How many asks were accepted.
    pub(super) asked: usize,
    /// The asks accepted, kept only for `--json` (the text output printed
    /// each id as it went): a big batch need not hold them all.
    pub(super) asked_json: Vec<Request>,
    pub(super) skipped: usize,
    pub(super) failed: Vec<(Option<u64>, String)>,
    pub(super) not_sent: usize,
}

/// A batch's warnings about what its asks leave unsaid or say at length:
/// one line per kind, with the count and the lines, never one per row.
pub(super) fn warn_unsaid(
    ctx: &Context,
    composer: &Composer,
    contacts: &Contacts,
    plan: &[Queued],
    direction: Direction,
) -> anyhow::Result<()> {
    let reword = |w: String| crate::cmd::request::in_words_of(direction, &w);
    let mut unsaid: Vec<(crate::setup::config::AskField, Vec<u64>)> = Vec::new();
    let mut long = Vec::new();
    // Those the asks introduce, in the order they first appear.
    let mut introduced: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for p in plan {
        let line = p.line.unwrap_or(0);
        // Each request is built, and its ask rendered, one at a time.
        let request = p.request(ctx.now);
        for field in ask_check::missing(request.wants.as_deref(), request.format.as_deref()) {
            match unsaid.iter_mut().find(|(f, _)| *f == field) {
                Some((_, lines)) => lines.push(line),
                None => unsaid.push((field, vec![line])),
            }
        }
        let words = ask_check::words(&composer.ask(&request, Side::A)?);
        if words > ask_check::MAX_WORDS {
            long.push((line, words));
        }
        for handle in ask_check::introduced(&request, false) {
            if seen.insert(handle.to_string()) {
                introduced.push(handle.to_string());
            }
        }
    }
    for (field, lines) in unsaid {
        ctx.out.warn(reword(
            ask_check::batch_warning(field, &lines).unwrap_or_default(),
        ));
    }
    if let Some(w) = ask_check::batch_length_warning(&long) {
        ctx.out.warn(reword(w));
    }
    if direction == Direction::Requested {
        return Ok(());
    }
    let introduced: Vec<&str> = introduced.iter().map(String::as_str).collect();
    if let Some(w) = ask_check::batch_blurb_warning(contacts, &introduced) {
        ctx.out.warn(w);
    }
    Ok(())
}

/// The asks made, as JSON on stdout (without `--json`, each id was
/// printed as it was accepted).
pub(super) fn report(
    ctx: &Context,
    config: &Config,
    summary: &Summary,
    warnings: &HashMap<&str, &str>,
) {
    if !ctx.out.json {
        return;
    }
    let list: Vec<_> = summary
        .asked_json
        .iter()
        .map(|r| {
            let mut json = view::request_json(r, ctx.now, &config.followup);
            json.warnings
                .extend(warnings.get(r.id.as_str()).map(ToString::to_string));
            json
        })
        .collect();
    ctx.out.json(&list);
}
