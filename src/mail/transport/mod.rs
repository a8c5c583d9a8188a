//! Transports: how a built message leaves the machine. Each says plainly
//! whether the message was accepted; only an accepted message is recorded.
//!
//! - `outbox`: writes `.eml` files under the data dir (no server needed);
//! - `sendmail`: pipes the message to a local command such as msmtp;
//! - `smtp`: speaks SMTP with TLS and AUTH over one reused connection.

#[cfg(test)]
pub(crate) mod memory;
mod outbox;
mod sendmail;
mod sent_copy;
mod smtp;

use std::path::PathBuf;

use crate::mail::message::Outgoing;
use crate::setup::config::{Config, TransportKind};
use crate::setup::env::Environment;
use crate::ui::output::Output;

pub(crate) use outbox::Outbox;
pub(crate) use sendmail::Sendmail;
pub(crate) use smtp::Smtp;

/// How bad a failed send is, which decides what a batch does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    /// This message was refused for good (e.g. 550 for the recipient).
    Rejected,
    /// This message was refused for now (4xx); trying later may work.
    Temporary,
    /// Nothing can be sent (no connection, TLS, AUTH, a broken command):
    /// a batch stops instead of failing every remaining row the same way.
    Fatal,
}

/// A message that was not accepted. Never contains a password.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub(crate) struct SendError {
    pub severity: Severity,
    pub message: String,
    pub hints: Vec<String>,
    /// The connection broke after the message may have reached the server:
    /// keep the record so a rerun re-sends it with the same Message-ID.
    pub maybe_accepted: bool,
}

impl SendError {
    pub(crate) fn new(severity: Severity, message: impl Into<String>) -> SendError {
        SendError {
            severity,
            message: message.into(),
            hints: Vec::new(),
            maybe_accepted: false,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> SendError {
        self.hints.push(hint.into());
        self
    }
}

/// Something that can hand messages on.
pub(crate) trait Transport {
    /// Deliver `message`; Ok means the transport accepted it.
    fn send(&mut self, message: &Outgoing) -> Result<(), SendError>;

    /// Deliver `message`, knowing that `next` follows at once (a batch), so
    /// a transport may start on it early. Sending anything else next, or
    /// closing, is still safe.
    fn send_ahead(&mut self, message: &Outgoing, next: Option<&Outgoing>) -> Result<(), SendError> {
        let _ = next;
        self.send(message)
    }

    /// Say goodbye politely (QUIT); errors here do not matter.
    fn close(&mut self) {}

    /// For messages: "the outbox", "smtp.example.com:587", ...
    fn describe(&self) -> String;
}

/// The transport the config asks for, saving a copy of each message to an
/// IMAP folder when `[imap] save_sent` says so. Opens no connection and
/// reads no password until the first message is sent.
pub(crate) fn from_config(
    config: &Config,
    outbox_dir: PathBuf,
    env: &Environment,
    out: Output,
) -> Box<dyn Transport> {
    let transport = base(config, outbox_dir, env);
    // The outbox keeps everything on this machine, so no copy goes anywhere.
    match (&config.imap, config.transport()) {
        (Some(imap), kind) if kind != TransportKind::Outbox => match &imap.save_sent {
            Some(folder) => {
                let to = sent_copy::SentFolder {
                    settings: imap.clone(),
                    folder: folder.clone(),
                    me_email: config.me_email().to_string(),
                    env: env.clone(),
                };
                Box::new(sent_copy::SentCopy::new(transport, to, out))
            }
            None => transport,
        },
        _ => transport,
    }
}

fn base(config: &Config, outbox_dir: PathBuf, env: &Environment) -> Box<dyn Transport> {
    match config.transport() {
        TransportKind::Outbox => Box::new(Outbox::new(outbox_dir)),
        TransportKind::Sendmail => {
            let command = config
                .sendmail
                .as_ref()
                .map(|s| s.command.clone())
                .unwrap_or_else(crate::setup::config::default_sendmail_command);
            Box::new(Sendmail::new(command))
        }
        TransportKind::Smtp => match &config.smtp {
            Some(settings) => Box::new(Smtp::new(
                settings.clone(),
                config.me_email().to_string(),
                env.clone(),
            )),
            // Config::parse refuses transport = "smtp" without [smtp].
            None => Box::new(Outbox::new(outbox_dir)),
        },
    }
}
