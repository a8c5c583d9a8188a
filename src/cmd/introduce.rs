//! `intro introduce`: once A said yes, draft the introduction to A and B
//! (saved under drafts/), or send it with `--send`. With `--direct`, for
//! A who said "just introduce me" (`prefers = "direct"`), the same without
//! an ask: the request is made `approved` and introduced at once.

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::SendArgs;
use crate::cmd::draft_or_send::{INTRODUCTION, Own};
use crate::cmd::{find_request, transition_error};
use crate::complete;
use crate::context::Context;
use crate::domain::request::{AskSpec, Request, State};
use crate::error::{Exit, UserError};
use crate::mail::ask_check;
use crate::mail::compose::Composer;
use crate::mail::message::random_hex;
use crate::setup::contacts::{Contacts, Prefers};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  intro introduce 4f2a           print and save the draft\n  intro introduce 4f2a --send    send it to A and B\n  intro introduce ada sam --direct --why \"you both work on compilers\" --send\n                                 introduce without asking ada first (ada's contact has `prefers = \"direct\"`)"
)]
pub(crate) struct IntroduceArgs {
    /// The approved request (an id, its first 4 or more characters, or the handle of A); with --direct, contact A
    #[arg(value_name = "REQUEST", add = ArgValueCandidates::new(complete::approved_requests))]
    pub request: String,

    /// With --direct: contact B, the one A is introduced to
    #[arg(value_name = "B", requires = "direct", add = ArgValueCandidates::new(complete::contacts))]
    pub b: Option<String>,

    /// Introduce A and B without asking A first: for A whose contact has `prefers = "direct"`
    #[arg(long, requires = "b", requires = "why")]
    pub direct: bool,

    /// With --direct: why the two should meet
    #[arg(long, value_name = "TEXT", requires = "direct")]
    pub why: Option<String>,

    /// With --direct: what B hopes to get from A (advice, a job, an answer, ...)
    #[arg(long, value_name = "TEXT", requires = "direct")]
    pub wants: Option<String>,

    /// With --direct: in what format (a call, a coffee, a lunch, ...)
    #[arg(long, value_name = "TEXT", requires = "direct")]
    pub format: Option<String>,

    /// With --direct: introduce even though A's contact does not say `prefers = "direct"`
    #[arg(long, requires = "direct")]
    pub force: bool,

    /// Send the introduction to A and B (otherwise only draft it under drafts/)
    ///
    /// A draft you edited since intro saved it is sent with its Subject and
    /// body as you left them (recipients and threading stay intro's), and a
    /// sent draft is removed.
    #[arg(long)]
    pub send: bool,

    #[command(flatten)]
    pub send_args: SendArgs,
}

pub(crate) fn run(args: IntroduceArgs, ctx: &mut Context) -> anyhow::Result<()> {
    INTRODUCTION.refuse_yes_without_send(&args.request, args.send, &args.send_args)?;
    let (config, contacts) = ctx.setup()?;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), ctx.now);
    let request = if args.direct {
        direct_request(&args, ctx, &contacts)?
    } else {
        find_request(
            ctx.store.read_named(std::slice::from_ref(&args.request))?,
            &args.request,
        )?
        .clone()
    };
    if request.is_requested() {
        // The user asked a connector for this one: it is theirs to make.
        let e = request.check_introduce().err();
        return Err(crate::error::transition_error_of(&request, e).into());
    }
    request.check_introduce().map_err(|e| {
        let mut err = transition_error(e);
        err.hints.insert(
            0,
            "an introduction goes out only after A said yes (`intro approve`)".into(),
        );
        err
    })?;
    let introduced = ask_check::introduced(&request, true);
    for w in ask_check::blurb_warnings(&contacts, &introduced, "the introduction") {
        ctx.out.warn(w);
    }
    for w in ask_check::request_nickname_warnings(&contacts, &request, false) {
        ctx.out.warn(w);
    }
    let own = Own {
        text: composer.introduction_text(&request)?,
        build: &|message_id, text| composer.introduction(&request, message_id, text),
        new_words: None,
        keeps_words: false,
        unsaid: None,
    };
    INTRODUCTION.run(ctx, &config, &request, &own, args.send, &args.send_args)
}

/// `--direct`: the request for introducing A to B without an ask, made
/// `approved` now, or the one an earlier run made and did not send yet
/// (so a draft can be sent later, and a run killed mid-send finishes).
fn direct_request(
    args: &IntroduceArgs,
    ctx: &mut Context,
    contacts: &Contacts,
) -> anyhow::Result<Request> {
    let find = |name: &str| {
        contacts
            .find(name)
            .map_err(|e| crate::error::lookup_error(e, &contacts.path))
    };
    let a = find(&args.request)?;
    let b = find(args.b.as_deref().unwrap_or_default())?;
    if a.handle == b.handle {
        return Err(UserError::new(format!(
            "A and B are both `{}`: an introduction needs two people",
            a.handle
        ))
        .hint("name the one who prefers direct introductions first: `intro introduce A B --direct --why ...`")
        .exit(Exit::Usage)
        .into());
    }
    if a.prefers != Some(Prefers::Direct) && !args.force {
        let said = match a.prefers {
            Some(Prefers::NoIntros) => "prefers no introductions (`prefers = \"no-intros\"`)",
            _ => "has not said they prefer direct introductions",
        };
        return Err(UserError::new(format!(
            "`{}` {said}: ask first with `intro ask {} {} --why ...`",
            a.handle, a.handle, b.handle
        ))
        .hint(format!(
            "if {} told you to just introduce them, add `prefers = \"direct\"` to `[{}]` in `{}`",
            a.first_name(),
            a.handle,
            contacts.path.display()
        ))
        .hint("or pass `--force` to introduce them without asking this once")
        .into());
    }
    let why = args.why.as_deref().map(str::trim).unwrap_or_default();
    if why.is_empty() {
        return Err(
            UserError::new("`--why` is empty: say why the two should meet")
                .hint("the introduction tells both why: `--why \"you both work on compilers\"`")
                .exit(Exit::Usage)
                .into(),
        );
    }
    let spec = crate::cmd::ask_spec(
        a,
        b,
        why,
        args.wants.as_deref(),
        args.format.as_deref(),
        None,
    );
    // A rerun after the send must not introduce them a second time.
    if let Some(done) = ctx
        .store
        .read()?
        .iter()
        .find(|r| r.direct && r.status == State::Introduced && r.a == spec.a && r.b == spec.b)
    {
        return Err(UserError::new(format!(
            "`{}` and `{}` were introduced already (request {}, {})",
            done.a,
            done.b,
            done.id,
            done.introduction
                .as_ref()
                .map_or(done.updated_at, |i| i.at)
                .date()
        ))
        .hint(format!("`intro status {}` shows it", done.id))
        .into());
    }
    let now = ctx.now;
    let prefers_direct = a.prefers == Some(Prefers::Direct);
    // A dry run shows the introduction and records nothing.
    if args.send_args.dry_run {
        return direct_for_pair(ctx.store.read_open()?, spec, prefers_direct, now);
    }
    ctx.store.write_open(|txn| {
        let request = direct_for_pair(txn.requests(), spec, prefers_direct, now)?;
        txn.put(request.clone());
        Ok(request)
    })
}

/// The direct request for the pair in `spec` among the open `requests`:
/// a new one, or one an earlier run made and did not send yet (with the
/// words given now, until a send began).
fn direct_for_pair(
    requests: &crate::store::Requests,
    spec: AskSpec,
    prefers_direct: bool,
    now: time::OffsetDateTime,
) -> anyhow::Result<Request> {
    let open: Vec<&Request> = requests
        .iter()
        .filter(|r| r.status.is_open() && r.a == spec.a && r.b == spec.b)
        .collect();
    match open.as_slice() {
        [] => {
            let id = loop {
                let id = random_hex(4);
                if !requests.contains(&id) {
                    break id;
                }
            };
            Ok(Request::new_direct(id, spec, prefers_direct, now))
        }
        [r] if r.direct => {
            let mut r = (*r).clone();
            if r.is_unsent_direct()
                && (r.why != spec.why || r.wants != spec.wants || r.format != spec.format)
            {
                r.why = spec.why;
                r.wants = spec.wants;
                r.format = spec.format;
                r.updated_at = now;
            }
            Ok(r)
        }
        [r, ..] => Err(UserError::new(format!(
            "`{}` already has an open request about `{}` (request {}, {})",
            r.a, r.b, r.id, r.status
        ))
        .hint(format!(
            "`intro status {}` shows it; `intro introduce {}` once A said yes",
            r.id, r.id
        ))
        .into()),
    }
}
