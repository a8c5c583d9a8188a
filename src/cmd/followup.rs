//! `intro followup`: a gentle nudge to A in the ask's thread, for one
//! request or for every request with a follow-up due.

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::SendArgs;
use crate::cmd::{find_request, transition_error};
use crate::complete;
use crate::compose::Composer;
use crate::context::Context;
use crate::error::UserError;
use crate::message::Purpose;
use crate::outgoing::{self, Go};
use crate::request::{PendingKind, Request};
use crate::resend;
use crate::view;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  intro followup 4f2a\n  intro status --due && intro followup --due --yes"
)]
pub struct FollowupArgs {
    /// The request to follow up (an id or an unambiguous prefix)
    #[arg(
        required_unless_present = "due",
        conflicts_with = "due",
        add = ArgValueCandidates::new(complete::asked_requests)
    )]
    pub request: Option<String>,

    /// Follow up every request with a follow-up due
    #[arg(long)]
    pub due: bool,

    /// Send even if `followup.max` follow-ups were already sent
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub send: SendArgs,
}

pub fn run(args: FollowupArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let (config, contacts) = ctx.setup()?;
    let now = ctx.now;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), now);
    let requests = ctx.store.read()?;
    let targets: Vec<Request> = match &args.request {
        Some(name) => {
            let r = find_request(requests, name)?;
            r.check_followup().map_err(transition_error)?;
            let max = config.followup.max as usize;
            if r.followups.len() >= max
                && r.pending_id(PendingKind::Followup).is_none()
                && !args.force
            {
                return Err(UserError::new(format!(
                    "request {} already had {} follow-up{} (`followup.max` is {max})",
                    r.id,
                    r.followups.len(),
                    if r.followups.len() == 1 { "" } else { "s" }
                ))
                .hint(format!(
                    "pass `--force` to nudge once more, or `intro decline {}` to close it",
                    r.id
                ))
                .into());
            }
            vec![r.clone()]
        }
        None => {
            let mut due: Vec<Request> = requests
                .iter()
                .filter(|r| {
                    r.is_due(now, &config.followup)
                        || (r.status == crate::request::State::Asked
                            && r.pending_id(PendingKind::Followup).is_some())
                })
                .cloned()
                .collect();
            due.sort_by(|x, y| x.created_at.cmp(&y.created_at).then(x.id.cmp(&y.id)));
            due
        }
    };
    if targets.is_empty() {
        if ctx.out.json {
            ctx.out.json(&Vec::<()>::new());
        } else {
            ctx.out.note("no follow-ups due");
        }
        return Ok(());
    }
    let messages: Vec<_> = targets
        .iter()
        .map(|r| {
            let id = r
                .pending_id(PendingKind::Followup)
                .map(str::to_string)
                .unwrap_or_else(|| composer.new_message_id(&r.id, Purpose::Followup));
            composer.followup(r, id)
        })
        .collect::<anyhow::Result<_>>()?;
    let what = match targets.as_slice() {
        [one] => format!("the follow-up to {}", one.a),
        many => format!("{} follow-ups", many.len()),
    };
    match outgoing::confirm(ctx, &messages, &args.send, &what)? {
        Go::DryRun | Go::Stop => return Ok(()),
        Go::Send => {}
    }
    let mut transport = ctx.transport(&config);
    let mut sent = Vec::new();
    let mut failed = Vec::new();
    for (r, message) in targets.iter().zip(&messages) {
        match resend::send_tracked(
            ctx,
            transport.as_mut(),
            &r.id,
            PendingKind::Followup,
            message,
        ) {
            Ok(updated) => sent.push(updated),
            Err(e) => {
                if targets.len() == 1 {
                    return Err(e);
                }
                failed.push(format!("{}: {e:#}", r.id));
            }
        }
    }
    transport.close();
    if ctx.out.json {
        let list: Vec<_> = sent
            .iter()
            .map(|r| view::request_json(r, now, &config.followup))
            .collect();
        if args.request.is_some() {
            if let Some(one) = list.into_iter().next() {
                ctx.out.json(&one);
            }
        } else {
            ctx.out.json(&list);
        }
    } else {
        for r in &sent {
            ctx.out.data(format!(
                "{} followed up ({} of {})",
                r.id,
                r.followups.len(),
                config.followup.max
            ));
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    Err(UserError::new(format!(
        "{} of {} follow-ups failed",
        failed.len(),
        targets.len()
    ))
    .details(failed)
    .hint("run `intro followup --due` again to retry them")
    .into())
}
