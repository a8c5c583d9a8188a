//! `intro ask`: ask A about B, one at a time or a batch from CSV.
//!
//! Every ask is recorded as `sending` (with its Message-ID) before it goes
//! out, and as `asked` the moment the transport accepts it. A crash between
//! the two leaves a `sending` request that the same command finishes later,
//! re-sending with the same Message-ID; so a rerun sends each ask not yet
//! accepted exactly once, and at most the one in flight twice.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::SendArgs;
use crate::cmd::send::interrupt::Interrupts;
use crate::cmd::send::outgoing::{self, Go};
use crate::cmd::send::resend;
use crate::cmd::send::send_loop::{self, Pace};
use crate::complete;
use crate::context::Context;
use crate::domain::fatigue;
use crate::domain::request::{Direction, PendingKind, Request, Side, SideState, State};
use crate::error::UserError;
use crate::mail::ask_check;
use crate::mail::compose::Composer;
use crate::mail::message::Outgoing;
use crate::mail::transport::SendError;
use crate::setup::prefers;
use crate::ui::editor;
mod batch;
mod intent;
mod planner;
mod queue;
mod report;
mod request_id;

pub(crate) use batch::BatchRows;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use batch::parse_batch;
pub(crate) use planner::AskFields;

use batch::read_batch;
use intent::{forget_untried, record_intent, send_one};
use planner::{BadRow, Decision, Planner, batch_fatigue};
use queue::Queued;
use report::{Summary, bad_rows, finish, report, warn_unsaid};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  intro ask ada sam --why \"you both work on compilers\" --dry-run\n  intro ask ada sam --why \"...\" --wants \"advice\" --format \"a call\" --yes\n  intro ask --batch asks.csv --yes"
)]
pub(crate) struct AskArgs {
    /// Contact A, the one asked: a handle, email or full name (alone: a request whose note from B is in, see `intro note`)
    #[arg(
        required_unless_present = "batch",
        conflicts_with = "batch",
        add = ArgValueCandidates::new(complete::contacts)
    )]
    pub a: Option<String>,

    /// Contact B, the one who wants to meet A
    #[arg(
        conflicts_with = "batch",
        requires = "why",
        add = ArgValueCandidates::new(complete::contacts)
    )]
    pub b: Option<String>,

    /// Why the two should meet
    #[arg(long, value_name = "TEXT", conflicts_with = "batch")]
    pub why: Option<String>,

    /// Why the two should meet, as B reads it with `--both` (default: `--why`)
    #[arg(
        long = "why-b",
        value_name = "TEXT",
        requires = "both",
        conflicts_with = "batch"
    )]
    pub why_b: Option<String>,

    /// What B hopes to get from A (advice, a job, an answer, ...)
    #[arg(long, value_name = "TEXT", conflicts_with = "batch")]
    pub wants: Option<String>,

    /// In what format (a call, a coffee, a lunch, ...)
    #[arg(long, value_name = "TEXT", conflicts_with = "batch")]
    pub format: Option<String>,

    /// A personal line to A at the top of the ask
    #[arg(long, value_name = "TEXT", conflicts_with = "batch")]
    pub note: Option<String>,

    /// Ask B too (template ask_b); the introduction waits for both yeses
    #[arg(long, conflicts_with = "batch")]
    pub both: bool,

    /// Many asks from a CSV file (`-` for stdin) with columns a,b,why[,why_b,wants,format,note]
    #[arg(long, value_name = "FILE", conflicts_with = "edit")]
    pub batch: Option<PathBuf>,

    /// Ask even if the pair already has an open request
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub send: SendArgs,
}

pub(crate) fn run(args: AskArgs, ctx: &mut Context) -> anyhow::Result<()> {
    run_as(args, Direction::Introducing, ctx)
}

/// An ask, or with `Direction::Requested` a request of a connector for an
/// introduction (`intro request`, whose C and T come as A and B): the same
/// checks, records and sends, with the request's own template and words.
pub(crate) fn run_as(args: AskArgs, direction: Direction, ctx: &mut Context) -> anyhow::Result<()> {
    if args.batch.is_some() {
        return run_batch(args, direction, ctx);
    }
    if let (Some(request), None) = (&args.a, &args.b) {
        return crate::cmd::note::ask(request, note_overrides(&args), &args.send, ctx);
    }
    let fields = AskFields {
        a: args.a.clone().unwrap_or_default(),
        b: args.b.clone().unwrap_or_default(),
        why: args.why.clone().unwrap_or_default(),
        why_b: args.why_b.clone(),
        wants: args.wants.clone(),
        format: args.format.clone(),
        note: args.note.clone(),
    };
    let (config, contacts) = ctx.setup()?;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), ctx.now);
    let now = ctx.now;
    let data_dir = ctx.paths.data_dir.clone();
    let requests = ctx.store.read_recent(now - fatigue::window())?;
    let limit = config.limits.asks_per_90_days;
    let mut planner = Planner::new(
        now, &composer, &contacts, requests, &data_dir, args.force, limit,
    )
    .in_direction(direction, args.force);
    planner.both = args.both;
    planner.require = config.ask.require.clone();
    let decision = planner.plan(&fields, None).map_err(|bad| bad.error)?;
    let mut planned = match decision {
        Decision::Ask(p) => *p,
        Decision::Skip { id } => {
            let r = requests.get(&id).expect("skip names a stored request");
            return Err(already_asked(r).into());
        }
        Decision::Busy { id } => {
            return Err(crate::cmd::send::claim::busy(&id).into());
        }
    };
    if let Some(w) = &planned.warning {
        ctx.out.warn(format!("{w} (`--force` skips this check)"));
    }
    // What still has to go out: A's ask, unless an earlier run sent it, and
    // B's with `--both`.
    let send_a = planned.request.status == State::Sending;
    let send_b = planned
        .request
        .b_side
        .as_ref()
        .is_some_and(|b| b.status == SideState::Sending);
    if args.send.edit && planned.resumed {
        ctx.out.warn(format!(
            "request {} was begun before and may have reached its recipients; it is sent as it was, without editing",
            planned.request.id
        ));
    } else if args.send.edit {
        let edited = editor::edit(&ctx.env, &composer.ask_text(&planned.request, Side::A)?)?;
        planned.request.a_side.subject = edited.subject.clone();
        planned.request.a_side.edited = Some(edited);
        if send_b {
            let edited = editor::edit(&ctx.env, &composer.ask_text(&planned.request, Side::B)?)?;
            if let Some(b) = planned.request.b_side.as_mut() {
                b.subject = edited.subject.clone();
                b.edited = Some(edited);
            }
        }
    }
    let mut messages = Vec::new();
    if send_a {
        messages.push(composer.ask(&planned.request, Side::A)?);
    }
    if send_b {
        messages.push(composer.ask(&planned.request, Side::B)?);
    }
    let mut warnings: Vec<String> = ask_check::missing(
        planned.request.wants.as_deref(),
        planned.request.format.as_deref(),
    )
    .into_iter()
    .map(ask_check::warning)
    .collect();
    warnings.extend(messages.iter().filter_map(ask_check::ask_length_warning));
    if ask_check::same_reason(&planned.request) {
        warnings.push(ask_check::SAME_REASON.into());
    }
    warnings.extend(ask_check::request_nickname_warnings(
        &contacts,
        &planned.request,
        false,
    ));
    warnings.extend(ask_check::request_reader_warning(
        &contacts,
        &planned.request,
        false,
    ));
    if direction == Direction::Introducing {
        let introduced = ask_check::introduced(&planned.request, false);
        warnings.extend(ask_check::blurb_warnings(&contacts, &introduced, "the ask"));
        warnings.extend(
            contacts
                .by_handle(&planned.request.a)
                .and_then(|a| prefers::direct_warning(a, &planned.request.b)),
        );
    }
    let warnings: Vec<String> = warnings
        .iter()
        .map(|w| crate::cmd::request::in_words_of(direction, w))
        .collect();
    for w in &warnings {
        ctx.out.warn(w);
    }
    let what = match (send_a, send_b) {
        (true, true) => format!(
            "the asks to {}",
            messages
                .iter()
                .map(Outgoing::addressees)
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        _ => format!(
            "the ask to {}",
            messages
                .first()
                .map(Outgoing::addressees)
                .unwrap_or_default()
        ),
    };
    match outgoing::confirm_warned(ctx, &messages, &args.send, &what, &warnings)? {
        Go::DryRun | Go::Stop => return Ok(()),
        Go::Send => {}
    }
    let mut transport = ctx.transport(&config);
    let mut request = planned.request.clone();
    if send_a {
        let queued = Queued::of(planned.clone(), now);
        record_intent(ctx, std::slice::from_ref(&queued), args.force)?
            .into_iter()
            .next()
            .transpose()
            .map_err(UserError::new)?;
        let outgoing = composer.ask(&planned.request, Side::A)?;
        let result = send_one(ctx, transport.as_mut(), &queued, &outgoing, None);
        request = match result {
            Ok(r) => r,
            Err(e) => {
                transport.close();
                return Err(e);
            }
        };
    }
    if send_b {
        let message = composer.ask(&request, Side::B)?;
        let edited = request.b_side.as_ref().and_then(|b| b.edited.clone());
        let result = resend::send_tracked(
            ctx,
            transport.as_mut(),
            resend::Tracked {
                id: &request.id,
                kind: PendingKind::Ask(Side::B),
                message: &message,
                edited: edited.as_ref(),
            },
        );
        request = match result {
            Ok(r) => r,
            Err(e) => {
                transport.close();
                return Err(e.context(format!(
                    "{} was asked, but the ask to {} was not sent; run the same command again to send it",
                    request.a, request.b
                )));
            }
        };
    }
    transport.close();
    let asked = if request.both() {
        format!("{} and {}", request.a, request.b)
    } else if request.is_requested() {
        format!("{} to introduce you to {}", request.a, request.b)
    } else {
        format!("{} about {}", request.a, request.b)
    };
    let note = format!(
        "asked {asked} via {} (request {}); `intro status {}` shows it",
        transport.describe(),
        request.id,
        request.id
    );
    let warning = planned.warning.clone();
    crate::cmd::report_changed(ctx, &request, &config.followup, warning, note);
    Ok(())
}

/// What `intro ask REQUEST` (an ask carrying B's note) may change.
fn note_overrides(args: &AskArgs) -> crate::cmd::note::AskOverrides {
    crate::cmd::note::AskOverrides {
        why: args.why.clone(),
        wants: args.wants.clone(),
        format: args.format.clone(),
        note: args.note.clone(),
        both: args.both,
        force: args.force,
    }
}

fn already_asked(r: &Request) -> UserError {
    let reword = |text: String| crate::cmd::request::in_words_of(r.direction, &text);
    UserError::new(format!(
        "`{}` already has an open request about `{}` (request {}, {})",
        r.a, r.b, r.id, r.status
    ))
    .hint(format!("`intro status {}` shows it", r.id))
    // The very same ask (A, B and why) is never sent twice, so that a
    // rerun cannot double it: `--force` makes a second ask, not this one.
    .hint(reword(format!(
        "the same ask is not sent twice, even with `--force`: `intro followup {}` nudges `{}`, or a different `--why` with `--force` makes a second ask",
        r.id, r.a
    )))
}

fn run_batch(args: AskArgs, direction: Direction, ctx: &mut Context) -> anyhow::Result<()> {
    let path = args.batch.clone().expect("run_batch needs --batch");
    let BatchRows {
        rows,
        bad: unreadable,
        quote_trouble,
    } = read_batch(&path, direction)?;
    let (config, contacts) = ctx.setup()?;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), ctx.now);
    let now = ctx.now;
    let data_dir = ctx.paths.data_dir.clone();
    let requests = ctx.store.read_recent(now - fatigue::window())?;

    // Validate every row before sending anything.
    let mut bad: Vec<BadRow> = unreadable
        .into_iter()
        .map(|b| BadRow {
            line: Some(b.line),
            error: UserError::new(b.message),
        })
        .collect();
    // Each row kept as the parts of its request (see `queue`).
    let mut plan: Vec<Queued> = Vec::with_capacity(rows.len());
    let mut skipped = 0;
    let limit = config.limits.asks_per_90_days;
    let mut planner = Planner::new(
        now, &composer, &contacts, requests, &data_dir, args.force, limit,
    )
    .in_direction(direction, args.force);
    planner.require = config.ask.require.clone();
    // Each row's fields are dropped once it is planned.
    let row_count = rows.len();
    for (line, fields) in rows {
        match planner.plan(&fields, Some(line)) {
            Ok(Decision::Ask(p)) => plan.push(Queued::of(*p, now)),
            Ok(Decision::Skip { .. } | Decision::Busy { .. }) => skipped += 1,
            Err(b) => bad.push(b),
        }
    }
    let mut fatigue_warnings = if args.force {
        Vec::new()
    } else {
        batch_fatigue(&mut plan, &planner, limit)
    };
    if !args.force && direction == Direction::Requested {
        let rows: Vec<(&str, &str, u64)> = plan
            .iter()
            .filter(|p| !p.resumed)
            .map(|p| (p.a(), p.b(), p.line.unwrap_or(0)))
            .collect();
        fatigue_warnings.extend(crate::cmd::request::batch_same_person_warnings(
            requests, &rows,
        ));
    }
    drop(planner);
    if !bad.is_empty() {
        return Err(bad_rows(&path, bad, quote_trouble).into());
    }
    if plan.is_empty() {
        report(ctx, &config, &Summary::default(), &HashMap::new());
        ctx.out.note(format!(
            "{}: asked 0, skipped {skipped} (already asked), failed 0",
            crate::ui::output::plural(row_count, "row")
        ));
        return Ok(());
    }

    warn_unsaid(ctx, &composer, &contacts, &plan, direction)?;
    // Once per contact who prefers direct introductions (a connector asked
    // for an introduction is not being introduced).
    let mut warned = HashSet::new();
    for p in &plan {
        if direction == Direction::Introducing
            && warned.insert(p.a())
            && let Some(w) = contacts
                .by_handle(p.a())
                .and_then(|a| prefers::direct_warning(a, p.b()))
        {
            ctx.out.warn(w);
        }
    }
    for w in &fatigue_warnings {
        ctx.out.warn(w);
    }
    if !fatigue_warnings.is_empty() {
        ctx.out.note("hint: `--force` skips the ask-fatigue check");
    }
    if args.send.dry_run {
        let messages: Vec<_> = plan
            .iter()
            .map(|p| composer.ask(&p.request(now), Side::A))
            .collect::<anyhow::Result<_>>()?;
        outgoing::print_dry_run(ctx, &messages);
        return Ok(());
    }
    let first = composer.ask(&plan[0].request(now), Side::A)?;
    match outgoing::confirm_batch(ctx, &first, &args.send, plan.len(), "ask")? {
        Go::DryRun | Go::Stop => return Ok(()),
        Go::Send => {}
    }
    drop(first);

    // Caught from before the asks are recorded as `sending`: a stop then
    // ends the run with every record true (see `interrupt`).
    let interrupts = Interrupts::catch().context("cannot catch SIGINT and SIGTERM")?;
    let intents = record_intent(ctx, &plan, args.force)?;
    let mut summary = Summary {
        skipped,
        ..Summary::default()
    };
    // Asks that may not be sent (another run took them meanwhile) fail
    // before the loop; the loop sends the rest.
    let mut sendable: Vec<&Queued> = Vec::with_capacity(plan.len());
    for (p, intent) in plan.iter().zip(intents) {
        match intent {
            Ok(()) => sendable.push(p),
            Err(why) => summary.failed.push((p.line, why)),
        }
    }
    let mut transport = ctx.transport(&config);
    let pace = Pace {
        rate_limit: config.send.rate_limit,
        progress: send_loop::progress_bar(ctx, sendable.len() as u64, "asks"),
    };
    // Group the journal's fsyncs (see Store::defer_sync): a killed run
    // still loses nothing; the intents above were synced one by one.
    ctx.store.defer_sync(Duration::from_millis(100));
    let outcome = send_loop::send_all(
        sendable.len(),
        &pace,
        Some(&interrupts),
        transport.as_mut(),
        |i| composer.ask(&sendable[i].request(now), Side::A),
        |i, outgoing, next, transport, progress| {
            let r = send_one(ctx, transport, sendable[i], outgoing, next)?;
            // Printed as soon as it is accepted: a run cut short still
            // tells which asks went out. JSON is one document, at the end.
            // Boxed: the loop keeps one entry per ask sent, and a request
            // held inline would cost its full size even as None.
            if ctx.out.json {
                return Ok(Some(Box::new(r)));
            }
            progress.suspend(|| ctx.out.data(&r.id));
            Ok(None)
        },
    )?;
    transport.close();
    summary.asked = outcome.sent.len();
    summary.asked_json = outcome
        .sent
        .into_iter()
        .filter_map(|(_, r)| r.map(|r| *r))
        .collect();
    for (i, e) in outcome.failed {
        let why = match e.downcast::<SendError>() {
            Ok(send_error) => send_error.message,
            Err(other) => crate::error::one_line(&other),
        };
        summary.failed.push((sendable[i].line, why));
    }
    // In the order of the rows, as they were tried.
    summary.failed.sort_by_key(|(line, _)| *line);
    summary.not_sent = outcome.untried.len();
    let untried: Vec<&Queued> = outcome.untried.iter().map(|&i| sendable[i]).collect();
    let fatal = outcome.fatal;
    let stop = outcome.stop;
    forget_untried(ctx, &untried)?;
    ctx.store.sync()?;
    drop(interrupts);
    let warnings: HashMap<&str, &str> = plan
        .iter()
        .filter_map(|p| Some((p.id(), p.warning.as_deref()?)))
        .collect();
    report(ctx, &config, &summary, &warnings);
    finish(ctx, &summary, plan.len(), row_count, stop, fatal.as_ref())
}
