//! `intro thank`: after a connector introduced the user (a request made
//! with `intro request`), draft a short thank-you to them in the request's
//! thread (saved under drafts/), or send it with `--send`, once.

use clap::Args;
use clap_complete::ArgValueCandidates;

use crate::cli::SendArgs;
use crate::cmd::draft_or_send::{Own, THANKS};
use crate::cmd::{contact_handles, find_request, is_handle};
use crate::complete;
use crate::context::Context;
use crate::domain::request::{Request, State};
use crate::error::UserError;
use crate::mail::compose::Composer;

#[derive(Debug, Args)]
#[command(
    after_help = "The thank-you goes to C alone, as a reply in the thread of your request. Without `--send` it is printed and saved under drafts/ (edit the file if you like: `--send` then sends your Subject and body).\n\nExamples:\n  intro thank 4f2a --how \"we met for coffee and Sam gave me great advice on the parser\"\n  intro thank 4f2a --send"
)]
pub(crate) struct ThankArgs {
    /// The request you made of a connector, once introduced (an id, its first 4 or more characters, or C's handle)
    #[arg(add = ArgValueCandidates::new(complete::any_request))]
    pub request: String,

    /// How the introduction went, in a line (the thank-you says it)
    #[arg(long, value_name = "TEXT")]
    pub how: Option<String>,

    /// Send the thank-you to C (otherwise only draft it under drafts/)
    #[arg(long)]
    pub send: bool,

    #[command(flatten)]
    pub send_args: SendArgs,
}

pub(crate) fn run(args: ThankArgs, ctx: &mut Context) -> anyhow::Result<()> {
    THANKS.refuse_yes_without_send(&args.request, args.send, &args.send_args)?;
    let (config, contacts) = ctx.setup()?;
    let composer = Composer::new(&config, &contacts, ctx.templates_dir(&config), ctx.now);
    let request = named_request(ctx, &args.request)?;
    request
        .check_thank()
        .map_err(|e| crate::error::transition_error_of(&request, Some(e)))?;
    let how = args.how.as_deref().map(str::trim).filter(|h| !h.is_empty());
    let text = composer.thanks_text(&request, how)?;
    let own = Own {
        build: &|message_id, words| {
            composer.thanks(&request, message_id, words.unwrap_or(&text).clone())
        },
        text: text.clone(),
        new_words: how.is_some().then_some("--how"),
        keeps_words: true,
        unsaid: how.is_none().then_some(
            "the thank-you does not say how the introduction went (`--how TEXT` adds a line)",
        ),
    };
    THANKS.run(ctx, &config, &request, &own, args.send, &args.send_args)
}

/// The request `name` names: an id (or a prefix), or a connector's handle,
/// which names their one introduced request still to be thanked. Closed
/// requests are read too: an introduced request is closed.
fn named_request(ctx: &mut Context, name: &str) -> anyhow::Result<Request> {
    let name = name.trim();
    let handles = contact_handles(ctx);
    let requests = ctx.store.read()?;
    if !is_handle(&handles, requests, name) {
        return Ok(find_request(requests, name)?.clone());
    }
    let mut candidates: Vec<&Request> = requests
        .iter()
        .filter(|r| r.a == name && r.is_requested() && r.thanks.is_none())
        .filter(|r| r.status == State::Introduced)
        .collect();
    candidates.sort_by(|x, y| y.updated_at.cmp(&x.updated_at).then(x.id.cmp(&y.id)));
    match candidates.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(UserError::new(format!(
            "`{name}` has no introduction of yours still to be thanked"
        ))
        .hint("`intro status --all` lists your requests; `intro introduced REQUEST` records an introduction")
        .into()),
        many => Err(UserError::new(format!(
            "`{name}` made {} introductions still to be thanked",
            many.len()
        ))
        .details(
            many.iter()
                .map(|r| format!("{}  {} introduced you to {}", r.id, r.a, r.b)),
        )
        .hint("name one by its id (at least 4 characters of it)")
        .into()),
    }
}
