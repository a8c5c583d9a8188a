//! A sendmail transport for tests that holds a message in flight until the
//! test lets it go: each message is kept as a file in `spool/`, and once
//! armed with [`GatedSendmail::hold_from`], the message that finds that
//! many already spooled waits (saying so) until [`GatedSendmail::release`].
//! A test can then signal intro while it is sending, with no timing.

use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

use super::sandbox::Sandbox;
use super::sendmail;

pub(crate) struct GatedSendmail {
    pub dir: PathBuf,
}

impl GatedSendmail {
    /// Write the sandbox's config to send through it, with `extra` tables.
    pub(crate) fn install(sb: &Sandbox, extra: &str) -> GatedSendmail {
        let dir = sb.root().join("sendmail");
        std::fs::create_dir_all(dir.join("spool")).unwrap();
        let script = format!(
            r#"set -e
d='{dir}'
if [ -e "$d/gate" ] && [ ! -e "$d/open" ] && [ "$(ls "$d/spool" | wc -l)" -ge "$(cat "$d/gate")" ]; then
  touch "$d/waiting"
  # Held until released, or for 30 s at most should the test be gone.
  i=0
  while [ ! -e "$d/open" ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done
fi
cat > "$d/spool/$(date +%s%N).eml"
"#,
            dir = dir.display()
        );
        sendmail::install(sb, &dir, &script, extra);
        GatedSendmail { dir }
    }

    /// Hold the message that finds `spooled` messages in the spool, until
    /// released; the ones before it go through.
    pub(crate) fn hold_from(&self, spooled: usize) {
        for f in ["waiting", "open"] {
            let _ = std::fs::remove_file(self.dir.join(f));
        }
        std::fs::write(self.dir.join("gate"), spooled.to_string()).unwrap();
    }

    /// Wait until a message is held in flight; `child` must not end first.
    pub(crate) fn wait_until_held(&self, child: &mut Child) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.dir.join("waiting").exists() {
            assert!(
                child.try_wait().unwrap().is_none(),
                "intro ended before a message was held"
            );
            assert!(Instant::now() < deadline, "no message was ever held");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Let the held message (and every later one) go through.
    pub(crate) fn release(&self) {
        std::fs::write(self.dir.join("open"), "").unwrap();
    }

    /// Message-IDs of the messages accepted so far, in order.
    pub(crate) fn spooled(&self) -> Vec<String> {
        sendmail::spooled(&self.dir)
    }
}
