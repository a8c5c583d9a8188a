//! `intro who-knows ADDRESS|@DOMAIN`: rank the people in the user's mail
//! by how well they know someone (or anyone at a company), to see whom to
//! ask for an introduction. The mail is read into the mailbox index first
//! (only what is new since the last run); the ranking rule is
//! `domain::who_knows`'s.

use std::collections::HashMap;

use clap::Args;
use serde::Serialize;
use time::OffsetDateTime;

use crate::context::Context;
use crate::domain::who_knows::{self, Evidence, Target};
use crate::error::{UserError, lookup_error};
use crate::mail::mailbox_index::{Index, update};
use crate::setup::contacts::Contact;
use crate::ui::output::{Output, rfc3339};
use crate::ui::table::Table;

/// Rows shown as text; `--json` lists everyone.
const SHOWN: usize = 10;

#[derive(Debug, Args)]
#[command(
    after_help = "Reads the mail `intro sync` reads ([imap], with its `save_sent` folder, and/or [maildir]) and ranks everyone who wrote with that person: mail both ways counts far more than mail one way, each conversation adds a little, and older mail a little less (the README gives the rule). The first run reads every message's header (a second or two for 100,000); later runs read only new mail. What it learns is kept in `mailbox-index.bin` in the data dir.\n\nColumns: SCORE; TO and FROM, messages from each person to that person and back; THREADS, conversations where each wrote to the other; LAST, the latest of those messages; WITH YOU, messages you wrote them / they wrote you.\n\nExamples:\n  intro who-knows ada@acme.com     who knows Ada best\n  intro who-knows @acme.com        who knows people at Acme (and its subdomains)\n  intro who-knows ada              a contact's handle works too\n  intro who-knows @acme.com --json everyone, with the evidence, for scripts"
)]
pub(crate) struct WhoKnowsArgs {
    /// The person's address (or a contact's handle), or @DOMAIN for anyone at that company
    #[arg(value_name = "ADDRESS|@DOMAIN")]
    pub target: String,
}

#[derive(Serialize)]
struct WhoKnowsJson<'a> {
    target: &'a str,
    messages: usize,
    people: Vec<PersonJson<'a>>,
}

#[derive(Serialize)]
struct PersonJson<'a> {
    email: &'a str,
    name: &'a str,
    handle: Option<&'a str>,
    score: f64,
    wrote: u32,
    received: u32,
    threads: u32,
    last: String,
    you_wrote: u32,
    wrote_you: u32,
}

pub(crate) fn run(args: WhoKnowsArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let config = ctx.load_for_sync()?;
    if config.imap.is_none() && config.maildir.is_none() {
        return Err(no_source(ctx).into());
    }
    // Contacts only name people; a contacts file that does not load costs
    // the names, unless the target itself is a handle.
    let contacts = ctx.load_contacts(Some(&config));
    let target = match Target::parse(&args.target) {
        Ok(target) => target,
        Err(_) if !args.target.contains('@') => match &contacts {
            Ok(contacts) => {
                let contact = contacts.find(&args.target).map_err(|e| {
                    let err = lookup_error(e, &contacts.path);
                    // `acme.com` was likely meant as the company.
                    if args.target.contains('.') {
                        err.hint(format!(
                            "for everyone at that domain: `intro who-knows @{}`",
                            args.target
                        ))
                    } else {
                        err
                    }
                })?;
                Target::Address(contact.email.to_lowercase())
            }
            Err(_) => return Err(bad_target(&args.target, "it has no `@`").into()),
        },
        Err(why) => return Err(bad_target(&args.target, why).into()),
    };

    let data_dir = ctx.paths.data_dir.clone();
    let now = ctx.now.unix_timestamp();
    let mut index = Index::load(&data_dir);
    let mut read = 0;
    if let Some(settings) = &config.imap {
        read += update::imap(&mut index, settings, config.me_email(), &ctx.env, now)?;
    }
    if let Some(settings) = &config.maildir {
        let path = ctx.paths.relative_to_config(&settings.path);
        read += update::maildir(&mut index, &path, now)?;
    }
    index.forget_unused();
    if index.changed
        && let Err(e) = index.save(&data_dir)
    {
        ctx.out.warn(format!(
            "cannot save the mailbox index in `{}` ({e}); the next run reads all mail again",
            Index::path(&data_dir).display()
        ));
    }

    let me = index.find(&config.me_email().trim().to_lowercase());
    // The user is never the one to be introduced to, even at their own
    // company's domain.
    let is_target: Vec<bool> = index
        .addresses
        .iter()
        .enumerate()
        .map(|(n, a)| target.matches(&a.email) && u32::try_from(n).ok() != me)
        .collect();
    let ranked = who_knows::rank(
        index.envelopes(),
        |n| is_target.get(n as usize).copied().unwrap_or(false),
        |n| Some(n) == me,
        now,
    );

    let by_email: HashMap<String, &Contact> = contacts
        .as_ref()
        .map(|c| c.iter().map(|c| (c.email.to_lowercase(), c)).collect())
        .unwrap_or_default();
    let out = ctx.out;
    if read > 0 {
        out.note(format!(
            "read {read} new {} into the mailbox index",
            if read == 1 { "message" } else { "messages" }
        ));
    }
    if out.json {
        let people = ranked
            .iter()
            .map(|e| {
                let address = &index.addresses[e.who as usize];
                let contact = by_email.get(&address.email);
                PersonJson {
                    email: &address.email,
                    name: contact.map_or(address.name.as_str(), |c| c.name.as_str()),
                    handle: contact.map(|c| c.handle.as_str()),
                    score: (e.score * 100.0).round() / 100.0,
                    wrote: e.wrote,
                    received: e.received,
                    threads: e.threads,
                    last: rfc3339(date(e.last)),
                    you_wrote: e.you_wrote,
                    wrote_you: e.wrote_you,
                }
            })
            .collect();
        out.json(&WhoKnowsJson {
            target: target.label(),
            messages: index.messages.len(),
            people,
        });
        return Ok(());
    }
    let whom = match &target {
        Target::Address(address) => format!("`{address}`"),
        Target::Domain(domain) => format!("anyone at `{domain}`"),
    };
    if ranked.is_empty() {
        let n = index.messages.len();
        out.note(format!(
            "no one in your mail has written with {whom} (among {n} {})",
            if n == 1 { "message" } else { "messages" }
        ));
        out.note(match &target {
            Target::Address(address) => {
                let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
                format!(
                    "hint: check the spelling, or ask about anyone there: `intro who-knows @{domain}`"
                )
            }
            Target::Domain(_) => "hint: check the spelling of the domain".to_string(),
        });
        return Ok(());
    }
    out.data(table(&ranked, &index, &by_email, &out));
    let mut legend = format!(
        "TO and FROM count messages between each person and {whom}, THREADS the conversations they shared; WITH YOU is what you wrote them / what they wrote you"
    );
    if let Some((first, last)) = index.span() {
        legend.push_str(&format!(
            " (from {} messages, {} to {})",
            index.messages.len(),
            day(first),
            day(last)
        ));
    }
    out.note(legend);
    if ranked.len() > SHOWN {
        out.note(format!(
            "{} more with less evidence: `intro who-knows {} --json` lists everyone",
            ranked.len() - SHOWN,
            args.target.trim()
        ));
    }
    Ok(())
}

fn table(
    ranked: &[Evidence],
    index: &Index,
    by_email: &HashMap<String, &Contact>,
    out: &Output,
) -> String {
    let mut table = Table::new();
    table
        .header(["WHO", "SCORE", "TO", "FROM", "THREADS", "LAST", "WITH YOU"].map(|h| out.bold(h)));
    for i in 1..=4 {
        table.align_right(i);
    }
    table.align_right(6);
    for e in ranked.iter().take(SHOWN) {
        let address = &index.addresses[e.who as usize];
        let who = match by_email.get(&address.email) {
            Some(c) => format!("{} ({})", c.name, c.handle),
            None if address.name.is_empty() => address.email.clone(),
            None => format!("{} <{}>", address.name, address.email),
        };
        table.row([
            who,
            format!("{:.1}", e.score),
            e.wrote.to_string(),
            e.received.to_string(),
            e.threads.to_string(),
            day(e.last),
            format!("{}/{}", e.you_wrote, e.wrote_you),
        ]);
    }
    table.render().trim_end().to_string()
}

fn date(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn day(unix: i64) -> String {
    let d = date(unix).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn bad_target(text: &str, why: &str) -> UserError {
    UserError::new(format!("`{text}` is not an address or @DOMAIN: {why}")).hint(
        "e.g. `intro who-knows ada@acme.com`, `intro who-knows @acme.com`, or a contact's handle",
    )
}

fn no_source(ctx: &Context) -> UserError {
    UserError::new(format!(
        "no mail to read: `{}` has no [imap] or [maildir] table",
        ctx.paths.config_file.display()
    ))
    .hint("who-knows reads the mail `intro sync` reads: add [imap] or [maildir] as the README's \"Noticing replies: intro sync\" shows")
}
