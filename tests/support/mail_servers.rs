//! Real mail servers on 127.0.0.1 for intro's integration tests.
//!
//! - [`SmtpServer`]: an aiosmtpd server (`tests/servers/smtp_server.py`) with
//!   optional STARTTLS or implicit TLS, AUTH, and injected faults; it keeps
//!   every accepted message, with its envelope, for [`SmtpServer::messages`].
//! - [`Dovecot`]: a private Dovecot with IMAP (STARTTLS and implicit TLS)
//!   and LMTP, for reading and delivering mail.
//! - [`certs`]: a test CA and server certificate both servers use, plus an
//!   unrelated CA for "untrusted certificate" tests.
//!
//! Every server gets its own temporary folder and free ports, so tests may
//! run in parallel; dropping a server kills it. Needs Debian packages
//! (installed on first use by tests/servers/install.sh) and root for Dovecot.
//!
//! Include it from a test crate with
//! `#[path = "support/mail_servers.rs"] mod mail_servers;`.

// Each test crate uses a different part of this module.
#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Debian's interpreter: it sees python3-aiosmtpd, a pyenv or venv python
/// earlier on PATH may not.
const PYTHON: &str = "/usr/bin/python3";
const START_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(5);

fn servers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers")
}

/// Installs the server packages if missing (once per test process).
///
/// Panics with the installer's output if that fails, e.g. when not root.
pub(crate) fn ensure_installed() {
    static RESULT: OnceLock<Result<(), String>> = OnceLock::new();
    let result = RESULT.get_or_init(|| {
        let script = servers_dir().join("install.sh");
        let out = Command::new("sh")
            .arg(&script)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} failed ({}):\n{}{}",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    });
    if let Err(e) = result {
        panic!("mail test servers are not installed: {e}");
    }
}

/// TLS material shared by all test servers (PEM files).
#[derive(Debug)]
pub(crate) struct Certs {
    pub dir: PathBuf,
    /// The CA that signed the servers' certificate: trust this one.
    pub ca_pem: PathBuf,
    pub ca_key: PathBuf,
    /// A CA unrelated to the servers: trusting only this one must fail.
    pub other_ca_pem: PathBuf,
    /// Server certificate for `localhost` and `127.0.0.1`, and its key.
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Certs {
    pub(crate) fn ca_pem_string(&self) -> String {
        read_to_string(&self.ca_pem)
    }

    pub(crate) fn other_ca_pem_string(&self) -> String {
        read_to_string(&self.other_ca_pem)
    }
}

/// The test certificates, generated on first use.
///
/// They live in cargo's per-target scratch folder and are reused across
/// runs and test binaries (`make_certs.sh` skips existing files and locks).
pub(crate) fn certs() -> &'static Certs {
    static CERTS: OnceLock<Certs> = OnceLock::new();
    CERTS.get_or_init(|| {
        ensure_installed();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mail-test-certs");
        let script = servers_dir().join("make_certs.sh");
        let out = Command::new("sh")
            .arg(&script)
            .arg(&dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "{} failed:\n{}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        Certs {
            ca_pem: dir.join("ca.pem"),
            ca_key: dir.join("ca.key"),
            other_ca_pem: dir.join("other-ca.pem"),
            cert: dir.join("server.pem"),
            key: dir.join("server.key"),
            dir,
        }
    })
}

/// How an [`SmtpServer`] speaks TLS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Security {
    /// Plain SMTP; AUTH (if configured) is offered without TLS.
    #[default]
    None,
    /// STARTTLS offered and required before MAIL and AUTH (port 587 style).
    StartTls,
    /// TLS from the first byte (port 465 style).
    Tls,
}

impl Security {
    fn as_arg(self) -> &'static str {
        match self {
            Security::None => "none",
            Security::StartTls => "starttls",
            Security::Tls => "tls",
        }
    }
}

/// What an [`SmtpServer`] does. Fault counters count messages accepted by
/// the whole server (across connections); a fault fires once unless its
/// `*_persist` flag is set.
#[derive(Debug, Clone, Default)]
pub(crate) struct SmtpOptions {
    pub security: Security,
    /// Require AUTH PLAIN/LOGIN as this user; `None` offers no AUTH.
    pub auth: Option<(String, String)>,
    /// Answer RCPT TO for these addresses (case-insensitive) with 550.
    pub reject_rcpt: Vec<String>,
    /// Answer RCPT TO for these addresses with 451, every time.
    pub tempfail_rcpt: Vec<String>,
    /// After K accepted messages, close the connection at the end of the
    /// next DATA without replying or storing the message.
    pub drop_after: Option<u32>,
    pub drop_persist: bool,
    /// After K accepted messages, never answer the next command (the
    /// connection stays open).
    pub stall_after: Option<u32>,
    pub stall_persist: bool,
    /// After K accepted messages, refuse the next message at end of DATA
    /// with `fail_data_code` (default 554).
    pub fail_data_after: Option<u32>,
    pub fail_data_code: Option<u16>,
    pub fail_data_persist: bool,
    /// Also deliver every accepted message over LMTP (e.g.
    /// [`Dovecot::lmtp_socket`]), so it can be read over IMAP.
    pub lmtp: Option<PathBuf>,
    /// Log the whole SMTP dialogue to [`SmtpServer::log`].
    pub verbose: bool,
    /// Advertise PIPELINING, so clients may send the envelope in one go.
    pub pipelining: bool,
}

/// A message the SMTP server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Received {
    /// Envelope sender (MAIL FROM), empty for `<>`.
    pub env_from: String,
    /// Envelope recipients (RCPT TO) the server accepted, in order.
    pub env_rcpt: Vec<String>,
    /// The message as received (after dot-unstuffing), CRLF line endings.
    pub raw: String,
}

impl Received {
    /// First header `name` (case-insensitive), unfolded; not MIME-decoded.
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        header_of(&self.raw, name)
    }

    /// Every header `name` (case-insensitive), unfolded, in order.
    pub(crate) fn headers(&self, name: &str) -> Vec<String> {
        headers_of(&self.raw, name)
    }

    /// Everything after the header block (still transfer-encoded).
    pub(crate) fn body(&self) -> &str {
        body_of(&self.raw)
    }
}

/// A running SMTP test server; killed on drop.
pub(crate) struct SmtpServer {
    pub port: u16,
    /// Maildir holding accepted messages (files in `new/`).
    pub maildir: PathBuf,
    log_path: PathBuf,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    /// The `[smtp]` table of a config that sends here in plain text (no
    /// timeout: callers that want one add a `timeout_secs` line).
    pub(crate) fn smtp_table(&self) -> String {
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n",
            self.port
        )
    }

    /// Starts a server and waits until it listens (well under a second).
    ///
    /// Panics, with the server's log, if it does not come up within 10 s.
    pub(crate) fn start(opts: SmtpOptions) -> SmtpServer {
        ensure_installed();
        let dir = tempfile::Builder::new()
            .prefix("intro-smtp-")
            .tempdir()
            .expect("create temp dir for the SMTP server");
        let port_file = dir.path().join("port");
        let maildir = dir.path().join("maildir");
        let log_path = dir.path().join("smtp.log");

        let mut cmd = Command::new(PYTHON);
        cmd.arg(servers_dir().join("smtp_server.py"))
            .arg("--port-file")
            .arg(&port_file)
            .arg("--maildir")
            .arg(&maildir)
            .args(["--security", opts.security.as_arg()]);
        if opts.security != Security::None {
            let c = certs();
            cmd.arg("--cert").arg(&c.cert).arg("--key").arg(&c.key);
        }
        if let Some((user, pass)) = &opts.auth {
            cmd.arg("--auth").arg(format!("{user}:{pass}"));
        }
        for a in &opts.reject_rcpt {
            cmd.arg("--reject-rcpt").arg(a);
        }
        for a in &opts.tempfail_rcpt {
            cmd.arg("--tempfail-rcpt").arg(a);
        }
        let mut fault = |flag: &str, after: Option<u32>, persist: bool, persist_flag: &str| {
            if let Some(k) = after {
                cmd.arg(flag).arg(k.to_string());
                if persist {
                    cmd.arg(persist_flag);
                }
            }
        };
        fault(
            "--drop-after",
            opts.drop_after,
            opts.drop_persist,
            "--drop-persist",
        );
        fault(
            "--stall-after",
            opts.stall_after,
            opts.stall_persist,
            "--stall-persist",
        );
        fault(
            "--fail-data-after",
            opts.fail_data_after,
            opts.fail_data_persist,
            "--fail-data-persist",
        );
        if let Some(code) = opts.fail_data_code {
            cmd.arg("--fail-data-code").arg(code.to_string());
        }
        if let Some(sock) = &opts.lmtp {
            cmd.arg("--lmtp").arg(sock);
        }
        if opts.pipelining {
            cmd.arg("--pipelining");
        }
        if opts.verbose {
            cmd.arg("--verbose");
        }

        let log = fs::File::create(&log_path).expect("create SMTP server log");
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {PYTHON} smtp_server.py: {e}"));
        let mut server = SmtpServer {
            port: 0,
            maildir,
            log_path,
            child: Some(child),
            _dir: dir,
        };

        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            // The server writes the file atomically once it is listening.
            if let Ok(text) = fs::read_to_string(&port_file) {
                server.port = text.trim().parse().expect("port file holds a port number");
                return server;
            }
            if let Some(status) = server.try_wait() {
                panic!(
                    "SMTP test server exited ({status}) during start:\n{}",
                    server.log()
                );
            }
            if Instant::now() > deadline {
                server.stop();
                panic!(
                    "SMTP test server did not start within 10 s:\n{}",
                    server.log()
                );
            }
            sleep(POLL);
        }
    }

    /// `127.0.0.1:<port>`.
    pub(crate) fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Accepted messages, oldest first. A message is here as soon as the
    /// client has seen the 250 reply to its DATA.
    pub(crate) fn messages(&self) -> Vec<Received> {
        let new = self.maildir.join("new");
        let mut names: Vec<PathBuf> = match fs::read_dir(&new) {
            Ok(rd) => rd.map(|e| e.expect("read maildir entry").path()).collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => panic!("cannot read {}: {e}", new.display()),
        };
        // File names start with the zero-padded accept sequence number.
        names.sort();
        names
            .iter()
            .map(|p| parse_stored(&read_to_string(p)))
            .collect()
    }

    /// The server's log (its own events; the whole dialogue with `verbose`).
    pub(crate) fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Kills the server now, e.g. to test a server that went away; the
    /// stored messages stay readable until drop.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Messages are renamed into place before any 250, so SIGKILL
            // loses nothing a client was told was accepted.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        let child = self.child.as_mut()?;
        child.try_wait().expect("poll SMTP server process")
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A running private Dovecot (IMAP + LMTP); killed on drop.
///
/// Plaintext LOGIN works even without TLS, because Dovecot counts
/// connections from 127.0.0.1 to 127.0.0.1 as secure. User names are
/// lowercased and stripped of `@domain`, so `Ada@example.com` is user `ada`.
pub(crate) struct Dovecot {
    /// IMAP, STARTTLS offered (port 143 style).
    pub imap_starttls_port: u16,
    /// IMAP over implicit TLS (port 993 style).
    pub imap_tls_port: u16,
    /// Unix socket accepting LMTP, e.g. for [`SmtpOptions::lmtp`].
    pub lmtp_socket: PathBuf,
    /// The instance's folder (config, logs, mail under `mail/<user>`).
    pub dir: PathBuf,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

impl Dovecot {
    /// Starts Dovecot with these `(user, password)` accounts and waits
    /// until it accepts connections. Panics, with its log, on failure.
    pub(crate) fn start(users: &[(&str, &str)]) -> Dovecot {
        ensure_installed();
        let certs = certs();
        // Not std::env::temp_dir(): Dovecot's unprivileged processes must be
        // able to enter the folder, and its socket paths must stay short.
        let tmp = tempfile::Builder::new()
            .prefix("intro-dc-")
            .tempdir_in("/tmp")
            .expect("create temp dir for Dovecot");
        let dir = tmp.path().to_path_buf();
        let mut dovecot = Dovecot {
            imap_starttls_port: 0,
            imap_tls_port: 0,
            lmtp_socket: PathBuf::new(),
            dir: dir.clone(),
            child: None,
            _dir: tmp,
        };

        // A port chosen by dovecot.py can be taken before Dovecot binds it;
        // a fresh attempt picks new ports.
        for attempt in 1..=3 {
            let _ = fs::remove_file(dir.join("env"));
            let stderr = fs::File::create(dir.join("startup.log")).expect("create Dovecot log");
            let mut cmd = Command::new(PYTHON);
            cmd.arg(servers_dir().join("dovecot.py"))
                .arg("exec")
                .arg(&dir)
                .arg("--cert")
                .arg(&certs.cert)
                .arg("--key")
                .arg(&certs.key);
            for (user, pass) in users {
                cmd.arg("--user").arg(format!("{user}:{pass}"));
            }
            // dovecot.py execs Dovecot, so this child is the master process;
            // its own process group lets drop kill all of Dovecot at once.
            let child = cmd
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {PYTHON} dovecot.py: {e}"));
            dovecot.child = Some(child);
            match dovecot.wait_ready() {
                Ok(()) => return dovecot,
                Err(exited) => {
                    let log = dovecot.log();
                    dovecot.stop();
                    let port_taken = exited && log.contains("in use");
                    assert!(port_taken && attempt < 3, "Dovecot did not start:\n{log}");
                }
            }
        }
        unreachable!("the last attempt panics or returns")
    }

    /// Waits until both IMAP ports and the LMTP socket accept connections.
    /// `Err(true)` if Dovecot exited, `Err(false)` on timeout.
    fn wait_ready(&mut self) -> Result<(), bool> {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut env = None;
        loop {
            if self.exited() {
                return Err(true);
            }
            if env.is_none() {
                env = fs::read_to_string(self.dir.join("env"))
                    .ok()
                    .map(|t| parse_env(&t));
                if let Some(e) = &env {
                    self.imap_starttls_port = env_port(e, "IMAP_STARTTLS_PORT");
                    self.imap_tls_port = env_port(e, "IMAP_TLS_PORT");
                    self.lmtp_socket = PathBuf::from(env_value(e, "LMTP_SOCKET"));
                }
            }
            if env.is_some()
                && TcpStream::connect(("127.0.0.1", self.imap_starttls_port)).is_ok()
                && TcpStream::connect(("127.0.0.1", self.imap_tls_port)).is_ok()
                && UnixStream::connect(&self.lmtp_socket).is_ok()
                // A port taken by someone else also accepts; Dovecot exits then.
                && !self.exited()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(false);
            }
            sleep(POLL);
        }
    }

    fn exited(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => c.try_wait().expect("poll Dovecot process").is_some(),
            None => true,
        }
    }

    /// Puts `raw_message` into `user`'s INBOX (via LMTP, so Dovecot indexes
    /// it like any delivered mail). Bare LF line endings are fine.
    pub(crate) fn deliver(&self, user: &str, raw_message: &str) {
        if let Err(e) = lmtp_deliver(&self.lmtp_socket, user, raw_message) {
            panic!("LMTP delivery to {user} failed: {e}\n{}", self.log());
        }
    }

    /// The raw messages in `user`'s INBOX, read from disk (unread ones
    /// first in delivery order, then ones an IMAP client has seen).
    pub(crate) fn inbox(&self, user: &str) -> Vec<String> {
        let root = self.dir.join("mail").join(user.to_lowercase());
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            let mut files: Vec<PathBuf> = match fs::read_dir(root.join(sub)) {
                Ok(rd) => rd.map(|e| e.expect("read maildir entry").path()).collect(),
                Err(_) => continue,
            };
            // Dovecot names files "<unix time>.M<usec>P<pid>...".
            files.sort();
            out.extend(files.iter().map(|p| read_to_string(p)));
        }
        out
    }

    /// Dovecot's log (startup errors first).
    pub(crate) fn log(&self) -> String {
        let startup = fs::read_to_string(self.dir.join("startup.log")).unwrap_or_default();
        let log = fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default();
        format!("{startup}{log}")
    }

    /// Stops Dovecot now. SIGTERM goes to the whole process group: the
    /// master alone, signalled, takes 1-2.5 s to shut its children down,
    /// but with all of them signalled at once it exits within milliseconds.
    pub(crate) fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // std cannot signal a process group; the shell's kill can.
        let pgid = child.id();
        let signal_group = |sig: &str| {
            let _ = Command::new("sh")
                .arg("-c")
                .arg(format!("kill -s {sig} -- -{pgid} 2>/dev/null"))
                .status();
        };
        signal_group("TERM");
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if !matches!(child.try_wait(), Ok(None)) {
                return;
            }
            sleep(POLL);
        }
        signal_group("KILL");
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One LMTP transaction: LHLO, MAIL FROM:<>, RCPT TO:<rcpt>, DATA.
fn lmtp_deliver(socket: &Path, rcpt: &str, raw: &str) -> Result<(), String> {
    let stream = UnixStream::connect(socket).map_err(|e| format!("connect: {e}"))?;
    let timeout = Some(Duration::from_secs(10));
    stream
        .set_read_timeout(timeout)
        .map_err(|e| e.to_string())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);

    let mut expect = |want: u16, what: &str| -> Result<(), String> {
        let reply = read_reply(&mut reader).map_err(|e| format!("{what}: {e}"))?;
        if reply.starts_with(&want.to_string()) {
            Ok(())
        } else {
            Err(format!("{what}: {}", reply.trim_end()))
        }
    };
    let mut send = |line: &str| writer.write_all(line.as_bytes()).map_err(|e| e.to_string());

    expect(220, "greeting")?;
    send("LHLO localhost\r\n")?;
    expect(250, "LHLO")?;
    send("MAIL FROM:<>\r\n")?;
    expect(250, "MAIL")?;
    send(&format!("RCPT TO:<{rcpt}>\r\n"))?;
    expect(250, "RCPT")?;
    send("DATA\r\n")?;
    expect(354, "DATA")?;
    send(&dot_stuff(raw))?;
    expect(250, "end of DATA")?;
    send("QUIT\r\n")?;
    Ok(())
}

/// Reads one (possibly multi-line) SMTP/LMTP reply.
fn read_reply(reader: &mut impl BufRead) -> std::io::Result<String> {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("connection closed after {all:?}"),
            ));
        }
        all.push_str(&line);
        // "250-..." continues, "250 ..." ends.
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(all);
        }
    }
}

/// CRLF line endings, leading dots doubled, terminating ".".
fn dot_stuff(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 16);
    for line in raw.lines() {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(".\r\n");
    out
}

/// Splits a stored file into the envelope lines `smtp_server.py` prepends
/// and the message itself.
fn parse_stored(text: &str) -> Received {
    let mut env_from = String::new();
    let mut env_rcpt = Vec::new();
    let mut rest = text;
    loop {
        let (line, tail) = rest.split_once("\r\n").unwrap_or((rest, ""));
        if let Some(v) = line.strip_prefix("X-Envelope-From: ") {
            env_from = v.to_string();
        } else if let Some(v) = line.strip_prefix("X-Envelope-To: ") {
            env_rcpt.push(v.to_string());
        } else {
            break;
        }
        rest = tail;
    }
    Received {
        env_from,
        env_rcpt,
        raw: rest.to_string(),
    }
}

fn header_block(raw: &str) -> &str {
    let end = [raw.find("\r\n\r\n"), raw.find("\n\n")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(raw.len());
    &raw[..end]
}

fn body_of(raw: &str) -> &str {
    [("\r\n\r\n", 4), ("\n\n", 2)]
        .iter()
        .filter_map(|(sep, len)| raw.find(sep).map(|i| (i, i + len)))
        .min()
        .map_or("", |(_, start)| &raw[start..])
}

fn headers_of(raw: &str, name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in header_block(raw).lines() {
        if line.starts_with([' ', '\t']) {
            // Folded continuation of the previous header.
            if let Some(v) = current.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        out.extend(current.take());
        if let Some((n, v)) = line.split_once(':')
            && n.trim().eq_ignore_ascii_case(name)
        {
            current = Some(v.trim().to_string());
        }
    }
    out.extend(current);
    out
}

fn header_of(raw: &str, name: &str) -> Option<String> {
    headers_of(raw, name).into_iter().next()
}

fn parse_env(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn env_value<'a>(env: &'a [(String, String)], key: &str) -> &'a str {
    env.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("dovecot.py wrote no {key}"))
}

fn env_port(env: &[(String, String)], key: &str) -> u16 {
    env_value(env, key)
        .parse()
        .unwrap_or_else(|e| panic!("bad {key} from dovecot.py: {e}"))
}

fn read_to_string(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    String::from_utf8_lossy(&bytes).into_owned()
}
