//! Drafts saved under `drafts/`, read back after the user may have edited
//! them in their mail client or editor. Only the Subject and the body are
//! taken from a draft; recipients and threading stay intro's, so an edit
//! cannot add a reader.

use std::path::Path;

use crate::error::UserError;
use crate::mail::template::Rendered;

/// The Subject and body of the draft at `path`, or `None` when there is no
/// such file.
pub(crate) fn read(path: &Path) -> Result<Option<Rendered>, UserError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(
                UserError::new(format!("cannot read the draft `{}`: {e}", path.display())).hint(
                    "nothing was sent: fix its permissions, or delete it to start from a new draft",
                ),
            );
        }
    };
    parse(&bytes).map(Some).map_err(|e| {
        let err = match e.line {
            Some(line) => UserError::new(format!(
                "the draft `{}` line {line}: {}",
                path.display(),
                e.message
            )),
            None => UserError::new(format!("the draft `{}`: {}", path.display(), e.message)),
        };
        err.hint("nothing was sent: fix the draft (headers, a blank line, then the body)")
            .hint("or delete it to send the introduction as intro writes it")
    })
}

/// The headers of an edited `draft` that sending it as `sent` leaves out:
/// each one the user added or changed (a `Bcc:`, a `Cc:`, another `To:`),
/// by name, once. The Subject is taken from the draft, and the headers
/// intro writes anew for each message (Date, Message-ID, the MIME ones)
/// are no edit of the user's.
pub(crate) fn ignored_headers(draft: &[u8], sent: &[u8]) -> Vec<String> {
    const OWN: [&str; 6] = [
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
    ];
    let sent = headers(sent);
    let mut ignored: Vec<String> = Vec::new();
    for (name, value) in headers(draft) {
        let lower = name.to_ascii_lowercase();
        let kept = OWN.contains(&lower.as_str())
            || sent
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case(&name) && *v == value);
        if !kept && !ignored.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            ignored.push(name);
        }
    }
    ignored
}

/// A message's header lines, unfolded, values with their spaces squeezed.
fn headers(bytes: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = out.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    for (_, value) in &mut out {
        *value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    out
}

/// What is wrong with a draft, and on which line (1-based).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DraftError {
    pub line: Option<usize>,
    pub message: String,
}

fn problem(line: Option<usize>, message: impl Into<String>) -> DraftError {
    DraftError {
        line,
        message: message.into(),
    }
}

/// Read a message's Subject and body: header lines (`Name: value`, or a
/// folded continuation), a blank line, the body. A line that is neither
/// is refused rather than guessed at: sending half a header as the body
/// would garble the message.
pub(crate) fn parse(bytes: &[u8]) -> Result<Rendered, DraftError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| problem(None, format!("it is not UTF-8 text ({e})")))?;
    let mut body_start = None;
    let mut subject_seen = false;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let number = i + 1;
        offset += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            body_start = Some(offset);
            break;
        }
        if line.starts_with([' ', '\t']) {
            if i == 0 {
                return Err(problem(
                    Some(number),
                    "the first line is indented; a message starts with a header such as `Subject: ...`",
                ));
            }
            continue;
        }
        let name = match line.split_once(':') {
            Some((name, _)) if !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic()) => {
                name
            }
            _ => {
                return Err(problem(
                    Some(number),
                    format!(
                        "`{line}` is not a header (`Name: value`) and no blank line came before it"
                    ),
                ));
            }
        };
        subject_seen |= name.eq_ignore_ascii_case("subject");
    }
    let Some(body_start) = body_start else {
        return Err(problem(
            None,
            "it has no blank line between its headers and its body",
        ));
    };
    if !subject_seen {
        return Err(problem(None, "it has no `Subject:` line"));
    }
    let parsed = mail_parser::MessageParser::default()
        .parse(bytes)
        .ok_or_else(|| problem(None, "it cannot be read as a message"))?;
    let subject = parsed.subject().unwrap_or_default().trim().to_string();
    if subject.is_empty() {
        return Err(problem(None, "its Subject is empty"));
    }
    // The body as the reader sees it (quoted-printable decoded); a body
    // mail-parser cannot find is taken as written.
    let body = parsed.body_text(0).map_or_else(
        || text[body_start..].to_string(),
        std::borrow::Cow::into_owned,
    );
    let body = body.replace("\r\n", "\n");
    let body = body.trim_end();
    if body.trim().is_empty() {
        return Err(problem(None, "its body is empty"));
    }
    Ok(Rendered {
        subject,
        body: format!("{body}\n"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_subject_and_body_of_a_message() {
        let r = parse(b"From: a@example.com\r\nSubject: Hello\r\n  there\r\nMIME-Version: 1.0\r\n\r\nHi Ada,\r\n\r\nBye\r\n\r\n").unwrap();
        assert_eq!(r.subject, "Hello there");
        assert_eq!(r.body, "Hi Ada,\n\nBye\n");
    }

    #[test]
    fn decodes_what_the_message_encoded() {
        let r = parse(
            b"Subject: =?utf-8?b?Sm9zw6kgPD4gQWRh?=\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nJos=C3=A9 says hi=\n!\n",
        )
        .unwrap();
        assert_eq!(r.subject, "José <> Ada");
        assert_eq!(r.body, "José says hi!\n");
    }

    #[test]
    fn headers_added_or_changed_in_a_draft_are_named_once() {
        let sent = b"From: me@example.com\r\nTo: a@example.com,\r\n b@example.com\r\nSubject: Hi\r\nDate: x\r\n\r\nbody\r\n";
        let draft = b"From: me@example.com\nTo: a@example.com, b@example.com\nSubject: Changed\nDate: y\nBcc: c@example.com\nCc: d@example.com\nbcc: e@example.com\n\nbody\n";
        assert_eq!(ignored_headers(draft, sent), ["Bcc", "Cc"]);
        let draft = b"From: me@example.com\nTo: a@example.com\nSubject: Hi\n\nbody\n";
        assert_eq!(ignored_headers(draft, sent), ["To"]);
        assert!(ignored_headers(sent, sent).is_empty());
    }

    #[test]
    fn a_mangled_header_names_its_line() {
        let err =
            parse(b"To: a@example.com\nSubject: Hi\nthis is not a header\n\nbody\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("`this is not a header`"), "{err:?}");
        assert_eq!(parse(b"  Subject: x\n\nbody\n").unwrap_err().line, Some(1));
        assert_eq!(parse(b"Subject x\n\nbody\n").unwrap_err().line, Some(1));
    }

    #[test]
    fn a_draft_without_subject_separator_or_body_is_refused() {
        assert!(
            parse(b"To: a@b\n\nbody\n")
                .unwrap_err()
                .message
                .contains("Subject")
        );
        assert!(
            parse(b"Subject: x\nbody\n")
                .unwrap_err()
                .message
                .contains("blank line")
        );
        assert!(
            parse(b"Subject: x\n\n  \n")
                .unwrap_err()
                .message
                .contains("body is empty")
        );
        assert!(
            parse(b"Subject:\n\nbody\n")
                .unwrap_err()
                .message
                .contains("Subject is empty")
        );
        assert!(
            parse(b"Subject: x\n\n\xff\n")
                .unwrap_err()
                .message
                .contains("UTF-8")
        );
    }
}
