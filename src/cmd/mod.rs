//! One file per subcommand: its clap arguments and its `run`, which only
//! orchestrates (load, decide, send, record, print).

pub(crate) mod ask;
pub(crate) mod completions;
pub(crate) mod contacts;
pub(crate) mod decide;
pub(crate) mod draft_or_send;
pub(crate) mod followup;
pub(crate) mod init;
pub(crate) mod introduce;
pub(crate) mod man;
pub(crate) mod note;
pub(crate) mod request;
pub(crate) mod send;
pub(crate) mod stats;
pub(crate) mod status;
pub(crate) mod sync;
pub(crate) mod thank;
pub(crate) mod who_knows;

use std::collections::BTreeSet;

use crate::cli::Command;
use crate::context::Context;
use crate::domain::request::Request;
use crate::error::UserError;
pub(crate) use crate::error::transition_error;
use crate::store::Requests;

pub(crate) fn run(command: Command, ctx: &mut Context) -> anyhow::Result<()> {
    match command {
        Command::Init(args) => init::run(args, ctx),
        Command::Contacts(args) => contacts::run(args, ctx),
        Command::Ask(args) => ask::run(args, ctx),
        Command::Status(args) => status::run(args, ctx),
        // A REQUEST may be a contact's handle: it is turned into the id of
        // that contact's open request here, once, before the command runs.
        Command::Approve(mut args) => {
            args.answer.request = request_by_handle(ctx, &args.answer.request)?;
            decide::approve(args, ctx)
        }
        Command::Decline(mut args) => {
            args.answer.request = request_by_handle(ctx, &args.answer.request)?;
            decide::decline(args, ctx)
        }
        Command::Cancel(mut args) => {
            args.request = request_by_handle(ctx, &args.request)?;
            decide::cancel(args, ctx)
        }
        Command::Followup(mut args) => {
            if let Some(name) = &args.request {
                args.request = Some(request_by_handle(ctx, name)?);
            }
            followup::run(args, ctx)
        }
        Command::Introduce(mut args) => {
            // With `--direct` it names contact A, not a request.
            if !args.direct {
                args.request = request_by_handle(ctx, &args.request)?;
            }
            introduce::run(args, ctx)
        }
        Command::Note(args) => note::run(args, ctx),
        Command::Sync(args) => sync::run(args, ctx),
        Command::Request(args) => request::run(args, ctx),
        Command::Introduced(mut args) => {
            args.request = request_by_handle(ctx, &args.request)?;
            request::introduced(args, ctx)
        }
        // A handle names the connector's introduction still to be thanked.
        Command::Thank(args) => thank::run(args, ctx),
        Command::Stats(args) => stats::run(args, ctx),
        Command::WhoKnows(args) => who_knows::run(args, ctx),
        // Neither reads settings; `main` runs them before making a context.
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

/// The fewest characters of an id that name a request: fewer would often
/// match another pair's request, or read as someone's handle.
pub(crate) const MIN_PREFIX: usize = 4;

/// Whether `name` is a handle intro knows: one in the contacts file, or
/// one of the requests read (so a contact since removed, or a contacts file
/// that does not load, still counts). Such a name is read as a handle,
/// never as the start of an id.
pub(crate) fn is_handle(
    contact_handles: &BTreeSet<String>,
    requests: &Requests,
    name: &str,
) -> bool {
    contact_handles.contains(name) || requests.iter().any(|r| r.a == name || r.b == name)
}

/// The contacts file's handles; none when it does not load (the commands
/// that need it say why).
pub(crate) fn contact_handles(ctx: &Context) -> BTreeSet<String> {
    let config = ctx.load_settings().ok();
    match ctx.load_contacts(config.as_ref()) {
        Ok(contacts) => contacts.iter().map(|c| c.handle.clone()).collect(),
        Err(_) => BTreeSet::new(),
    }
}

/// The open requests a contact is in, as A or as B, newest first.
pub(crate) fn open_requests_of<'r>(requests: &'r Requests, handle: &str) -> Vec<&'r Request> {
    let mut list: Vec<&Request> = requests
        .iter()
        .filter(|r| r.status.is_open() && (r.a == handle || r.b == handle))
        .collect();
    list.sort_by(|x, y| y.created_at.cmp(&x.created_at).then(x.id.cmp(&y.id)));
    list
}

/// What a REQUEST argument names: a known handle becomes the id of that
/// contact's one open request as A (an error listing the candidates when
/// there is none or several); anything else is left to [`find_request`].
pub(crate) fn request_by_handle(ctx: &mut Context, name: &str) -> anyhow::Result<String> {
    let name = name.trim();
    let handles = contact_handles(ctx);
    let requests = ctx.store.read_open()?;
    if !is_handle(&handles, requests, name) {
        return Ok(name.to_string());
    }
    let involved = open_requests_of(requests, name);
    let as_a: Vec<&Request> = involved.iter().copied().filter(|r| r.a == name).collect();
    if let [one] = as_a.as_slice() {
        return Ok(one.id.clone());
    }
    let candidates =
        |list: &[&Request]| -> Vec<String> { list.iter().map(|r| candidate(r)).collect() };
    let err = if as_a.is_empty() {
        let err = UserError::new(format!("`{name}` has no open request as A"));
        if involved.is_empty() {
            // The command that makes one, in the direction of `name`'s
            // last request: a connector is asked with `intro request`.
            let last = ctx
                .store
                .read()?
                .iter()
                .filter(|r| r.a == name)
                .max_by_key(|r| r.updated_at);
            let make = match last {
                Some(r) if r.is_requested() => {
                    format!(
                        "`intro request {name} T --why TEXT` asks {name} for another introduction"
                    )
                }
                _ => format!("`intro ask {name} B --why TEXT` makes one"),
            };
            err.hint(format!(
                "`intro status --all` lists closed requests too; {make}"
            ))
        } else {
            err.details(std::iter::once(format!("`{name}` is B in:")).chain(candidates(&involved)))
                .hint("name the request by its id (at least 4 characters of it)")
        }
    } else {
        UserError::new(format!("`{name}` has {} open requests as A", as_a.len()))
            .details(candidates(&as_a))
            .hint("name one by its id (at least 4 characters of it)")
    };
    Err(err.into())
}

/// A request among several a name could mean: its id, its people in
/// the words of its direction, and its state.
fn candidate(r: &Request) -> String {
    if r.is_requested() {
        format!(
            "{}  you asked {} to introduce you to {}, {}",
            r.id, r.a, r.b, r.status
        )
    } else {
        format!(
            "{}  you introduce: {} about {}, {}",
            r.id, r.a, r.b, r.status
        )
    }
}

/// Find the request a user named, or say why not.
pub(crate) fn find_request<'r>(
    requests: &'r Requests,
    name: &str,
) -> Result<&'r Request, UserError> {
    let name = name.trim();
    if requests.get(name).is_none() && name.chars().count() < MIN_PREFIX {
        return Err(UserError::new(format!(
            "`{name}` is too short to name a request: an id needs at least {MIN_PREFIX} characters"
        ))
        .hint("`intro status` lists open requests with their ids; a contact's handle names their open request"));
    }
    requests.find(name).map_err(UserError::from)
}

/// The refusal to ask someone whose `prefers` is `no-intros`.
pub(crate) fn no_intros(
    a: &crate::setup::contacts::Contact,
    contacts_file: &std::path::Path,
) -> UserError {
    UserError::new(format!(
        "`{}` prefers no introductions (`prefers = \"no-intros\"` in `{}`)",
        a.handle,
        contacts_file.display()
    ))
    .hint("pass `--force` to ask anyway, if they told you this one is welcome")
    .hint(format!(
        "or remove `prefers` from `[{}]` once they welcome introductions again",
        a.handle
    ))
}

/// Report the request a command changed: as JSON with `--json` (with
/// `warnings`), else its id on stdout and `note` on stderr.
pub(crate) fn report_changed(
    ctx: &Context,
    request: &Request,
    followup: &crate::domain::request::FollowupSettings,
    warnings: Option<String>,
    note: String,
) {
    if ctx.out.json {
        let mut json = crate::ui::view::request_json(request, ctx.now, followup);
        json.warnings.extend(warnings);
        ctx.out.json(&json);
    } else {
        ctx.out.data(&request.id);
        ctx.out.note(note);
    }
}

/// What the user typed for an optional field, trimmed; None when blank.
pub(crate) fn typed(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The ask of `a` about `b` for `why` (trimmed already), with what else the
/// user typed.
pub(crate) fn ask_spec(
    a: &crate::setup::contacts::Contact,
    b: &crate::setup::contacts::Contact,
    why: &str,
    wants: Option<&str>,
    format: Option<&str>,
    note: Option<&str>,
) -> crate::domain::request::AskSpec {
    crate::domain::request::AskSpec {
        a: a.handle.clone(),
        a_email: a.email.clone(),
        b: b.handle.clone(),
        b_email: b.email.clone(),
        why: why.to_string(),
        wants: typed(wants),
        format: typed(format),
        note: typed(note),
    }
}
