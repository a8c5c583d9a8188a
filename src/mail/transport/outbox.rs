//! The outbox transport: each message becomes a complete `.eml` file, named
//! by what it is and its Message-ID, so re-sending an interrupted message
//! replaces the file instead of adding a second copy.

use std::path::PathBuf;

use super::{SendError, Severity, Transport};
use crate::fsutil;
use crate::mail::message::Outgoing;

pub(crate) struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    pub(crate) fn new(dir: PathBuf) -> Outbox {
        Outbox { dir }
    }

    /// The file a message is written to.
    pub(crate) fn path_for(&self, message: &Outgoing) -> PathBuf {
        self.dir
            .join(eml_file_name(&message.label, &message.message_id))
    }
}

/// `ab12.ask` and `<3f9c@example.com>` become `ab12.ask.3f9c@example.com.eml`:
/// the request and purpose first, so the files sort and say what they are.
pub(super) fn eml_file_name(label: &str, message_id: &str) -> String {
    let safe = |s: &str| -> String {
        s.trim_matches(|c| c == '<' || c == '>')
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    match label {
        "" => format!("{}.eml", safe(message_id)),
        _ => format!("{}.{}.eml", safe(label), safe(message_id)),
    }
}

impl Transport for Outbox {
    fn send(&mut self, message: &Outgoing) -> Result<(), SendError> {
        let path = self.path_for(message);
        fsutil::write_atomic(&path, &message.bytes).map_err(|e| {
            SendError::new(
                Severity::Fatal,
                format!("cannot write `{}`: {e}", path.display()),
            )
            .hint("check the data dir's permissions and free space (set `INTRO_DATA_DIR` to use another)")
        })
    }

    fn describe(&self) -> String {
        format!("the outbox ({})", self.dir.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(eml_file_name("", "<a/b.c@d>"), "a_b.c@d.eml");
        assert_eq!(eml_file_name("ab12.ask-b", "<3f@d>"), "ab12.ask-b.3f@d.eml");
    }
}
