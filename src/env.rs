//! The process environment, read once at start-up. Nothing else in intro
//! calls `std::env::var`, so tests can see every input a run depends on.

use std::collections::HashMap;
use std::io::IsTerminal;

#[derive(Debug, Clone, Default)]
pub struct Environment {
    vars: HashMap<String, String>,
    /// Standard input is a terminal: intro may ask questions.
    pub stdin_tty: bool,
    /// Standard error is a terminal: progress bars and colors may show.
    pub stderr_tty: bool,
    pub stdout_tty: bool,
}

impl Environment {
    pub fn capture() -> Environment {
        Environment {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            stdin_tty: std::io::stdin().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
            stdout_tty: std::io::stdout().is_terminal(),
        }
    }

    /// A variable's value; empty counts as unset, as most tools treat it.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Interactive: a person can answer a question on this terminal.
    pub fn interactive(&self) -> bool {
        self.stdin_tty && self.stderr_tty
    }

    #[cfg(test)]
    pub fn with_vars(vars: &[(&str, &str)]) -> Environment {
        Environment {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Environment::default()
        }
    }
}
