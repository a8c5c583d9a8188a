//! intro: double opt-in introductions from the terminal.
//!
//! Before introducing Contact A to Contact B, intro asks A privately (why,
//! what B wants, in what format, with an easy no), tracks the request until
//! A decides, follows up in the same thread, and sends the introduction to
//! both once A said yes.
//!
//! Where things live, one line per module, by layer:
//!
//! ```text
//! domain/            the pure domain: no I/O, time always passed in
//!   request          a request: its two sides (each a `Party`: ask, thread,
//!                    answer), states and legal moves; follow-up due dates
//!   ask_plan         what an ask means given the open requests: new,
//!                    resumed, already made, busy, or refused
//!   forward_note     B's forwardable note (`intro note`): its states, the
//!                    note cut from B's reply, the checks before it is
//!                    forwarded
//!   requested        introductions the user asks a connector for: the
//!                    direction, the connector's introduction, the thanks
//!   auto_reply       out-of-office replies: their return date, and the
//!                    follow-up they hold back
//!   direct           a direct introduction: a request made `approved`
//!                    without an ask
//!   fatigue          when A was asked too often (or within a contact's
//!                    cooldown)
//!   stats            what happened to requests, counted
//!   snippet          a reply's first words and its tone
//!   text             first names and other small text helpers
//!   who_knows        who in the user's mail knows someone: the evidence
//!                    and the ranking rule
//! setup/             what the user hands intro
//!   config           the config file: schema, paths, validation
//!   contacts         the contacts file: schema and lookup (did-you-mean)
//!   contacts_edit    changes the contacts file keeping its layout
//!   vcf              reads vCard files
//!   import           decides what importing vCards adds
//!   prefers          what a contact asked of the user: `prefers`,
//!                    `cooldown_days`
//!   batch_csv        a batch file's rows
//!   env              the environment, read once
//!   secret           fetches passwords (command, variable, prompt)
//!   textpos          lines and columns in the files above
//! store/             requests on disk: journal, snapshot of open ones,
//!                    archive of closed ones; locked, atomic; reads every
//!                    older format (`legacy`)
//! ui/                what the user sees
//!   output           stdout and stderr, JSON or text, colors, times
//!   view             requests as the user sees them (rows, JSON, notes)
//!   ics              follow-ups as iCalendar to-dos (`status --due --ics`)
//!   table            aligned columns
//!   pager            long listings through `$PAGER`
//!   editor           `--edit`: a message in the user's editor
//! mail/              mail in and out
//!   template         the built-in or user templates, rendered
//!   phrase           the `sentence` and `clause` filters templates use
//!   compose          a request turned into a message
//!   ask_check        warns about an ask that leaves out what B hopes for
//!   request_mail     the templates of a request of a connector, and the
//!                    thank-you to them
//!   message          the MIME bytes
//!   transport/       delivery: outbox, sendmail, SMTP, the sent copy (and
//!                    one in memory for unit tests)
//!   imap_connection  connects and logs in to IMAP (for sync and sent copy)
//!   sync/            finds A's replies (IMAP or Maildir), matches them,
//!                    and the introductions connectors were asked for;
//!                    reads only what arrived since the last sync; also
//!                    out-of-office replies, and with `any_mail_counts`
//!                    mail outside the thread
//!   mailbox_index/   what `who-knows` learns from the mail (who wrote to
//!                    whom, when, in which thread), kept in the data dir
//!                    and brought up to date from new mail only
//! cmd/               one module per subcommand: its arguments and `run`,
//!                    which only orchestrates
//!   ask/             `intro ask`, one or a batch (also `intro request`):
//!     planner        each row's decision (new, resumed, already asked,
//!                    busy, refused) and a batch's ask fatigue; sends
//!                    and writes nothing
//!     batch          the batch file read into rows
//!     queue          a batch's asks kept as the parts of their requests,
//!                    each request built when its turn comes
//!     request_id     new request ids
//!     intent         records asks as `sending`, then `asked`, or drops
//!                    those never sent
//!     report         a batch's warnings, its JSON and how it ended
//!   draft_or_send    a message drafted under drafts/ until `--send`
//!                    (introduce, thank), sent once, its draft removed
//!   send/            what the sending commands share:
//!     outgoing       the gate before any send (dry run, prompt, `--yes`)
//!     draft          reads back a draft the user edited
//!     resend         records follow-ups and introductions, none lost or
//!                    doubled
//!     claim          tells a crashed send from one in flight
//!     sending        requests recorded as being sent before the first
//!                    message (asks, note requests): taken over after a
//!                    crash, dropped again when not sent
//!     interrupt      SIGINT or SIGTERM stops a run after the message in
//!                    flight
//!     send_loop      sends many in a row: rate limit, one ahead, progress,
//!                    stops on a signal or when nothing can be sent
//! cli                the command line (clap)
//! context            settings resolved once: environment, paths, clock,
//!                    config, contacts, store, mailer
//! complete           handles and request ids offered to shells on TAB
//! error              the one voice of failures (every typed error's
//!                    `error:` and `hint:` lines), and the exit codes
//! fsutil             private modes and atomic writes
//! layers             (tests only) checks the layer rule below
//! fuzzing            (tests and fuzzing only) the door the fuzz targets in
//!                    `fuzz/` use to reach the parsers (`docs/fuzzing.md`)
//! ```
//!
//! The layer rule: `domain`, `setup`, `store`, `ui`, `mail` in that order;
//! each imports only from itself and the layers before it (`domain` from
//! none). `cmd/` and the modules at the top import anything. `fsutil`
//! serves every layer. `error` sits at the top: the layers return typed
//! errors and never import it, and it alone turns them into what the user
//! reads. The `layers` unit test keeps this true.

mod cli;
mod cmd;
mod complete;
mod context;
mod domain;
mod error;
mod fsutil;
#[cfg(test)]
mod layers;
mod mail;
mod setup;
mod store;
mod ui;

// Public only so the fuzz crate in `fuzz/` can reach the private parsers;
// not intro's API, and built only for tests and the `fuzzing` feature
// that crate turns on.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};

use crate::error::Exit;

/// Run intro with the process's arguments and environment.
pub fn main() -> ExitCode {
    // A shell asking for completions (`INTRO_COMPLETE` set) is answered
    // here, and the process ends; otherwise this does nothing.
    clap_complete::CompleteEnv::with_factory(cli::Cli::command)
        .var(complete::VAR)
        .complete();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let env = setup::env::Environment::capture();
    let color = cli::color_in_args(&args);
    let mut command = cli::Cli::command().color(color.into());
    // With `auto`, clap itself looks at the terminal and `NO_COLOR`.
    let parsed = command
        .try_get_matches_from_mut(&args)
        .and_then(|matches| cli::Cli::from_arg_matches(&matches))
        .map_err(|e| e.format(&mut command));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with exit 0, and usage
            // errors to stderr with exit 2, as the spec wants.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { 0 });
        }
    };
    let stderr_color = ui::output::use_color(cli.global.color, env.stderr_tty, &env);
    let result = match cli.command {
        // These print what clap knows and need no settings.
        cli::Command::Completions(args) => cmd::completions::run(args),
        cli::Command::Man(args) => cmd::man::run(args),
        command => context::Context::new(&cli.global, env).and_then(|mut ctx| {
            let result = cmd::run(command, &mut ctx);
            let released = ctx.store.release();
            result.and(released.map_err(Into::into))
        }),
    };
    // A reader that went away is no failure; any other loss of output is.
    let result = result.and_then(|()| {
        ui::output::stdout_result().map_err(|e| {
            error::UserError::new(format!("cannot write to standard output: {e}"))
                .hint(
                    "check where the output goes (a full disk?); anything sent or recorded is kept",
                )
                .into()
        })
    });
    match result {
        Ok(()) => Exit::Success.into(),
        Err(e) => error::report(&e, stderr_color).into(),
    }
}
