//! A sealed environment for running the real `intro` binary: its own config
//! and data dirs, a pinned clock, no inherited HOME or mail settings.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

use super::mail_servers::SmtpServer;

/// The config every sandbox starts with: outbox transport.
pub(crate) const CONFIG: &str = r#"[me]
name = "Grace Hopper"
email = "grace@example.com"
"#;

/// Contacts every sandbox starts with.
pub(crate) const CONTACTS: &str = r#"# test contacts
[ada]
name = "Ada Lovelace"
email = "ada@example.com"
blurb = "Writes the first programs for the Analytical Engine."
note = "PRIVATE-NOTE-ADA"
tags = ["advisor", "compilers"]
company = "Analytical Engines Ltd"

[sam]
name = "Sam Builder"
email = "sam@example.org"
blurb = "Builds developer tools for small teams."

[alan]
name = "Alan Turing"
email = "alan@example.net"

[alan2]
name = "Alan Turing"
email = "turing@example.net"

[kay]
name = "Katherine Johnson"
email = "kay@example.com"
"#;

/// An ask of `ada` about `sam` that says why, what B hopes for and in what
/// format, so it draws no warning; add `--yes` or `--dry-run`.
pub(crate) const COMPLETE_ASK: [&str; 9] = [
    "ask",
    "ada",
    "sam",
    "--why",
    "compilers",
    "--wants",
    "advice",
    "--format",
    "a call",
];

/// `text`, a whole output for an inline snapshot, once it is known to end
/// its last line with one newline: a snapshot does not compare trailing
/// newlines, and the output must not lose or double its last one.
pub(crate) fn whole(text: &str) -> &str {
    assert!(
        text.ends_with('\n') && !text.ends_with("\n\n"),
        "not one newline at the end: {text:?}"
    );
    text
}

/// The ids of a JSON list of requests (`status --json`), in its order.
pub(crate) fn ids_in(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("a list of requests")
        .iter()
        .map(|r| r["id"].as_str().expect("a request has an id"))
        .collect()
}

/// A sandbox with [`people`]`(n)` that sends through `server` (plain SMTP,
/// giving up on a silent server after `timeout_secs`), with `extra` tables.
pub(crate) fn smtp_sandbox(
    server: &SmtpServer,
    n: usize,
    timeout_secs: u32,
    extra: &str,
) -> Sandbox {
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "{CONFIG}\n{extra}\n{}timeout_secs = {timeout_secs}\n",
        server.smtp_table()
    ));
    sb.write_contacts(&people(n));
    sb
}

/// Contacts `p0..p<n>` and `hub`, whom they are asked about: the people of
/// the batch tests.
pub(crate) fn people(n: usize) -> String {
    let mut s = String::from(
        "[hub]\nname = \"Hub Person\"\nemail = \"hub@example.com\"\nblurb = \"Runs the hub.\"\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "[p{i}]\nname = \"Person {i}\"\nemail = \"p{i}@example.com\"\n"
        ));
    }
    s
}

pub(crate) struct Sandbox {
    dir: TempDir,
    now: String,
    env: Vec<(String, String)>,
}

/// What one run of intro did.
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

impl Sandbox {
    pub(crate) fn new() -> Sandbox {
        let sb = Sandbox::empty();
        sb.write_config(CONFIG);
        sb.write_contacts(CONTACTS);
        sb
    }

    /// No config and no contacts yet.
    pub(crate) fn empty() -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        Sandbox {
            dir,
            now: "2026-03-01T09:00:00Z".into(),
            env: Vec::new(),
        }
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn config_dir(&self) -> PathBuf {
        self.root().join("config").join("intro")
    }

    pub(crate) fn data_dir(&self) -> PathBuf {
        self.root().join("data")
    }

    pub(crate) fn write_config(&self, text: &str) {
        self.write(&self.config_dir().join("config.toml"), text);
    }

    pub(crate) fn write_contacts(&self, text: &str) {
        self.write(&self.config_dir().join("contacts.toml"), text);
    }

    pub(crate) fn write(&self, path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub(crate) fn set_now(&mut self, now: &str) {
        self.now = now.into();
    }

    pub(crate) fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.into(), value.into()));
    }

    /// The command, sealed: nothing from the caller's environment but PATH.
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.sealed(env!("CARGO_BIN_EXE_intro"));
        cmd.args(args);
        cmd
    }

    /// Any program in the same sealed environment as intro runs in.
    pub(crate) fn sealed(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.root().join("home"))
            .env("XDG_CONFIG_HOME", self.root().join("config"))
            .env("XDG_DATA_HOME", self.root().join("xdg-data"))
            .env("INTRO_DATA_DIR", self.data_dir())
            .env("INTRO_NOW", &self.now)
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None)
    }

    pub(crate) fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_command(self.command(args), stdin)
    }

    /// Run a command made by `command` or `sealed`.
    pub(crate) fn run_command(&self, mut cmd: Command, stdin: Option<&str>) -> Run {
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        if stdin.is_some() {
            cmd.stdin(Stdio::piped());
        }
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("intro runs");
        if let Some(text) = stdin {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        let out: Output = child.wait_with_output().unwrap();
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(
            !run.stderr.contains("panicked"),
            "intro panicked on {args:?}:\n{}",
            run.stderr
        );
        run
    }

    /// Run and insist on success; returns stdout.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(
            run.code, 0,
            "intro {args:?} failed:\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        run.stdout
    }

    /// Run and insist on exit `code`; returns stderr from its `error:`
    /// line on. Warnings about the input (an ask that leaves something
    /// unsaid) come before anything is sent, so before an error sending
    /// met; tests that check them read them with `run`.
    pub(crate) fn fails(&self, args: &[&str], code: i32) -> String {
        let run = self.run(args);
        assert_eq!(
            run.code, code,
            "intro {args:?} should exit {code}:\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        let mut rest = run.stderr.as_str();
        while rest.starts_with("warning: ") {
            rest = rest.split_once('\n').map_or("", |(_, r)| r);
        }
        assert!(
            rest.starts_with("error: "),
            "stderr must start with `error: ` (after any warnings):\n{}",
            run.stderr
        );
        rest.to_string()
    }

    /// Run with `--json` appended and parse stdout.
    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let mut all: Vec<&str> = args.to_vec();
        all.push("--json");
        let run = self.run(&all);
        assert_eq!(run.code, 0, "intro {all:?} failed:\n{}", run.stderr);
        run.json()
    }

    /// Ask A about B with --yes and return the new request's id.
    pub(crate) fn ask(&self, a: &str, b: &str, why: &str) -> String {
        let v = self.json(&["ask", a, b, "--why", why, "--yes"]);
        v["id"].as_str().expect("ask prints an id").to_string()
    }

    /// An empty Maildir, `Mail/` under the sandbox, for `[maildir] path`.
    pub(crate) fn maildir(&self) -> PathBuf {
        let maildir = self.root().join("Mail");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        maildir
    }

    /// Every request in the store, as `status --all --json` lists them.
    pub(crate) fn all_requests(&self) -> Vec<Value> {
        self.json(&["status", "--all"]).as_array().unwrap().clone()
    }

    /// The request as `status --json` shows it.
    pub(crate) fn request(&self, id: &str) -> Value {
        let v = self.json(&["status", id]);
        v[0].clone()
    }

    /// Every message in the outbox, by file name.
    pub(crate) fn outbox(&self) -> Vec<(String, String)> {
        read_dir_sorted(&self.data_dir().join("outbox"))
    }

    /// The outbox's messages of one kind, by file name: `kind` is the word
    /// their names carry (`ask`, `followup`, `intro`, `decline`, `cancel`).
    pub(crate) fn sent(&self, kind: &str) -> Vec<String> {
        let part = format!(".{kind}.");
        self.outbox()
            .into_iter()
            .filter(|(name, _)| name.contains(&part))
            .map(|(_, message)| message)
            .collect()
    }

    pub(crate) fn drafts(&self) -> Vec<(String, String)> {
        read_dir_sorted(&self.data_dir().join("drafts"))
    }
}

fn read_dir_sorted(dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// The value of header `name` in a raw message (first occurrence, unfolded).
pub(crate) fn header(message: &str, name: &str) -> Option<String> {
    let head = message.split("\r\n\r\n").next().unwrap_or(message);
    let head = head.split("\n\n").next().unwrap_or(head);
    let mut lines = head.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case(name)
        {
            let mut value = v.trim().to_string();
            while let Some(next) = lines.peek() {
                if next.starts_with(' ') || next.starts_with('\t') {
                    value.push(' ');
                    value.push_str(next.trim());
                    lines.next();
                } else {
                    break;
                }
            }
            return Some(value);
        }
    }
    None
}

/// The body of a raw message, with LF line ends.
pub(crate) fn body(message: &str) -> String {
    let text = message.replace("\r\n", "\n");
    text.split_once("\n\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// A message with its volatile headers (Date, Message-ID) masked, for snapshots.
pub(crate) fn stable(message: &str) -> String {
    message
        .replace("\r\n", "\n")
        .lines()
        .map(|l| {
            if l.starts_with("Message-ID:")
                || l.starts_with("In-Reply-To:")
                || l.starts_with("References:")
            {
                let (k, _) = l.split_once(':').unwrap();
                format!("{k}: <masked>")
            } else if l.starts_with("User-Agent:") {
                "User-Agent: intro/<version>".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
