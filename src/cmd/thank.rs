//! `intro thank`: after a connector introduced the user (a request made
//! with `intro request`), draft a short thank-you to them in the request's
//! thread (saved under drafts/), or send it with `--send`, once.

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::SendArgs;
use crate::cmd::draft_or_send::{self, Drafted, Words};
use crate::cmd::send::draft;
use crate::cmd::send::outgoing;
use crate::cmd::{contact_handles, find_request, is_handle};
use crate::complete;
use crate::context::Context;
use crate::domain::request::{PendingKind, Request, State};
use crate::error::UserError;
use crate::mail::compose::Composer;
use crate::mail::template::Rendered;

#[derive(Debug, Args)]
#[command(
    after_help = "The thank-you goes to C alone, as a reply in the thread of your request. Without `--send` it is printed and saved under drafts/ (edit the file if you like: `--send` then sends your Subject and body).\n\nExamples:\n  intro thank 4f2a --how \"we met for coffee and Sam gave me great advice on the parser\"\n  intro thank 4f2a --send"
)]
pub(crate) struct ThankArgs {
    /// The request you made of a connector, once introduced (an id, its first 4 or more characters, or C's handle)
    #[arg(add = ArgValueCandidates::new(complete::any_request))]
    pub request: String,

    /// How the introduction went, in a line (the thank-you says it)
    #[arg(long, value_name = "TEXT")]
    pub how: Option<String>,

    /// Send the thank-you to C (otherwise only draft it under drafts/)
    #[arg(long)]
    pub send: bool,

    #[command(flatten)]
    pub send_args: SendArgs,
}

pub(crate) fn run(args: ThankArgs, ctx: &mut Context) -> anyhow::Result<()> {
    draft_or_send::refuse_yes_without_send(
        "thank",
        "the thank-you",
        &args.request,
        args.send,
        &args.send_args,
    )?;
    let (config, contacts) = ctx.setup()?;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), ctx.now);
    let request = named_request(ctx, &args.request)?;
    request
        .check_thank()
        .map_err(|e| crate::error::transition_error_of(&request, Some(e)))?;
    let how = args.how.as_deref().map(str::trim).filter(|h| !h.is_empty());
    let message_id = request
        .pending_id(PendingKind::Thanks)
        .map(str::to_string)
        .unwrap_or_else(|| composer.new_message_id());
    let drafted = Drafted {
        command: "thank",
        what: "the thank-you",
        done: "thanked",
        kind: PendingKind::Thanks,
        path: ctx
            .paths
            .drafts_dir()
            .join(format!("{}-thanks.eml", request.id)),
    };
    let own = composer.thanks_text(&request, how)?;
    // A saved draft that reads otherwise than intro would write it now
    // (edited, or drafted with another `--how`) is what the user last saw.
    let Words { text, edited_draft } = drafted.words(
        ctx,
        &request,
        &own,
        || read_back(&composer, &request, &message_id, &own),
        args.send_args.edit,
    )?;
    let message = composer.thanks(
        &request,
        message_id,
        text.clone().unwrap_or_else(|| own.clone()),
    )?;
    if how.is_none() && !edited_draft && !args.send_args.edit {
        ctx.out.warn(
            "the thank-you does not say how the introduction went (`--how TEXT` adds a line)",
        );
    }
    if edited_draft {
        ctx.out.note(format!(
            "using the saved draft {} as it reads now (its Subject and body; the recipient and threading are intro's); delete it to write a new one",
            drafted.path.display()
        ));
    }
    if args.send_args.dry_run {
        outgoing::print_dry_run(ctx, std::slice::from_ref(&message));
        return Ok(());
    }
    if !args.send {
        if !edited_draft || args.send_args.edit {
            drafted.save(&message)?;
        }
        drafted.show(ctx, &request, &config.followup, &message);
        return Ok(());
    }
    drafted.send(
        ctx,
        &config,
        &request,
        &message,
        text.as_ref(),
        &args.send_args,
    )
}

/// The request `name` names: an id (or a prefix), or a connector's handle,
/// which names their one introduced request still to be thanked. Closed
/// requests are read too: an introduced request is closed.
fn named_request(ctx: &mut Context, name: &str) -> anyhow::Result<Request> {
    let name = name.trim();
    let handles = contact_handles(ctx);
    let requests = ctx.store.read()?;
    if !is_handle(&handles, requests, name) {
        return Ok(find_request(requests, name)?.clone());
    }
    let mut candidates: Vec<&Request> = requests
        .iter()
        .filter(|r| r.a == name && r.is_requested() && r.thanks.is_none())
        .filter(|r| r.status == State::Introduced)
        .collect();
    candidates.sort_by(|x, y| y.updated_at.cmp(&x.updated_at).then(x.id.cmp(&y.id)));
    match candidates.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(UserError::new(format!(
            "`{name}` has no introduction of yours still to be thanked"
        ))
        .hint("`intro status --all` lists your requests; `intro introduced REQUEST` records an introduction")
        .into()),
        many => Err(UserError::new(format!(
            "`{name}` made {} introductions still to be thanked",
            many.len()
        ))
        .details(
            many.iter()
                .map(|r| format!("{}  {} introduced you to {}", r.id, r.a, r.b)),
        )
        .hint("name one by its id (at least 4 characters of it)")
        .into()),
    }
}

/// The thank-you as intro writes it, read back as a saved draft reads.
fn read_back(
    composer: &Composer,
    request: &Request,
    message_id: &str,
    own: &Rendered,
) -> anyhow::Result<Rendered> {
    let message = composer.thanks(request, message_id.to_string(), own.clone())?;
    draft::parse(&message.bytes)
        .map_err(|e| anyhow::anyhow!("cannot read back the thank-you: {}", e.message))
}
