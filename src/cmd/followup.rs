//! `intro followup`: a gentle nudge to A in the ask's thread, for one
//! request or for every request with a follow-up due.

use anyhow::Context as _;
use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::SendArgs;
use crate::cmd::find_request;
use crate::cmd::send::interrupt::Interrupts;
use crate::cmd::send::outgoing::{self, Go};
use crate::cmd::send::resend;
use crate::cmd::send::send_loop::{self, Pace};
use crate::complete;
use crate::context::Context;
use crate::domain::request::{PendingKind, Request, Side};
use crate::error::UserError;
use crate::error::transition_error_of;
use crate::mail::compose::{Composer, InThread};
use crate::mail::message::Outgoing;
use crate::mail::template::Rendered;
use crate::mail::transport::{SendError, Severity};
use crate::ui::editor;
use crate::ui::view;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  intro followup 4f2a\n  intro status --due && intro followup --due --yes"
)]
pub(crate) struct FollowupArgs {
    /// The request to follow up (an id, its first 4 or more characters, or the handle of A)
    #[arg(
        required_unless_present = "due",
        conflicts_with = "due",
        add = ArgValueCandidates::new(complete::asked_requests)
    )]
    pub request: Option<String>,

    /// Follow up every request with a follow-up due
    #[arg(long)]
    pub due: bool,

    /// Send even if it is not due yet, or `followup.max` follow-ups were already sent
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub send: SendArgs,
}

/// One follow-up to send: to A, or to B for requests made with `--both`.
struct Nudge {
    request: Request,
    side: Side,
}

impl Nudge {
    fn kind(&self) -> PendingKind {
        PendingKind::Followup(self.side)
    }

    fn sent_before(&self) -> usize {
        self.request.followups_to(self.side).len()
    }
}

pub(crate) fn run(args: FollowupArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let (config, contacts) = ctx.setup()?;
    let now = ctx.now;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), now);
    // Follow-ups go to open requests only: the archive is read only when
    // the name may be a closed one's (to say so).
    let requests = ctx.store.read_named(args.request.as_slice())?;
    let max = config.followup.max as usize;
    let nudges: Vec<Nudge> = match &args.request {
        Some(name) => {
            let r = find_request(requests, name)?;
            let mut nudges = Vec::new();
            let mut refusal = None;
            // A is nudged while A's answer is missing; with `--both`, B too.
            for side in [Side::A, Side::B] {
                if !r.asks(side) {
                    continue;
                }
                let kind = PendingKind::Followup(side);
                let allowed = r.check_followup(side);
                let sent = r.followups_to(side).len();
                let who = r.handle(side);
                let due_at = r.next_followup_at(side, &config.followup);
                if let Err(e) = allowed {
                    refusal.get_or_insert(transition_error_of(r, Some(e)));
                    continue;
                }
                if sent >= max && r.pending_id(kind).is_none() && !args.force {
                    refusal.get_or_insert(
                        UserError::new(format!(
                            "request {} already had {sent} follow-up{} to {who} (`followup.max` is {max})",
                            r.id,
                            if sent == 1 { "" } else { "s" },
                        ))
                        .hint(format!(
                            "pass `--force` to nudge once more, or `intro decline {}` to close it",
                            r.id
                        )),
                    );
                    continue;
                }
                // A nudge before `after_days` is pushy; an interrupted one
                // is finished whenever it is rerun.
                if let Some(at) = due_at
                    && now < at
                    && r.pending_id(kind).is_none()
                    && !args.force
                {
                    // An out-of-office reply may be what set the date.
                    let away = r
                        .auto_reply_hold(side, &config.followup)
                        .is_some_and(|hold| hold >= at);
                    refusal.get_or_insert(not_due_yet(&r.id, who, at, away));
                    continue;
                }
                nudges.push(Nudge {
                    request: r.clone(),
                    side,
                });
            }
            if nudges.is_empty() {
                return Err(refusal.expect("a side was refused").into());
            }
            nudges
        }
        None => {
            let mut due: Vec<&Request> = requests
                .iter()
                .filter(|r| r.is_due(now, &config.followup) || r.pending.is_some())
                .collect();
            due.sort_by(|x, y| x.created_at.cmp(&y.created_at).then(x.id.cmp(&y.id)));
            let mut nudges = Vec::new();
            for r in due {
                for side in [Side::A, Side::B] {
                    let kind = PendingKind::Followup(side);
                    if r.is_due_for(side, now, &config.followup)
                        || (r.check_followup(side).is_ok() && r.pending_id(kind).is_some())
                    {
                        nudges.push(Nudge {
                            request: r.clone(),
                            side,
                        });
                    }
                }
            }
            nudges
        }
    };
    if nudges.is_empty() {
        if ctx.out.json {
            ctx.out.json(&Vec::<()>::new());
        } else {
            ctx.out.note("no follow-ups due");
        }
        return Ok(());
    }
    // Each follow-up's Message-ID and text: an interrupted one is sent again
    // as it was; `--edit` lets the user change the words first.
    let mut texts: Vec<Option<Rendered>> = Vec::with_capacity(nudges.len());
    let mut messages = Vec::with_capacity(nudges.len());
    for n in &nudges {
        let r = &n.request;
        let id = r
            .pending_id(n.kind())
            .map(str::to_string)
            .unwrap_or_else(|| composer.new_message_id());
        let mut text = r.pending_edit(n.kind()).cloned();
        if args.send.edit {
            let start = match &text {
                Some(t) => t.clone(),
                None => composer.thread_text(r, n.side, InThread::Followup)?,
            };
            text = Some(editor::edit(&ctx.env, &start)?);
        }
        messages.push(composer.in_thread(r, n.side, InThread::Followup, id, text.as_ref())?);
        texts.push(text);
    }
    let what = match nudges.as_slice() {
        [_] => format!(
            "the follow-up to {}",
            messages
                .first()
                .map(Outgoing::addressees)
                .unwrap_or_default()
        ),
        many => format!("{} follow-ups", many.len()),
    };
    let warnings: Vec<String> = messages
        .iter()
        .filter_map(|m| {
            let to = m.to.first().map_or("?", |p| p.name.as_str());
            crate::mail::ask_check::length_warning(&format!("the follow-up to {to}"), m)
        })
        .collect();
    for w in &warnings {
        ctx.out.warn(w);
    }
    match outgoing::confirm_warned(ctx, &messages, &args.send, &what, &warnings)? {
        Go::DryRun | Go::Stop => return Ok(()),
        Go::Send => {}
    }
    // `--due` may send many: SIGINT or SIGTERM ends it after the one in
    // flight, with a summary.
    let interrupts = if args.due {
        Some(Interrupts::catch().context("cannot catch SIGINT and SIGTERM")?)
    } else {
        None
    };
    let mut transport = ctx.transport(&config);
    let pace = Pace {
        rate_limit: config.send.rate_limit,
        progress: send_loop::progress_bar(ctx, nudges.len() as u64, "follow-ups"),
    };
    let outcome = send_loop::send_all(
        nudges.len(),
        &pace,
        interrupts.as_ref(),
        transport.as_mut(),
        |i| Ok(messages[i].clone()),
        |i, message, _, transport, _| {
            let n = &nudges[i];
            resend::send_tracked(
                ctx,
                transport,
                resend::Tracked {
                    id: &n.request.id,
                    kind: n.kind(),
                    message,
                    edited: texts[i].as_ref(),
                },
            )
            // Of many, anything that stops one follow-up from being
            // recorded is that follow-up's failure; the others still go.
            .map_err(|e| {
                if nudges.len() == 1 || e.downcast_ref::<SendError>().is_some() {
                    return e;
                }
                SendError::new(Severity::Rejected, crate::error::one_line(&e)).into()
            })
        },
    );
    transport.close();
    let mut outcome = outcome?;
    drop(interrupts);
    if nudges.len() == 1 && !outcome.failed.is_empty() {
        return Err(outcome.failed.remove(0).1);
    }
    let stop = outcome.stop;
    let untried = outcome.untried.len();
    let sent: Vec<(Request, &Nudge)> = outcome
        .sent
        .into_iter()
        .map(|(i, r)| (r, &nudges[i]))
        .collect();
    let failed: Vec<String> = outcome
        .failed
        .iter()
        .map(|(i, e)| format!("{}: {}", nudges[*i].request.id, crate::error::one_line(e)))
        .collect();
    if ctx.out.json {
        let list = view::latest_json(sent.iter().map(|(r, _)| r), now, &config.followup);
        if args.request.is_some() {
            if let Some(one) = list.into_iter().next() {
                ctx.out.json(&one);
            }
        } else {
            ctx.out.json(&list);
        }
    } else {
        for (r, n) in &sent {
            let who = r.handle(n.side);
            ctx.out.data(format!(
                "{} followed up with {who} ({} of {max})",
                r.id,
                n.sent_before() + 1,
            ));
        }
    }
    if let Some(stop) = stop {
        return Err(UserError::new(format!(
            "stopped by {}: followed up {} of {}, {untried} not attempted{}",
            stop.signal(),
            sent.len(),
            nudges.len(),
            if failed.is_empty() {
                String::new()
            } else {
                format!(", {} failed", failed.len())
            }
        ))
        .details(failed)
        .hint("run the same command again: follow-ups already sent are not sent again")
        .exit(stop.exit())
        .into());
    }
    if failed.is_empty() {
        return Ok(());
    }
    let mut err = UserError::new(format!(
        "{} of {} follow-ups failed{}",
        failed.len(),
        nudges.len(),
        if untried > 0 {
            format!(", {untried} not sent")
        } else {
            String::new()
        }
    ))
    .details(failed);
    if let Some(fatal) = &outcome.fatal {
        for h in &fatal.hints {
            err = err.hint(h.clone());
        }
    }
    Err(err
        .hint("run `intro followup --due` again to retry them")
        .into())
}

/// A follow-up asked for before `followup.after_days` passed, or (`away`)
/// before the return date of `who`'s out-of-office reply.
fn not_due_yet(id: &str, who: &str, at: time::OffsetDateTime, away: bool) -> UserError {
    let at = at.to_offset(time::UtcOffset::UTC);
    UserError::new(format!(
        "a follow-up to `{who}` on request {id} is not due until {} at {:02}:{:02} UTC",
        at.date(),
        at.hour(),
        at.minute(),
    ))
    .hint(if away {
        format!("`{who}` sent an out-of-office reply: `intro status {id}` shows it; pass `--force` to nudge now anyway")
    } else {
        "pass `--force` to nudge now anyway (`followup.after_days` sets the wait)".to_string()
    })
}
