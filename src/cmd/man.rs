//! `intro man`: the manual page, in roff, made from the same definitions as
//! `--help`.

use clap::{Args, CommandFactory as _};

use crate::cli::Cli;
use crate::error::UserError;
use crate::output;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intro man | man -l -                      read it now
  intro man > ~/.local/share/man/man1/intro.1
  intro man ask > intro-ask.1               the page of one command")]
pub struct ManArgs {
    /// A command whose own page to print (`contacts import` for a subcommand's)
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

pub fn run(args: ManArgs) -> anyhow::Result<()> {
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
    output::write_stdout(&page);
    Ok(())
}
