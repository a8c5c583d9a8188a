//! `intro status`: open requests newest first with their next step, or
//! named requests in detail with their history.

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cmd::{contact_handles, find_request, is_handle, open_requests_of};
use crate::complete;
use crate::context::Context;
use crate::domain::request::{Request, State};
use crate::domain::text::truncate;
use crate::error::UserError;
use crate::setup::config::FollowupSettings;
use crate::ui::output::{age, rfc3339};
use crate::ui::pager;
use crate::ui::table::Table;
use crate::ui::view::{self, next_step};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  intro status                 open requests\n  intro status --due           only those with a follow-up due\n  intro status 4f2a            one request in detail\n  intro status --json --all    every request, for scripts\n  intro status -n 20           the first 20\n  intro status --due --ics > follow-ups.ics\n                               due and upcoming follow-ups for a calendar or to-do app\n\nOn a terminal, a list longer than the screen goes through $PAGER (`less -FRX` when unset)."
)]
pub(crate) struct StatusArgs {
    /// Requests to show in detail (an id or a prefix of 4 or more characters),
    /// or contacts' handles to list the open requests they are in
    #[arg(value_name = "REQUEST", add = ArgValueCandidates::new(complete::any_request))]
    pub requests: Vec<String>,

    /// Include closed requests (declined, introduced, cancelled)
    #[arg(long)]
    pub all: bool,

    /// Only requests with a follow-up due
    #[arg(long)]
    pub due: bool,

    /// With --due: print due and upcoming follow-ups as an iCalendar file
    /// of to-dos (RFC 5545), for calendar and to-do apps; importing a newer
    /// file updates the to-dos instead of adding more
    #[arg(long, requires = "due", conflicts_with = "requests")]
    pub ics: bool,

    /// Show only the first N requests of the list
    #[arg(short = 'n', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,

    /// Print the list straight out, never through $PAGER
    #[arg(long)]
    pub no_pager: bool,
}

pub(crate) fn run(args: StatusArgs, ctx: &mut Context) -> anyhow::Result<()> {
    // Status reads the follow-up settings; without a config the defaults
    // apply, so a fresh machine can still look at its store.
    let settings = match ctx.load_settings() {
        Ok(c) => c.followup,
        Err(e)
            if matches!(
                e.downcast_ref(),
                Some(crate::setup::config::ConfigError::Missing { .. })
            ) =>
        {
            FollowupSettings::default()
        }
        Err(e) => return Err(e),
    };
    let now = ctx.now;
    let out = ctx.out;
    if args.ics {
        return ics(ctx, &settings);
    }
    let handles = match args.requests.is_empty() {
        true => Default::default(),
        false => contact_handles(ctx),
    };
    // Closed requests live in the archive: read it only when they are
    // listed (`--all`) or may be named.
    let requests = if args.all {
        ctx.store.read()?
    } else if args.requests.is_empty() {
        ctx.store.read_open()?
    } else {
        ctx.store.read_named(&args.requests)?
    };
    // Handles alone list those contacts' requests as a table; mixed with
    // ids, each handle's open requests are shown in detail too.
    let named_by_handle = |r: &Request| {
        args.requests
            .iter()
            .any(|h| r.a == h.trim() || r.b == h.trim())
    };
    let by_handle = !args.requests.is_empty()
        && args
            .requests
            .iter()
            .all(|n| is_handle(&handles, requests, n.trim()));
    if !args.requests.is_empty() && !by_handle {
        let mut named: Vec<&Request> = Vec::new();
        for name in &args.requests {
            if is_handle(&handles, requests, name.trim()) {
                named.extend(open_requests_of(requests, name.trim()));
            } else {
                named.push(find_request(requests, name)?);
            }
        }
        if out.json {
            let list: Vec<_> = named
                .iter()
                .map(|r| view::request_json(r, now, &settings))
                .collect();
            out.json(&list);
            return Ok(());
        }
        for (i, r) in named.iter().enumerate() {
            if i > 0 {
                out.data("");
            }
            out.data(detail(r, now, &settings, &out));
        }
        return Ok(());
    }
    let mut list: Vec<&Request> = requests
        .iter()
        .filter(|r| args.all || r.status.is_open())
        .filter(|r| !args.due || r.is_due(now, &settings))
        .filter(|r| !by_handle || named_by_handle(r))
        .collect();
    // Replies first (someone is waiting on a decision), then newest first.
    list.sort_by(|x, y| {
        (y.status == State::Replied)
            .cmp(&(x.status == State::Replied))
            .then(y.created_at.cmp(&x.created_at))
            .then(y.id.cmp(&x.id))
    });
    let listed = list.len();
    if let Some(limit) = args.limit {
        list.truncate(limit as usize);
        if list.len() < listed {
            out.note(format!(
                "showing {} of {listed} requests (`-n` sets how many)",
                list.len()
            ));
        }
    }
    if out.json {
        let list: Vec<_> = list
            .iter()
            .map(|r| view::request_json(r, now, &settings))
            .collect();
        let text = serde_json::to_string_pretty(&list)?;
        pager::print(&ctx.env, &out, &format!("{text}\n"), !args.no_pager);
        return Ok(());
    }
    if list.is_empty() {
        out.note(if requests.is_empty() {
            "no requests yet; `intro ask A B --why TEXT` makes one"
        } else if args.due {
            "no follow-ups due"
        } else {
            "no open requests (`--all` shows closed ones too)"
        });
        return Ok(());
    }
    // Introductions the user makes, then those the user asked a
    // connector for, under their own heading and column names.
    let (requested, list): (Vec<&Request>, Vec<&Request>) =
        list.into_iter().partition(|r| r.is_requested());
    let mut text = String::new();
    if !list.is_empty() {
        text.push_str(&format!(
            "{}\n",
            table(&list, ["A", "B"], now, &settings, &out)
        ));
    }
    if !requested.is_empty() {
        if !list.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!(
            "{}\n{}\n",
            out.bold("Introductions you asked for (C introduces you to T):"),
            table(&requested, ["C", "T"], now, &settings, &out)
        ));
    }
    pager::print(&ctx.env, &out, &text, !args.no_pager);
    Ok(())
}

/// The listed requests as a table; `who` names the A and B columns.
fn table(
    list: &[&Request],
    who: [&str; 2],
    now: time::OffsetDateTime,
    settings: &FollowupSettings,
    out: &crate::ui::output::Output,
) -> String {
    let mut table = Table::new();
    table.header(["ID", who[0], who[1], "STATE", "AGE", "NEXT"].map(|h| out.bold(h)));
    for r in list {
        let state = match r.status {
            State::Replied => out.green(r.status.as_str()),
            State::Asked if r.is_due(now, settings) => out.yellow(r.status.as_str()),
            _ => r.shown_status().as_str().to_string(),
        };
        let mut next = next_step(r, now, settings);
        if let Some(reply) = &r.a_side.reply
            && r.status == State::Replied
        {
            next = format!("{next}  \"{}\"", truncate(&reply.snippet, 40));
        }
        table.row([
            r.id.clone(),
            r.a.clone(),
            r.b.clone(),
            state,
            age(r.created_at, now),
            next,
        ]);
    }
    table.render()
}

/// `--due --ics`: every open request with a follow-up to send, due or
/// upcoming, as to-dos.
fn ics(ctx: &mut Context, settings: &FollowupSettings) -> anyhow::Result<()> {
    if ctx.out.json {
        return Err(
            UserError::new("`--ics` and `--json` cannot be used together")
                .hint("`intro status --due --ics > follow-ups.ics` for a calendar or to-do app")
                .hint("`intro status --due --json` for scripts")
                .exit(crate::error::Exit::Usage)
                .into(),
        );
    }
    // Names read better than handles; without a contacts file, handles do.
    let config = ctx.load_settings().ok();
    let contacts = ctx.load_contacts(config.as_ref()).ok();
    let names = |handle: &str| {
        contacts
            .as_ref()
            .and_then(|c| c.by_handle(handle))
            .map_or_else(|| handle.to_string(), |c| c.name.clone())
    };
    let (out, now) = (ctx.out, ctx.now);
    let requests = ctx.store.read_open()?;
    let mut list: Vec<&Request> = requests.iter().filter(|r| r.status.is_open()).collect();
    list.sort_by(|x, y| x.created_at.cmp(&y.created_at).then(x.id.cmp(&y.id)));
    out.text(crate::ui::ics::followups(&list, settings, now, &names));
    Ok(())
}

fn detail(
    r: &Request,
    now: time::OffsetDateTime,
    settings: &FollowupSettings,
    out: &crate::ui::output::Output,
) -> String {
    let mut s = String::new();
    let mut field = |name: &str, value: &str| {
        // A nameless field goes on the one before it (a note's lines).
        let name = if name.is_empty() {
            String::new()
        } else {
            format!("{name}:")
        };
        s.push_str(&format!("{name:<12} {value}\n").replace(" \n", "\n"));
    };
    field("request", &out.bold(&r.id));
    field("state", r.shown_status().as_str());
    if r.is_requested() {
        field("direction", "requested: you asked C to introduce you to T");
        field("C", &format!("{} <{}>", r.a, r.a_email));
        field("T", &format!("{} <{}>", r.b, r.b_email));
    } else {
        field("A", &format!("{} <{}>", r.a, r.a_email));
        field("B", &format!("{} <{}>", r.b, r.b_email));
    }
    field("why", &r.why);
    if let Some(v) = &r.wants {
        field("wants", v);
    }
    if let Some(v) = &r.format {
        field("format", v);
    }
    if let Some(v) = &r.note {
        field("note", v);
    }
    if let Some(b) = &r.b_side {
        field(
            "asked",
            "both (`--both`): the introduction waits for both yeses",
        );
        field("A's answer", r.a_status().as_str());
        field("B's answer", b.status.as_str());
        field("B's subject", &b.subject);
        field(
            "B follow-ups",
            &format!("{} of {}", b.followups.len(), settings.max),
        );
        if let Some(reply) = &b.reply {
            field(
                "B's reply",
                &format!("{} \"{}\"", rfc3339(reply.at), reply.snippet),
            );
        }
    }
    // B's forwardable note (`intro note`), for the user's check before
    // it is forwarded.
    for (name, value) in crate::cmd::note::detail_fields(r) {
        field(name, &value);
    }
    if r.direct {
        field("asked", "no: a direct introduction (`introduce --direct`)");
    } else {
        // A request still waiting for B's note has no ask yet.
        if !r.a_side.message_id.is_empty() {
            field("subject", &r.a_side.subject);
            field("message-id", &r.a_side.message_id);
        }
        field(
            "follow-ups",
            &format!("{} of {}", r.a_side.followups.len(), settings.max),
        );
    }
    if let Some(reply) = &r.a_side.reply {
        field(
            "reply",
            &format!("{} \"{}\"", rfc3339(reply.at), reply.snippet),
        );
    }
    if r.is_requested() {
        if let Some(i) = &r.introduction {
            field("introduced", &format!("{} {}", rfc3339(i.at), i.message_id));
        }
        if let Some(t) = &r.thanks {
            field("thanked", &format!("{} {}", rfc3339(t.at), t.message_id));
        }
    }
    field("next", &next_step(r, now, settings));
    s.push_str("history:\n");
    s.push_str(&format!("  {}  created\n", rfc3339(r.created_at)));
    for e in &r.history {
        let kind = serde_json::to_value(e.kind)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default();
        match &e.note {
            Some(note) => s.push_str(&format!("  {}  {kind}: {note}\n", rfc3339(e.at))),
            None => s.push_str(&format!("  {}  {kind}\n", rfc3339(e.at))),
        }
    }
    s.trim_end().to_string()
}
