//! What the test sendmail transports share: installing a shell script as
//! intro's transport, and reading back the spool where the script keeps
//! each message it accepts.

use std::path::Path;

use super::sandbox::{CONFIG, Sandbox, header};

/// Write `script` as `dir/sendmail.sh` and the sandbox's config to send
/// through it, with `extra` tables.
pub(crate) fn install(sb: &Sandbox, dir: &Path, script: &str, extra: &str) {
    std::fs::write(dir.join("sendmail.sh"), script).unwrap();
    sb.write_config(&format!(
        "{CONFIG}\n[send]\ntransport = \"sendmail\"\n[sendmail]\ncommand = [\"sh\", \"{}\"]\n{extra}\n",
        dir.join("sendmail.sh").display()
    ));
}

/// Message-IDs of the messages in `dir/spool`, in the order accepted.
pub(crate) fn spooled(dir: &Path) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("spool"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| header(&std::fs::read_to_string(f).unwrap(), "Message-ID").unwrap())
        .collect()
}
