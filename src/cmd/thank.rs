//! `intro thank`: after a connector introduced the user (a request made
//! with `intro request`), draft a short thank-you to them in the request's
//! thread (saved under drafts/), or send it with `--send`, once.

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::SendArgs;
use crate::cmd::send::draft;
use crate::cmd::send::outgoing::{self, Go};
use crate::cmd::send::resend;
use crate::cmd::{contact_handles, find_request, is_handle};
use crate::complete;
use crate::context::Context;
use crate::domain::request::{PendingKind, Request, State};
use crate::error::{Exit, UserError};
use crate::fsutil;
use crate::mail::compose::Composer;
use crate::mail::template::Rendered;
use crate::ui::editor;
use crate::ui::view;

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
    if args.send_args.yes && !args.send {
        return Err(UserError::new(
            "`--yes` confirms a send, but without `--send` the thank-you is only drafted",
        )
        .hint(format!(
            "to send it: `intro thank {} --send --yes`",
            args.request
        ))
        .exit(Exit::Usage)
        .into());
    }
    let (config, contacts) = ctx.setup()?;
    let now = ctx.now;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), now);
    let request = named_request(ctx, &args.request)?;
    request
        .check_thank()
        .map_err(|e| crate::error::transition_error_of(&request, Some(e)))?;
    let how = args.how.as_deref().map(str::trim).filter(|h| !h.is_empty());
    let message_id = request
        .pending_id(PendingKind::Thanks)
        .map(str::to_string)
        .unwrap_or_else(|| composer.new_message_id());
    let draft_path = ctx
        .paths
        .drafts_dir()
        .join(format!("{}-thanks.eml", request.id));
    let own = composer.thanks_text(&request, how)?;
    // An interrupted send goes out again as it was; a saved draft that
    // reads otherwise than intro would write it now (edited, or drafted
    // with another `--how`) is what the user last saw, and its words win.
    let mut text = request.pending_edit(PendingKind::Thanks).cloned();
    let mut edited_draft = false;
    if text.is_none()
        && let Some(saved) = draft::read(&draft_path)?
        && saved != read_back(&composer, &request, &message_id, &own)?
    {
        text = Some(saved);
        edited_draft = true;
    }
    if args.send_args.edit {
        let start = text.clone().unwrap_or_else(|| own.clone());
        text = Some(editor::edit(&ctx.env, &start)?);
    }
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
            draft_path.display()
        ));
    }
    if args.send_args.dry_run {
        outgoing::print_dry_run(ctx, std::slice::from_ref(&message));
        return Ok(());
    }
    if !args.send {
        if !edited_draft || args.send_args.edit {
            fsutil::write_atomic(&draft_path, &message.bytes).map_err(|e| {
                UserError::new(format!(
                    "cannot save the draft `{}`: {e}",
                    draft_path.display()
                ))
            })?;
        }
        if ctx.out.json {
            let mut json = view::request_json(&request, now, &config.followup);
            json.draft = Some(draft_path.display().to_string());
            ctx.out.json(&json);
        } else {
            ctx.out.text(message.text());
            ctx.out
                .data(format!("draft saved: {}", draft_path.display()));
            ctx.out
                .note(format!("send it with `intro thank {} --send`", request.id));
        }
        return Ok(());
    }

    let what = format!("the thank-you to {}", message.addressees());
    match outgoing::confirm(ctx, std::slice::from_ref(&message), &args.send_args, &what)? {
        Go::DryRun | Go::Stop => return Ok(()),
        Go::Send => {}
    }
    let mut transport = ctx.transport(&config);
    let result = resend::send_tracked(
        ctx,
        transport.as_mut(),
        &request.id,
        PendingKind::Thanks,
        &message,
        text.as_ref(),
    );
    transport.close();
    let updated = result?;
    match std::fs::remove_file(&draft_path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => ctx.out.warn(format!(
            "the thank-you was sent, but its draft `{}` could not be removed: {e}",
            draft_path.display()
        )),
    }
    if ctx.out.json {
        ctx.out
            .json(&view::request_json(&updated, now, &config.followup));
    } else {
        ctx.out.data(format!("{} thanked", updated.id));
    }
    Ok(())
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
