//! Checks the mail test servers themselves (`tests/support/mail_servers.rs`),
//! so a failure in intro's own mail tests can be trusted to be intro's.
//! Plain SMTP is driven by hand over `TcpStream`; TLS and IMAP through
//! Debian's Python (smtplib, imaplib), which avoids TLS crates in tests.

#![allow(clippy::unwrap_used)]

use crate::support::mail_servers::{Dovecot, Security, SmtpOptions, SmtpServer, certs};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

/// A line-oriented SMTP client for the plain-text dialogue.
struct Dialogue {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Dialogue {
    fn connect(server: &SmtpServer) -> Dialogue {
        let stream = TcpStream::connect(server.addr()).expect("connect to SMTP server");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("set timeout");
        let writer = stream.try_clone().expect("clone stream");
        let mut d = Dialogue {
            reader: BufReader::new(stream),
            writer,
        };
        d.expect("220");
        d
    }

    /// Next reply, all lines joined; Err on timeout or closed connection.
    fn reply(&mut self) -> std::io::Result<String> {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok(all);
            }
        }
    }

    fn expect(&mut self, code: &str) -> String {
        let r = self.reply().expect("SMTP reply");
        assert!(r.starts_with(code), "wanted {code}, got {r:?}");
        r
    }

    fn send(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .expect("write to SMTP server");
    }

    fn cmd(&mut self, line: &str, code: &str) -> String {
        self.send(line);
        self.expect(code)
    }

    /// MAIL, RCPTs, DATA; returns the reply to the end of DATA.
    fn mail(&mut self, from: &str, to: &[&str], subject: &str) -> String {
        self.cmd(&format!("MAIL FROM:<{from}>"), "250");
        for rcpt in to {
            self.cmd(&format!("RCPT TO:<{rcpt}>"), "250");
        }
        self.cmd("DATA", "354");
        self.send(&format!(
            "From: {from}\r\nSubject: {subject}\r\n\r\nHello.\r\n..leading dot\r\n."
        ));
        self.reply().expect("reply to end of DATA")
    }
}

fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Runs a Python snippet with Debian's interpreter; returns stdout, panics
/// with stderr if it fails.
fn python(script: &str, args: &[String]) -> String {
    let out = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run /usr/bin/python3");
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn auth(user: &str, pass: &str) -> Option<(String, String)> {
    Some((user.to_string(), pass.to_string()))
}

#[test]
fn plain_smtp_with_auth_stores_message_and_envelope() {
    let server = SmtpServer::start(SmtpOptions {
        auth: auth("ada", "adapass"),
        ..Default::default()
    });
    let mut d = Dialogue::connect(&server);
    let ehlo = d.cmd("EHLO client.test", "250");
    assert!(ehlo.contains("AUTH"), "AUTH not offered: {ehlo}");
    d.cmd("MAIL FROM:<ada@example.com>", "530");
    d.cmd(&format!("AUTH PLAIN {}", base64(b"\0ada\0wrong")), "535");
    d.cmd(&format!("AUTH PLAIN {}", base64(b"\0ada\0adapass")), "235");
    let reply = d.mail(
        "ada@example.com",
        &["bob@example.com", "carol@example.com"],
        "Plain test",
    );
    assert!(reply.starts_with("250"), "{reply}");
    d.cmd("QUIT", "221");

    let msgs = server.messages();
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_eq!(m.env_from, "ada@example.com");
    assert_eq!(m.env_rcpt, ["bob@example.com", "carol@example.com"]);
    assert_eq!(m.header("subject").as_deref(), Some("Plain test"));
    assert_eq!(m.body(), "Hello.\r\n.leading dot\r\n");
}

#[test]
fn no_auth_offered_without_credentials() {
    let server = SmtpServer::start(SmtpOptions::default());
    let mut d = Dialogue::connect(&server);
    let ehlo = d.cmd("EHLO client.test", "250");
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    assert!(
        d.mail("a@example.com", &["b@example.com"], "x")
            .starts_with("250")
    );
}

#[test]
fn rejected_and_tempfailed_recipients() {
    let server = SmtpServer::start(SmtpOptions {
        reject_rcpt: vec!["nobody@example.com".into()],
        tempfail_rcpt: vec!["later@example.com".into()],
        ..Default::default()
    });
    let mut d = Dialogue::connect(&server);
    d.cmd("EHLO client.test", "250");
    d.cmd("MAIL FROM:<ada@example.com>", "250");
    d.cmd("RCPT TO:<Nobody@Example.com>", "550");
    d.cmd("RCPT TO:<later@example.com>", "451");
    d.cmd("RCPT TO:<bob@example.com>", "250");
    d.cmd("DATA", "354");
    d.send("Subject: partial\r\n\r\nhi\r\n.");
    d.expect("250");

    let msgs = server.messages();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].env_rcpt, ["bob@example.com"]);
}

#[test]
fn drop_after_closes_connection_once_without_storing() {
    let server = SmtpServer::start(SmtpOptions {
        drop_after: Some(1),
        ..Default::default()
    });
    let mut d = Dialogue::connect(&server);
    d.cmd("EHLO client.test", "250");
    assert!(
        d.mail("a@example.com", &["b@example.com"], "one")
            .starts_with("250")
    );
    let mut rest = String::new();
    d.cmd("MAIL FROM:<a@example.com>", "250");
    d.cmd("RCPT TO:<b@example.com>", "250");
    d.cmd("DATA", "354");
    d.send("Subject: two\r\n\r\nhi\r\n.");
    // The connection is aborted: EOF or reset, never a reply.
    let got = d.reader.read_to_string(&mut rest);
    assert!(rest.is_empty(), "unexpected reply {rest:?} ({got:?})");

    // One-shot: a new connection works again.
    let mut d = Dialogue::connect(&server);
    d.cmd("EHLO client.test", "250");
    assert!(
        d.mail("a@example.com", &["b@example.com"], "three")
            .starts_with("250")
    );
    let subjects: Vec<_> = server
        .messages()
        .iter()
        .map(|m| m.header("Subject").unwrap_or_default())
        .collect();
    assert_eq!(subjects, ["one", "three"]);
}

#[test]
fn stall_after_stops_answering() {
    let server = SmtpServer::start(SmtpOptions {
        stall_after: Some(1),
        ..Default::default()
    });
    let mut d = Dialogue::connect(&server);
    d.cmd("EHLO client.test", "250");
    assert!(
        d.mail("a@example.com", &["b@example.com"], "one")
            .starts_with("250")
    );
    d.writer
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("set timeout");
    d.send("MAIL FROM:<a@example.com>");
    let err = d.reply().expect_err("stalled server must not answer");
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{err:?}"
    );
}

#[test]
fn fail_data_after_refuses_next_message() {
    let server = SmtpServer::start(SmtpOptions {
        fail_data_after: Some(0),
        fail_data_code: Some(451),
        ..Default::default()
    });
    let mut d = Dialogue::connect(&server);
    d.cmd("EHLO client.test", "250");
    assert!(
        d.mail("a@example.com", &["b@example.com"], "one")
            .starts_with("451")
    );
    assert!(
        d.mail("a@example.com", &["b@example.com"], "two")
            .starts_with("250")
    );
    assert_eq!(server.messages().len(), 1);
}

/// Sends one message with smtplib over STARTTLS or implicit TLS, trusting
/// `ca`; prints "sent" or the exception's class name.
const SMTPLIB_SEND: &str = r#"
import smtplib, ssl, sys
mode, port, ca, user, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=ca)
try:
    if mode == "tls":
        s = smtplib.SMTP_SSL("localhost", port, context=ctx, timeout=5)
    else:
        s = smtplib.SMTP("localhost", port, timeout=5)
        s.starttls(context=ctx)
    s.login(user, pw)
    s.sendmail("ada@example.com", ["bob@example.com"], "Subject: over " + mode + "\r\n\r\nhi\r\n")
    s.quit()
    print("sent")
except Exception as e:
    print(type(e).__name__)
"#;

#[test]
fn starttls_and_implicit_tls_with_auth() {
    for (security, mode) in [(Security::StartTls, "starttls"), (Security::Tls, "tls")] {
        let server = SmtpServer::start(SmtpOptions {
            security,
            auth: auth("ada", "adapass"),
            ..Default::default()
        });
        let run = |ca: &std::path::Path, pw: &str| {
            let args = [
                mode,
                &server.port.to_string(),
                &ca.to_string_lossy(),
                "ada",
                pw,
            ]
            .map(String::from);
            python(SMTPLIB_SEND, &args).trim().to_string()
        };
        assert_eq!(
            run(&certs().other_ca_pem, "adapass"),
            "SSLCertVerificationError"
        );
        assert_eq!(run(&certs().ca_pem, "wrong"), "SMTPAuthenticationError");
        assert_eq!(run(&certs().ca_pem, "adapass"), "sent");
        let msgs = server.messages();
        assert_eq!(msgs.len(), 1, "{mode}");
        assert_eq!(msgs[0].header("Subject"), Some(format!("over {mode}")));
    }
}

#[test]
fn starttls_is_required_before_mail() {
    let server = SmtpServer::start(SmtpOptions {
        security: Security::StartTls,
        ..Default::default()
    });
    let mut d = Dialogue::connect(&server);
    let ehlo = d.cmd("EHLO client.test", "250");
    assert!(ehlo.contains("STARTTLS"), "{ehlo}");
    d.cmd("MAIL FROM:<a@example.com>", "530");
}

/// Logs in over IMAP (STARTTLS or implicit TLS) and prints the subjects
/// of INBOX messages whose Message-ID is argv[6], or the error class.
const IMAP_SEARCH: &str = r#"
import imaplib, ssl, sys
mode, port, ca, user, pw, msgid = sys.argv[1], int(sys.argv[2]), *sys.argv[3:7]
ctx = ssl.create_default_context(cafile=ca)
try:
    if mode == "tls":
        m = imaplib.IMAP4_SSL("localhost", port, ssl_context=ctx)
    else:
        m = imaplib.IMAP4("localhost", port)
        m.starttls(ctx)
    m.login(user, pw)
    m.select("INBOX")
    _, data = m.uid("SEARCH", "HEADER", "Message-ID", msgid)
    for uid in data[0].split():
        _, parts = m.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        print(parts[0][1].decode().strip())
    m.logout()
    print("ok")
except Exception as e:
    print(type(e).__name__)
"#;

fn imap_search(dc: &Dovecot, tls: bool, user: &str, pw: &str, msgid: &str) -> String {
    let (mode, port) = if tls {
        ("tls", dc.imap_tls_port)
    } else {
        ("starttls", dc.imap_starttls_port)
    };
    let args = [
        mode,
        &port.to_string(),
        &certs().ca_pem.to_string_lossy(),
        user,
        pw,
        msgid,
    ]
    .map(String::from);
    python(IMAP_SEARCH, &args).trim().to_string()
}

#[test]
fn dovecot_login_and_direct_delivery() {
    let dc = Dovecot::start(&[("ada", "adapass"), ("grace", "gracepass")]);
    dc.deliver(
        "ada",
        "From: bob@example.com\nTo: ada@example.com\nSubject: Re: intro\nMessage-ID: <r1@example.com>\n\nyes\n.\n",
    );
    assert_eq!(
        imap_search(&dc, false, "ada", "adapass", "<r1@example.com>"),
        "Subject: Re: intro\nok"
    );
    assert_eq!(
        imap_search(&dc, true, "Ada@Example.com", "adapass", "<r1@example.com>"),
        "Subject: Re: intro\nok"
    );
    assert_eq!(
        imap_search(&dc, true, "grace", "gracepass", "<r1@example.com>"),
        "ok"
    );
    assert!(imap_search(&dc, false, "ada", "wrong", "<x>").ends_with("error"));
    let inbox = dc.inbox("ada");
    assert_eq!(inbox.len(), 1);
    assert!(
        inbox[0].contains("\n..\n") || inbox[0].contains("\n.\n"),
        "{}",
        inbox[0]
    );
}

#[test]
fn smtp_delivers_into_dovecot_over_lmtp() {
    let dc = Dovecot::start(&[("ada", "adapass")]);
    let server = SmtpServer::start(SmtpOptions {
        lmtp: Some(dc.lmtp_socket.clone()),
        ..Default::default()
    });
    let mut d = Dialogue::connect(&server);
    d.cmd("EHLO client.test", "250");
    d.cmd("MAIL FROM:<bob@example.com>", "250");
    d.cmd("RCPT TO:<ada@example.com>", "250");
    // Unknown to Dovecot: accepted by SMTP, skipped by LMTP.
    d.cmd("RCPT TO:<stranger@example.com>", "250");
    d.cmd("DATA", "354");
    d.send("Subject: via lmtp\r\nMessage-ID: <l1@example.com>\r\n\r\nhi\r\n.");
    d.expect("250");

    assert_eq!(server.messages().len(), 1);
    assert_eq!(
        imap_search(&dc, false, "ada", "adapass", "<l1@example.com>"),
        "Subject: via lmtp\nok"
    );
}
