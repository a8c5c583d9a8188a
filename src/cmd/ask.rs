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
use crate::cmd::send::claim;
use crate::cmd::send::interrupt::Interrupts;
use crate::cmd::send::outgoing::{self, Go};
use crate::cmd::send::resend;
use crate::cmd::send::send_loop::{self, Pace};
use crate::complete;
use crate::context::Context;
use crate::domain::ask_plan::{self, AskPlan};
use crate::domain::fatigue::{self, PriorAsk};
use crate::domain::request::{AskSpec, Direction, PendingKind, Request, Side, SideState, State};
use crate::error::UserError;
use crate::mail::ask_check;
use crate::mail::compose::Composer;
use crate::mail::message::{self, Outgoing};
use crate::mail::transport::{SendError, Transport};
use crate::setup::batch_csv::{self, Column};
use crate::setup::config::Config;
use crate::setup::contacts::Prefers;
use crate::setup::contacts::{Contact, Contacts};
use crate::setup::prefers;
use crate::store::{Requests, StoreError};
use crate::ui::editor;
use crate::ui::view;

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

/// One ask, ready to go: a fresh request, or one an earlier run began.
struct Planned {
    /// The CSV line, for batch messages.
    line: Option<u64>,
    request: Request,
    /// True when an earlier run recorded it and may have sent it.
    resumed: bool,
    /// Ask fatigue: A was asked a lot lately, or has an open ask.
    warning: Option<String>,
}

/// Why a row cannot be asked.
struct BadRow {
    line: Option<u64>,
    error: UserError,
}

impl BadRow {
    /// One line for a batch's list of bad rows: the message, with the
    /// suggestion or the candidates folded in.
    fn one_line(&self) -> String {
        let mut text = self.error.message.clone();
        if let Some(h) = self
            .error
            .hints
            .iter()
            .find(|h| h.starts_with("did you mean"))
        {
            text = format!("{text} ({h})");
        }
        if !self.error.details.is_empty() {
            text = format!("{text}: {}", self.error.details.join("; "));
        }
        match self.line {
            Some(line) => format!("line {line}: {text}"),
            None => text,
        }
    }
}

/// What to do with one row: ask it, or skip it because it was already asked.
enum Decision {
    Ask(Box<Planned>),
    /// Already asked: the same pair with the same why is open.
    Skip {
        id: String,
    },
    /// Another live intro process is sending this very ask right now.
    Busy {
        id: String,
    },
}

/// The text fields of one ask, as typed.
#[derive(Debug)]
pub(crate) struct AskFields {
    pub(crate) a: String,
    pub(crate) b: String,
    pub(crate) why: String,
    pub(crate) why_b: Option<String>,
    pub(crate) wants: Option<String>,
    pub(crate) format: Option<String>,
    pub(crate) note: Option<String>,
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
            return Err(UserError::new(format!(
                "another intro run is sending this ask right now (request {id})"
            ))
            .hint(format!(
                "`intro status {id}` shows it once that run is done"
            ))
            .into());
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
        record_intent(ctx, std::slice::from_ref(&planned), args.force)?
            .into_iter()
            .next()
            .transpose()
            .map_err(UserError::new)?;
        let outgoing = composer.ask(&planned.request, Side::A)?;
        let result = send_one(ctx, transport.as_mut(), &planned, &outgoing, None);
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
            &request.id,
            PendingKind::Ask(Side::B),
            &message,
            edited.as_ref(),
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
    if ctx.out.json {
        let mut json = view::request_json(&request, ctx.now, &config.followup);
        json.warnings.extend(planned.warning.clone());
        ctx.out.json(&json);
    } else {
        ctx.out.data(&request.id);
        let asked = if request.both() {
            format!("{} and {}", request.a, request.b)
        } else if request.is_requested() {
            format!("{} to introduce you to {}", request.a, request.b)
        } else {
            format!("{} about {}", request.a, request.b)
        };
        ctx.out.note(format!(
            "asked {asked} via {} (request {}); `intro status {}` shows it",
            transport.describe(),
            request.id,
            request.id
        ));
    }
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

/// Checks asks against the contacts, the store and the batch so far.
struct Planner<'a> {
    now: time::OffsetDateTime,
    composer: &'a Composer<'a>,
    contacts: &'a Contacts,
    requests: &'a Requests,
    data_dir: &'a std::path::Path,
    /// What the open requests and earlier rows decide.
    decisions: AskPlan<'a>,
    /// Ids drawn for earlier rows.
    reserved: HashSet<String>,
    /// Every stored ask by A, for the ask-fatigue warning (a batch's own
    /// asks of A are counted by `batch_fatigue`, once per A).
    asks_by_a: HashMap<String, Vec<PriorAsk>>,
    /// `[limits] asks_per_90_days`, or None with `--force`.
    fatigue_limit: Option<u32>,
    /// `--force`: also ask those whose `prefers` is `no-intros`.
    force: bool,
    /// Ask B too (`--both`).
    both: bool,
    /// `[ask] require`: fields a row must fill.
    require: Vec<crate::setup::config::AskField>,
    /// Asks (the user introduces) or requests of a connector: each kind
    /// is checked against its own open requests.
    direction: Direction,
}

impl<'a> Planner<'a> {
    fn new(
        now: time::OffsetDateTime,
        composer: &'a Composer<'a>,
        contacts: &'a Contacts,
        requests: &'a Requests,
        data_dir: &'a std::path::Path,
        force: bool,
        fatigue_limit: u32,
    ) -> Planner<'a> {
        let mut asks_by_a: HashMap<String, Vec<PriorAsk>> = HashMap::new();
        // A note request has not written to A yet: no ask of A so far.
        for r in requests.iter().filter(|r| !r.a_not_yet_asked()) {
            asks_by_a
                .entry(r.a.clone())
                .or_default()
                .push(PriorAsk::of(r));
        }
        // Closed requests the read left in the archive, by their index.
        for x in requests.archived_asks_since(now - fatigue::window()) {
            asks_by_a.entry(x.a).or_default().push(PriorAsk {
                id: x.id,
                b: x.b,
                asked_at: x.at,
                open: false,
            });
        }
        Planner {
            now,
            composer,
            contacts,
            requests,
            data_dir,
            decisions: AskPlan::new(
                requests
                    .iter()
                    .filter(|r| r.direction == Direction::Introducing),
                force,
            ),
            reserved: HashSet::new(),
            asks_by_a,
            fatigue_limit: (!force).then_some(fatigue_limit),
            force,
            both: false,
            require: Vec::new(),
            direction: Direction::Introducing,
        }
    }

    /// Plan requests made in `direction`: with `Direction::Requested`,
    /// requests of connectors, checked against the open ones only.
    fn in_direction(mut self, direction: Direction, force: bool) -> Planner<'a> {
        if direction != self.direction {
            self.direction = direction;
            self.decisions = AskPlan::new(
                self.requests.iter().filter(|r| r.direction == direction),
                force,
            );
        }
        self
    }

    /// Decide one ask: new, resumed, skipped, or a bad row.
    fn plan(&mut self, fields: &AskFields, line: Option<u64>) -> Result<Decision, BadRow> {
        let direction = self.direction;
        let decision = self.decide(fields, line).map_err(|mut bad| {
            let reword = |text: &str| crate::cmd::request::in_words_of(direction, text);
            bad.error.message = reword(&bad.error.message);
            bad.error.hints = bad.error.hints.iter().map(|h| reword(h)).collect();
            bad
        })?;
        let (a, b) = match &decision {
            Decision::Ask(p) => {
                self.reserved.insert(p.request.id.clone());
                (p.request.a.clone(), p.request.b.clone())
            }
            Decision::Skip { id } | Decision::Busy { id } => {
                let r = self.requests.get(id).expect("skip names a stored request");
                (r.a.clone(), r.b.clone())
            }
        };
        self.decisions.note(&a, &b, line);
        Ok(decision)
    }

    fn decide(&self, fields: &AskFields, line: Option<u64>) -> Result<Decision, BadRow> {
        let bad = |message: String| BadRow {
            line,
            error: UserError::new(message),
        };
        let find = |name: &str, role: &str| -> Result<&Contact, BadRow> {
            if name.trim().is_empty() {
                return Err(bad(format!("no contact {role} given")));
            }
            self.contacts.find(name).map_err(|e| BadRow {
                line,
                error: crate::error::lookup_error(e, &self.contacts.path),
            })
        };
        let a = find(&fields.a, "A")?;
        let b = find(&fields.b, "B")?;
        if a.handle == b.handle {
            return Err(BadRow {
                line,
                error: UserError::new(format!(
                    "A and B are both `{}`: an introduction needs two people",
                    a.handle
                ))
                .hint("name the one to ask first, then the one they would meet: `intro ask A B --why ...`"),
            });
        }
        if a.prefers == Some(Prefers::NoIntros) && !self.force {
            return Err(BadRow {
                line,
                error: crate::cmd::no_intros(a, &self.contacts.path),
            });
        }
        let why = fields.why.trim();
        if why.is_empty() {
            return Err(bad("`why` is empty: say why the two should meet".into()));
        }
        if let Some(other) = self.decisions.asked_earlier(&a.handle, &b.handle) {
            return Err(bad(format!(
                "asks `{}` about `{}` again (same pair as line {})",
                a.handle,
                b.handle,
                other.map_or("?".into(), |l| l.to_string())
            )));
        }
        let clean = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        if let Some(error) = ask_check::unmet(
            &self.require,
            &ask_check::missing(fields.wants.as_deref(), fields.format.as_deref()),
        ) {
            return Err(BadRow {
                line,
                error: error.into(),
            });
        }
        let why_b = clean(&fields.why_b).filter(|w| w.as_str() != why);
        if why_b.is_some() && !self.both {
            return Err(bad(
                "`why_b` is what B reads when B is asked too, and this ask does not ask B".into(),
            ));
        }
        let spec = AskSpec {
            a: a.handle.clone(),
            a_email: a.email.clone(),
            b: b.handle.clone(),
            b_email: b.email.clone(),
            why: why.to_string(),
            wants: clean(&fields.wants),
            format: clean(&fields.format),
            note: clean(&fields.note),
        };
        // An open request for the pair: the same ask already made (skip it),
        // the same ask interrupted mid-send (finish it), or another ask.
        let alive = |run: &str| !claim::is_abandoned(self.data_dir, run);
        match self.decisions.decide(&spec.a, &spec.b, &spec.why, alive) {
            Ok(ask_plan::Decision::New) => {}
            Ok(ask_plan::Decision::Resume(r)) => {
                return Ok(Decision::Ask(Box::new(Planned {
                    line,
                    request: r.clone(),
                    resumed: true,
                    warning: None,
                })));
            }
            Ok(ask_plan::Decision::Skip(r)) => return Ok(Decision::Skip { id: r.id.clone() }),
            Ok(ask_plan::Decision::Busy(r)) => return Ok(Decision::Busy { id: r.id.clone() }),
            Err(ask_plan::Refusal::OtherOpen(r)) => {
                return Err(bad(format!(
                    "`{}` already has an open request about `{}` (request {}, {}; pass --force to ask anyway)",
                    r.a, r.b, r.id, r.status
                )));
            }
        }
        let id = new_request_id(self.requests, &self.reserved);
        let message_id = self.composer.new_message_id();
        let mut request = Request::new(id, spec, String::new(), message_id, self.now);
        request.why_b = why_b;
        request.direction = self.direction;
        // Rendering now catches template errors and line breaks bound for a
        // header before anything is sent.
        request.a_side.subject = self
            .composer
            .ask_subject(&request, Side::A)
            .map_err(|e| bad(crate::error::one_line(&e)))?;
        if self.both {
            let b_message_id = self.composer.new_message_id();
            let b_subject = self
                .composer
                .ask_subject(&request, Side::B)
                .map_err(|e| bad(crate::error::one_line(&e)))?;
            request = request.with_b_side(b_message_id, b_subject);
        }
        // A batch warns once per A, after every row is planned.
        let fatigue_limit = if line.is_some() {
            None
        } else {
            self.fatigue_limit
        };
        let warning = fatigue_limit.and_then(|limit| {
            let prior = self
                .asks_by_a
                .get(&request.a)
                .map_or(&[][..], Vec::as_slice);
            let connector = request
                .is_requested()
                .then(|| crate::cmd::request::same_person_warning(self.requests, &request))
                .flatten();
            let pace = prefers::pace(Some(a), limit);
            let asked = fatigue::warning(&request.a, prior, self.now, pace);
            match (asked, connector) {
                (Some(a), Some(c)) => Some(format!("{a}; {c}")),
                (a, c) => a.or(c),
            }
        });
        Ok(Decision::Ask(Box::new(Planned {
            line,
            request,
            resumed: false,
            warning,
        })))
    }
}

/// Ask fatigue over a batch, once per A: each warning, in the order A
/// first appears, and on each row that warns (for `--json`) the warning of
/// its A.
fn batch_fatigue(plan: &mut [Planned], planner: &Planner<'_>, limit: u32) -> Vec<String> {
    let mut rows_by_a: Vec<(String, Vec<usize>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, p) in plan.iter().enumerate().filter(|(_, p)| !p.resumed) {
        let at = *index.entry(p.request.a.as_str()).or_insert_with(|| {
            rows_by_a.push((p.request.a.clone(), Vec::new()));
            rows_by_a.len() - 1
        });
        rows_by_a[at].1.push(i);
    }
    let mut warnings = Vec::new();
    for (a, rows) in rows_by_a {
        let lines: Vec<u64> = rows.iter().map(|&i| plan[i].line.unwrap_or(0)).collect();
        let prior = planner.asks_by_a.get(&a).map_or(&[][..], Vec::as_slice);
        let pace = prefers::pace(planner.contacts.by_handle(&a), limit);
        if let Some(w) = fatigue::batch_warning(&a, prior, &lines, planner.now, pace) {
            for &i in &rows[w.from..] {
                plan[i].warning = Some(w.text.clone());
            }
            warnings.push(w.text);
        }
    }
    warnings
}

/// 8 hex characters, not used by a stored request nor earlier in a batch.
fn new_request_id(requests: &Requests, reserved: &HashSet<String>) -> String {
    loop {
        let id = message::random_hex(4);
        if !requests.contains(&id) && !reserved.contains(&id) {
            return id;
        }
    }
}

/// Record every planned ask as `sending` by this run in one write,
/// re-checking under the lock that no other run asked the same pair (or
/// took over the same interrupted ask) meanwhile. Returns, per planned ask,
/// Ok or why it must not be sent.
fn record_intent(
    ctx: &mut Context,
    planned: &[Planned],
    force: bool,
) -> anyhow::Result<Vec<Result<(), String>>> {
    let run = ctx.run_id()?;
    let data_dir = ctx.paths.data_dir.clone();
    let results = ctx.store.write_open(|txn| {
        let mut results = Vec::with_capacity(planned.len());
        // Open requests by pair, with their why and id, built once: a batch
        // of thousands must not scan the store for each of its rows.
        let mut open: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
        // Asks and requests of a connector are checked each against its own.
        let direction = planned.first().map(|p| p.request.direction);
        for r in txn
            .requests()
            .iter()
            .filter(|r| r.status.is_open() && Some(r.direction) == direction)
        {
            open.entry((r.a.clone(), r.b.clone()))
                .or_default()
                .push((r.why.clone(), r.id.clone()));
        }
        for p in planned {
            if p.resumed {
                let current = txn.requests().get(&p.request.id).cloned();
                let free = current.as_ref().is_some_and(|r| {
                    r.status == State::Sending
                        && r.sending_run.as_deref().is_none_or(|other| {
                            other == run || claim::is_abandoned(&data_dir, other)
                        })
                });
                match current {
                    Some(mut r) if free => {
                        r.sending_run = Some(run.clone());
                        txn.put(r);
                        results.push(Ok(()));
                    }
                    _ => results.push(Err(format!(
                        "request {} was finished by another run meanwhile",
                        p.request.id
                    ))),
                }
                continue;
            }
            let pair = (p.request.a.clone(), p.request.b.clone());
            let clash = open
                .get(&pair)
                .and_then(|list| list.iter().find(|(why, _)| !force || *why == p.request.why));
            if let Some((_, id)) = clash {
                results.push(Err(format!(
                    "`{}` was asked about `{}` by another run meanwhile (request {id})",
                    pair.0, pair.1
                )));
                continue;
            }
            open.entry(pair)
                .or_default()
                .push((p.request.why.clone(), p.request.id.clone()));
            let mut r = p.request.clone();
            r.sending_run = Some(run.clone());
            txn.put(r);
            results.push(Ok(()));
        }
        Ok::<_, StoreError>(results)
    })?;
    Ok(results)
}

/// Send one planned ask and record the outcome. Returns the request as stored.
fn send_one(
    ctx: &mut Context,
    transport: &mut dyn Transport,
    planned: &Planned,
    outgoing: &Outgoing,
    next: Option<&Outgoing>,
) -> anyhow::Result<Request> {
    match transport.send_ahead(outgoing, next) {
        Ok(()) => {
            let now = ctx.now;
            let id = planned.request.id.clone();
            let request = ctx.store.write_open(|txn| {
                let mut r = txn
                    .requests()
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| planned.request.clone());
                if r.status == State::Sending {
                    r.mark_asked(now).map_err(|e| anyhow::anyhow!(e))?;
                    txn.put(r.clone());
                }
                Ok::<_, anyhow::Error>(r)
            });
            let request = request.map_err(|e| {
                let what = format!("the ask to `{}` (request {id})", planned.request.a);
                resend::sent_but_unrecorded(&what, &e)
            })?;
            Ok(request)
        }
        Err(e) => {
            forget_unsent(ctx, planned, &e)?;
            Err(e.into())
        }
    }
}

/// A send that failed: drop the `sending` record unless the message may
/// have reached the server (then a rerun re-sends it with the same id).
fn forget_unsent(ctx: &mut Context, planned: &Planned, e: &SendError) -> anyhow::Result<()> {
    if e.maybe_accepted || planned.resumed {
        return Ok(());
    }
    let id = planned.request.id.clone();
    ctx.store.write_open(|txn| {
        if txn
            .requests()
            .get(&id)
            .is_some_and(|r| r.status == State::Sending)
        {
            txn.remove(&id);
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(())
}

/// Asks recorded as `sending` and then not tried (the run was stopped, or
/// the transport failed for good): drop their records in one write, so
/// none is left looking as if it were on its way. Asks an earlier run
/// began keep theirs: they may have gone out then.
fn forget_untried(ctx: &mut Context, untried: &[&Planned]) -> anyhow::Result<()> {
    let ids: Vec<&str> = untried
        .iter()
        .filter(|p| !p.resumed)
        .map(|p| p.request.id.as_str())
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    ctx.store.write_open(|txn| {
        for id in &ids {
            if txn
                .requests()
                .get(id)
                .is_some_and(|r| r.status == State::Sending)
            {
                txn.remove(id);
            }
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(())
}

/// The CSV columns a batch understands; only a note may span lines.
const COLUMNS: [Column; 7] = [
    Column::required("a"),
    Column::required("b"),
    Column::required("why"),
    Column::optional("why_b"),
    Column::optional("wants"),
    Column::optional("format"),
    Column::optional("note").multiline(),
];

/// A batch file read: the asks its rows make, and its bad rows.
pub(crate) struct BatchRows {
    pub(crate) rows: Vec<(u64, AskFields)>,
    pub(crate) bad: Vec<batch_csv::BadRow>,
    /// A bad row is one a stray quote garbled.
    pub(crate) quote_trouble: bool,
}

fn read_batch(path: &std::path::Path, direction: Direction) -> anyhow::Result<BatchRows> {
    let shown = if path == std::path::Path::new("-") {
        "standard input".to_string()
    } else {
        format!("`{}`", path.display())
    };
    let reader: Box<dyn std::io::Read> = if path == std::path::Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| UserError::new(format!("cannot read the batch file {shown}: {e}")))?,
        )
    };
    parse_batch_as(reader, &shown, direction)
}

/// The rows of a batch CSV, each with its line; `shown` names the source
/// in errors.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn parse_batch(reader: impl std::io::Read, shown: &str) -> anyhow::Result<BatchRows> {
    parse_batch_as(reader, shown, Direction::Introducing)
}

/// [`parse_batch`] for asks or, with `Direction::Requested`, requests of
/// connectors (columns `c,t,why`, whose C and T become A and B).
pub(crate) fn parse_batch_as(
    mut reader: impl std::io::Read,
    shown: &str,
    direction: Direction,
) -> anyhow::Result<BatchRows> {
    let (columns, a, b): (&[Column], &str, &str) = match direction {
        Direction::Introducing => (&COLUMNS, "a", "b"),
        Direction::Requested => (&crate::cmd::request::COLUMNS, "c", "t"),
    };
    let mut data = Vec::new();
    reader
        .read_to_end(&mut data)
        .map_err(|e| UserError::new(format!("cannot read the batch file {shown}: {e}")))?;
    let batch = batch_csv::parse(&data, columns, shown)?;
    drop(data);
    let quote_trouble = batch.has_quote_trouble();
    // Each field moves from the CSV's row to the ask's, never held twice.
    let rows = batch
        .rows
        .into_iter()
        .map(|mut row| {
            let mut field = |name: &str| row.take(name);
            let fields = AskFields {
                a: field(a).unwrap_or_default(),
                b: field(b).unwrap_or_default(),
                why: field("why").unwrap_or_default(),
                why_b: field("why_b"),
                wants: field("wants"),
                format: field("format"),
                note: field("note"),
            };
            (row.line, fields)
        })
        .collect();
    Ok(BatchRows {
        rows,
        bad: batch.bad,
        quote_trouble,
    })
}

/// The outcome of a batch, for the summary.
#[derive(Default)]
struct Summary {
    /// How many asks were accepted.
    asked: usize,
    /// The asks accepted, kept only for `--json` (the text output printed
    /// each id as it went): a big batch need not hold them all.
    asked_json: Vec<Request>,
    skipped: usize,
    failed: Vec<(Option<u64>, String)>,
    not_sent: usize,
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
    let mut plan: Vec<Planned> = Vec::new();
    let mut skipped = 0;
    let limit = config.limits.asks_per_90_days;
    let mut planner = Planner::new(
        now, &composer, &contacts, requests, &data_dir, args.force, limit,
    )
    .in_direction(direction, args.force);
    planner.require = config.ask.require.clone();
    for (line, fields) in &rows {
        match planner.plan(fields, Some(*line)) {
            Ok(Decision::Ask(p)) => plan.push(*p),
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
        let rows: Vec<(&Request, u64)> = plan
            .iter()
            .filter(|p| !p.resumed)
            .map(|p| (&p.request, p.line.unwrap_or(0)))
            .collect();
        fatigue_warnings.extend(crate::cmd::request::batch_same_person_warnings(
            requests, &rows,
        ));
    }
    drop(planner);
    // The rows are in the plan now; a big batch need not hold both.
    let row_count = rows.len();
    drop(rows);
    if !bad.is_empty() {
        bad.sort_by_key(|b| b.line);
        let shown = if path == std::path::Path::new("-") {
            "standard input".to_string()
        } else {
            format!("`{}`", path.display())
        };
        return Err(UserError::new(format!(
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
        .into());
    }
    if plan.is_empty() {
        report(ctx, &config, &Summary::default(), &HashMap::new());
        ctx.out.note(format!(
            "{row_count} rows: asked 0, skipped {skipped} (already asked), failed 0"
        ));
        return Ok(());
    }

    warn_unsaid(ctx, &composer, &contacts, &plan, direction)?;
    // Once per contact who prefers direct introductions (a connector asked
    // for an introduction is not being introduced).
    let mut warned = HashSet::new();
    for p in &plan {
        if direction == Direction::Introducing
            && warned.insert(p.request.a.as_str())
            && let Some(w) = contacts
                .by_handle(&p.request.a)
                .and_then(|a| prefers::direct_warning(a, &p.request.b))
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
            .map(|p| composer.ask(&p.request, Side::A))
            .collect::<anyhow::Result<_>>()?;
        outgoing::print_dry_run(ctx, &messages);
        return Ok(());
    }
    let first = composer.ask(&plan[0].request, Side::A)?;
    let what = format!(
        "{} ask{}",
        plan.len(),
        if plan.len() == 1 { "" } else { "s" }
    );
    if !args.send.yes {
        ctx.out.note(format!("{what} to send; the first one:"));
    }
    match outgoing::confirm(ctx, std::slice::from_ref(&first), &args.send, &what)? {
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
    let mut sendable: Vec<&Planned> = Vec::with_capacity(plan.len());
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
        |i| composer.ask(&sendable[i].request, Side::A),
        |i, outgoing, next, transport, progress| {
            let r = send_one(ctx, transport, sendable[i], outgoing, next)?;
            // Printed as soon as it is accepted: a run cut short still
            // tells which asks went out. JSON is one document, at the end.
            if ctx.out.json {
                return Ok(Some(r));
            }
            progress.suspend(|| ctx.out.data(&r.id));
            Ok(None)
        },
    )?;
    transport.close();
    summary.asked = outcome.sent.len();
    summary.asked_json = outcome.sent.into_iter().filter_map(|(_, r)| r).collect();
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
    let untried: Vec<&Planned> = outcome.untried.iter().map(|&i| sendable[i]).collect();
    let fatal = outcome.fatal;
    let stop = outcome.stop;
    forget_untried(ctx, &untried)?;
    ctx.store.sync()?;
    drop(interrupts);
    let warnings: HashMap<&str, &str> = plan
        .iter()
        .filter_map(|p| Some((p.request.id.as_str(), p.warning.as_deref()?)))
        .collect();
    report(ctx, &config, &summary, &warnings);
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
            plan.len(),
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
            "{} rows: asked {}, skipped {} (already asked), failed 0",
            row_count, summary.asked, summary.skipped
        ));
        return Ok(());
    }
    let counts = format!(
        "{} of {} asks failed{}; asked {}, skipped {} (already asked)",
        summary.failed.len(),
        plan.len(),
        if summary.not_sent > 0 {
            format!(", {} not sent", summary.not_sent)
        } else {
            String::new()
        },
        summary.asked,
        summary.skipped
    );
    let mut err = UserError::new(counts).details(failures());
    if let Some(f) = &fatal {
        for h in &f.hints {
            err = err.hint(h.clone());
        }
    }
    Err(err.hint(rerun).into())
}

/// A batch's warnings about what its asks leave unsaid or say at length:
/// one line per kind, with the count and the lines, never one per row.
fn warn_unsaid(
    ctx: &Context,
    composer: &Composer,
    contacts: &Contacts,
    plan: &[Planned],
    direction: Direction,
) -> anyhow::Result<()> {
    let reword = |w: String| crate::cmd::request::in_words_of(direction, &w);
    let mut unsaid: Vec<(crate::setup::config::AskField, Vec<u64>)> = Vec::new();
    let mut long = Vec::new();
    for p in plan {
        let line = p.line.unwrap_or(0);
        for field in ask_check::missing(p.request.wants.as_deref(), p.request.format.as_deref()) {
            match unsaid.iter_mut().find(|(f, _)| *f == field) {
                Some((_, lines)) => lines.push(line),
                None => unsaid.push((field, vec![line])),
            }
        }
        let words = ask_check::words(&composer.ask(&p.request, Side::A)?);
        if words > ask_check::MAX_WORDS {
            long.push((line, words));
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
    let mut introduced: Vec<&str> = Vec::new();
    for p in plan {
        for handle in ask_check::introduced(&p.request, false) {
            if !introduced.contains(&handle) {
                introduced.push(handle);
            }
        }
    }
    if let Some(w) = ask_check::batch_blurb_warning(contacts, &introduced) {
        ctx.out.warn(w);
    }
    Ok(())
}

/// The asks made, as JSON on stdout (without `--json`, each id was
/// printed as it was accepted).
fn report(ctx: &Context, config: &Config, summary: &Summary, warnings: &HashMap<&str, &str>) {
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
