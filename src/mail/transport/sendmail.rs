//! The sendmail transport: the whole message on the stdin of a local command
//! (sendmail, msmtp, ...), which reads the recipients from the headers.

use std::io::Write;
use std::process::{Command, Stdio};

use super::{SendError, Severity, Transport};
use crate::mail::message::Outgoing;
use crate::setup::config::CommandLine;

pub(crate) struct Sendmail {
    command: CommandLine,
}

impl Sendmail {
    pub(crate) fn new(command: CommandLine) -> Sendmail {
        Sendmail { command }
    }

    fn shown(&self) -> String {
        match &self.command {
            CommandLine::Argv(argv) => argv.join(" "),
            CommandLine::Shell(line) => line.clone(),
        }
    }
}

impl Transport for Sendmail {
    fn send(&mut self, message: &Outgoing) -> Result<(), SendError> {
        let mut cmd = match &self.command {
            CommandLine::Argv(argv) => {
                let Some((program, args)) = argv.split_first() else {
                    return Err(SendError::new(
                        Severity::Fatal,
                        "`sendmail.command` is an empty list",
                    )
                    .hint("e.g. command = [\"msmtp\", \"--read-envelope-from\", \"-t\"]"));
                };
                let mut cmd = Command::new(program);
                cmd.args(args);
                cmd
            }
            CommandLine::Shell(line) => {
                let mut cmd = Command::new("sh");
                cmd.arg("-c").arg(line);
                cmd
            }
        };
        // Its own process group: a Ctrl-C at the terminal is for intro,
        // which lets the message in flight finish (see `interrupt`).
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt as _;
            cmd.process_group(0);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                SendError::new(
                    Severity::Fatal,
                    format!("cannot run the sendmail command `{}`: {e}", self.shown()),
                )
                .hint("set `command` in [sendmail] to a program that is installed")
            })?;
        // Local mail tools read recipients from the headers (`-t`), so the
        // Bcc goes in as a header; they strip it before delivery. They also
        // expect local line endings.
        let mut text = Vec::with_capacity(message.bytes.len() + 64);
        if let Some(bcc) = &message.bcc {
            text.extend_from_slice(format!("Bcc: {bcc}\n").as_bytes());
        }
        text.extend(crlf_to_lf(&message.bytes));
        let write_result = child
            .stdin
            .take()
            .map(|mut stdin| stdin.write_all(&text))
            .unwrap_or(Ok(()));
        let output = child.wait_with_output().map_err(|e| {
            SendError::new(Severity::Fatal, format!("the sendmail command failed: {e}"))
        })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stderr = stderr.trim();
            return Err(SendError::new(
                Severity::Rejected,
                format!(
                    "`{}` did not accept the message ({}){}{}",
                    self.shown(),
                    output.status,
                    if stderr.is_empty() { "" } else { ": " },
                    stderr
                ),
            ));
        }
        write_result.map_err(|e| {
            SendError::new(
                Severity::Rejected,
                format!("`{}` stopped reading the message: {e}", self.shown()),
            )
        })
    }

    fn describe(&self) -> String {
        format!("`{}`", self.shown())
    }
}

fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}
