//! `intro approve`, `intro decline` and `intro cancel`: record a decision.

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cmd::{find_request, transition_error};
use crate::complete;
use crate::compose::Composer;
use crate::context::Context;
use crate::error::UserError;
use crate::fsutil;
use crate::request::Request;
use crate::view;

/// Whose answer is recorded, for requests made with `intro ask --both`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Side {
    A,
    B,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The request (an id, its first 4 or more characters, or the handle of A)
    #[arg(add = ArgValueCandidates::new(complete::undecided_requests))]
    pub request: String,

    /// Whose yes this is (with `ask --both`, the request is approved when both said yes)
    #[arg(long, value_enum, default_value_t = Side::A)]
    pub side: Side,

    /// A private note kept in the request's history
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct DeclineArgs {
    /// The request (an id, its first 4 or more characters, or the handle of A)
    #[arg(add = ArgValueCandidates::new(complete::undecided_requests))]
    pub request: String,

    /// Whose no this is (with `ask --both`, either no declines the request)
    #[arg(long, value_enum, default_value_t = Side::A)]
    pub side: Side,

    /// A private note kept in the request's history
    #[arg(long)]
    pub note: Option<String>,

    /// Draft a graceful note to B (printed and saved under drafts/; not sent)
    #[arg(long)]
    pub tell_b: bool,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The request (an id, its first 4 or more characters, or the handle of A)
    #[arg(add = ArgValueCandidates::new(complete::open_requests))]
    pub request: String,
}

/// Apply `change` to the named request under the store's lock.
fn change(
    ctx: &mut Context,
    name: &str,
    change: impl FnOnce(&mut Request) -> Result<(), crate::request::TransitionError>,
) -> anyhow::Result<Request> {
    ctx.store.write_named(&[name.to_string()], |txn| {
        let mut r = find_request(txn.requests(), name)?.clone();
        change(&mut r).map_err(transition_error)?;
        txn.put(r.clone());
        Ok::<_, anyhow::Error>(r)
    })
}

fn settings(ctx: &Context) -> anyhow::Result<crate::config::FollowupSettings> {
    Ok(ctx.load_settings()?.followup)
}

pub fn approve(args: ApproveArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let settings = settings(ctx)?;
    let now = ctx.now;
    let r = change(ctx, &args.request, |r| match args.side {
        Side::A => r.approve(now, args.note.clone()),
        Side::B => r.approve_b(now, args.note.clone()),
    })?;
    print(ctx, &r, &settings, None);
    if r.status == crate::request::State::Approved {
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

pub fn decline(args: DeclineArgs, ctx: &mut Context) -> anyhow::Result<()> {
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
    // The note is saved before the decline is recorded: a draft that cannot
    // be written (a full disk) must not leave a declined request whose note
    // was never seen, as declining again is refused. If recording then
    // fails, the next try writes the same file again.
    let draft = if args.tell_b {
        let requests = ctx.store.read_named(std::slice::from_ref(&args.request))?;
        let r = find_request(requests, &args.request)?.clone();
        // Only for a request that may be declined: no note for a closed one.
        r.clone().decline(now, None).map_err(transition_error)?;
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
    let r = change(ctx, &args.request, |r| match args.side {
        Side::A => r.decline(now, args.note.clone()),
        Side::B => r.decline_b(now, args.note.clone()),
    })?;
    if let Some((draft, path)) = &draft {
        if !ctx.out.json {
            print!("{}", draft.text());
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

pub fn cancel(args: CancelArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let settings = settings(ctx)?;
    let now = ctx.now;
    let r = change(ctx, &args.request, |r| r.cancel(now))?;
    print(ctx, &r, &settings, None);
    Ok(())
}

fn print(
    ctx: &Context,
    r: &Request,
    settings: &crate::config::FollowupSettings,
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
