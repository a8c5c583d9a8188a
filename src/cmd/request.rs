//! `intro request`: ask connector C to introduce you to T, one at a time
//! or a batch from CSV; and `intro introduced`: record by hand that C made
//! the introduction.
//!
//! A request is stored as an ask is, with A = C (the one asked: their
//! answer is awaited, followed up and thanked) and B = T, and
//! `direction: requested`. So it is sent exactly as an ask is (recorded as
//! `sending` first, `asked` once accepted, finished by a rerun after a
//! crash): `cmd::ask` does the work, with the `request` template.

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::SendArgs;
use crate::cmd::ask::{self, AskArgs};
use crate::cmd::find_request;
use crate::complete;
use crate::context::Context;
use crate::domain::request::{Direction, Request};
use crate::domain::requested::{self, Noticed, OtherConnector};
use crate::error::transition_error_of;
use crate::setup::batch_csv::Column;
use crate::store::Requests;
use crate::ui::view;

#[derive(Debug, Args)]
#[command(
    after_help = "The message to C carries a short note in your own words (from --why, --wants and --format) that C can forward to T unchanged, and makes no an easy answer. C and T are stored as the request's A and B; `intro sync` notices C's answer and the introduction itself (a message from C to you and T), `intro followup` nudges C in the same thread, and `intro thank` thanks C afterwards.\n\nExamples:\n  intro request jo sam --why \"I am building a compiler and Sam wrote the book on them\" --dry-run\n  intro request jo sam --why \"...\" --wants \"advice on the parser\" --format \"a 20-minute call\" --yes\n  intro request --batch requests.csv --yes"
)]
pub(crate) struct RequestArgs {
    /// Connector C, the one asked to introduce you: a handle, email or full name
    #[arg(
        required_unless_present = "batch",
        conflicts_with = "batch",
        add = ArgValueCandidates::new(complete::contacts)
    )]
    pub c: Option<String>,

    /// Contact T, the one you hope to meet
    #[arg(
        required_unless_present = "batch",
        conflicts_with = "batch",
        add = ArgValueCandidates::new(complete::contacts)
    )]
    pub t: Option<String>,

    /// Why you would like to meet T, in your words (T reads it in the forwardable note)
    #[arg(
        long,
        value_name = "TEXT",
        required_unless_present = "batch",
        conflicts_with = "batch"
    )]
    pub why: Option<String>,

    /// What you hope to get from T (advice, an answer, a job, ...), as T reads it
    #[arg(long, value_name = "TEXT", conflicts_with = "batch")]
    pub wants: Option<String>,

    /// In what format (a call, a coffee, a lunch, ...), as T reads it
    #[arg(long, value_name = "TEXT", conflicts_with = "batch")]
    pub format: Option<String>,

    /// A personal line to C at the top of the message
    #[arg(long, value_name = "TEXT", conflicts_with = "batch")]
    pub note: Option<String>,

    /// Many requests from a CSV file (`-` for stdin) with columns c,t,why[,wants,format,note]
    #[arg(long, value_name = "FILE", conflicts_with = "edit")]
    pub batch: Option<std::path::PathBuf>,

    /// Ask even if C already has an open request about T
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub send: SendArgs,
}

pub(crate) fn run(args: RequestArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let ask = AskArgs {
        a: args.c,
        b: args.t,
        why: args.why,
        why_b: None,
        wants: args.wants,
        format: args.format,
        note: args.note,
        both: false,
        batch: args.batch,
        force: args.force,
        send: args.send,
    };
    ask::run_as(ask, Direction::Requested, ctx)
}

/// The CSV columns of `intro request --batch`; only a note may span lines.
pub(crate) const COLUMNS: [Column; 6] = [
    Column::required("c"),
    Column::required("t"),
    Column::required("why"),
    Column::optional("wants"),
    Column::optional("format"),
    Column::optional("note").multiline(),
];

/// A warning or a bad row's error written about asks, in the words of
/// `direction`: a request of a connector is "the request", its people
/// are C and T, and what is hoped for is the user's.
pub(crate) fn in_words_of(direction: Direction, warning: &str) -> String {
    match direction {
        Direction::Introducing => warning.to_string(),
        Direction::Requested => warning
            .replace("what B hopes for", "what you hope for")
            .replace("the ask to", "the request to")
            .replace("the same ask is not sent", "the same request is not sent")
            .replace("makes a second ask", "makes a second request")
            .replace("the ask is", "the request is")
            .replace("the ask does", "the request does")
            .replace("asks do not", "requests do not")
            .replace("asks are", "requests are")
            .replace("A and B are both", "C and T are both")
            .replace(
                "then the one they would meet",
                "then the one you hope to meet",
            )
            .replace("`intro ask A B --why ...`", "`intro request C T --why ...`")
            .replace("no contact A given", "no contact C given")
            .replace("no contact B given", "no contact T given")
            .replace(
                "say why the two should meet",
                "say why you would like to meet T",
            ),
    }
}

/// The warning for asking `request`'s connector while other connectors
/// are asked for an introduction to the same person.
pub(crate) fn same_person_warning(requests: &Requests, request: &Request) -> Option<String> {
    let others = requested::asking_for(requests.iter(), &request.b, &request.a);
    requested::same_person_warning(&request.b, &request.a, &others)
}

/// The same warning over a batch (`rows`: each new request's connector,
/// the person asked for, and its line),
/// once per person asked for by more than one connector, counting the
/// open requests and the batch's own rows.
pub(crate) fn batch_same_person_warnings(
    requests: &Requests,
    rows: &[(&str, &str, u64)],
) -> Vec<String> {
    let mut people: Vec<&str> = Vec::new();
    for &(_, t, _) in rows {
        if !people.contains(&t) {
            people.push(t);
        }
    }
    let mut warnings = Vec::new();
    for t in people {
        let mine: Vec<&(&str, &str, u64)> = rows.iter().filter(|(_, b, _)| *b == t).collect();
        let Some(&&(last, _, _)) = mine.last() else {
            continue;
        };
        let mut others = requested::asking_for(requests.iter(), t, last);
        others.extend(
            mine[..mine.len() - 1]
                .iter()
                .filter(|(c, _, _)| *c != last)
                .map(|(c, _, line)| OtherConnector {
                    id: format!("line {line}"),
                    connector: (*c).to_string(),
                }),
        );
        if let Some(w) = requested::same_person_warning(t, last, &others) {
            warnings.push(w);
        }
    }
    warnings
}

#[derive(Debug, Args)]
#[command(
    after_help = "`intro sync` notices an introduction by itself: a message from C with you and T both among its recipients. Use this when it came another way (a call, another address).\n\nExamples:\n  intro introduced 4f2a\n  intro introduced jo            C's one open request"
)]
pub(crate) struct IntroducedArgs {
    /// The request you made of a connector (an id, its first 4 or more characters, or C's handle)
    #[arg(add = ArgValueCandidates::new(complete::open_requests))]
    pub request: String,
}

/// `intro introduced`: the connector introduced the user to T.
pub(crate) fn introduced(args: IntroducedArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let settings = ctx.load_settings()?.followup;
    let now = ctx.now;
    let name = args.request.clone();
    let updated = ctx.store.write_named(std::slice::from_ref(&name), |txn| {
        let mut r = find_request(txn.requests(), &name)?.clone();
        r.mark_introduced_by_connector(now, Noticed::ByHand)
            .map_err(|e| transition_error_of(&r, Some(e)))?;
        txn.put(r.clone());
        Ok::<_, anyhow::Error>(r)
    })?;
    if ctx.out.json {
        ctx.out.json(&view::request_json(&updated, now, &settings));
    } else {
        ctx.out.data(format!("{} introduced", updated.id));
        ctx.out.note(format!(
            "{} introduced you to {}; thank them later with `intro thank {} --how TEXT`",
            updated.a, updated.b, updated.id
        ));
    }
    Ok(())
}

/// Record the introductions `intro sync` found (connectors who introduced
/// the user as asked), in one write; returns the requests changed.
pub(crate) fn record_introductions(
    ctx: &mut Context,
    found: Vec<crate::mail::sync::Found>,
) -> anyhow::Result<Vec<Request>> {
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let now = ctx.now;
    ctx.store.write_open(|txn| {
        let mut changed = Vec::new();
        for f in found {
            // Closed meanwhile (or found twice): nothing to change.
            let Some(mut r) = txn.requests().get(&f.request_id).cloned() else {
                continue;
            };
            let how = Noticed::Found {
                message_id: f.reply.message_id,
                at: f.reply.at,
            };
            if r.mark_introduced_by_connector(now, how).is_ok() {
                txn.put(r.clone());
                changed.push(r);
            }
        }
        Ok::<_, anyhow::Error>(changed)
    })
}
