//! `intro completions SHELL`: the script that makes a shell complete intro's
//! commands and options, and (by calling intro back) contact handles and
//! request ids.

use anyhow::Context as _;
use clap::{Args, CommandFactory as _};
use clap_complete::Shell;
use clap_complete::env::Shells;

use crate::cli::Cli;
use crate::complete;
use crate::setup::env;
use crate::ui::output;

#[derive(Debug, Args)]
#[command(
    after_help = "Install (the script calls intro back, so load it anew in each shell):
  bash   echo 'source <(intro completions bash)' >> ~/.bashrc
  zsh    echo 'source <(intro completions zsh)' >> ~/.zshrc
  fish   echo 'intro completions fish | source' > ~/.config/fish/completions/intro.fish

Then `intro ask <TAB>` offers your contacts' handles, and `intro approve <TAB>`
the requests waiting for a decision. With --static the script completes
commands and options only and never runs intro (for packaging)."
)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: Shell,

    /// Complete commands and options only, without calling intro back
    #[arg(long = "static")]
    pub static_only: bool,
}

pub(crate) fn run(args: CompletionsArgs) -> anyhow::Result<()> {
    let mut script = Vec::new();
    if args.static_only {
        clap_complete::generate(args.shell, &mut Cli::command(), "intro", &mut script);
    } else {
        let name = args.shell.to_string();
        let shells = Shells::builtins();
        let shell = shells
            .completer(&name)
            .with_context(|| format!("no dynamic completion for `{name}`"))?;
        shell.write_registration(
            complete::VAR,
            "intro",
            "intro",
            &env::invoked_as(),
            &mut script,
        )?;
    }
    output::write_stdout(&script);
    Ok(())
}
