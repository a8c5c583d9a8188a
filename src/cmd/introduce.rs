//! `intro introduce`: once A said yes, draft the introduction to A and B
//! (saved under drafts/), or send it with `--send`.

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::SendArgs;
use crate::cmd::send::draft;
use crate::cmd::send::outgoing::{self, Go};
use crate::cmd::send::resend;
use crate::cmd::{find_request, transition_error};
use crate::complete;
use crate::context::Context;
use crate::domain::request::PendingKind;
use crate::error::{Exit, UserError};
use crate::fsutil;
use crate::mail::ask_check;
use crate::mail::compose::Composer;
use crate::mail::template::Rendered;
use crate::ui::editor;
use crate::ui::view;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  intro introduce 4f2a           print and save the draft\n  intro introduce 4f2a --send    send it to A and B"
)]
pub(crate) struct IntroduceArgs {
    /// The approved request (an id, its first 4 or more characters, or the handle of A)
    #[arg(add = ArgValueCandidates::new(complete::approved_requests))]
    pub request: String,

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
    if args.send_args.yes && !args.send {
        return Err(UserError::new(
            "`--yes` confirms a send, but without `--send` the introduction is only drafted",
        )
        .hint(format!(
            "to send it: `intro introduce {} --send --yes`",
            args.request
        ))
        .exit(Exit::Usage)
        .into());
    }
    let (config, contacts) = ctx.setup()?;
    let now = ctx.now;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), now);
    let request = find_request(
        ctx.store.read_named(std::slice::from_ref(&args.request))?,
        &args.request,
    )?
    .clone();
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
    let message_id = request
        .pending_id(PendingKind::Introduction)
        .map(str::to_string)
        .unwrap_or_else(|| composer.new_message_id());
    let draft_path = ctx
        .paths
        .drafts_dir()
        .join(format!("{}-introduce.eml", request.id));
    // The introduction as intro writes it, read back as a draft would be:
    // a saved draft that reads otherwise was edited, and its words win.
    let own = composer.introduction_text(&request)?;
    let own_read_back =
        read_back(&composer.introduction(&request, message_id.clone(), Some(&own))?)?;
    // An interrupted send goes out again as it was.
    let mut text = request.pending_edit(PendingKind::Introduction).cloned();
    let mut edited_draft = false;
    if text.is_none()
        && let Some(saved) = draft::read(&draft_path)?
        && saved != *request.drafted.as_ref().unwrap_or(&own_read_back)
    {
        text = Some(saved);
        edited_draft = true;
    }
    if args.send_args.edit {
        let start = text.clone().unwrap_or_else(|| own.clone());
        text = Some(editor::edit(&ctx.env, &start)?);
    }
    let message = composer.introduction(&request, message_id, text.as_ref())?;
    let introduced = ask_check::introduced(&request, true);
    for w in ask_check::blurb_warnings(&contacts, &introduced, "the introduction") {
        ctx.out.warn(w);
    }
    if edited_draft {
        ctx.out.note(format!(
            "using your edited draft {} (its Subject and body; recipients are intro's)",
            draft_path.display()
        ));
        // A header the user added would otherwise vanish without a word.
        let saved = std::fs::read(&draft_path).unwrap_or_default();
        let ignored = draft::ignored_headers(&saved, &message.bytes);
        if !ignored.is_empty() {
            let names: Vec<String> = ignored.iter().map(|n| format!("`{n}:`")).collect();
            ctx.out.warn(format!(
                "the edited draft's {} {} ignored: recipients and threading come from the request, not the file (the introduction goes to A and B only)",
                names.join(", "),
                if names.len() == 1 { "line is" } else { "lines are" }
            ));
        }
    }

    if args.send_args.dry_run {
        outgoing::print_dry_run(ctx, std::slice::from_ref(&message));
        return Ok(());
    }
    if !args.send {
        // An edited draft is kept as the user left it.
        if !edited_draft || args.send_args.edit {
            fsutil::write_atomic(&draft_path, &message.bytes).map_err(|e| {
                UserError::new(format!(
                    "cannot save the draft `{}`: {e}",
                    draft_path.display()
                ))
            })?;
            let id = request.id.clone();
            ctx.store.write_named(std::slice::from_ref(&id), |txn| {
                let mut r = find_request(txn.requests(), &id)?.clone();
                r.drafted = Some(own_read_back);
                txn.put(r);
                Ok::<_, anyhow::Error>(())
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
            ctx.out.note(format!(
                "send it with `intro introduce {} --send`",
                request.id
            ));
        }
        return Ok(());
    }

    let what = format!("the introduction to {}", message.addressees());
    match outgoing::confirm(ctx, std::slice::from_ref(&message), &args.send_args, &what)? {
        Go::DryRun | Go::Stop => return Ok(()),
        Go::Send => {}
    }
    let mut transport = ctx.transport(&config);
    let result = resend::send_tracked(
        ctx,
        transport.as_mut(),
        &request.id,
        PendingKind::Introduction,
        &message,
        text.as_ref(),
    );
    transport.close();
    let updated = result?;
    // What was sent is in the store's history; a draft left behind would
    // only invite sending it twice.
    match std::fs::remove_file(&draft_path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => ctx.out.warn(format!(
            "the introduction was sent, but its draft `{}` could not be removed: {e}",
            draft_path.display()
        )),
    }
    if ctx.out.json {
        ctx.out
            .json(&view::request_json(&updated, now, &config.followup));
    } else {
        ctx.out.data(format!("{} introduced", updated.id));
    }
    Ok(())
}

/// A built message's Subject and body, as a saved draft of it reads.
fn read_back(message: &crate::mail::message::Outgoing) -> anyhow::Result<Rendered> {
    draft::parse(&message.bytes)
        .map_err(|e| anyhow::anyhow!("cannot read back the introduction: {}", e.message))
}
