//! One file per subcommand: its clap arguments and its `run`, which only
//! orchestrates (load, decide, send, record, print).

pub mod ask;
pub mod completions;
pub mod contacts;
pub mod decide;
pub mod followup;
pub mod init;
pub mod introduce;
pub mod man;
pub mod stats;
pub mod status;
pub mod sync;

use crate::cli::Command;
use crate::context::Context;
use crate::error::UserError;
use crate::request::Request;
use crate::store::{FindError, Requests};

pub fn run(command: Command, ctx: &mut Context) -> anyhow::Result<()> {
    match command {
        Command::Init(args) => init::run(args, ctx),
        Command::Contacts(args) => contacts::run(args, ctx),
        Command::Ask(args) => ask::run(args, ctx),
        Command::Status(args) => status::run(args, ctx),
        Command::Approve(args) => decide::approve(args, ctx),
        Command::Decline(args) => decide::decline(args, ctx),
        Command::Cancel(args) => decide::cancel(args, ctx),
        Command::Followup(args) => followup::run(args, ctx),
        Command::Introduce(args) => introduce::run(args, ctx),
        Command::Sync(args) => sync::run(args, ctx),
        Command::Stats(args) => stats::run(args, ctx),
        // Neither reads settings; `main` runs them before making a context.
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

/// Find the request a user named, or say why not.
pub fn find_request<'r>(requests: &'r Requests, name: &str) -> Result<&'r Request, UserError> {
    requests.find(name).map_err(|e| match e {
        FindError::Unknown(name) => UserError::new(format!("no request `{name}`"))
            .hint("`intro status --all` lists every request with its id"),
        FindError::Ambiguous(name, ids) => UserError::new(format!(
            "`{name}` is the start of {} request ids",
            ids.len()
        ))
        .details(ids)
        .hint("type more of the id"),
        FindError::NotRead(name) => UserError::new(format!(
            "request `{name}` was closed by another intro run meanwhile"
        ))
        .hint(format!("`intro status {name}` shows it")),
    })
}

/// A transition the request's state does not allow, with what to do instead.
pub fn transition_error(e: crate::request::TransitionError) -> UserError {
    use crate::request::State;
    let hint = match e.from {
        State::Sending => format!(
            "its ask was interrupted mid-send: rerun the ask, or `intro cancel {}`",
            e.id
        ),
        State::Asked | State::Replied => {
            format!("approve or decline it first: `intro approve {}`", e.id)
        }
        State::Approved => format!("it is approved: `intro introduce {}`", e.id),
        State::Declined | State::Introduced | State::Cancelled => {
            "it is closed; `intro ask` starts a new request".to_string()
        }
    };
    UserError::new(e.to_string()).hint(hint)
}
