//! A sendmail transport for tests that stops intro at its worst moment:
//! each message is kept as a file in `spool/`, and when armed the command
//! takes the store's lock before it reports success, so intro is held after
//! the message was accepted and before it can record that.

use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use super::sandbox::Sandbox;
use super::sendmail;

/// A sendmail transport that keeps each message as a file in `spool/` and,
/// when armed, takes the store's lock before it reports success: intro is
/// then held after the message was accepted and before it can record that,
/// which is where a kill is worst.
pub(crate) struct HeldSendmail {
    pub dir: PathBuf,
}

impl HeldSendmail {
    /// Write the sandbox's config to send through it, with `extra` tables.
    pub(crate) fn install(sb: &Sandbox, extra: &str) -> HeldSendmail {
        let dir = sb.root().join("sendmail");
        std::fs::create_dir_all(dir.join("spool")).unwrap();
        let lock = sb.data_dir().join("store.lock");
        let script = format!(
            r#"set -e
d='{dir}'
cat > "$d/spool/$(date +%s%N).eml"
if [ -e "$d/armed" ] && [ ! -e "$d/held" ]; then
  # Held until released, or for 30 s at most should the test be gone.
  flock -x '{lock}' sh -c "touch '$d/held'; i=0; while [ ! -e '$d/release' ] && [ \$i -lt 3000 ]; do sleep 0.01; i=\$((i+1)); done" \
    </dev/null >/dev/null 2>&1 &
  while [ ! -e "$d/held" ]; do sleep 0.01; done
fi
"#,
            dir = dir.display(),
            lock = lock.display()
        );
        sendmail::install(sb, &dir, &script, extra);
        HeldSendmail { dir }
    }

    /// Start `args` and return once its first message was accepted and
    /// intro waits for the store's lock to record it; stdout and stderr are
    /// piped. [`HeldSendmail::release`] lets it go on.
    pub(crate) fn start_held(&self, sb: &Sandbox, args: &[&str]) -> Child {
        for f in ["held", "release"] {
            let _ = std::fs::remove_file(self.dir.join(f));
        }
        std::fs::write(self.dir.join("armed"), "").unwrap();
        let mut child = sb
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.dir.join("held").exists() {
            assert!(
                child.try_wait().unwrap().is_none(),
                "intro {args:?} ended before sending"
            );
            assert!(Instant::now() < deadline, "intro {args:?} never sent");
            std::thread::sleep(Duration::from_millis(5));
        }
        std::fs::remove_file(self.dir.join("armed")).unwrap();
        child
    }

    /// Let go of the store's lock, and wait until it is free.
    pub(crate) fn release(&self, sb: &Sandbox) {
        std::fs::write(self.dir.join("release"), "").unwrap();
        let lock = std::fs::File::open(sb.data_dir().join("store.lock")).unwrap();
        lock.lock().unwrap();
    }

    /// Run `args`, SIGKILL intro once its first message was accepted, let
    /// the lock go, and return that message's Message-ID.
    pub(crate) fn kill_after_acceptance(&self, sb: &Sandbox, args: &[&str]) -> String {
        let before = self.spooled().len();
        let mut child = self.start_held(sb, args);
        child.kill().unwrap();
        child.wait().unwrap();
        self.release(sb);
        let spooled = self.spooled();
        assert_eq!(spooled.len(), before + 1, "one message was accepted");
        spooled.last().unwrap().clone()
    }

    /// Message-IDs of the messages accepted so far, in order.
    pub(crate) fn spooled(&self) -> Vec<String> {
        sendmail::spooled(&self.dir)
    }

    pub(crate) fn copies(&self, id: &str) -> usize {
        self.spooled().iter().filter(|s| *s == id).count()
    }
}
