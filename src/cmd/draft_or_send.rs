//! A message about one request that is drafted under drafts/ until the
//! user sends it with `--send` (`intro introduce`, `intro thank`): which
//! words go out, the saved draft, and the tracked send that removes it.

use std::path::PathBuf;

use crate::cli::SendArgs;
use crate::cmd::send::draft;
use crate::cmd::send::outgoing::{self, Go};
use crate::cmd::send::resend;
use crate::context::Context;
use crate::domain::request::{FollowupSettings, PendingKind, Request};
use crate::error::{Exit, UserError};
use crate::fsutil;
use crate::mail::message::Outgoing;
use crate::mail::template::Rendered;
use crate::setup::config::Config;
use crate::ui::editor;
use crate::ui::view;

/// One command's drafted message.
pub(crate) struct Drafted {
    /// The subcommand, as `intro COMMAND REQUEST --send` names it.
    pub(crate) command: &'static str,
    /// The message as sentences name it: `the introduction`.
    pub(crate) what: &'static str,
    /// What the request records once it is sent: `introduced`.
    pub(crate) done: &'static str,
    pub(crate) kind: PendingKind,
    pub(crate) path: PathBuf,
}

/// The words a drafted message goes out with: none for intro's own.
pub(crate) struct Words {
    pub(crate) text: Option<Rendered>,
    /// The saved draft was edited since intro wrote it, and its words win.
    pub(crate) edited_draft: bool,
}

/// `--yes` confirms a send: without `--send` there is none to confirm.
pub(crate) fn refuse_yes_without_send(
    command: &str,
    what: &str,
    request: &str,
    send: bool,
    send_args: &SendArgs,
) -> Result<(), UserError> {
    if send_args.yes && !send {
        return Err(UserError::new(format!(
            "`--yes` confirms a send, but without `--send` {what} is only drafted"
        ))
        .hint(format!(
            "to send it: `intro {command} {request} --send --yes`"
        ))
        .exit(Exit::Usage));
    }
    Ok(())
}

impl Drafted {
    /// The words to send: an interrupted send's as they were; else a saved
    /// draft's when it reads otherwise than `intro_reads` (intro's own
    /// message read back as a draft); then, with `--edit`, the user's.
    pub(crate) fn words(
        &self,
        ctx: &Context,
        request: &Request,
        own: &Rendered,
        intro_reads: impl FnOnce() -> anyhow::Result<Rendered>,
        edit: bool,
    ) -> anyhow::Result<Words> {
        let mut text = request.pending_edit(self.kind).cloned();
        let mut edited_draft = false;
        if text.is_none()
            && let Some(saved) = draft::read(&self.path)?
            && saved != intro_reads()?
        {
            text = Some(saved);
            edited_draft = true;
        }
        if edit {
            let start = text.clone().unwrap_or_else(|| own.clone());
            text = Some(editor::edit(&ctx.env, &start)?);
        }
        Ok(Words { text, edited_draft })
    }

    /// Save `message` as the draft, replacing any.
    pub(crate) fn save(&self, message: &Outgoing) -> Result<(), UserError> {
        fsutil::write_atomic(&self.path, &message.bytes).map_err(|e| {
            UserError::new(format!(
                "cannot save the draft `{}`: {e}",
                self.path.display()
            ))
        })
    }

    /// Show the saved draft: the request as JSON with the draft's path, or
    /// the message itself and how to send it.
    pub(crate) fn show(
        &self,
        ctx: &Context,
        request: &Request,
        followup: &FollowupSettings,
        message: &Outgoing,
    ) {
        if ctx.out.json {
            let mut json = view::request_json(request, ctx.now, followup);
            json.draft = Some(self.path.display().to_string());
            ctx.out.json(&json);
        } else {
            ctx.out.text(message.text());
            ctx.out
                .data(format!("draft saved: {}", self.path.display()));
            ctx.out.note(format!(
                "send it with `intro {} {} --send`",
                self.command, request.id
            ));
        }
    }

    /// Send `message` once confirmed, recorded as the request's send of
    /// this kind, then remove the draft and report the request.
    pub(crate) fn send(
        &self,
        ctx: &mut Context,
        config: &Config,
        request: &Request,
        message: &Outgoing,
        text: Option<&Rendered>,
        send_args: &SendArgs,
    ) -> anyhow::Result<()> {
        let what = format!("{} to {}", self.what, message.addressees());
        match outgoing::confirm(ctx, std::slice::from_ref(message), send_args, &what)? {
            Go::DryRun | Go::Stop => return Ok(()),
            Go::Send => {}
        }
        let mut transport = ctx.transport(config);
        let result = resend::send_tracked(
            ctx,
            transport.as_mut(),
            &request.id,
            self.kind,
            message,
            text,
        );
        transport.close();
        let updated = result?;
        // What was sent is in the store's history; a draft left behind would
        // only invite sending it twice.
        match std::fs::remove_file(&self.path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => ctx.out.warn(format!(
                "{} was sent, but its draft `{}` could not be removed: {e}",
                self.what,
                self.path.display()
            )),
        }
        if ctx.out.json {
            ctx.out
                .json(&view::request_json(&updated, ctx.now, &config.followup));
        } else {
            ctx.out.data(format!("{} {}", updated.id, self.done));
        }
        Ok(())
    }
}
