//! `intro man`: the manual page, in roff, made from the same definitions as
//! `--help`.

use clap::{Args, CommandFactory as _};

use crate::cli::Cli;
use crate::error::UserError;
use crate::ui::output;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intro man | man -l -                      read it now
  intro man > ~/.local/share/man/man1/intro.1
  intro man ask > intro-ask.1               the page of one command")]
pub(crate) struct ManArgs {
    /// A command whose own page to print (`contacts import` for a subcommand's)
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

pub(crate) fn run(args: ManArgs) -> anyhow::Result<()> {
    let mut cmd = Cli::command();
    // Building names each subcommand `intro-ask`, as its page is called
    // (and adds clap's `help` command).
    cmd.build();
    // `help` prints what `--help` does: the pages do not list it as a
    // command with a page of its own.
    if cmd.find_subcommand("help").is_some() {
        cmd = cmd.mut_subcommand("help", |help| help.hide(true));
    }
    for name in &args.command {
        cmd = cmd.find_subcommand(name).cloned().ok_or_else(|| {
            UserError::new(format!("no command `{name}`")).hint("`intro help` lists the commands")
        })?;
    }
    let mut page = Vec::new();
    // The footer names intro, also on a subcommand's page.
    let source = format!("intro {}", env!("CARGO_PKG_VERSION"));
    clap_mangen::Man::new(cmd)
        .source(source)
        .render(&mut page)?;
    let mut page = String::from_utf8(page)?;
    if args.command.is_empty() {
        // Before the closing VERSION section, as man pages order them.
        let at = page.find("\n.SH VERSION").map_or(page.len(), |i| i + 1);
        page.insert_str(at, &about_the_system());
    }
    output::write_stdout(page.as_bytes());
    Ok(())
}

/// Where intro keeps things; defaults are the XDG ones, as on Linux.
const FILES: &[(&str, &str)] = &[
    (
        "$XDG_CONFIG_HOME/intro/config.toml",
        "The config: who you are ([me]), how mail is sent ([smtp] or [sendmail]) and read ([imap] or [maildir]), when follow-ups are due ([followup]), and limits ([limits]). `intro init` writes a commented one. --config or INTRO_CONFIG names another file. ~/.config/intro/config.toml when XDG_CONFIG_HOME is not set; on macOS, ~/Library/Application Support/intro/config.toml.",
    ),
    (
        "$XDG_CONFIG_HOME/intro/contacts.toml",
        "The contacts, one table per handle. The config's `contacts` key or --contacts names another file (a relative path is read from the config's folder).",
    ),
    (
        "$XDG_CONFIG_HOME/intro/templates/",
        "Templates replacing the built-in ones, a file per message named after it (ask.txt, followup.txt, introduce.txt, ...). The config's `templates` key names another folder.",
    ),
    (
        "$XDG_DATA_HOME/intro/",
        "The data dir (~/.local/share/intro when XDG_DATA_HOME is not set; on macOS, ~/Library/Application Support/intro; INTRO_DATA_DIR names another). It holds the requests (requests.log, the journal of every change; requests.json, the open requests; archive.json, the closed ones; store.lock), outbox/ (messages written instead of sent when no transport is set up), drafts/ (introductions, notes and thank-yous to send from your mail client), runs/ (which run is sending what, so that a crashed send is told from one in flight), sync-state.json and sync-maildir-names.bin (where `intro sync` left off) and mailbox-index.bin (what `intro who-knows` learned from the mail; rebuilt when missing or damaged).",
    ),
];

const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "INTRO_CONFIG",
        "The config file, when --config is not given.",
    ),
    ("INTRO_DATA_DIR", "The data dir."),
    (
        "INTRO_NOW",
        "The time intro takes as now, in RFC 3339 (2026-03-01T09:00:00Z): for scripts and tests. Relative dates (--since yesterday) count from it.",
    ),
    (
        "NO_COLOR",
        "When set, no colors, with --color auto (the default).",
    ),
    (
        "CLICOLOR_FORCE",
        "When set (and NO_COLOR is not), colors even off a terminal, with --color auto.",
    ),
    (
        "VISUAL, EDITOR",
        "The editor for --edit, VISUAL first; vi when neither is set.",
    ),
    (
        "PAGER",
        "The pager a status list longer than the terminal goes through; less -FRX when not set. --no-pager prints straight out.",
    ),
    (
        "XDG_CONFIG_HOME, XDG_DATA_HOME",
        "Where the config and data folders are (see FILES).",
    ),
    (
        "HOME",
        "The home folder, for the default places and for ~ in the config's paths.",
    ),
    (
        "the password_env variables",
        "The passwords of [smtp] and [imap], when their `password_env` key names a variable.",
    ),
    ("TERM", "No colors with --color auto when it is `dumb`."),
];

const EXIT_STATUS: &[(&str, &str)] = &[
    (
        "0",
        "Success; also when the reader of the output went away early (intro status | head -1).",
    ),
    (
        "1",
        "Failure: bad input, an unknown contact or request, a message the server refused, a row of a batch that failed.",
    ),
    (
        "2",
        "Usage error: an unknown option or a bad value, or a send that needs --yes when no one is at a terminal to confirm it.",
    ),
    (
        "130",
        "Interrupted (SIGINT, Ctrl-C) during a batch or followup --due, after the message in flight was recorded: rerun the same command to go on.",
    ),
    ("143", "Stopped by SIGTERM, likewise."),
];

/// The FILES, ENVIRONMENT and EXIT STATUS sections of the main page.
fn about_the_system() -> String {
    let mut roff = roff::Roff::new();
    for (title, entries) in [
        ("FILES", FILES),
        ("ENVIRONMENT", ENVIRONMENT),
        ("EXIT STATUS", EXIT_STATUS),
    ] {
        roff.control("SH", [title]);
        for (name, text) in entries {
            roff.control("TP", []);
            roff.text([roff::bold(*name)]);
            roff.text([roff::roman(*text)]);
        }
    }
    // Apostrophes as clap_mangen's preamble defines them, not as quotes.
    roff.to_roff().replace('\'', "\\*(Aq")
}
