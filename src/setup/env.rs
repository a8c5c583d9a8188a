//! The process environment, read once at start-up. Nothing else in intro
//! calls `std::env::var`, so tests can see every input a run depends on.
//! (The one exception is clap_complete, which reads `INTRO_COMPLETE`
//! itself when a shell asks for completions, before a run starts.)

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub(crate) struct Environment {
    vars: HashMap<String, String>,
    /// Standard input is a terminal: intro may ask questions.
    pub stdin_tty: bool,
    /// Standard error is a terminal: progress bars and colors may show.
    pub stderr_tty: bool,
    pub stdout_tty: bool,
    /// The height of the terminal stdout is, when it is one.
    pub stdout_rows: Option<usize>,
}

impl Environment {
    pub(crate) fn capture() -> Environment {
        Environment {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            stdin_tty: std::io::stdin().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
            stdout_tty: std::io::stdout().is_terminal(),
            stdout_rows: terminal_size::terminal_size_of(std::io::stdout())
                .map(|(_, rows)| usize::from(rows.0))
                .filter(|&rows| rows > 0),
        }
    }

    /// A variable's value; empty counts as unset, as most tools treat it.
    pub(crate) fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Interactive: a person can answer a question on this terminal.
    pub(crate) fn interactive(&self) -> bool {
        self.stdin_tty && self.stderr_tty
    }

    #[cfg(test)]
    pub(crate) fn with_vars(vars: &[(&str, &str)]) -> Environment {
        Environment {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Environment::default()
        }
    }
}

/// How to start this intro again from a script: its `argv[0]`, made
/// absolute when it named a path (`./target/debug/intro`), left as typed
/// when it was found on `PATH` (`intro`), so upgrades are picked up.
pub(crate) fn invoked_as() -> String {
    let argv0 = std::env::args_os()
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("intro"));
    let path = match std::env::current_dir() {
        Ok(cwd) if argv0.components().count() > 1 => cwd.join(argv0),
        _ => argv0,
    };
    path.to_string_lossy().into_owned()
}
