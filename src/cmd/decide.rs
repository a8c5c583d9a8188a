//! `intro approve`, `intro decline` and `intro cancel`: record a decision.

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::SendArgs;
use crate::cmd::find_request;
use crate::cmd::send::outgoing::{self, Go};
use crate::cmd::send::resend;
use crate::complete;
use crate::context::Context;
use crate::domain::request::{PendingKind, Request, Side};
use crate::error::{Exit, UserError, transition_error_of};
use crate::fsutil;
use crate::mail::compose::{Composer, InThread};
use crate::setup::config::Config;
use crate::setup::contacts::Contacts;
use crate::ui::editor;
use crate::ui::view;

/// What an answer names: the request it answers, and the private note
/// kept with it. `--side`, whose help says whose answer it is, comes first.
#[derive(Debug, Args)]
pub(crate) struct AnswerArgs {
    /// The request (an id, its first 4 or more characters, or the handle of A)
    #[arg(add = ArgValueCandidates::new(complete::undecided_requests))]
    pub request: String,

    /// A private note kept in the request's history
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ApproveArgs {
    /// Whose yes this is (with `ask --both`, the request is approved when both said yes)
    #[arg(long, value_enum, default_value_t = Side::A)]
    pub side: Side,

    #[command(flatten)]
    pub answer: AnswerArgs,
}

#[derive(Debug, Args)]
pub(crate) struct DeclineArgs {
    /// Whose no this is (with `ask --both`, either no declines the request)
    #[arg(long, value_enum, default_value_t = Side::A)]
    pub side: Side,

    #[command(flatten)]
    pub answer: AnswerArgs,

    /// Draft a graceful note to B (printed and saved under drafts/; sent with `--send`)
    #[arg(long)]
    pub tell_b: bool,

    /// Send the note to B instead of drafting it
    #[arg(long, requires = "tell_b")]
    pub send: bool,

    #[command(flatten)]
    pub send_args: SendArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  intro cancel 4f2a                 withdraw it quietly\n  intro cancel 4f2a --tell          draft a note telling A it is withdrawn\n  intro cancel 4f2a --tell --send   send that note"
)]
pub(crate) struct CancelArgs {
    /// The request (an id, its first 4 or more characters, or the handle of A)
    #[arg(add = ArgValueCandidates::new(complete::open_requests))]
    pub request: String,

    /// Draft a short note withdrawing the ask to whoever was asked and has not answered
    ///
    /// A, and B too for a request made with `ask --both`; in the ask's
    /// thread. Printed and saved under drafts/; sent with `--send`.
    #[arg(long)]
    pub tell: bool,

    /// Send the note instead of drafting it
    #[arg(long, requires = "tell")]
    pub send: bool,

    #[command(flatten)]
    pub send_args: SendArgs,
}

/// `--yes`, `--dry-run` and `--edit` are about sending: alone they would
/// do nothing a user asked for. The hint adds `--send` to the flag given,
/// so a user who asked for a dry run is not shown a command that sends.
fn send_options_need_send(args: &SendArgs, send: bool, command: &str) -> Result<(), UserError> {
    let given = [
        (args.yes, "--yes"),
        (args.dry_run, "--dry-run"),
        (args.edit, "--edit"),
    ];
    match given.iter().find(|(on, _)| *on) {
        Some((_, flag)) if !send => Err(UserError::new(format!(
            "`{flag}` is about sending a note, and no note is sent without `--send`"
        ))
        .hint(format!("e.g. `{command} --send {flag}`"))
        .exit(Exit::Usage)),
        _ => Ok(()),
    }
}

/// A decision refused because the request is already closed, and its note
/// was drafted when it closed (`decline --tell-b`, `cancel --tell`): the
/// hint names the draft, as `--send` now would find nothing to decide.
fn closed_with_draft(
    ctx: &Context,
    r: &Request,
    e: crate::domain::request::TransitionError,
    drafts: &[&str],
) -> UserError {
    let found: Vec<String> = drafts
        .iter()
        .map(|suffix| {
            ctx.paths
                .drafts_dir()
                .join(format!("{}-{suffix}.eml", e.id))
        })
        .filter(|path| path.is_file())
        .map(|path| format!("`{}`", path.display()))
        .collect();
    if found.is_empty() || e.from.is_open() {
        return transition_error_of(r, Some(e));
    }
    UserError::new(e.to_string()).hint(format!(
        "its note was drafted when it closed: send {} from your mail client (intro sends no note for a closed request)",
        found.join(" and ")
    ))
}

/// Apply `change` to the named request under the store's lock.
fn change(
    ctx: &mut Context,
    name: &str,
    change: impl FnOnce(&mut Request) -> Result<(), crate::domain::request::TransitionError>,
) -> anyhow::Result<Request> {
    ctx.store.write_named(&[name.to_string()], |txn| {
        let mut r = find_request(txn.requests(), name)?.clone();
        change(&mut r).map_err(|e| transition_error_of(&r, Some(e)))?;
        txn.put(r.clone());
        Ok::<_, anyhow::Error>(r)
    })
}

fn settings(ctx: &Context) -> anyhow::Result<crate::setup::config::FollowupSettings> {
    Ok(ctx.load_settings()?.followup)
}

pub(crate) fn approve(args: ApproveArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let settings = settings(ctx)?;
    let now = ctx.now;
    let r = change(ctx, &args.answer.request, |r| {
        r.approve(args.side, now, args.answer.note.clone())
    })?;
    print(ctx, &r, &settings, None);
    if r.is_requested() {
        // The connector agreed: the introduction is theirs to make.
        ctx.out.note(crate::ui::view::next_step(&r, now, &settings));
    } else if r.status == crate::domain::request::State::Approved {
        ctx.out.note(format!(
            "next: `intro introduce {}` drafts the introduction",
            r.id
        ));
    } else {
        let other = if args.side == Side::A { "b" } else { "a" };
        ctx.out.note(format!(
            "waiting for the other side: `intro approve {} --side {other}` when they say yes",
            r.id
        ));
    }
    Ok(())
}

pub(crate) fn decline(args: DeclineArgs, ctx: &mut Context) -> anyhow::Result<()> {
    send_options_need_send(
        &args.send_args,
        args.send,
        &format!("intro decline {} --tell-b", args.answer.request),
    )?;
    let (config, contacts) = ctx.setup()?;
    let now = ctx.now;
    if args.tell_b && args.side == Side::B {
        return Err(UserError::new(
            "`--tell-b` drafts a note to B after A said no, but this records B's no",
        )
        .hint("drop `--tell-b`, or decline A's side with `--side a`")
        .exit(crate::error::Exit::Usage)
        .into());
    }
    if args.tell_b {
        // A connector's no concerns T only through the user: there is no
        // one to close the loop with.
        let requests = ctx
            .store
            .read_named(std::slice::from_ref(&args.answer.request))?;
        let r = find_request(requests, &args.answer.request)?;
        if r.is_requested() {
            return Err(UserError::new(format!(
                "`--tell-b` writes to B after A said no, but request {} asked `{}` for an introduction to `{}`, who was never asked",
                r.id, r.a, r.b
            ))
            .hint(format!("drop `--tell-b`: `intro decline {}`", r.id))
            .exit(crate::error::Exit::Usage)
            .into());
        }
    }
    if args.send {
        return decline_and_tell_b(&args, ctx, &config, &contacts);
    }
    // The note is saved before the decline is recorded: a draft that cannot
    // be written (a full disk) must not leave a declined request whose note
    // was never seen, as declining again is refused. If recording then
    // fails, the next try writes the same file again.
    let draft = if args.tell_b {
        let requests = ctx
            .store
            .read_named(std::slice::from_ref(&args.answer.request))?;
        let r = find_request(requests, &args.answer.request)?.clone();
        // Only for a request that may be declined: no note for a closed one.
        r.clone()
            .decline(Side::A, now, None)
            .map_err(|e| closed_with_draft(ctx, &r, e, &["decline"]))?;
        let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), now);
        let draft = composer.decline_note(&r)?;
        let path = ctx.paths.drafts_dir().join(format!("{}-decline.eml", r.id));
        fsutil::write_atomic(&path, &draft.bytes).map_err(|e| {
            UserError::new(format!("cannot save the draft `{}`: {e}", path.display())).hint(
                "nothing was recorded: make room (or fix the permissions) and run the same command again",
            )
        })?;
        Some((draft, path))
    } else {
        None
    };
    let r = change(ctx, &args.answer.request, |r| {
        r.decline(args.side, now, args.answer.note.clone())
    })?;
    if let Some((draft, path)) = &draft {
        if !ctx.out.json {
            ctx.out.text(draft.text());
        }
        ctx.out.note(format!(
            "saved the note to {} as {} (not sent: send it from your mail client)",
            r.b,
            path.display()
        ));
    }
    let saved = draft.as_ref().map(|(_, path)| path.as_path());
    print(ctx, &r, &config.followup, saved);
    Ok(())
}

/// Send the note to B, and record A's no once it was accepted: a note
/// that could not be sent leaves the request as it was, to try again.
fn decline_and_tell_b(
    args: &DeclineArgs,
    ctx: &mut Context,
    config: &Config,
    contacts: &Contacts,
) -> anyhow::Result<()> {
    let now = ctx.now;
    let requests = ctx
        .store
        .read_named(std::slice::from_ref(&args.answer.request))?;
    let r = find_request(requests, &args.answer.request)?.clone();
    let kind = PendingKind::DeclineNote;
    r.check_note(kind)
        .map_err(|e| closed_with_draft(ctx, &r, e, &["decline"]))?;
    let composer = Composer::new(config, contacts, ctx.templates_dir(config), now);
    let message_id = r
        .pending_id(kind)
        .map(str::to_string)
        .unwrap_or_else(|| composer.new_message_id());
    let mut text = r.pending_edit(kind).cloned();
    if args.send_args.edit {
        let start = match &text {
            Some(t) => t.clone(),
            None => composer.decline_note_text(&r)?,
        };
        text = Some(editor::edit(&ctx.env, &start)?);
    }
    let message = composer.decline_note_to_send(&r, message_id, text.as_ref())?;
    let what = format!("the note to {}", message.addressees());
    match outgoing::confirm(ctx, std::slice::from_ref(&message), &args.send_args, &what)? {
        Go::DryRun | Go::Stop => return Ok(()),
        Go::Send => {}
    }
    let mut transport = ctx.transport(config);
    let note = args.answer.note.clone();
    let result = resend::send_closing(
        ctx,
        transport.as_mut(),
        resend::Tracked {
            id: &r.id,
            kind,
            message: &message,
            edited: text.as_ref(),
        },
        |r| r.decline(Side::A, now, note),
    );
    transport.close();
    let updated = result?;
    ctx.out.note(format!("sent the note to {}", updated.b));
    print(ctx, &updated, &config.followup, None);
    Ok(())
}

pub(crate) fn cancel(args: CancelArgs, ctx: &mut Context) -> anyhow::Result<()> {
    send_options_need_send(
        &args.send_args,
        args.send,
        &format!("intro cancel {} --tell", args.request),
    )?;
    if args.tell {
        return cancel_and_tell(&args, ctx);
    }
    let settings = settings(ctx)?;
    let now = ctx.now;
    let r = change(ctx, &args.request, |r| r.cancel(now))?;
    print(ctx, &r, &settings, None);
    Ok(())
}

/// `cancel --tell`: a note withdrawing the ask to each side still owing
/// an answer, drafted (saved before the cancel is recorded, as a decline's
/// note is) or sent (the cancel recorded with the last one accepted).
fn cancel_and_tell(args: &CancelArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let (config, contacts) = ctx.setup()?;
    let now = ctx.now;
    let requests = ctx.store.read_named(std::slice::from_ref(&args.request))?;
    let r = find_request(requests, &args.request)?.clone();
    r.clone()
        .cancel(now)
        .map_err(|e| closed_with_draft(ctx, &r, e, &["cancel", "cancel-b"]))?;
    let note_to = PendingKind::CancelNote;
    let mut sides: Vec<Side> = r
        .to_tell_on_cancel()
        .into_iter()
        .filter(|side| !r.note_sent(note_to(*side)))
        .collect();
    if sides.is_empty() {
        return Err(UserError::new(format!(
            "nobody asked in request {} is still waiting to answer it",
            r.id
        ))
        .hint(format!(
            "`intro cancel {}` withdraws it without a note; `intro status {}` shows who answered",
            r.id, r.id
        ))
        .into());
    }
    // A note cut off mid-send is finished first, with its Message-ID.
    sides.sort_by_key(|side| r.pending_id(note_to(*side)).is_none());
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), now);
    let mut texts = Vec::with_capacity(sides.len());
    let mut messages = Vec::with_capacity(sides.len());
    for side in &sides {
        let message_id = r
            .pending_id(note_to(*side))
            .map(str::to_string)
            .unwrap_or_else(|| composer.new_message_id());
        let mut text = r.pending_edit(note_to(*side)).cloned();
        if args.send_args.edit {
            let start = match &text {
                Some(t) => t.clone(),
                None => composer.thread_text(&r, *side, InThread::Cancel)?,
            };
            text = Some(editor::edit(&ctx.env, &start)?);
        }
        messages.push(composer.in_thread(
            &r,
            *side,
            InThread::Cancel,
            message_id,
            text.as_ref(),
        )?);
        texts.push(text);
    }
    let who = |side: &Side| r.handle(*side).to_string();

    if !args.send {
        let mut saved = Vec::new();
        for (side, message) in sides.iter().zip(&messages) {
            let suffix = match *side {
                Side::A => "cancel",
                Side::B => "cancel-b",
            };
            let path = ctx
                .paths
                .drafts_dir()
                .join(format!("{}-{suffix}.eml", r.id));
            fsutil::write_atomic(&path, &message.bytes).map_err(|e| {
                UserError::new(format!("cannot save the draft `{}`: {e}", path.display())).hint(
                    "nothing was recorded: make room (or fix the permissions) and run the same command again",
                )
            })?;
            saved.push(path);
        }
        let updated = change(ctx, &args.request, |r| r.cancel(now))?;
        for ((side, message), path) in sides.iter().zip(&messages).zip(&saved) {
            if !ctx.out.json {
                ctx.out.text(message.text());
            }
            ctx.out.note(format!(
                "saved the note to {} as {} (not sent: send it from your mail client)",
                who(side),
                path.display()
            ));
        }
        print(
            ctx,
            &updated,
            &config.followup,
            saved.first().map(std::path::PathBuf::as_path),
        );
        return Ok(());
    }

    let what = match sides.as_slice() {
        [one] => format!("the note to {}", who(one)),
        many => format!("{} notes", many.len()),
    };
    match outgoing::confirm(ctx, &messages, &args.send_args, &what)? {
        Go::DryRun | Go::Stop => return Ok(()),
        Go::Send => {}
    }
    let mut transport = ctx.transport(&config);
    let mut updated = None;
    let last = sides.len() - 1;
    for (i, ((side, message), text)) in sides.iter().zip(&messages).zip(&texts).enumerate() {
        let result = resend::send_closing(
            ctx,
            transport.as_mut(),
            resend::Tracked {
                id: &r.id,
                kind: note_to(*side),
                message,
                edited: text.as_ref(),
            },
            |r| if i == last { r.cancel(now) } else { Ok(()) },
        );
        match result {
            Ok(r) => {
                ctx.out.note(format!("sent the note to {}", who(side)));
                updated = Some(r);
            }
            Err(e) => {
                transport.close();
                return Err(e);
            }
        }
    }
    transport.close();
    if let Some(updated) = updated {
        print(ctx, &updated, &config.followup, None);
    }
    Ok(())
}

fn print(
    ctx: &Context,
    r: &Request,
    settings: &crate::setup::config::FollowupSettings,
    draft: Option<&std::path::Path>,
) {
    if ctx.out.json {
        let mut json = view::request_json(r, ctx.now, settings);
        json.draft = draft.map(|p| p.display().to_string());
        ctx.out.json(&json);
    } else if draft.is_none() {
        ctx.out.data(format!("{} {}", r.id, r.status));
    }
}
