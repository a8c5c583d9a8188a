//! `--edit`: the rendered message opened in the user's editor, and what
//! they saved read back. Only the Subject and the body can be edited;
//! recipients and threading stay intro's.

use std::io::Write;
use std::process::Command;

use crate::domain::request::Rendered;
use crate::setup::env::Environment;

/// Why an edit ends with nothing sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum EditorError {
    #[error("cannot find the editor `{editor}`; nothing was sent")]
    NotFound { editor: String },
    /// `reason` is the system's word for why it did not start.
    #[error("cannot start the editor `{editor}`: {reason}")]
    Start { editor: String, reason: String },
    /// `status` is how it exited, as the system says it.
    #[error("the editor `{editor}` exited with {status}; nothing was sent")]
    Failed { editor: String, status: String },
    #[error("the message was emptied in the editor; nothing was sent")]
    Emptied,
    /// `first` is the line found where the Subject should be.
    #[error("the edited message must start with `Subject: ...`, not `{first}`; nothing was sent")]
    NoSubjectLine { first: String },
    #[error("the edited Subject is empty; nothing was sent")]
    EmptySubject,
    #[error("the edited message has no body; nothing was sent")]
    NoBody,
}

/// Let the user edit `rendered`. An emptied file aborts.
pub(crate) fn edit(env: &Environment, rendered: &Rendered) -> anyhow::Result<Rendered> {
    // `vi` when neither is set, as git and crontab do: POSIX systems have it.
    let editor = match env.var("VISUAL").or_else(|| env.var("EDITOR")) {
        Some(editor) => editor,
        None if on_path(env, "vi") => "vi",
        None => return Err(no_editor("vi").into()),
    };
    let mut file = tempfile::Builder::new()
        .prefix("intro-message-")
        .suffix(".txt")
        .tempfile()?;
    write!(file, "Subject: {}\n\n{}", rendered.subject, rendered.body)?;
    file.as_file().sync_all()?;
    // Through the shell, so EDITOR="code --wait" works as it does for git.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()
        .map_err(|e| EditorError::Start {
            editor: editor.to_string(),
            reason: e.to_string(),
        })?;
    // The shell's "command not found".
    if status.code() == Some(127) {
        return Err(no_editor(editor).into());
    }
    if !status.success() {
        return Err(EditorError::Failed {
            editor: editor.to_string(),
            status: status.to_string(),
        }
        .into());
    }
    let text = std::fs::read_to_string(file.path())?;
    parse(&text)
}

fn no_editor(editor: &str) -> EditorError {
    EditorError::NotFound {
        editor: editor.to_string(),
    }
}

/// Whether `program` is an executable file in a directory of `$PATH`.
fn on_path(env: &Environment, program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    let path = env.var("PATH").unwrap_or("/usr/bin:/bin");
    std::env::split_paths(path).any(|dir| {
        std::fs::metadata(dir.join(program))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// Read an edited message back: `Subject: ...`, a blank line, the body.
fn parse(text: &str) -> anyhow::Result<Rendered> {
    let text = text.replace("\r\n", "\n");
    if text.trim().is_empty() {
        return Err(EditorError::Emptied.into());
    }
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let subject = match first.split_once(':') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("subject") => value.trim(),
        _ => {
            return Err(EditorError::NoSubjectLine {
                first: first.to_string(),
            }
            .into());
        }
    };
    if subject.is_empty() {
        return Err(EditorError::EmptySubject.into());
    }
    let body = rest.strip_prefix('\n').unwrap_or(rest).trim_end();
    if body.is_empty() {
        return Err(EditorError::NoBody.into());
    }
    Ok(Rendered {
        subject: subject.to_string(),
        body: format!("{body}\n"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_subject_and_body() {
        let r = parse("Subject: Hello there\n\nHi Ada,\r\n\nBye\n\n\n").unwrap();
        assert_eq!(r.subject, "Hello there");
        assert_eq!(r.body, "Hi Ada,\n\nBye\n");
    }

    #[test]
    fn an_emptied_or_headless_file_aborts() {
        assert!(parse("  \n\n").unwrap_err().to_string().contains("emptied"));
        assert!(
            parse("Hi Ada\n\nbody")
                .unwrap_err()
                .to_string()
                .contains("must start with")
        );
        assert!(
            parse("Subject: x\n\n   \n")
                .unwrap_err()
                .to_string()
                .contains("no body")
        );
    }
}
