//! `intro introduce`: once A said yes, draft the introduction to A and B
//! (saved under drafts/), or send it with `--send`.

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::SendArgs;
use crate::cmd::{find_request, transition_error};
use crate::complete;
use crate::compose::Composer;
use crate::context::Context;
use crate::editor;
use crate::error::UserError;
use crate::fsutil;
use crate::message::Purpose;
use crate::outgoing::{self, Go};
use crate::request::PendingKind;
use crate::resend;
use crate::view;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  intro introduce 4f2a           print and save the draft\n  intro introduce 4f2a --send    send it to A and B"
)]
pub struct IntroduceArgs {
    /// The approved request (an id, its first 4 or more characters, or the handle of A)
    #[arg(add = ArgValueCandidates::new(complete::approved_requests))]
    pub request: String,

    /// Send the introduction to A and B (otherwise only draft it)
    #[arg(long)]
    pub send: bool,

    #[command(flatten)]
    pub send_args: SendArgs,
}

pub fn run(args: IntroduceArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let (config, contacts) = ctx.setup()?;
    let now = ctx.now;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), now);
    let request = find_request(
        ctx.store.read_named(std::slice::from_ref(&args.request))?,
        &args.request,
    )?
    .clone();
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
        .unwrap_or_else(|| composer.new_message_id(&request.id, Purpose::Introduction));
    let mut text = request.pending_edit(PendingKind::Introduction).cloned();
    if args.send_args.edit {
        let start = match &text {
            Some(t) => t.clone(),
            None => composer.introduction_text(&request)?,
        };
        text = Some(editor::edit(&ctx.env, &start)?);
    }
    let message = composer.introduction(&request, message_id, text.as_ref())?;

    if args.send_args.dry_run {
        outgoing::print_dry_run(ctx, std::slice::from_ref(&message));
        return Ok(());
    }
    if !args.send {
        let path = ctx
            .paths
            .drafts_dir()
            .join(format!("{}-introduce.eml", request.id));
        fsutil::write_atomic(&path, &message.bytes).map_err(|e| {
            UserError::new(format!("cannot save the draft `{}`: {e}", path.display()))
        })?;
        if ctx.out.json {
            let mut json = view::request_json(&request, now, &config.followup);
            json.draft = Some(path.display().to_string());
            ctx.out.json(&json);
        } else {
            print!("{}", message.text());
            ctx.out.data(format!("draft saved: {}", path.display()));
            ctx.out.note(format!(
                "send it with `intro introduce {} --send`",
                request.id
            ));
        }
        return Ok(());
    }

    let what = format!("the introduction to {} and {}", request.a, request.b);
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
    if ctx.out.json {
        ctx.out
            .json(&view::request_json(&updated, now, &config.followup));
    } else {
        ctx.out.data(format!("{} introduced", updated.id));
    }
    Ok(())
}
