//! What a failure looks like to the user: one `error:` line, optional detail
//! lines (one per problem), `hint:` lines, and the exit code.

use std::fmt;
use std::process::ExitCode;

use crate::ui::output::{paint_prefix, write_stderr};

/// The process exit codes the spec fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    /// Bad input, unknown contact, send failure, some rows of a batch failed.
    Failure = 1,
    /// Usage errors, and a send refused for want of confirmation.
    Usage = 2,
    /// Stopped by SIGINT after the message in flight (128 + 2, as shells do).
    Interrupted = 130,
    /// Stopped by SIGTERM after the message in flight (128 + 15).
    Terminated = 143,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// An error meant for the user, with the lines that help them act on it.
///
/// Module errors convert into this at the command edge when they know a
/// next step; anything else is reported from its `anyhow` chain.
#[derive(Debug)]
pub(crate) struct UserError {
    pub message: String,
    pub details: Vec<String>,
    pub hints: Vec<String>,
    pub exit: Exit,
}

impl UserError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            details: Vec::new(),
            hints: Vec::new(),
            exit: Exit::Failure,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub(crate) fn details(mut self, details: impl IntoIterator<Item = String>) -> Self {
        self.details.extend(details);
        self
    }

    pub(crate) fn exit(mut self, exit: Exit) -> Self {
        self.exit = exit;
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// Errors that know what the user should try next.
pub(crate) trait Hints {
    fn hints(&self) -> Vec<String>;
}

/// Write the error to stderr in the one voice and return its exit code;
/// `color` paints the `error:` and `hint:` prefixes as clap paints its own.
pub(crate) fn report(err: &anyhow::Error, color: bool) -> Exit {
    let error = paint_prefix("error:", color);
    let hint = paint_prefix("hint:", color);
    let mut out = String::new();
    if let Some(user) = err.downcast_ref::<UserError>() {
        out.push_str(&format!("{error} {}\n", user.message));
        for line in &user.details {
            out.push_str(&format!("  {line}\n"));
        }
        for line in &user.hints {
            out.push_str(&format!("{hint} {line}\n"));
        }
        write_stderr(&out);
        return user.exit;
    }
    out.push_str(&format!("{error} {}\n", one_line(err)));
    for line in chain_hints(err) {
        out.push_str(&format!("{hint} {line}\n"));
    }
    write_stderr(&out);
    Exit::Failure
}

/// The error and its causes on one line, each said once: an error that
/// names its cause in its own message (`cannot open `x`: <io error>`) is
/// also followed by that cause in the chain.
pub(crate) fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.is_empty() {
            out = text;
        } else if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

fn chain_hints(err: &anyhow::Error) -> Vec<String> {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<crate::setup::config::ConfigError>() {
            return e.hints();
        }
        if let Some(e) = cause.downcast_ref::<crate::store::StoreError>() {
            return e.hints();
        }
        if let Some(e) = cause.downcast_ref::<crate::mail::template::TemplateError>() {
            return e.hints();
        }
        if let Some(e) = cause.downcast_ref::<crate::mail::transport::SendError>() {
            return e.hints();
        }
        if let Some(e) = cause.downcast_ref::<crate::setup::contacts::ContactsError>() {
            return e.hints();
        }
        if let Some(e) = cause.downcast_ref::<crate::mail::sync::SyncError>() {
            return e.hints();
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_says_each_cause_once() {
        let io = std::io::Error::from_raw_os_error(30);
        let store = crate::store::StoreError::Io {
            action: "open",
            path: "/data/store.lock".into(),
            source: io,
        };
        let err = anyhow::Error::new(store).context("cannot record the ask");
        assert_eq!(
            one_line(&err),
            "cannot record the ask: cannot open `/data/store.lock`: Read-only file system (os error 30)"
        );
    }
}
