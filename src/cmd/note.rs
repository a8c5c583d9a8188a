//! `intro note`: ask B for a short forwardable note in B's own words
//! before A is asked (template `note_request`), record B's note by hand,
//! and `intro ask REQUEST`: the ask to A carrying that note unchanged.
//!
//! The note request is sent as an ask is: recorded (with its Message-ID
//! and this run's claim) before it goes out, marked sent the moment the
//! transport accepts it. A run killed in between leaves it recorded and
//! unsent; the same command finishes it with the same Message-ID, so it is
//! neither lost nor doubled. The ask carrying the note follows the ask's
//! own order: the request becomes `sending`, then `asked`.

use std::collections::{HashMap, HashSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use clap_complete::ArgValueCandidates;
use time::OffsetDateTime;

use crate::cli::SendArgs;
use crate::cmd::send::claim;
use crate::cmd::send::interrupt::Interrupts;
use crate::cmd::send::outgoing::{self, Go};
use crate::cmd::send::send_loop::{self, Pace};
use crate::cmd::send::sending;
use crate::cmd::{find_request, request_by_handle, transition_error};
use crate::complete;
use crate::context::Context;
use crate::domain::fatigue::{self, PriorAsk};
use crate::domain::forward_note::{self, NoteProblem};
use crate::domain::request::{AskSpec, Request, Side, State};
use crate::error::{Exit, UserError};
use crate::fsutil;
use crate::mail::ask_check;
use crate::mail::compose::Composer;
use crate::mail::message::{self, Outgoing};
use crate::mail::transport::{SendError, Transport};
use crate::setup::batch_csv::{self, Column};
use crate::setup::contacts::Contacts;
use crate::setup::prefers;
use crate::store::{Requests, StoreError};
use crate::ui::editor;
use crate::ui::view;

#[derive(Debug, Args)]
#[command(
    after_help = "B writes the note; you forward it to A unchanged, so A reads B directly.\n\nExamples:\n  intro note sam --for ada --why \"you both work on compilers\" --dry-run\n  intro note sam --for ada --yes          ask Sam for a note for Ada\n  intro sync                              Sam's reply becomes the note\n  intro status 4f2a                       check the note\n  intro note 4f2a --file note.txt         or record (or replace) it by hand\n  intro ask 4f2a --yes                    ask Ada, with Sam's note quoted\n  intro note --batch notes.csv --yes      columns b,a and optionally why"
)]
pub(crate) struct NoteArgs {
    /// Contact B, who writes the note; with `--file`, the request instead (an id, 4 or more characters of it, or the handle of A)
    #[arg(
        value_name = "B|REQUEST",
        required_unless_present = "batch",
        conflicts_with = "batch",
        add = ArgValueCandidates::new(complete::contacts)
    )]
    pub b: Option<String>,

    /// Contact A, whom B hopes to meet (asked later, with B's note)
    #[arg(
        long = "for",
        value_name = "A",
        required_unless_present_any = ["file", "batch"],
        conflicts_with_all = ["file", "batch"],
        add = ArgValueCandidates::new(complete::contacts)
    )]
    pub for_a: Option<String>,

    /// Why the two should meet: B reads it, and the ask to A uses it
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["file", "batch"])]
    pub why: Option<String>,

    /// Record B's note by hand from FILE (`-` for stdin), replacing one received
    #[arg(long, value_name = "FILE", conflicts_with = "batch")]
    pub file: Option<PathBuf>,

    /// Many note requests from a CSV file (`-` for stdin) with columns b,a[,why]
    #[arg(long, value_name = "FILE", conflicts_with = "edit")]
    pub batch: Option<PathBuf>,

    /// Ask even if the pair already has an open request
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub send: SendArgs,
}

pub(crate) fn run(args: NoteArgs, ctx: &mut Context) -> anyhow::Result<()> {
    if args.batch.is_some() {
        return run_batch(args, ctx);
    }
    if let Some(file) = args.file.clone() {
        let name = args.b.clone().unwrap_or_default();
        return record_by_hand(ctx, &name, &file, args.send.dry_run);
    }
    request_one(args, ctx)
}

/// One note request as typed: B, A, and why.
struct NoteFields {
    b: String,
    a: String,
    why: Option<String>,
}

/// A note request ready to go: a fresh one, or one an earlier run began.
struct Planned {
    line: Option<u64>,
    request: Request,
    /// An earlier run recorded it and may have sent it.
    resumed: bool,
    warning: Option<String>,
}

enum Decision {
    Send(Box<Planned>),
    /// The same note request was already sent.
    Skip,
}

/// Checks note requests against the contacts, the store and the batch.
struct Planner<'a> {
    now: time::OffsetDateTime,
    composer: &'a Composer<'a>,
    contacts: &'a Contacts,
    requests: &'a Requests,
    data_dir: PathBuf,
    force: bool,
    /// Asks of each A (for the ask-fatigue warning), and pairs earlier
    /// rows named, with their line.
    asks_by_a: HashMap<String, Vec<PriorAsk>>,
    seen: HashMap<(String, String), u64>,
    reserved: HashSet<String>,
    fatigue_limit: Option<u32>,
}

impl<'a> Planner<'a> {
    /// A planner for this run: the requests of the fatigue window read
    /// from `ctx`'s store, which it holds until dropped.
    fn start(
        ctx: &'a mut Context,
        composer: &'a Composer<'a>,
        contacts: &'a Contacts,
        force: bool,
        limit: u32,
    ) -> anyhow::Result<Planner<'a>> {
        let now = ctx.now;
        let data_dir = ctx.paths.data_dir.clone();
        let requests = ctx.store.read_recent(now - fatigue::window())?;
        let mut asks_by_a: HashMap<String, Vec<PriorAsk>> = HashMap::new();
        for r in requests.iter() {
            asks_by_a
                .entry(r.a.clone())
                .or_default()
                .push(PriorAsk::of(r));
        }
        for x in requests.archived_asks_since(now - fatigue::window()) {
            asks_by_a
                .entry(x.a.clone())
                .or_default()
                .push(x.prior_ask());
        }
        Ok(Planner {
            now,
            composer,
            contacts,
            requests,
            data_dir,
            force,
            asks_by_a,
            seen: HashMap::new(),
            reserved: HashSet::new(),
            fatigue_limit: (!force).then_some(limit),
        })
    }

    fn plan(&mut self, fields: &NoteFields, line: Option<u64>) -> Result<Decision, UserError> {
        let find = |name: &str, role: &str| {
            if name.trim().is_empty() {
                return Err(UserError::new(format!("no contact {role} given")));
            }
            self.contacts
                .find(name)
                .map_err(|e| crate::error::lookup_error(e, &self.contacts.path))
        };
        let b = find(&fields.b, "B")?;
        let a = find(&fields.a, "A")?;
        if a.handle == b.handle {
            return Err(UserError::new(format!(
                "A and B are both `{}`: a note for an introduction needs two people",
                a.handle
            ))
            .hint(
                "name the one who writes the note, then the one it is for: `intro note B --for A`",
            ));
        }
        let pair = (a.handle.clone(), b.handle.clone());
        if let (Some(_), Some(earlier)) = (line, self.seen.get(&pair)) {
            return Err(UserError::new(format!(
                "asks `{}` for a note for `{}` again (same pair as line {earlier})",
                b.handle, a.handle
            )));
        }
        if let Some(line) = line {
            self.seen.insert(pair, line);
        }
        let why = fields
            .why
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_string);
        // The pair's open requests: this very note request, sent or begun,
        // or another request that stands in the way.
        let open: Vec<&Request> = self
            .requests
            .iter()
            .filter(|r| r.status.is_open() && r.a == a.handle && r.b == b.handle)
            .collect();
        for r in &open {
            if r.note_request_unsent() {
                if let Some(run) = r.sending_run.as_deref()
                    && !claim::is_abandoned(&self.data_dir, run)
                {
                    return Err(UserError::new(format!(
                        "another intro run is sending this note request right now (request {})",
                        r.id
                    ))
                    .hint(format!(
                        "`intro status {}` shows it once that run is done",
                        r.id
                    )));
                }
                return Ok(Decision::Send(Box::new(Planned {
                    line,
                    request: (*r).clone(),
                    resumed: true,
                    warning: None,
                })));
            }
            let same = r.forward_note.is_some() && r.why == why.clone().unwrap_or_default();
            if same && line.is_some() {
                return Ok(Decision::Skip);
            }
        }
        if let Some(r) = open.first()
            && !self.force
        {
            return Err(UserError::new(format!(
                "`{}` already has an open request about `{}` (request {}, {})",
                r.a, r.b, r.id, r.status
            ))
            .hint(format!("`intro status {}` shows it", r.id))
            .hint("pass `--force` to ask for a note anyway"));
        }
        let id = loop {
            let id = message::random_hex(4);
            if !self.requests.contains(&id) && !self.reserved.contains(&id) {
                break id;
            }
        };
        self.reserved.insert(id.clone());
        let spec = AskSpec {
            a: a.handle.clone(),
            a_email: a.email.clone(),
            b: b.handle.clone(),
            b_email: b.email.clone(),
            why: why.unwrap_or_default(),
            wants: None,
            format: None,
            note: None,
        };
        let mut request = Request::note_request(
            id,
            spec,
            String::new(),
            self.composer.new_message_id(),
            self.now,
        );
        // Rendering now catches template errors (and line breaks bound for
        // a header) before anything is sent.
        let subject = self
            .composer
            .note_request_text(&request)
            .map_err(|e| UserError::new(crate::error::one_line(&e)))?
            .subject;
        if let Some(n) = request.forward_note.as_mut() {
            n.subject = subject;
        }
        // A batch warns once per A, after every row is planned.
        let warning = match (line, self.fatigue_limit) {
            (None, Some(limit)) => {
                let pace = prefers::pace(Some(a), limit);
                fatigue::warning(&a.handle, self.prior(&a.handle), self.now, pace)
            }
            _ => None,
        };
        Ok(Decision::Send(Box::new(Planned {
            line,
            request,
            resumed: false,
            warning,
        })))
    }

    fn prior(&self, a: &str) -> &[PriorAsk] {
        self.asks_by_a.get(a).map_or(&[][..], Vec::as_slice)
    }
}

fn request_one(args: NoteArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let fields = NoteFields {
        b: args.b.clone().unwrap_or_default(),
        a: args.for_a.clone().unwrap_or_default(),
        why: args.why.clone(),
    };
    let (config, contacts) = ctx.setup()?;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), ctx.now);
    let limit = config.limits.asks_per_90_days;
    let mut planner = Planner::start(ctx, &composer, &contacts, args.force, limit)?;
    let Decision::Send(planned) = planner.plan(&fields, None)? else {
        unreachable!("a single note request is never skipped");
    };
    drop(planner);
    let mut planned = *planned;
    // B writes a note aimed at A: the request says who A is.
    for w in ask_check::blurb_warnings(&contacts, &[&planned.request.a], "the note request") {
        ctx.out.warn(w);
    }
    for w in ask_check::request_nickname_warnings(&contacts, &planned.request, false) {
        ctx.out.warn(w);
    }
    let why = [("--why", Some(planned.request.why.as_str()))];
    let b = &planned.request.b;
    if let Some(w) = ask_check::reader_named_warning(&contacts, b, &why, "the note request") {
        ctx.out.warn(w);
    }
    if let Some(w) = &planned.warning {
        ctx.out.warn(format!(
            "{w}; this note leads to an ask of `{}` (`--force` skips this check)",
            planned.request.a
        ));
    }
    if args.send.edit && planned.resumed {
        ctx.out.warn(format!(
            "request {} was begun before and may have reached B; it is sent as it was, without editing",
            planned.request.id
        ));
    } else if args.send.edit {
        let edited = editor::edit(&ctx.env, &composer.note_request_text(&planned.request)?)?;
        if let Some(n) = planned.request.forward_note.as_mut() {
            n.subject = edited.subject.clone();
            n.edited = Some(edited);
        }
    }
    let message = composer.note_request(&planned.request)?;
    let what = format!("the note request to {}", message.addressees());
    match outgoing::confirm(ctx, std::slice::from_ref(&message), &args.send, &what)? {
        Go::DryRun | Go::Stop => return Ok(()),
        Go::Send => {}
    }
    if let Some(why) = record_intent(ctx, std::slice::from_ref(&planned), args.force)?
        .into_iter()
        .next()
        .and_then(Result::err)
    {
        return Err(UserError::new(why).into());
    }
    let mut transport = ctx.transport(&config);
    let result = send_one(ctx, transport.as_mut(), &planned, &message);
    transport.close();
    let request = result?;
    let note = format!(
        "asked {} for a note for {} via {} (request {}); `intro sync` picks up the reply",
        request.b,
        request.a,
        transport.describe(),
        request.id
    );
    let warning = planned.warning.clone();
    crate::cmd::report_changed(ctx, &request, &config.followup, warning, note);
    Ok(())
}

/// Record every planned note request as being sent by this run, in one
/// write, re-checking under the lock that no other run made a request for
/// the same pair (or took over the same interrupted one) meanwhile.
fn record_intent(
    ctx: &mut Context,
    planned: &[Planned],
    force: bool,
) -> anyhow::Result<Vec<Result<(), String>>> {
    sending::record(ctx, planned, Request::note_request_unsent, |requests| {
        let mut open: HashSet<(String, String)> = requests
            .iter()
            .filter(|r| r.status.is_open())
            .map(|r| (r.a.clone(), r.b.clone()))
            .collect();
        move |p: &Planned| {
            let pair = (p.request.a.clone(), p.request.b.clone());
            if !force && open.contains(&pair) {
                return Some(format!(
                    "`{}` got an open request about `{}` from another run meanwhile",
                    pair.0, pair.1
                ));
            }
            open.insert(pair);
            None
        }
    })
}

impl sending::Planned for Planned {
    fn id(&self) -> &str {
        &self.request.id
    }

    fn resumed(&self) -> bool {
        self.resumed
    }

    fn fresh(&self, _now: OffsetDateTime) -> Request {
        self.request.clone()
    }
}

/// Send one recorded note request and record the outcome.
fn send_one(
    ctx: &mut Context,
    transport: &mut dyn Transport,
    planned: &Planned,
    message: &Outgoing,
) -> anyhow::Result<Request> {
    let id = planned.request.id.clone();
    match transport.send(message) {
        Ok(()) => {
            let now = ctx.now;
            ctx.store
                .write_open(|txn| {
                    let mut r = txn
                        .requests()
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| planned.request.clone());
                    if r.note_request_unsent() {
                        r.mark_note_requested(now).map_err(transition_error)?;
                        txn.put(r.clone());
                    }
                    Ok::<_, anyhow::Error>(r)
                })
                .map_err(|e| {
                    let what =
                        format!("the note request to `{}` (request {id})", planned.request.b);
                    crate::cmd::send::resend::sent_but_unrecorded(&what, &e).into()
                })
        }
        Err(e) => {
            sending::forget_failed(
                ctx,
                &planned.request.id,
                planned.resumed,
                &e,
                Request::note_request_unsent,
            )?;
            Err(e.into())
        }
    }
}

/// `intro note REQUEST --file FILE`: B's note as the user has it (B sent
/// it another way, or the cut of B's reply needs fixing).
fn record_by_hand(ctx: &mut Context, name: &str, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let shown = fsutil::shown_input(file);
    let mut text = String::new();
    fsutil::open_input(file)
        .and_then(|mut f| f.read_to_string(&mut text))
        .map_err(|e| {
            UserError::new(format!("cannot read B's note from {shown}: {e}"))
                .hint("give a UTF-8 text file with the note, or `-` to read it from standard input")
        })?;
    let text = text.trim_matches(['\n', '\r']).trim_end().to_string();
    if text.trim().is_empty() {
        return Err(
            UserError::new(format!("{shown} is empty: there is no note to record"))
                .hint("write B's note into the file, as B wrote it")
                .into(),
        );
    }
    let config = ctx.load_settings()?;
    let id = request_by_handle(ctx, name)?;
    let found = find_request(ctx.store.read_open()?, &id)?;
    let id = found.id.clone();
    no_note_by_hand(found)?;
    let now = ctx.now;
    if dry_run {
        // The note as it would be recorded, and what its checks find.
        let mut r = find_request(ctx.store.read_open()?, &id)?.clone();
        r.record_note_by_hand(now, text.clone())
            .map_err(transition_error)?;
        ctx.out.text(format!("{text}\n"));
        warn_about_note(ctx, &id, &text);
        ctx.out.note("(dry run: nothing was recorded)");
        return Ok(());
    }
    let request = ctx.store.write_open(|txn| {
        let Some(mut r) = txn.requests().get(&id).cloned() else {
            return Err(anyhow::anyhow!("request {id} disappeared from the store"));
        };
        r.record_note_by_hand(now, text.clone())
            .map_err(transition_error)?;
        txn.put(r.clone());
        Ok(r)
    })?;
    warn_about_note(ctx, &id, &text);
    let words = forward_note::word_count(&text);
    let recorded = if request.note_reads_like_no() {
        format!(
            "recorded {}'s reply for {} ({words} words)",
            request.b, request.a
        )
    } else {
        format!(
            "recorded {}'s note for {} ({words} words); `intro ask {}` sends it to {}",
            request.b, request.a, request.id, request.a
        )
    };
    crate::cmd::report_changed(ctx, &request, &config.followup, None, recorded);
    Ok(())
}

/// Why a note cannot be recorded for `r` now, in its own terms: the ask
/// carrying B's note is on its way or sent (A has that one), or the
/// request never asked B for a note.
fn no_note_by_hand(r: &Request) -> Result<(), UserError> {
    if matches!(r.status, State::NoteRequested | State::NoteReceived) {
        return Ok(());
    }
    let id = &r.id;
    if r.forward_note.is_some() && r.status == State::Sending {
        // The ask with the note is on its way, or was cut off: it goes
        // with the note it was made with, and a rerun finishes it.
        return Err(UserError::new(format!(
            "the ask of request {id} to `{}` is being sent with `{}`'s note as it was then (or was interrupted): nothing was recorded",
            r.a, r.b
        ))
        .hint(format!(
            "if it was interrupted, `intro ask {id}` finishes it with the same note; `intro status {id}` shows it"
        )));
    }
    if r.forward_note.is_some() && r.status.is_open() {
        let when = r
            .a_side
            .asked_at
            .map_or_else(String::new, |at| format!(" on {}", at.date()));
        return Err(UserError::new(format!(
            "the ask of request {id} went to `{}`{when} with `{}`'s note as it was then: a note recorded now would never reach them, so nothing was recorded",
            r.a, r.b
        ))
        .hint(format!("`intro status {id}` shows the note `{}` got", r.a))
        .hint("to pass on a new one, forward it from your mail client in the ask's thread"));
    }
    if r.forward_note.is_none() {
        return Err(UserError::new(format!(
            "request {id} never asked `{}` for a note: only a request made by `intro note` takes one",
            r.b
        ))
        .hint(format!("`intro status {id}` shows it")));
    }
    Err(crate::error::transition_error_of(
        r,
        Some(crate::domain::request::TransitionError {
            id: id.clone(),
            from: r.status,
            action: "given a note",
        }),
    ))
}

/// What the checks found in B's note, one warning each; the note itself
/// is never changed.
fn note_warnings(text: &str) -> Vec<String> {
    forward_note::check_note(text)
        .iter()
        .map(NoteProblem::describe)
        .collect()
}

fn warn_about_note(ctx: &Context, id: &str, text: &str) {
    let warnings = note_warnings(text);
    for w in &warnings {
        ctx.out.warn(w);
    }
    if forward_note::reads_like_no(text) {
        ctx.out.note(format!(
            "hint: intro forwards B's words unchanged; if B declined, `intro cancel {id}` closes the request (`intro status {id}` shows it)"
        ));
    } else if !warnings.is_empty() {
        ctx.out.note(
            "hint: intro forwards B's words unchanged; ask B for a new note, or fix it with `intro note REQUEST --file FILE`",
        );
    }
}

/// The lines `intro status REQUEST` shows about B's note: where it
/// stands, the note itself as it will be forwarded, and what its checks
/// found. Nothing for a request made without `intro note`.
pub(crate) fn detail_fields(r: &Request) -> Vec<(&'static str, String)> {
    let Some(n) = &r.forward_note else {
        return Vec::new();
    };
    let mut fields = Vec::new();
    let stands = match (&n.text, n.requested_at, n.received_at) {
        (Some(text), _, Some(at)) => format!(
            "received {} {}, {} words",
            crate::ui::output::rfc3339(at),
            if n.reply_message_id.is_some() {
                "from B's reply"
            } else {
                "by hand"
            },
            forward_note::word_count(text)
        ),
        (None, Some(at), _) => format!("asked for {}, not in yet", crate::ui::output::rfc3339(at)),
        _ => "the request to B was not sent yet".to_string(),
    };
    fields.push(("B's note", stands));
    fields.push(("asked B", n.subject.clone()));
    if let Some(text) = &n.text {
        // Shown as it will be quoted to A, word for word, under a label
        // of its own.
        for (i, line) in text.lines().enumerate() {
            fields.push((if i == 0 { "B wrote" } else { "" }, format!("| {line}")));
        }
        for problem in forward_note::check_note(text) {
            fields.push(("check", problem.describe()));
        }
    }
    fields
}

/// What `intro ask REQUEST` may change in the ask before it goes out.
pub(crate) struct AskOverrides {
    pub(crate) why: Option<String>,
    pub(crate) wants: Option<String>,
    pub(crate) format: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) both: bool,
    pub(crate) force: bool,
}

/// `intro ask REQUEST`: the ask to A for a request whose note from B is
/// in, with the note quoted word for word; then the request goes on as
/// any ask does.
pub(crate) fn ask(
    name: &str,
    overrides: AskOverrides,
    send: &SendArgs,
    ctx: &mut Context,
) -> anyhow::Result<()> {
    let (config, contacts) = ctx.setup()?;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), ctx.now);
    // A's handle names A's one request whose note is in, even when A has
    // other open requests; else the usual naming rules apply.
    let with_note: Vec<String> = match contacts.find(name) {
        Ok(a) => ctx
            .store
            .read_open()?
            .iter()
            .filter(|r| r.a == a.handle && r.forward_note_text().is_some())
            .filter(|r| matches!(r.status, State::NoteReceived | State::Sending))
            .map(|r| r.id.clone())
            .collect(),
        Err(_) => Vec::new(),
    };
    let named = match with_note.as_slice() {
        [one] => Ok(one.clone()),
        _ => request_by_handle(ctx, name),
    };
    // A contact who is A in no open request: `intro ask A` lacks its B.
    let a_of_none = match contacts.find(name) {
        Ok(a) => ctx
            .store
            .read_open()?
            .iter()
            .all(|r| !(r.status.is_open() && r.a == a.handle)),
        Err(_) => false,
    };
    let id = match named {
        Ok(id) => id,
        Err(e) if a_of_none => {
            return Err(UserError::new(format!(
                "`intro ask` needs both A and B, or a request whose note from B is in ({})",
                crate::error::one_line(&e)
            ))
            .exit(Exit::Usage)
            .hint(format!(
                "`intro ask {name} B --why TEXT` asks {name} about B"
            ))
            .hint("`intro note B --for A` asks B for a note first")
            .into());
        }
        Err(e) => return Err(e),
    };
    let now = ctx.now;
    let requests = ctx.store.read_recent(now - fatigue::window())?;
    let stored = find_request(requests, &id)?.clone();
    // Counted now, while the requests are at hand.
    let pace = prefers::pace(
        contacts.by_handle(&stored.a),
        config.limits.asks_per_90_days,
    );
    let fatigue = fatigue_warning(requests, &stored, now, pace);
    let id = stored.id.clone();
    if overrides.both {
        return Err(UserError::new(format!(
            "request {id} carries B's own note: B is not asked again (`--both`)"
        ))
        .hint(format!("`intro ask {id}` asks A, with B's note"))
        .into());
    }
    if stored.is_requested() {
        // A connector's answer is awaited there, not A's.
        let mut err = crate::error::transition_error_of(&stored, None);
        err.message = format!(
            "request {id} asked `{}` to introduce you to `{}`: there is no ask of yours to send",
            stored.a, stored.b
        );
        return Err(err.into());
    }
    let resumed = match stored.status {
        State::NoteReceived => false,
        State::Sending if stored.forward_note_text().is_some() => true,
        State::NoteRequested => {
            return Err(UserError::new(format!(
                "request {id} waits for {}'s note: there is nothing to forward to {} yet",
                stored.b, stored.a
            ))
            .hint("`intro sync` finds B's reply")
            .hint(format!(
                "or record the note by hand: `intro note {id} --file FILE`"
            ))
            .into());
        }
        other => {
            return Err(UserError::new(format!(
                "request {id} is {other}: `intro ask REQUEST` sends the ask for a request made by `intro note`, once B's note is in"
            ))
            .hint(format!("`intro status {id}` shows it"))
            .into());
        }
    };
    let data_dir = ctx.paths.data_dir.clone();
    if resumed
        && let Some(run) = stored.sending_run.as_deref()
        && !claim::is_abandoned(&data_dir, run)
    {
        return Err(claim::busy(&id).into());
    }
    let mut planned = stored.clone();
    if !resumed {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        if let Some(why) = clean(overrides.why) {
            planned.why = why;
        }
        if planned.why.trim().is_empty() {
            return Err(UserError::new(format!(
                "request {id} has no `why`: the ask must say why the two should meet"
            ))
            .hint(format!("`intro ask {id} --why TEXT`"))
            .into());
        }
        planned.wants = clean(overrides.wants).or(planned.wants);
        planned.format = clean(overrides.format).or(planned.format);
        planned.note = clean(overrides.note).or(planned.note);
        let message_id = composer.new_message_id();
        planned
            .begin_ask_with_note(message_id, String::new(), String::new())
            .map_err(transition_error)?;
        planned.a_side.subject = composer.ask_subject(&planned, Side::A)?;
        if send.edit {
            let edited = editor::edit(&ctx.env, &composer.ask_text(&planned, Side::A)?)?;
            planned.a_side.subject = edited.subject.clone();
            planned.a_side.edited = Some(edited);
        }
    } else if send.edit {
        ctx.out.warn(format!(
            "request {id} was begun before and may have reached A; it is sent as it was, without editing"
        ));
    }
    let message = composer.ask(&planned, Side::A)?;
    let note = planned.forward_note_text().unwrap_or_default().to_string();
    let mut warnings = note_warnings(&note);
    // B's note has its own check; the rest of the ask keeps the ask's limit.
    let own = ask_check::words(&message).saturating_sub(forward_note::word_count(&note));
    if own > ask_check::MAX_WORDS {
        warnings.push(format!(
            "the ask to {} is {own} words long besides B's note (more than {})",
            message.addressees(),
            ask_check::MAX_WORDS
        ));
    }
    if !overrides.force
        && !resumed
        && let Some(w) = fatigue
    {
        warnings.push(format!("{w} (`--force` skips this check)"));
    }
    let introduced = ask_check::introduced(&planned, false);
    warnings.extend(ask_check::blurb_warnings(&contacts, &introduced, "the ask"));
    warnings.extend(ask_check::request_nickname_warnings(
        &contacts, &planned, false,
    ));
    for w in &warnings {
        ctx.out.warn(w);
    }
    if forward_note::reads_like_no(&note) {
        ctx.out.note(format!(
            "hint: if {} declined, `intro cancel {id}` closes the request instead",
            planned.b
        ));
    }
    let what = format!(
        "the ask to {}, with {}'s note",
        message.addressees(),
        planned.b
    );
    match outgoing::confirm_warned(ctx, std::slice::from_ref(&message), send, &what, &warnings)? {
        Go::DryRun | Go::Stop => return Ok(()),
        Go::Send => {}
    }
    // Recorded as `sending` by this run before it goes out, as an ask is.
    let run = ctx.run_id()?;
    ctx.store.write_open(|txn| {
        let current = txn.requests().get(&id).cloned();
        let free = current.as_ref().is_some_and(|r| {
            if resumed {
                r.status == State::Sending
                    && r.sending_run
                        .as_deref()
                        .is_none_or(|other| other == run || claim::is_abandoned(&data_dir, other))
            } else {
                r.status == State::NoteReceived && r.forward_note == stored.forward_note
            }
        });
        if !free {
            return Err(UserError::new(format!(
                "request {id} was changed by another intro run meanwhile"
            ))
            .hint(format!("`intro status {id}` shows it"))
            .into());
        }
        let mut r = planned.clone();
        r.sending_run = Some(run.clone());
        txn.put(r);
        Ok::<_, anyhow::Error>(())
    })?;
    let mut transport = ctx.transport(&config);
    let sent = transport.send(&message);
    transport.close();
    let request = match sent {
        Ok(()) => ctx
            .store
            .write_open(|txn| {
                let mut r = txn.requests().get(&id).cloned().unwrap_or(planned.clone());
                if r.status == State::Sending {
                    r.mark_asked(now).map_err(transition_error)?;
                    txn.put(r.clone());
                }
                Ok::<_, anyhow::Error>(r)
            })
            .map_err(|e| {
                crate::cmd::send::resend::sent_but_unrecorded(
                    &format!("the ask to `{}` (request {id})", planned.a),
                    &e,
                )
            })?,
        Err(e) => {
            if !e.maybe_accepted && !resumed {
                ctx.store.write_open(|txn| {
                    if let Some(mut r) = txn.requests().get(&id).cloned() {
                        r.undo_ask_with_note();
                        txn.put(r);
                    }
                    Ok::<_, StoreError>(())
                })?;
            }
            return Err(e.into());
        }
    };
    crate::cmd::report_changed(
        ctx,
        &request,
        &config.followup,
        None,
        format!(
            "asked {} about {}, with {}'s note, via {} (request {}); `intro status {}` shows it",
            request.a,
            request.b,
            request.b,
            transport.describe(),
            request.id,
            request.id
        ),
    );
    Ok(())
}

/// The ask-fatigue warning for asking A now, counting A's other asks.
fn fatigue_warning(
    requests: &Requests,
    request: &Request,
    now: time::OffsetDateTime,
    pace: fatigue::Pace,
) -> Option<String> {
    let mut prior: Vec<PriorAsk> = requests
        .iter()
        .filter(|r| r.a == request.a && r.id != request.id && r.a_side.asked_at.is_some())
        .map(PriorAsk::of)
        .collect();
    for x in requests.archived_asks_since(now - fatigue::window()) {
        if x.a == request.a {
            prior.push(x.prior_ask());
        }
    }
    fatigue::warning(&request.a, &prior, now, pace)
}

/// The columns of `intro note --batch`.
const COLUMNS: [Column; 3] = [
    Column::required("b"),
    Column::required("a"),
    Column::optional("why"),
];

fn run_batch(args: NoteArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let path = args.batch.clone().expect("run_batch needs --batch");
    let shown = fsutil::shown_input(&path);
    let mut data = Vec::new();
    fsutil::open_input(&path)
        .and_then(|mut f| f.read_to_end(&mut data))
        .map_err(|e| UserError::new(format!("cannot read the batch file {shown}: {e}")))?;
    let batch = batch_csv::parse(&data, &COLUMNS, &shown)?;
    drop(data);
    let quote_trouble = batch.has_quote_trouble();
    let (config, contacts) = ctx.setup()?;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), ctx.now);
    let limit = config.limits.asks_per_90_days;
    let now = ctx.now;
    let out = ctx.out;
    let mut planner = Planner::start(ctx, &composer, &contacts, args.force, limit)?;

    // Every row is checked before anything is sent.
    let mut bad: Vec<(u64, String)> = batch
        .bad
        .iter()
        .map(|b| (b.line, b.message.clone()))
        .collect();
    let mut plan: Vec<Planned> = Vec::new();
    let mut skipped = 0;
    let rows = batch.rows.len();
    for mut row in batch.rows {
        let fields = NoteFields {
            b: row.take("b").unwrap_or_default(),
            a: row.take("a").unwrap_or_default(),
            why: row.take("why"),
        };
        match planner.plan(&fields, Some(row.line)) {
            Ok(Decision::Send(p)) => plan.push(*p),
            Ok(Decision::Skip) => skipped += 1,
            Err(e) => bad.push((row.line, one_line(&e))),
        }
    }
    if !bad.is_empty() {
        bad.sort_by_key(|(line, _)| *line);
        return Err(UserError::new(format!(
            "{} bad row{} in {shown}; nothing was sent",
            bad.len(),
            if bad.len() == 1 { "" } else { "s" }
        ))
        .details(bad.iter().map(|(line, why)| format!("line {line}: {why}")))
        .hint(if quote_trouble {
            "close each quote on the line it opens, then run the same command again"
        } else {
            "fix those rows and run the same command again"
        })
        .into());
    }
    // Ask fatigue, once per A with the lines that ask it.
    if !args.force {
        let mut lines_by_a: Vec<(String, Vec<u64>)> = Vec::new();
        for p in plan.iter().filter(|p| !p.resumed) {
            match lines_by_a.iter_mut().find(|(a, _)| *a == p.request.a) {
                Some((_, lines)) => lines.push(p.line.unwrap_or(0)),
                None => lines_by_a.push((p.request.a.clone(), vec![p.line.unwrap_or(0)])),
            }
        }
        for (a, lines) in lines_by_a {
            let pace = prefers::pace(contacts.by_handle(&a), limit);
            if let Some(w) = fatigue::batch_warning(&a, planner.prior(&a), &lines, now, pace) {
                out.warn(w.text);
            }
        }
    }
    drop(planner);
    if plan.is_empty() {
        if ctx.out.json {
            ctx.out.json(&Vec::<view::RequestJson>::new());
        }
        ctx.out.note(format!(
            "{}: asked 0, skipped {skipped} (already asked), failed 0",
            crate::ui::output::plural(rows, "row")
        ));
        return Ok(());
    }
    if args.send.dry_run {
        let messages: Vec<Outgoing> = plan
            .iter()
            .map(|p| composer.note_request(&p.request))
            .collect::<anyhow::Result<_>>()?;
        outgoing::print_dry_run(ctx, &messages);
        return Ok(());
    }
    let first = composer.note_request(&plan[0].request)?;
    match outgoing::confirm_batch(ctx, &first, &args.send, plan.len(), "note request")? {
        Go::DryRun | Go::Stop => return Ok(()),
        Go::Send => {}
    }
    let interrupts = Interrupts::catch().context("cannot catch SIGINT and SIGTERM")?;
    let intents = record_intent(ctx, &plan, args.force)?;
    let mut failed: Vec<(Option<u64>, String)> = Vec::new();
    let mut sendable: Vec<&Planned> = Vec::new();
    for (p, intent) in plan.iter().zip(intents) {
        match intent {
            Ok(()) => sendable.push(p),
            Err(why) => failed.push((p.line, why)),
        }
    }
    let mut transport = ctx.transport(&config);
    let pace = Pace {
        rate_limit: config.send.rate_limit,
        progress: send_loop::progress_bar(ctx, sendable.len() as u64, "note requests"),
    };
    let json = ctx.out.json;
    let outcome = send_loop::send_all(
        sendable.len(),
        &pace,
        Some(&interrupts),
        transport.as_mut(),
        |i| composer.note_request(&sendable[i].request),
        |i, message, _next, transport, progress| {
            let r = send_one(ctx, transport, sendable[i], message)?;
            if !json {
                progress.suspend(|| ctx.out.data(&r.id));
            }
            Ok(r)
        },
    )?;
    transport.close();
    let sent = outcome.sent.len();
    for (i, e) in outcome.failed {
        let why = match e.downcast::<SendError>() {
            Ok(send_error) => send_error.message,
            Err(other) => crate::error::one_line(&other),
        };
        failed.push((sendable[i].line, why));
    }
    failed.sort_by_key(|(line, _)| *line);
    let untried: Vec<&str> = outcome
        .untried
        .iter()
        .map(|&i| sendable[i])
        .filter(|p| !p.resumed)
        .map(|p| p.request.id.as_str())
        .collect();
    sending::forget(ctx, &untried, Request::note_request_unsent)?;
    drop(interrupts);
    if json {
        let list: Vec<_> = outcome
            .sent
            .iter()
            .map(|(_, r)| view::request_json(r, ctx.now, &config.followup))
            .collect();
        ctx.out.json(&list);
    }
    let rerun = "run the same command again: note requests already sent are skipped, the rest are sent once";
    let failures = || {
        failed.iter().map(|(line, why)| match line {
            Some(line) => format!("line {line}: {why}"),
            None => why.clone(),
        })
    };
    if let Some(stop) = outcome.stop {
        return Err(UserError::new(format!(
            "stopped by {}: asked {sent} of {} for a note, {} not attempted; skipped {skipped} (already asked)",
            stop.signal(),
            plan.len(),
            outcome.untried.len(),
        ))
        .details(failures())
        .hint(rerun)
        .exit(stop.exit())
        .into());
    }
    if failed.is_empty() && outcome.untried.is_empty() {
        ctx.out.note(format!(
            "{}: asked {sent} for a note, skipped {skipped} (already asked), failed 0",
            crate::ui::output::plural(rows, "row")
        ));
        return Ok(());
    }
    let mut err = UserError::new(format!(
        "{} of {} note requests failed{}; asked {sent}, skipped {skipped} (already asked)",
        failed.len(),
        plan.len(),
        if outcome.untried.is_empty() {
            String::new()
        } else {
            format!(", {} not sent", outcome.untried.len())
        }
    ))
    .details(failures());
    if let Some(f) = &outcome.fatal {
        for h in &f.hints {
            err = err.hint(h.clone());
        }
    }
    Err(err.hint(rerun).into())
}

/// A bad row's error in one line: the message, with a suggestion folded in.
fn one_line(e: &UserError) -> String {
    let mut text = e.message.clone();
    if let Some(h) = e.hints.iter().find(|h| h.starts_with("did you mean")) {
        text = format!("{text} ({h})");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// A note recorded by hand while the ask carrying the last one is on
    /// its way (or was cut off) is refused with what to do, not with a
    /// thread that may not exist yet.
    #[test]
    fn a_note_by_hand_during_the_ask_with_the_note_points_at_finishing_it() {
        let t0 = datetime!(2026-03-01 09:00 UTC);
        let mut r = Request::note_request(
            "abcd1234".into(),
            AskSpec::of_about_sam("ada"),
            "A short note for Ada?".into(),
            "<n@example.com>".into(),
            t0,
        );
        r.mark_note_requested(t0).unwrap();
        r.record_note_by_hand(t0, "Ada, could we talk about compilers?".into())
            .unwrap();
        r.begin_ask_with_note("<a@example.com>".into(), "Hi".into(), "run".into())
            .unwrap();
        let err = no_note_by_hand(&r).unwrap_err().to_string();
        assert!(err.contains("is being sent with `sam`'s note"), "{err}");
        assert!(!err.contains("went to"), "{err}");
    }
}
