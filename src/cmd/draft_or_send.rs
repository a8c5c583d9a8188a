//! A message about one request that is drafted under drafts/ until the
//! user sends it with `--send` (`intro introduce`, `intro thank`): which
//! words go out, the saved draft, and the tracked send that removes it.

use std::path::{Path, PathBuf};

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
    /// Its draft is `drafts/ID-SUFFIX.eml`.
    suffix: &'static str,
    /// The subcommand, as `intro COMMAND REQUEST --send` names it.
    command: &'static str,
    /// The message as sentences name it: `the introduction`.
    what: &'static str,
    /// What the request records once it is sent: `introduced`.
    done: &'static str,
    /// Whom it goes to, as a sentence names them: `A and B`.
    to: &'static str,
    kind: PendingKind,
}

/// `intro introduce`'s message.
pub(crate) const INTRODUCTION: Drafted = Drafted {
    suffix: "introduce",
    command: "introduce",
    what: "the introduction",
    done: "introduced",
    to: "A and B",
    kind: PendingKind::Introduction,
};

/// `intro thank`'s message.
pub(crate) const THANKS: Drafted = Drafted {
    suffix: "thanks",
    command: "thank",
    what: "the thank-you",
    done: "thanked",
    to: "the connector",
    kind: PendingKind::Thanks,
};

/// The words a drafted message goes out with: none for intro's own.
struct Words {
    text: Option<Rendered>,
    /// The saved draft was edited since intro wrote it, and its words win.
    edited_draft: bool,
}

/// A command's message as intro writes it now.
pub(crate) struct Own<'a> {
    /// Its Subject and body, rendered from the template.
    pub(crate) text: Rendered,
    /// The message with `message_id`, in the words given (intro's own
    /// when none).
    pub(crate) build: &'a dyn Fn(String, Option<&Rendered>) -> anyhow::Result<Outgoing>,
    /// The option the user gave new words with this run (`--how`), if
    /// any: an edited draft keeps them out, and says so.
    pub(crate) new_words: Option<&'static str>,
    /// The message has words only an option gives (`--how`): a run
    /// without it keeps the saved draft's, as the user last saw them.
    /// Otherwise an unedited draft is written anew (a contact changed).
    pub(crate) keeps_words: bool,
    /// A warning about intro's own words (what they leave out), given
    /// when they are what goes out.
    pub(crate) unsaid: Option<&'static str>,
}

impl Drafted {
    /// `--yes` confirms a send: without `--send` there is none to confirm.
    pub(crate) fn refuse_yes_without_send(
        &self,
        request: &str,
        send: bool,
        send_args: &SendArgs,
    ) -> Result<(), UserError> {
        if send_args.yes && !send {
            return Err(UserError::new(format!(
                "`--yes` confirms a send, but without `--send` {} is only drafted",
                self.what
            ))
            .hint(format!(
                "to send it: `intro {} {request} --send --yes`",
                self.command
            ))
            .exit(Exit::Usage));
        }
        Ok(())
    }

    /// Where `request`'s draft is saved.
    fn path(&self, ctx: &Context, request: &Request) -> PathBuf {
        ctx.paths
            .drafts_dir()
            .join(format!("{}-{}.eml", request.id, self.suffix))
    }
    /// Draft, or with `send` send, `request`'s message: an interrupted
    /// send's words as they were; else a saved draft's when the user
    /// edited it since intro saved it (kept, and said so); else intro's
    /// own, written anew (so a changed `--how` or contact is used); then,
    /// with `--edit`, the user's. The draft is saved only when something
    /// new is in it.
    pub(crate) fn run(
        &self,
        ctx: &mut Context,
        config: &Config,
        request: &Request,
        own: &Own,
        send: bool,
        send_args: &SendArgs,
    ) -> anyhow::Result<()> {
        let path = self.path(ctx, request);
        let message_id = request
            .pending_id(self.kind)
            .map(str::to_string)
            .unwrap_or_else(|| crate::mail::message::new_message_id(config.me_email()));
        // Intro's own message read back as a draft reads: a saved draft
        // that reads otherwise than intro's last was edited since.
        let own_read_back = read_back(
            &(own.build)(message_id.clone(), Some(&own.text))?,
            self.what,
        )?;
        let Words { text, edited_draft } =
            self.words(ctx, request, &path, own, &own_read_back, send_args.edit)?;
        let message = (own.build)(message_id, text.as_ref())?;
        if edited_draft {
            self.tell_edited(ctx, &path, own, &message);
        }
        if let Some(unsaid) = own.unsaid.filter(|_| text.is_none()) {
            ctx.out.warn(unsaid);
        }
        if send_args.dry_run {
            outgoing::print_dry_run(ctx, std::slice::from_ref(&message));
            return Ok(());
        }
        if send {
            return self.send(ctx, config, request, &message, text.as_ref(), send_args);
        }
        // An edited draft is kept as the user left it.
        let saved = !edited_draft || send_args.edit;
        if saved {
            self.save(&path, &message)?;
            let id = request.id.clone();
            ctx.store.write_named(std::slice::from_ref(&id), |txn| {
                let mut r = crate::cmd::find_request(txn.requests(), &id)?.clone();
                r.drafted = Some(Box::new(own_read_back));
                txn.put(r);
                Ok::<_, anyhow::Error>(())
            })?;
        }
        self.show(ctx, request, &path, &config.followup, &message, saved);
        Ok(())
    }

    /// The words to send: an interrupted send's as they were; else a saved
    /// draft's when it reads otherwise than intro's last (`request.drafted`,
    /// or `own_read_back`); then, with `--edit`, the user's.
    fn words(
        &self,
        ctx: &Context,
        request: &Request,
        path: &Path,
        own: &Own,
        own_read_back: &Rendered,
        edit: bool,
    ) -> anyhow::Result<Words> {
        let mut text = request.pending_edit(self.kind).cloned();
        let mut edited_draft = false;
        if text.is_none()
            && let Some(saved) = draft::read(path)?
        {
            if saved != *request.drafted.as_deref().unwrap_or(own_read_back) {
                text = Some(saved);
                edited_draft = true;
            } else if own.keeps_words && own.new_words.is_none() {
                text = Some(saved);
            }
        }
        if edit {
            let start = text.clone().unwrap_or_else(|| own.text.clone());
            text = Some(editor::edit(&ctx.env, &start)?);
        }
        Ok(Words { text, edited_draft })
    }

    /// Say that the user's edited draft is what is used, what of it is
    /// not (headers; new words given now), and how to start anew.
    fn tell_edited(&self, ctx: &Context, path: &Path, own: &Own, message: &Outgoing) {
        let shown = path.display();
        ctx.out.note(format!(
            "using your edited draft {shown} (its Subject and body; the recipients and threading are intro's)"
        ));
        if let Some(option) = own.new_words {
            ctx.out.warn(format!(
                "`{option}` is not used: the saved draft {shown} was edited, and is kept as you left it; to write {} anew with `{option}`, delete the draft (or change it with `--edit`)",
                self.what
            ));
        }
        // A header the user added would otherwise vanish without a word.
        let saved = std::fs::read(path).unwrap_or_default();
        let ignored = draft::ignored_headers(&saved, &message.bytes);
        if !ignored.is_empty() {
            let names: Vec<String> = ignored.iter().map(|n| format!("`{n}:`")).collect();
            ctx.out.warn(format!(
                "the edited draft's {} {} ignored: recipients and threading come from the request, not the file ({} goes to {} only)",
                names.join(", "),
                if names.len() == 1 { "line is" } else { "lines are" },
                self.what,
                self.to
            ));
        }
    }

    /// Save `message` as the draft, replacing any.
    fn save(&self, path: &Path, message: &Outgoing) -> Result<(), UserError> {
        fsutil::write_atomic(path, &message.bytes)
            .map_err(|e| UserError::new(format!("cannot save the draft `{}`: {e}", path.display())))
    }

    /// Show the draft: the request as JSON with the draft's path, or
    /// the message itself, whether it was `saved` now or kept as the user
    /// edited it, and how to send it.
    fn show(
        &self,
        ctx: &Context,
        request: &Request,
        path: &Path,
        followup: &FollowupSettings,
        message: &Outgoing,
        saved: bool,
    ) {
        if ctx.out.json {
            let mut json = view::request_json(request, ctx.now, followup);
            json.draft = Some(path.display().to_string());
            ctx.out.json(&json);
        } else {
            ctx.out.text(message.text());
            let verb = if saved { "saved" } else { "kept as edited" };
            ctx.out.data(format!("draft {verb}: {}", path.display()));
            ctx.out.note(format!(
                "send it with `intro {} {} --send`",
                self.command, request.id
            ));
        }
    }

    /// Send `message` once confirmed, recorded as the request's send of
    /// this kind, then remove the draft and report the request.
    fn send(
        &self,
        ctx: &mut Context,
        config: &Config,
        request: &Request,
        message: &Outgoing,
        text: Option<&Rendered>,
        send_args: &SendArgs,
    ) -> anyhow::Result<()> {
        let path = self.path(ctx, request);
        let what = format!("{} to {}", self.what, message.addressees());
        match outgoing::confirm(ctx, std::slice::from_ref(message), send_args, &what)? {
            Go::DryRun | Go::Stop => return Ok(()),
            Go::Send => {}
        }
        let mut transport = ctx.transport(config);
        let result = resend::send_tracked(
            ctx,
            transport.as_mut(),
            resend::Tracked {
                id: &request.id,
                kind: self.kind,
                message,
                edited: text,
            },
        );
        transport.close();
        let updated = result?;
        // What was sent is in the store's history; a draft left behind would
        // only invite sending it twice.
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => ctx.out.warn(format!(
                "{} was sent, but its draft `{}` could not be removed: {e}",
                self.what,
                path.display()
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

/// A built message's Subject and body, as a saved draft of it reads.
fn read_back(message: &Outgoing, what: &str) -> anyhow::Result<Rendered> {
    draft::parse(&message.bytes)
        .map_err(|e| anyhow::anyhow!("cannot read back {what}: {}", e.message))
}
