//! What a batch tells the user: its warnings, one line per kind, and the
//! asks made as JSON.

use std::collections::{HashMap, HashSet};

use std::path::Path;

use crate::cmd::send::interrupt::Stop;
use crate::context::Context;
use crate::domain::request::{Direction, Request, Side};
use crate::error::UserError;
use crate::mail::ask_check;
use crate::mail::compose::Composer;
use crate::mail::transport::SendError;
use crate::setup::config::Config;
use crate::setup::contacts::Contacts;
use crate::ui::view;

use super::planner::BadRow;
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
    let mut named: Vec<String> = Vec::new();
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
        // Names in typed fields: told per row, as few batches have many.
        let names = ask_check::request_nickname_warnings(contacts, &request, true)
            .into_iter()
            .chain(ask_check::request_reader_warning(contacts, &request, true));
        named.extend(names.map(|w| format!("line {line}: {w}")));
    }
    const SHOWN: usize = 10;
    for w in named.iter().take(SHOWN) {
        ctx.out.warn(w);
    }
    if named.len() > SHOWN {
        ctx.out.warn(format!(
            "and {} more warnings like these about names in the batch's fields",
            named.len() - SHOWN
        ));
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

/// The refusal of a batch with bad rows, each named by its line.
pub(super) fn bad_rows(path: &Path, mut bad: Vec<BadRow>, quote_trouble: bool) -> UserError {
    bad.sort_by_key(|b| b.line);
    let shown = if path == Path::new("-") {
        "standard input".to_string()
    } else {
        format!("`{}`", path.display())
    };
    UserError::new(format!(
        "{} bad row{} in {shown}; nothing was sent",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" }
    ))
    .details(bad.iter().map(BadRow::one_line))
    .hint(if quote_trouble {
        "close each quote on the line it opens (only `note` may span lines), then run the same command again"
    } else {
        "fix those rows and run the same command again"
    })
}

/// How a batch ended: a note when every ask went out, else an error with
/// each failure and what to do.
pub(super) fn finish(
    ctx: &Context,
    summary: &Summary,
    planned: usize,
    row_count: usize,
    stop: Option<Stop>,
    fatal: Option<&SendError>,
) -> anyhow::Result<()> {
    let rerun =
        "run the same command again: asks already accepted are skipped, the rest are sent once";
    let failures = || {
        summary.failed.iter().map(|(line, why)| match line {
            Some(line) => format!("line {line}: {why}"),
            None => why.clone(),
        })
    };
    if let Some(stop) = stop {
        let failed = if summary.failed.is_empty() {
            String::new()
        } else {
            format!(", {} failed", summary.failed.len())
        };
        return Err(UserError::new(format!(
            "stopped by {}: asked {} of {}, {} not attempted{failed}; skipped {} (already asked)",
            stop.signal(),
            summary.asked,
            planned,
            summary.not_sent,
            summary.skipped
        ))
        .details(failures())
        .hint(rerun)
        .exit(stop.exit())
        .into());
    }
    if summary.failed.is_empty() && summary.not_sent == 0 {
        ctx.out.note(format!(
            "{}: asked {}, skipped {} (already asked), failed 0",
            crate::ui::output::plural(row_count, "row"),
            summary.asked,
            summary.skipped
        ));
        return Ok(());
    }
    let counts = format!(
        "{} of {} asks failed{}; asked {}, skipped {} (already asked)",
        summary.failed.len(),
        planned,
        if summary.not_sent > 0 {
            format!(", {} not sent", summary.not_sent)
        } else {
            String::new()
        },
        summary.asked,
        summary.skipped
    );
    let mut err = UserError::new(counts).details(failures());
    if let Some(f) = fatal {
        for h in &f.hints {
            err = err.hint(h.clone());
        }
    }
    Err(err.hint(rerun).into())
}
