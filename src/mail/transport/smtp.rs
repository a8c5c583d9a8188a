//! SMTP with lettre's connection type, driven by hand so that one connection
//! carries a whole batch, a refused recipient fails only its own message
//! (RSET, then go on), and a dropped connection is re-opened once.

use std::time::Duration;

use lettre::Address;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use super::{SendError, Severity, Transport};
use crate::fsutil;
use crate::mail::message::Outgoing;
use crate::setup::config::{Security, SmtpSettings};
use crate::setup::env::Environment;
use crate::setup::secret::{self, PasswordSource};

pub(crate) struct Smtp {
    settings: SmtpSettings,
    me_email: String,
    env: Environment,
    conn: Option<SmtpConnection>,
    /// The open connection's server offers PIPELINING (RFC 2920).
    pipelining: bool,
    /// The message whose envelope was already sent ahead on `conn`; its
    /// DATA is open on the server until its text follows.
    primed: Option<String>,
    /// Read once, on the first connection that needs it.
    password: Option<String>,
}

impl Smtp {
    pub(crate) fn new(settings: SmtpSettings, me_email: String, env: Environment) -> Smtp {
        Smtp {
            settings,
            me_email,
            env,
            conn: None,
            pipelining: false,
            primed: None,
            password: None,
        }
    }

    fn server(&self) -> String {
        format!("{}:{}", self.settings.host, self.settings.port())
    }

    fn tls_parameters(&self) -> Result<TlsParameters, SendError> {
        let mut builder = TlsParameters::builder(self.settings.host.clone());
        if let Some(ca_file) = &self.settings.ca_file {
            let path = fsutil::expand_tilde(ca_file);
            let pem = std::fs::read(&path).map_err(|e| {
                SendError::new(
                    Severity::Fatal,
                    format!("cannot read `smtp.ca_file` `{}`: {e}", path.display()),
                )
            })?;
            let cert = Certificate::from_pem(&pem).map_err(|e| {
                SendError::new(
                    Severity::Fatal,
                    format!(
                        "`smtp.ca_file` `{}` is not a PEM certificate: {e}",
                        path.display()
                    ),
                )
            })?;
            builder = builder.add_root_certificate(cert);
        }
        builder.build_rustls().map_err(|e| {
            SendError::new(Severity::Fatal, format!("cannot set up TLS: {}", chain(&e)))
        })
    }

    fn connect(&mut self) -> Result<SmtpConnection, SendError> {
        let timeout = Some(Duration::from_secs(self.settings.timeout_secs.max(1)));
        let hello = ClientId::default();
        let addr = (self.settings.host.as_str(), self.settings.port());
        let mut conn = match self.settings.security {
            Security::Tls => {
                let tls = self.tls_parameters()?;
                SmtpConnection::connect(addr, timeout, &hello, Some(&tls), None)
                    .map_err(|e| self.connect_error(&e))?
            }
            Security::Starttls => {
                let tls = self.tls_parameters()?;
                let mut conn = SmtpConnection::connect(addr, timeout, &hello, None, None)
                    .map_err(|e| self.connect_error(&e))?;
                if !conn.can_starttls() {
                    conn.abort();
                    return Err(SendError::new(
                        Severity::Fatal,
                        format!("{} does not offer STARTTLS", self.server()),
                    )
                    .hint("set `security = \"tls\"` for implicit TLS (usually port 465), or check `host` and `port` in [smtp]"));
                }
                conn.starttls(&tls, &hello)
                    .map_err(|e| self.connect_error(&e))?;
                conn
            }
            Security::None => SmtpConnection::connect(addr, timeout, &hello, None, None)
                .map_err(|e| self.connect_error(&e))?,
        };
        if let Some(username) = self.settings.username.clone() {
            if !conn.is_encrypted() && !self.settings.allow_insecure_auth {
                conn.abort();
                return Err(SendError::new(
                    Severity::Fatal,
                    format!(
                        "refusing to send the SMTP password to {} over an unencrypted connection",
                        self.server()
                    ),
                )
                .hint("use `security = \"starttls\"` or `\"tls\"` in [smtp]")
                .hint("for a relay on this machine, set `allow_insecure_auth = true` in [smtp]"));
            }
            let password = match &self.password {
                Some(p) => p.clone(),
                None => {
                    let source = PasswordSource {
                        table: "smtp",
                        account: format!("{username}@{}", self.settings.host),
                        command: self.settings.password_command.as_ref(),
                        env_name: self.settings.password_env.as_deref(),
                    };
                    let p = secret::resolve(&source, &self.env)
                        .map_err(|e| SendError::new(Severity::Fatal, e.message).hint(e.hint))?;
                    self.password = Some(p.clone());
                    p
                }
            };
            let credentials = Credentials::new(username.clone(), password);
            if let Err(e) = conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials) {
                conn.abort();
                // A wrong password should not be read again for the retry.
                self.password = None;
                return Err(SendError::new(
                    Severity::Fatal,
                    format!(
                        "{} refused the login for `{username}`: {}",
                        self.server(),
                        chain(&e)
                    ),
                )
                .hint("check `username` and the password source in [smtp]; many providers need an app password"));
            }
        }
        // lettre keeps only the EHLO keywords it knows, and PIPELINING is
        // not one: ask again and read the list ourselves.
        self.pipelining = conn
            .command(Ehlo::new(ClientId::default()))
            .map(|r| {
                r.message()
                    .any(|l| l.trim().eq_ignore_ascii_case("pipelining"))
            })
            .unwrap_or(false);
        Ok(conn)
    }

    fn connect_error(&self, e: &lettre::transport::smtp::Error) -> SendError {
        let detail = chain(e);
        let lower = detail.to_lowercase();
        if e.is_tls() || lower.contains("certificate") || lower.contains("unknownissuer") {
            return SendError::new(
                Severity::Fatal,
                format!("the TLS certificate of {} did not verify: {detail}", self.server()),
            )
            .hint("if the server uses a private or self-signed CA, set `ca_file` in [smtp] to its root certificate (PEM)");
        }
        // Anything else TLS refused is the handshake itself: most often a
        // port that does not speak TLS the way `security` says.
        if let Some(tls) = rustls_error(e) {
            let hint = match self.settings.security {
                Security::Tls => {
                    "the server may not speak implicit TLS on this port: use `security = \"starttls\"` for port 587 (or 25), `\"tls\"` for 465"
                }
                _ => "check `port` and `security` in [smtp]: 587 is usually starttls, 465 tls",
            };
            return SendError::new(
                Severity::Fatal,
                format!("the TLS handshake with {} failed: {tls}", self.server()),
            )
            .hint(hint);
        }
        if is_timeout(e) {
            return SendError::new(
                Severity::Fatal,
                format!(
                    "{} did not answer within {} s",
                    self.server(),
                    self.settings.timeout_secs
                ),
            )
            .hint("check `host`, `port` and `security` in [smtp], or raise `timeout_secs`");
        }
        SendError::new(
            Severity::Fatal,
            format!("cannot connect to {}: {detail}", self.server()),
        )
        .hint("check `host`, `port` and `security` in [smtp] (587 is usually starttls, 465 tls)")
    }

    /// One message over an open connection.
    ///
    /// With PIPELINING the envelope goes in one write (MAIL, every RCPT,
    /// and DATA too when there is one recipient, since a refused sole
    /// recipient makes the server refuse DATA as well). In a batch the
    /// next message's envelope rides in the same write as this message's
    /// text (`next`), so a message costs one round trip. `primed` says this
    /// message's envelope was sent that way already; on return it says
    /// whether the next one's was.
    fn send_on(
        conn: &mut SmtpConnection,
        message: &Outgoing,
        pipelining: bool,
        primed: &mut bool,
        next: Option<&Outgoing>,
    ) -> Result<(), Failure> {
        let envelope = Envelope::of(message, conn)?;
        if !pipelining {
            conn.command(envelope.mail)
                .map_err(|e| Failure::classify(conn, &e, "refused the sender", false))?;
            for (to, address) in envelope.recipients {
                conn.command(Rcpt::new(address, Vec::new())).map_err(|e| {
                    Failure::classify(conn, &e, &format!("refused the recipient `{to}`"), false)
                })?;
            }
            conn.command(Data)
                .map_err(|e| Failure::classify(conn, &e, "refused the message", false))?;
        } else {
            let with_data = envelope.recipients.len() == 1;
            // Every answer must be read, refused or not, to stay in step.
            let mail_result = if std::mem::take(primed) {
                conn.read_response()
            } else {
                conn.command(Raw(&envelope.pipelined()))
            };
            let rcpt_results: Vec<_> = envelope
                .recipients
                .iter()
                .map(|_| conn.read_response())
                .collect();
            let data_result = with_data.then(|| conn.read_response());
            let refused = mail_result.is_err() || rcpt_results.iter().any(Result::is_err);
            if refused && matches!(data_result, Some(Ok(_))) {
                // A lenient server opened DATA with no good recipient: close
                // it with an empty message it has nobody to deliver to.
                let _ = conn.command(Raw(".\r\n"));
            }
            let mut first_error = None;
            if let Err(e) = mail_result {
                first_error = Some(Failure::classify(conn, &e, "refused the sender", false));
            }
            for ((to, _), result) in envelope.recipients.iter().zip(rcpt_results) {
                if let Err(e) = result
                    && first_error.is_none()
                {
                    first_error = Some(Failure::classify(
                        conn,
                        &e,
                        &format!("refused the recipient `{to}`"),
                        false,
                    ));
                }
            }
            match (data_result, first_error) {
                (_, Some(failure)) => return Err(failure),
                (Some(Err(e)), None) => {
                    return Err(Failure::classify(conn, &e, "refused the message", false));
                }
                (Some(Ok(_)), None) => {}
                (None, None) => {
                    conn.command(Data)
                        .map_err(|e| Failure::classify(conn, &e, "refused the message", false))?;
                }
            }
        }
        // The next envelope may go ahead only when it is whole in one write.
        let ahead = next
            .filter(|_| pipelining)
            .and_then(|n| Envelope::of(n, conn).ok())
            .filter(|n| n.recipients.len() == 1)
            .map(|n| n.pipelined());
        let result = match &ahead {
            Some(envelope) => conn.command(PayloadThen(&message.bytes, envelope)),
            None => conn.command(DataPayload(&message.bytes)),
        };
        // Whatever this message's fate, the next envelope is on the wire
        // and its answers follow.
        *primed = ahead.is_some();
        result.map_err(|e| {
            let failure = Failure::after_data(conn, &e);
            if matches!(failure, Failure::Broken { .. }) {
                *primed = false;
            }
            failure
        })?;
        Ok(())
    }
}

/// A message's envelope as SMTP commands.
struct Envelope<'a> {
    mail: Mail,
    recipients: Vec<(&'a str, Address)>,
}

impl<'a> Envelope<'a> {
    fn of(message: &'a Outgoing, conn: &SmtpConnection) -> Result<Envelope<'a>, Failure> {
        let from: Address = message.envelope_from.parse().map_err(|_| {
            Failure::Refused(
                format!("bad sender address `{}`", message.envelope_from),
                Severity::Rejected,
            )
        })?;
        let mut params = Vec::new();
        if !message.bytes.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime)
        {
            params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let mut recipients = Vec::with_capacity(message.envelope_to.len());
        for to in &message.envelope_to {
            let address: Address = to.parse().map_err(|_| {
                Failure::Refused(format!("bad recipient address `{to}`"), Severity::Rejected)
            })?;
            recipients.push((to.as_str(), address));
        }
        Ok(Envelope {
            mail: Mail::new(Some(from), params),
            recipients,
        })
    }

    /// MAIL, every RCPT, and DATA when there is one recipient, in one string.
    fn pipelined(&self) -> String {
        let mut batch = self.mail.to_string();
        for (_, address) in &self.recipients {
            batch.push_str(&Rcpt::new(address.clone(), Vec::new()).to_string());
        }
        if self.recipients.len() == 1 {
            batch.push_str(&Data.to_string());
        }
        batch
    }
}

/// A message's text followed by the next message's pipelined envelope.
struct PayloadThen<'a>(&'a [u8], &'a str);

impl std::fmt::Display for PayloadThen<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        DataPayload(self.0).fmt(f)?;
        f.write_str(self.1)
    }
}

/// Commands already formatted, sent in one write.
struct Raw<'a>(&'a str);

impl std::fmt::Display for Raw<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// The message after DATA, dot-stuffed and terminated, written in one go.
///
/// lettre's `message()` writes the body and the final `.` separately; with
/// Nagle's algorithm and the server's delayed ACK that second small write
/// waits about 40 ms, which made a batch crawl at 20-odd messages a second.
struct DataPayload<'a>(&'a [u8]);

impl std::fmt::Display for DataPayload<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Messages are built from Rust strings, so this never loses bytes.
        let text = String::from_utf8_lossy(self.0);
        for line in text.split_inclusive("\r\n") {
            if line.starts_with('.') {
                f.write_str(".")?;
            }
            f.write_str(line)?;
        }
        if !text.ends_with("\r\n") {
            f.write_str("\r\n")?;
        }
        f.write_str(".\r\n")
    }
}

/// What went wrong with one message on an open connection.
enum Failure {
    /// The server answered no; the connection is still good.
    Refused(String, Severity),
    /// The connection broke. `after_data`: the whole message was sent, so
    /// whether the server kept it is unknown.
    Broken {
        text: String,
        after_data: bool,
        timed_out: bool,
    },
}

impl Failure {
    /// A failure at the end of the message's text. A refusal there ends the
    /// transaction by itself, so no RSET: with the next envelope already
    /// sent, an RSET's answer would be read in place of the envelope's.
    fn after_data(conn: &mut SmtpConnection, e: &lettre::transport::smtp::Error) -> Failure {
        if e.is_permanent() || e.is_transient() {
            let severity = if e.is_transient() {
                Severity::Temporary
            } else {
                Severity::Rejected
            };
            return Failure::Refused(
                format!("the server refused the message: {}", chain(e)),
                severity,
            );
        }
        Failure::classify(conn, e, "refused the message", true)
    }

    fn classify(
        conn: &mut SmtpConnection,
        e: &lettre::transport::smtp::Error,
        what: &str,
        after_data: bool,
    ) -> Failure {
        if e.is_permanent() || e.is_transient() {
            // Leave the connection clean for the next message.
            let _ = conn.command(Rset);
            let severity = if e.is_transient() {
                Severity::Temporary
            } else {
                Severity::Rejected
            };
            return Failure::Refused(format!("the server {what}: {}", chain(e)), severity);
        }
        conn.abort();
        Failure::Broken {
            text: chain(e),
            after_data,
            timed_out: is_timeout(e),
        }
    }
}

/// A read or write that hit `timeout_secs` (sockets report it as
/// `WouldBlock` or `TimedOut`, depending on the platform).
fn is_timeout(e: &lettre::transport::smtp::Error) -> bool {
    if e.is_timeout() {
        return true;
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            )
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// The TLS library's error behind `e`, if TLS is what failed. rustls
/// reports through an `io::Error`, whose `source()` skips the error it
/// wraps, so each one is opened by hand.
fn rustls_error(e: &lettre::transport::smtp::Error) -> Option<&rustls::Error> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(tls);
        }
        source = s.source();
    }
    None
}

/// An error and its causes on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

impl Transport for Smtp {
    fn send(&mut self, message: &Outgoing) -> Result<(), SendError> {
        self.send_ahead(message, None)
    }

    fn send_ahead(&mut self, message: &Outgoing, next: Option<&Outgoing>) -> Result<(), SendError> {
        // A connection the server dropped (while idle, or mid-message) is
        // opened again once. The message keeps its Message-ID, so if the
        // server did keep the first copy, mail clients fold the two.
        let mut maybe_accepted = false;
        for attempt in 1..=2 {
            let mut primed = match self.primed.take() {
                Some(id) if id == message.message_id => true,
                // Another message's envelope is waiting on the wire: that
                // connection is mid-transaction, so leave it (closing the
                // socket makes the server drop the transaction) and start
                // afresh.
                Some(_) => {
                    self.conn = None;
                    false
                }
                None => false,
            };
            let connected = match self.conn.take() {
                Some(conn) if !conn.has_broken() => Ok(conn),
                _ => {
                    primed = false;
                    self.connect()
                }
            };
            let mut conn = match connected {
                Ok(conn) => conn,
                Err(mut e) => {
                    e.maybe_accepted |= maybe_accepted;
                    return Err(e);
                }
            };
            let result = Self::send_on(&mut conn, message, self.pipelining, &mut primed, next);
            self.primed = primed.then(|| next.map(|n| n.message_id.clone())).flatten();
            match result {
                Ok(()) => {
                    self.conn = Some(conn);
                    return Ok(());
                }
                Err(Failure::Refused(text, severity)) => {
                    self.conn = Some(conn);
                    let mut err = SendError::new(severity, text);
                    if severity == Severity::Temporary {
                        err = err.hint("the server asked to try later; run the same command again");
                    }
                    err.maybe_accepted = maybe_accepted;
                    return Err(err);
                }
                Err(Failure::Broken {
                    text,
                    after_data,
                    timed_out,
                }) => {
                    maybe_accepted |= after_data;
                    if attempt == 2 {
                        let message = if timed_out {
                            format!(
                                "{} stopped answering (no reply within {} s)",
                                self.server(),
                                self.settings.timeout_secs
                            )
                        } else {
                            format!("the connection to {} broke: {text}", self.server())
                        };
                        let mut err = SendError::new(Severity::Fatal, message).hint(
                            "run the same command again: what was not accepted is sent then, with the same Message-ID",
                        );
                        err.maybe_accepted = maybe_accepted;
                        return Err(err);
                    }
                }
            }
        }
        unreachable!("the loop returns on its second attempt")
    }

    fn close(&mut self) {
        // With an envelope sent ahead the server waits for a message text:
        // a QUIT would be taken as text. Closing the socket instead makes
        // it drop the unfinished transaction, so nothing half-made is sent.
        if self.primed.take().is_some() {
            self.conn = None;
        }
        if let Some(mut conn) = self.conn.take() {
            let _ = conn.quit();
        }
    }

    fn describe(&self) -> String {
        let _ = &self.me_email;
        self.server()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::DataPayload;

    #[test]
    fn the_payload_is_dot_stuffed_and_terminated() {
        let body = b"Subject: x\r\n\r\n.hidden\r\nplain\r\n..two";
        assert_eq!(
            DataPayload(body).to_string(),
            "Subject: x\r\n\r\n..hidden\r\nplain\r\n...two\r\n.\r\n"
        );
    }
}
