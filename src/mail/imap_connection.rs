//! The IMAP connection both `sync` (reading replies) and the sent copy
//! (`transport::sent_copy`, appending to the Sent folder) use: connect,
//! TLS, STARTTLS or (when allowed) plain, and log in.
//!
//! TLS is rustls (the ring provider lettre already brings) trusting the
//! webpki roots plus `ca_file`, as for SMTP. The `imap` crate speaks IMAP
//! over that stream; the two lines before a STARTTLS upgrade are spoken
//! here, because the crate's own STARTTLS cannot take a custom root store.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use crate::fsutil;
use crate::mail::sync::SyncError;
use crate::setup::config::{ImapSettings, Security};
use crate::setup::env::Environment;
use crate::setup::secret::{self, PasswordSource};

/// The connection under the IMAP session.
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// The IMAP user name: `[imap] username`, else the address in `[me]`.
pub(crate) fn username(settings: &ImapSettings, me_email: &str) -> String {
    settings
        .username
        .clone()
        .unwrap_or_else(|| me_email.to_string())
}

/// A logged-in IMAP session and the server it is on (`host:port`).
pub(crate) type Login = (::imap::Session<Stream>, String);

/// Connect and log in as `settings` say: TLS, STARTTLS or (when allowed)
/// plain; the password from the table's source. `me_email` is the user
/// name when the table has none.
pub(crate) fn login(
    settings: &ImapSettings,
    me_email: &str,
    env: &Environment,
) -> Result<Login, SyncError> {
    let server = format!("{}:{}", settings.host, settings.port());
    let username = username(settings, me_email);
    let conn = Connector {
        settings,
        server: &server,
    };
    let tcp = conn.tcp()?;
    let (stream, greeting_read) = match settings.security {
        Security::Tls => (Stream::Tls(Box::new(conn.tls(tcp)?)), false),
        Security::Starttls => {
            let mut tcp = tcp;
            conn.starttls(&mut tcp)?;
            (Stream::Tls(Box::new(conn.tls(tcp)?)), true)
        }
        Security::None => (Stream::Plain(tcp), false),
    };
    let encrypted = matches!(stream, Stream::Tls(_));
    let mut client = ::imap::Client::new(stream);
    if greeting_read {
        client.greeting_read = true;
    } else {
        let greeting = client
            .read_greeting()
            .map_err(|e| conn.error("the greeting", e))?;
        if !greeting.starts_with(b"* OK") {
            return Err(conn.not_imap(&greeting));
        }
    }
    if !encrypted && !settings.allow_insecure_auth {
        return Err(SyncError::new(format!(
            "refusing to send the IMAP password to {server} over an unencrypted connection"
        ))
        .hint("use `security = \"tls\"` or `\"starttls\"` in [imap]")
        .hint("for a bridge on this machine, set `allow_insecure_auth = true` in [imap]"));
    }
    let password = secret::resolve(
        &PasswordSource {
            table: "imap",
            account: format!("{username}@{}", settings.host),
            command: settings.password_command.as_ref(),
            env_name: settings.password_env.as_deref(),
        },
        env,
    )
    .map_err(|e| SyncError::new(e.message).hint(e.hint))?;
    let session = client
        .login(&username, &password)
        .map_err(|(e, _)| match e {
            ::imap::Error::No(no) => refused_login(&server, &username, &no.information),
            ::imap::Error::Bad(bad) => refused_login(&server, &username, &bad.information),
            e => conn.error("the login", e),
        })?;
    drop(password);
    Ok((session, server))
}

fn refused_login(server: &str, username: &str, why: &str) -> SyncError {
    SyncError::new(format!(
        "{server} refused the login for `{username}`: {}",
        why.trim()
    ))
    .hint("check `username` and the password source in [imap]; many providers need an app password")
}

pub(crate) fn command_error(
    server: &str,
    timeout_secs: u64,
    what: &str,
    e: ::imap::Error,
) -> SyncError {
    match e {
        ::imap::Error::No(no) => SyncError::new(format!(
            "{server} refused {what}: {}",
            no.information.trim()
        )),
        ::imap::Error::Bad(bad) => SyncError::new(format!(
            "{server} refused {what}: {}",
            bad.information.trim()
        )),
        ::imap::Error::Io(e) if is_timeout(&e) => {
            SyncError::new(format!("{server} did not answer within {timeout_secs} s"))
                .hint("check `host`, `port` and `security` in [imap], or raise `timeout_secs`")
        }
        e => SyncError::new(format!(
            "the connection to {server} broke during {what}: {e}"
        ))
        .hint("run `intro sync` again; nothing was changed"),
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// Opening the connection, with errors that say which setting to check.
struct Connector<'a> {
    settings: &'a ImapSettings,
    server: &'a str,
}

impl Connector<'_> {
    fn timeout(&self) -> Duration {
        Duration::from_secs(self.settings.timeout_secs.max(1))
    }

    fn tcp(&self) -> Result<TcpStream, SyncError> {
        let cannot = |e: &dyn std::fmt::Display| {
            SyncError::new(format!("cannot connect to {}: {e}", self.server)).hint(
                "check `host`, `port` and `security` in [imap] (993 is usually tls, 143 starttls)",
            )
        };
        let addrs = (self.settings.host.as_str(), self.settings.port())
            .to_socket_addrs()
            .map_err(|e| cannot(&e))?;
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.timeout()) {
                Ok(tcp) => {
                    tcp.set_read_timeout(Some(self.timeout()))
                        .and_then(|()| tcp.set_write_timeout(Some(self.timeout())))
                        .map_err(|e| cannot(&e))?;
                    return Ok(tcp);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(match last {
            Some(e) if is_timeout(&e) => SyncError::new(format!(
                "{} did not answer within {} s",
                self.server, self.settings.timeout_secs
            ))
            .hint("check `host`, `port` and `security` in [imap], or raise `timeout_secs`"),
            Some(e) => cannot(&e),
            None => cannot(&"the host name has no address"),
        })
    }

    /// The plain-text part of STARTTLS: the greeting, then `STARTTLS`.
    fn starttls(&self, tcp: &mut TcpStream) -> Result<(), SyncError> {
        let io = |e: io::Error| self.io_error("STARTTLS", e);
        let greeting = read_line(tcp).map_err(io)?;
        if !greeting.starts_with(b"* OK") {
            return Err(self.not_imap(&greeting));
        }
        tcp.write_all(b"s1 STARTTLS\r\n").map_err(io)?;
        loop {
            let line = read_line(tcp).map_err(io)?;
            if let Some(status) = line.strip_prefix(b"s1 ") {
                if status.starts_with(b"OK") {
                    return Ok(());
                }
                return Err(SyncError::new(format!(
                    "{} does not offer STARTTLS: {}",
                    self.server,
                    String::from_utf8_lossy(status).trim()
                ))
                .hint("set `security = \"tls\"` for implicit TLS (usually port 993), or check `host` and `port` in [imap]"));
            }
        }
    }

    fn tls_config(&self) -> Result<Arc<ClientConfig>, SyncError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(ca_file) = &self.settings.ca_file {
            let path = fsutil::expand_tilde(ca_file);
            let pem = std::fs::read(&path).map_err(|e| {
                SyncError::new(format!(
                    "cannot read `imap.ca_file` `{}`: {e}",
                    path.display()
                ))
            })?;
            let not_pem = |why: String| {
                SyncError::new(format!(
                    "`imap.ca_file` `{}` is not a PEM certificate: {why}",
                    path.display()
                ))
            };
            let certs = CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| not_pem(e.to_string()))?;
            if certs.is_empty() {
                return Err(not_pem("no `BEGIN CERTIFICATE` block".into()));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| not_pem(e.to_string()))?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| SyncError::new(format!("cannot set up TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }

    /// The TLS handshake, done here so a certificate problem is reported
    /// as one, not as a broken IMAP command.
    fn tls(
        &self,
        mut tcp: TcpStream,
    ) -> Result<StreamOwned<ClientConnection, TcpStream>, SyncError> {
        let config = self.tls_config()?;
        let name = ServerName::try_from(self.settings.host.clone()).map_err(|e| {
            SyncError::new(format!(
                "`imap.host` `{}` is not a host name: {e}",
                self.settings.host
            ))
        })?;
        let mut conn = ClientConnection::new(config, name)
            .map_err(|e| SyncError::new(format!("cannot set up TLS: {e}")))?;
        while conn.is_handshaking() {
            if let Err(e) = conn.complete_io(&mut tcp) {
                return Err(self.tls_error(e));
            }
        }
        Ok(StreamOwned::new(conn, tcp))
    }

    fn tls_error(&self, e: io::Error) -> SyncError {
        let rustls_error = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        match rustls_error {
            Some(rustls::Error::InvalidCertificate(why)) => {
                let hint = match &self.settings.ca_file {
                    Some(path) => format!(
                        "check that `ca_file` in [imap] (`{}`) is the root certificate (PEM) of the CA that signed the server's certificate",
                        path.display()
                    ),
                    None => "if the server uses a private or self-signed CA, set `ca_file` in [imap] to its root certificate (PEM)".into(),
                };
                SyncError::new(format!(
                    "the TLS certificate of {} did not verify: {why:?}",
                    self.server
                ))
                .hint(hint)
            }
            Some(other) => SyncError::new(format!(
                "the TLS handshake with {} failed: {other}",
                self.server
            ))
            .hint("check `port` and `security` in [imap]: 993 is usually tls, 143 starttls"),
            None => self.io_error("the TLS handshake", e),
        }
    }

    fn io_error(&self, what: &str, e: io::Error) -> SyncError {
        command_error(
            self.server,
            self.settings.timeout_secs,
            what,
            ::imap::Error::Io(e),
        )
    }

    fn error(&self, what: &str, e: ::imap::Error) -> SyncError {
        command_error(self.server, self.settings.timeout_secs, what, e)
    }

    fn not_imap(&self, greeting: &[u8]) -> SyncError {
        SyncError::new(format!(
            "{} did not greet as an IMAP server: `{}`",
            self.server,
            String::from_utf8_lossy(greeting).trim()
        ))
        .hint("check `host`, `port` and `security` in [imap] (993 is usually tls, 143 starttls)")
    }
}

/// One line from the server, read a byte at a time so nothing after it
/// (the TLS handshake) is consumed. Lines longer than 16 KiB are an error.
fn read_line(tcp: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        if tcp.read(&mut byte)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        line.push(byte[0]);
        if byte[0] == b'\n' {
            return Ok(line);
        }
        if line.len() > 16 * 1024 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a line longer than 16 KiB",
            ));
        }
    }
}
