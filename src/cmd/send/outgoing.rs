//! The gate every send passes: `--dry-run` prints and stops, a terminal
//! asks, a script must say `--yes`. Nothing is recorded or connected before
//! this says go.

use std::io::{BufRead, Write};

use serde::Serialize;

use crate::cli::SendArgs;
use crate::context::Context;
use crate::error::{Exit, UserError};
use crate::mail::message::Outgoing;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Go {
    /// Printed; do nothing else.
    DryRun,
    /// The user said yes (or `--yes`).
    Send,
    /// The user said no at the prompt.
    Stop,
}

#[derive(Serialize)]
struct DryRunMessage<'a> {
    message_id: &'a str,
    to: Vec<String>,
    subject: &'a str,
    message: String,
}

/// Decide whether `messages` go out. `what` names them for the prompt
/// ("the ask to Ada Lovelace").
pub(crate) fn confirm(
    ctx: &Context,
    messages: &[Outgoing],
    args: &SendArgs,
    what: &str,
) -> anyhow::Result<Go> {
    confirm_warned(ctx, messages, args, what, &[])
}

/// Decide whether a batch of `count` messages (`noun`s: "ask", "note
/// request") goes out, shown by its first message.
pub(crate) fn confirm_batch(
    ctx: &Context,
    first: &Outgoing,
    args: &SendArgs,
    count: usize,
    noun: &str,
) -> anyhow::Result<Go> {
    let what = format!("{count} {noun}{}", if count == 1 { "" } else { "s" });
    if !args.yes {
        ctx.out.note(format!("{what} to send; the first one:"));
    }
    confirm(ctx, std::slice::from_ref(first), args, &what)
}

/// As [`confirm`]; on a terminal, `warnings` (already printed once) are
/// repeated right above the question, where the user decides.
pub(crate) fn confirm_warned(
    ctx: &Context,
    messages: &[Outgoing],
    args: &SendArgs,
    what: &str,
    warnings: &[String],
) -> anyhow::Result<Go> {
    if args.dry_run {
        print_dry_run(ctx, messages);
        return Ok(Go::DryRun);
    }
    if args.yes {
        return Ok(Go::Send);
    }
    if !ctx.env.interactive() {
        return Err(UserError::new("refusing to send without confirmation")
            .exit(Exit::Usage)
            .hint("pass `--yes` to send, or `--dry-run` to see the message without sending")
            .into());
    }
    let mut stderr = std::io::stderr().lock();
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            let _ = writeln!(stderr);
        }
        let _ = writeln!(stderr, "{}", ctx.out.dim(&"-".repeat(60)));
        let _ = write!(stderr, "{}", preview(m));
    }
    let _ = writeln!(stderr, "{}", ctx.out.dim(&"-".repeat(60)));
    drop(stderr);
    for w in warnings {
        ctx.out.warn(w);
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "Send {what}? [y/N] ");
    let _ = stderr.flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    let answer = answer.trim().to_lowercase();
    if answer == "y" || answer == "yes" {
        Ok(Go::Send)
    } else {
        ctx.out.note("Nothing was sent.");
        Ok(Go::Stop)
    }
}

/// What a person needs to judge a message: who, subject, body.
fn preview(m: &Outgoing) -> String {
    let text = m.text();
    let body = text.split_once("\n\n").map_or("", |(_, b)| b);
    let to: Vec<String> = m.to.iter().map(ToString::to_string).collect();
    format!("To: {}\nSubject: {}\n\n{}", to.join(", "), m.subject, body)
}

pub(crate) fn print_dry_run(ctx: &Context, messages: &[Outgoing]) {
    if ctx.out.json {
        let list: Vec<DryRunMessage> = messages
            .iter()
            .map(|m| DryRunMessage {
                message_id: &m.message_id,
                to: m.to.iter().map(ToString::to_string).collect(),
                subject: &m.subject,
                message: m.text(),
            })
            .collect();
        ctx.out.json(&list);
        return;
    }
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            ctx.out.data("");
        }
        ctx.out.text(m.text());
    }
    ctx.out.note("(dry run: nothing was sent or recorded)");
}
