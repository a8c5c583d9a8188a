//! Long output on a terminal goes through the user's pager (`$PAGER`, or
//! `less -FRX`), as git and gh do; short output, output off a terminal,
//! and `--no-pager` are printed as they are.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::setup::env::Environment;
use crate::ui::output::Output;

/// The pager when `$PAGER` is not set: quits at once when the text fits
/// (`-F`), keeps colors (`-R`), leaves the text on the screen (`-X`).
const DEFAULT: &str = "less -FRX";

/// Print `text` (whole lines) on stdout, through the pager when `allowed`,
/// stdout is a terminal and `text` has more lines than it.
pub(crate) fn print(env: &Environment, out: &Output, text: &str, allowed: bool) {
    let fits = match env.stdout_rows {
        // The last row holds the shell's next prompt.
        Some(rows) => text.lines().count() < rows,
        None => true,
    };
    if !allowed || !env.stdout_tty || fits || !through_pager(env, text) {
        out.text(text);
    }
}

/// Whether the pager showed `text`. A pager that cannot be started or is
/// not found (the shell's 126 and 127) has shown nothing.
fn through_pager(env: &Environment, text: &str) -> bool {
    let pager = env.var("PAGER").unwrap_or(DEFAULT);
    // Through the shell, so PAGER="less -S" works as it does for git.
    let Ok(mut child) = Command::new("sh")
        .arg("-c")
        .arg(pager)
        .stdin(Stdio::piped())
        .spawn()
    else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A pager quit before the end (`q` in less) closes its input:
        // the rest is not wanted.
        let _ = stdin.write_all(text.as_bytes());
    }
    match child.wait() {
        Ok(status) => !matches!(status.code(), Some(126 | 127)),
        Err(_) => false,
    }
}
