//! The command line as clap sees it: global options and one variant per
//! subcommand. Nothing here resolves paths or reads files; `context` does that.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cmd;
pub(crate) use crate::ui::output::ColorChoice;

/// Ask before you introduce: double opt-in introductions from the terminal
///
/// intro asks Contact A privately whether they are willing to meet Contact B
/// (why, what B wants, in what format, with an easy way to say no), tracks
/// the request until A decides, follows up in the same thread, notices A's
/// reply, and sends the introduction once A said yes.
#[derive(Debug, Parser)]
#[command(
    name = "intro",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(after_help = "Start with `intro init`, then `intro ask A B --why TEXT`.")]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Read the config from FILE instead of $INTRO_CONFIG or the default place
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        help_heading = "Global options"
    )]
    pub config: Option<PathBuf>,

    /// Read contacts from FILE instead of the config's `contacts` key
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        help_heading = "Global options"
    )]
    pub contacts: Option<PathBuf>,

    /// Print one JSON document on stdout instead of text
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,

    /// Print nothing but errors and requested data
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub quiet: bool,

    /// When to use colors (NO_COLOR is honoured with `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", help_heading = "Global options")]
    pub color: ColorChoice,
}

/// The `--color` on a command line, read before clap parses it, so that
/// clap's own errors and help obey it too. The last one wins, as clap
/// reads it; an unknown value is left to clap to refuse.
pub(crate) fn color_in_args(args: &[std::ffi::OsString]) -> ColorChoice {
    let mut choice = ColorChoice::Auto;
    let mut args = args.iter().skip(1).map(|a| a.to_str());
    while let Some(arg) = args.next() {
        let value = match arg {
            Some("--") => break,
            Some("--color") => args.next().flatten(),
            Some(arg) => arg.strip_prefix("--color="),
            None => None,
        };
        if let Some(value) = value.and_then(|v| ColorChoice::from_str(v, false).ok()) {
            choice = value;
        }
    }
    choice
}

impl From<ColorChoice> for clap::ColorChoice {
    fn from(choice: ColorChoice) -> Self {
        match choice {
            ColorChoice::Auto => clap::ColorChoice::Auto,
            ColorChoice::Always => clap::ColorChoice::Always,
            ColorChoice::Never => clap::ColorChoice::Never,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Write a commented sample config.toml and contacts.toml
    Init(cmd::init::InitArgs),
    /// List contacts, check the setup, or import contacts
    Contacts(cmd::contacts::ContactsArgs),
    /// Ask Contact A whether they are willing to meet Contact B
    Ask(cmd::ask::AskArgs),
    /// Ask B for a short note in B's own words to forward to A, or record it
    Note(cmd::note::NoteArgs),
    /// Show open requests, or one request in detail
    Status(cmd::status::StatusArgs),
    /// Record that A said yes
    Approve(cmd::decide::ApproveArgs),
    /// Record that A said no (or not now)
    Decline(cmd::decide::DeclineArgs),
    /// Withdraw an open request
    Cancel(cmd::decide::CancelArgs),
    /// Send a gentle nudge to A in the same thread
    Followup(cmd::followup::FollowupArgs),
    /// Draft, or send, the introduction once A said yes
    Introduce(cmd::introduce::IntroduceArgs),
    /// Find replies from A in your inbox (IMAP or Maildir)
    Sync(cmd::sync::SyncArgs),
    /// Ask connector C to introduce you to T
    Request(cmd::request::RequestArgs),
    /// Record that the connector you asked introduced you
    Introduced(cmd::request::IntroducedArgs),
    /// Draft, or send, a thank-you to the connector who introduced you
    Thank(cmd::thank::ThankArgs),
    /// Show how requests went: approval rate, time to answer, follow-ups, per contact
    Stats(cmd::stats::StatsArgs),
    /// Rank who in your mail knows a person or company best, to ask them for an introduction
    WhoKnows(cmd::who_knows::WhoKnowsArgs),
    /// Print the shell script that completes commands, handles and request ids
    Completions(cmd::completions::CompletionsArgs),
    /// Print the manual page (roff)
    Man(cmd::man::ManArgs),
}

/// The options every sending command shares.
#[derive(Debug, Clone, Args)]
pub(crate) struct SendArgs {
    /// Print the full message and do nothing else: no store change, no connection
    #[arg(long)]
    pub dry_run: bool,

    /// Send without asking for confirmation (needed when not on a terminal)
    #[arg(short, long)]
    pub yes: bool,

    /// Edit the message in $VISUAL, $EDITOR or vi first; emptying it aborts
    #[arg(long)]
    pub edit: bool,
}
