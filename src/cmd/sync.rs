//! `intro sync`: look for A's replies in the user's mail (`[imap]` and/or
//! `[maildir]`) and move each answered request from `asked` to `replied`.
//! Nothing is changed unless every source could be read.

use clap::Args;

use crate::context::Context;
use crate::domain::request::{Request, Side};
use crate::domain::text::truncate;
use crate::error::UserError;
use crate::mail::sync::checkpoint::Checkpoints;
use crate::mail::sync::{self, Found, FoundAuto, Scan, Source, Tracked};
use crate::ui::view;

#[derive(Debug, Args)]
#[command(
    after_help = "Reads [imap] (the server does the searching) and/or [maildir] (a local folder kept by mbsync or offlineimap). Only mail that arrived since the last sync is looked at.\n\nExamples:\n  intro sync                   move answered requests to `replied`\n  intro sync && intro status   then see who answered\n  intro sync --json            the requests that changed, for scripts"
)]
pub(crate) struct SyncArgs {
    /// Look through the whole mailbox again, not only mail that arrived since the last sync
    #[arg(long)]
    pub rescan: bool,
}

pub(crate) fn run(args: SyncArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let config = ctx.load_for_sync()?;
    if config.imap.is_none() && config.maildir.is_none() {
        return Err(no_source(ctx).into());
    }
    let now = ctx.now;
    let data_dir = ctx.paths.data_dir.clone();
    let mut checkpoints = Checkpoints::load(&data_dir);
    // Mail read while `any_mail_counts` was off was only looked at for its
    // thread: turned on, it reads everything once more, as `--rescan` does.
    let any_mail = config.sync.any_mail_counts;
    let rescan = args.rescan || (any_mail && !checkpoints.any_mail_counts);
    if rescan && !args.rescan && !(checkpoints.imap.is_empty() && checkpoints.maildir.is_empty()) {
        ctx.out.note(
            "`any_mail_counts` is newly on: looking through all the mail once, not only what is new",
        );
    }

    // Open every source (and note where each stands) before reading the
    // store: a request asked after that read can only be answered by mail
    // that arrives later, which the next sync looks at.
    let mut sources: Vec<Box<dyn Source>> = Vec::new();
    if let Some(settings) = &config.imap {
        let source = sync::imap::open(settings, config.me_email(), &ctx.env, &checkpoints, rescan)?;
        sources.push(Box::new(source));
    }
    if let Some(settings) = &config.maildir {
        let path = ctx.paths.relative_to_config(&settings.path);
        sources.push(Box::new(sync::maildir::open(&path, &checkpoints, rescan)?));
    }
    // Replies can change open requests only: the archive is not read.
    let open = ctx.store.read_open()?;
    let tracked = Tracked::new(open.iter())
        .with_introductions(config.me_email(), open.iter())
        .counting_any_mail(config.sync.any_mail_counts);
    let mut found: Vec<Found> = Vec::new();
    let mut introductions: Vec<Found> = Vec::new();
    let mut auto_replies: Vec<FoundAuto> = Vec::new();
    let mut notes = Vec::new();
    for source in &mut sources {
        let scan = source.find(&tracked, now)?;
        notes.push(format!(
            "{}: {}",
            source.describe(),
            describe_scan(&scan, &tracked)
        ));
        found.extend(scan.found);
        introductions.extend(scan.introductions);
        auto_replies.extend(scan.auto_replies);
    }

    // The first answer wins when A wrote twice.
    found.sort_by_key(|f| f.reply.at);
    introductions.sort_by_key(|f| f.reply.at);
    auto_replies.sort_by_key(|f| f.auto.at);
    let (changed, held): (Vec<Touched>, Vec<Touched>) =
        if found.is_empty() && auto_replies.is_empty() {
            Default::default()
        } else {
            ctx.store.write_open(|txn| {
                let mut changed = Vec::new();
                let mut held = Vec::new();
                // An auto-reply first: when A wrote back for real later, the
                // answer is what the request ends with.
                for f in auto_replies {
                    let Some(mut r) = txn.requests().get(&f.request_id).cloned() else {
                        continue;
                    };
                    if r.record_auto_reply(f.side, now, f.auto) {
                        txn.put(r.clone());
                        held.push((r, f.side));
                    }
                }
                for f in found {
                    // Gone from the open requests meanwhile: closed, so the
                    // reply changes nothing.
                    let Some(mut r) = txn.requests().get(&f.request_id).cloned() else {
                        continue;
                    };
                    if let Some(note) = f.note {
                        if r.record_note_reply(now, note, f.reply.at, f.reply.message_id) {
                            txn.put(r.clone());
                            changed.push((r, f.side));
                        }
                        continue;
                    }
                    if r.record_reply(f.side, now, f.reply) {
                        txn.put(r.clone());
                        changed.push((r, f.side));
                    }
                }
                Ok::<_, anyhow::Error>((changed, held))
            })?
        };
    let introduced = crate::cmd::request::record_introductions(ctx, introductions)?;

    for source in &sources {
        source.checkpoint(&mut checkpoints);
    }
    checkpoints.any_mail_counts = any_mail;
    // Log out before printing.
    drop(sources);
    if let Err(e) = checkpoints.save(&data_dir) {
        ctx.out.warn(format!(
            "cannot save where this sync left off in `{}` ({e}); the next sync looks through everything again",
            Checkpoints::path(&data_dir).display()
        ));
    }

    let out = ctx.out;
    if out.json {
        let list = view::latest_json(
            held.iter()
                .chain(&changed)
                .map(|(r, _)| r)
                .chain(&introduced),
            now,
            &config.followup,
        );
        out.json(&list);
    } else {
        for (r, side) in &held {
            let who = r.handle(*side);
            let until = match r.last_auto_reply(*side).and_then(|a| a.back_on) {
                Some(back) => format!("back on {}", back.date()),
                None => "no return date given".to_string(),
            };
            let next = r
                .next_followup_at(*side, &config.followup)
                .map_or(String::new(), |at| {
                    format!("; next follow-up not before {}", at.date())
                });
            out.data(format!(
                "{} {who} is away (automatic reply, {until}){next}",
                r.id
            ));
        }
        for (r, side) in &changed {
            let who = r.handle(*side);
            // B's note just came in (a reply to the ask that carried it
            // is A's answer, told as any other).
            if let Some(note) = r
                .forward_note_text()
                .filter(|_| r.status == crate::domain::request::State::NoteReceived)
            {
                let words = truncate(&note.split_whitespace().collect::<Vec<_>>().join(" "), 60);
                if r.note_reads_like_no() {
                    out.data(format!(
                        "{} {who} answered the request for a note for {}, and it reads like a no: \"{words}\"",
                        r.id, r.a
                    ));
                } else {
                    out.data(format!(
                        "{} {who} sent a note for {}: \"{words}\"",
                        r.id, r.a
                    ));
                }
                continue;
            }
            let snippet = r
                .reply_from(*side)
                .map_or("", |reply| reply.snippet.as_str());
            out.data(format!(
                "{} {who} replied: \"{}\"",
                r.id,
                truncate(snippet, 60)
            ));
        }
        for r in &introduced {
            out.data(format!("{} {} introduced you to {}", r.id, r.a, r.b));
        }
    }
    for note in notes {
        out.note(note);
    }
    match introduced.as_slice() {
        [] => {}
        [r] => out.note(format!(
            "1 introduction you asked for found: thank {} with `intro thank {} --how TEXT`",
            r.a, r.id
        )),
        many => out.note(format!(
            "{} introductions you asked for found: thank each connector with `intro thank ID --how TEXT`",
            many.len()
        )),
    }
    let (refusals, with_note): (Vec<&Request>, Vec<&Request>) = changed
        .iter()
        .map(|(r, _)| r)
        .filter(|r| r.status == crate::domain::request::State::NoteReceived)
        .partition(|r| r.note_reads_like_no());
    let notes_in = with_note.len() + refusals.len();
    // A connector's answer is news of its own: what to record of it.
    let connectors: Vec<&Request> = changed
        .iter()
        .map(|(r, _)| r)
        .filter(|r| r.is_requested() && r.status == crate::domain::request::State::Replied)
        .collect();
    // A note or an introduction found is news enough: no "no new replies"
    // beside it.
    match changed.len() - notes_in - connectors.len() {
        0 if notes_in > 0 || !introduced.is_empty() || !connectors.is_empty() => {}
        0 => out.note("no new replies"),
        1 => out.note("1 request moved to `replied`: `intro status` shows it first"),
        n => out.note(format!(
            "{n} requests moved to `replied`: `intro status` shows them first"
        )),
    }
    for r in connectors {
        out.note(format!(
            "{} answered your request {}: `intro approve {}` records that they agreed, `intro decline {}` that they did not",
            r.a, r.id, r.id, r.id
        ));
    }
    let with_note: Vec<&str> = with_note.iter().map(|r| r.id.as_str()).collect();
    match with_note.as_slice() {
        [] => {}
        [id] => out.note(format!(
            "1 note from B in: check it with `intro status {id}`, then `intro ask {id}` forwards it to A"
        )),
        _ => out.note(format!(
            "{} notes from B in: check each with `intro status ID`, then `intro ask ID` forwards it to A",
            with_note.len()
        )),
    }
    // B's words are kept as they are, but not forwarded without a word.
    for r in refusals {
        out.note(format!(
            "{}'s answer on request {} reads like a no, not a note: if {} declined, `intro cancel {}` closes the request; `intro status {}` shows the whole reply",
            r.b, r.id, r.b, r.id, r.id
        ));
    }
    Ok(())
}

/// A request a sync changed, and whose message changed it.
type Touched = (Request, Side);

fn describe_scan(scan: &Scan, tracked: &Tracked) -> String {
    if scan.nothing_new {
        return "nothing new since the last sync".into();
    }
    if tracked.is_empty() {
        return "no request is waiting for a reply".into();
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let awaited = tracked.awaited_introductions();
    let mut text = match (tracked.len(), awaited) {
        (waiting, 0) => format!(
            "{} in the threads of {}",
            plural(scan.examined, "message", "messages"),
            plural(waiting, "waiting request", "waiting requests"),
        ),
        (0, awaited) => format!(
            "{} that may be {}",
            plural(scan.examined, "message", "messages"),
            plural(awaited, "awaited introduction", "awaited introductions"),
        ),
        (waiting, awaited) => format!(
            "{} in the threads of {} or from {} asked for an introduction",
            plural(scan.examined, "message", "messages"),
            plural(waiting, "waiting request", "waiting requests"),
            plural(awaited, "connector", "connectors"),
        ),
    };
    if scan.not_from_a > 0 {
        text.push_str(&format!(" ({} not from A)", scan.not_from_a));
    }
    if !scan.auto_replies.is_empty() {
        text.push_str(&format!(
            ", {}",
            plural(
                scan.auto_replies.len(),
                "automatic reply",
                "automatic replies"
            )
        ));
    }
    text
}

fn no_source(ctx: &Context) -> UserError {
    UserError::new(format!(
        "nowhere to look for replies: `{}` has no [imap] or [maildir] table",
        ctx.paths.config_file.display()
    ))
    .hint("add [imap] with `host = \"imap.example.com\"`, `username = \"you@example.com\"` and `password_command = [\"pass\", \"show\", \"mail/imap\"]`")
    .hint("or [maildir] with `path = \"~/Mail/INBOX\"` (a folder kept by mbsync or offlineimap)")
    .hint("the README's \"Noticing replies: intro sync\" has complete examples")
}
