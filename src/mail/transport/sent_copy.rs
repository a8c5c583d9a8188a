//! `[imap] save_sent`: a copy of every message a transport accepted,
//! appended to an IMAP folder (marked read), for providers that do not keep
//! one themselves. A copy that cannot be saved is a warning, never a failed
//! send: the message did go out, and the store records it.

use super::{SendError, Transport};
use crate::mail::imap_connection::{self as imap, Login};
use crate::mail::message::Outgoing;
use crate::setup::config::ImapSettings;
use crate::setup::env::Environment;
use crate::ui::output::Output;

/// Where the copies go: the folder, and how to log in to its server.
pub(super) struct SentFolder {
    pub(super) settings: ImapSettings,
    pub(super) folder: String,
    pub(super) me_email: String,
    pub(super) env: Environment,
}

pub(super) struct SentCopy {
    inner: Box<dyn Transport>,
    to: SentFolder,
    out: Output,
    session: Option<Login>,
    /// After one failure the rest of the run does not try again (and does
    /// not repeat the warning for every message of a batch).
    gave_up: bool,
}

impl SentCopy {
    pub(super) fn new(inner: Box<dyn Transport>, to: SentFolder, out: Output) -> SentCopy {
        SentCopy {
            inner,
            to,
            out,
            session: None,
            gave_up: false,
        }
    }

    fn save(&mut self, message: &Outgoing) -> Result<(), String> {
        if self.session.is_none() {
            let login = imap::login(&self.to.settings, &self.to.me_email, &self.to.env)
                .map_err(|e| e.message)?;
            self.session = Some(login);
        }
        let (session, server) = self.session.as_mut().expect("logged in above");
        let append = |session: &mut ::imap::Session<imap::Stream>| {
            session
                .append(&self.to.folder, &message.bytes)
                .flag(::imap::types::Flag::Seen)
                .finish()
                .map(|_| ())
        };
        match append(session) {
            Ok(()) => Ok(()),
            // A folder that does not exist yet (the server says TRYCREATE,
            // before or instead of asking for the message): make it, as
            // mail clients do, and try once more.
            Err(::imap::Error::No(_) | ::imap::Error::Append)
                if session.create(&self.to.folder).is_ok() =>
            {
                append(session)
            }
            Err(e) => Err(e),
        }
        .map_err(|e| format!("{server} refused to store it in `{}`: {e}", self.to.folder))
    }
}

impl Transport for SentCopy {
    fn send(&mut self, message: &Outgoing) -> Result<(), SendError> {
        self.send_ahead(message, None)
    }

    fn send_ahead(&mut self, message: &Outgoing, next: Option<&Outgoing>) -> Result<(), SendError> {
        self.inner.send_ahead(message, next)?;
        if !self.gave_up
            && let Err(why) = self.save(message)
        {
            self.gave_up = true;
            self.session = None;
            self.out.warn(format!(
                "sent, but no copy was saved to the IMAP folder `{}`: {why} (`[imap] save_sent`)",
                self.to.folder
            ));
        }
        Ok(())
    }

    fn close(&mut self) {
        self.inner.close();
        if let Some((mut session, _)) = self.session.take() {
            let _ = session.logout();
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} (a copy saved to `{}`)",
            self.inner.describe(),
            self.to.folder
        )
    }
}
