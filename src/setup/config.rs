//! The config file: its schema, where it lives, and what each key means once
//! resolved. Loading reports the file, line and column of a bad key.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

pub(crate) use crate::domain::request::FollowupSettings;
use crate::fsutil;
use crate::setup::textpos::LineCol;

/// Everything the config file says, with defaults filled in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// The contacts file, relative to the config file's folder.
    pub contacts: Option<PathBuf>,
    /// A folder of templates overriding the built-in ones, relative to the config file's folder.
    pub templates: Option<PathBuf>,
    /// Who sends: the From of every message.
    pub me: Me,
    #[serde(default)]
    pub send: SendSettings,
    pub smtp: Option<SmtpSettings>,
    pub sendmail: Option<SendmailSettings>,
    #[serde(default)]
    pub followup: FollowupSettings,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub ask: AskSettings,
    pub imap: Option<ImapSettings>,
    pub maildir: Option<MaildirSettings>,
    #[serde(default)]
    pub sync: SyncSettings,
}

/// How `intro sync` reads what it finds: the config's `[sync]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SyncSettings {
    /// A message from A dated after the ask counts as the answer even
    /// outside the ask's thread (many people answer in a new one).
    #[serde(default)]
    pub any_mail_counts: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Me {
    pub name: Spanned<String>,
    /// What I sign with; derived from `name` when unset.
    pub first_name: Option<String>,
    pub email: Spanned<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SendSettings {
    /// Which transport sends; `None` means "smtp when [smtp] exists, else outbox".
    pub transport: Option<TransportKind>,
    /// Most messages per minute in a batch; 0 = no limit.
    #[serde(default)]
    pub rate_limit: u32,
    /// Add me as Bcc on everything sent.
    #[serde(default)]
    pub bcc_me: bool,
    /// Name intro in a `User-Agent` header (off: a personal note is not
    /// labelled as generated).
    #[serde(default)]
    pub user_agent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TransportKind {
    Smtp,
    Sendmail,
    Outbox,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Security {
    /// Plain connection upgraded with STARTTLS; the upgrade is required.
    Starttls,
    /// Implicit TLS from the first byte.
    Tls,
    /// No encryption at all (a local relay or bridge).
    None,
}

/// A command to run: an argv array, or a string for `sh -c`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum CommandLine {
    /// Run directly, no shell.
    Argv(Vec<String>),
    /// Run with `sh -c`.
    Shell(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SmtpSettings {
    pub host: String,
    #[serde(default, deserialize_with = "port")]
    pub port: Option<u16>,
    #[serde(default = "default_smtp_security")]
    pub security: Security,
    pub username: Option<String>,
    pub password_command: Option<CommandLine>,
    pub password_env: Option<String>,
    pub ca_file: Option<PathBuf>,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    #[serde(default)]
    pub allow_insecure_auth: bool,
}

/// A TCP port, refused in plain words when outside 1-65535.
fn port<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    let Some(n) = Option::<i64>::deserialize(d)? else {
        return Ok(None);
    };
    match u16::try_from(n) {
        Ok(port) if port != 0 => Ok(Some(port)),
        _ => Err(serde::de::Error::custom(format!(
            "`port` is {n}, outside 1-65535"
        ))),
    }
}

fn default_smtp_security() -> Security {
    Security::Starttls
}

fn default_timeout() -> u64 {
    30
}

impl SmtpSettings {
    /// The port, defaulting by security as the spec says.
    pub(crate) fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SendmailSettings {
    #[serde(default = "default_sendmail_command")]
    pub command: CommandLine,
}

pub(crate) fn default_sendmail_command() -> CommandLine {
    CommandLine::Argv(vec!["sendmail".into(), "-i".into(), "-t".into()])
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Limits {
    /// Warn before asking someone more often than this in 90 days.
    #[serde(default = "default_asks_per_90_days")]
    pub asks_per_90_days: u32,
}

fn default_asks_per_90_days() -> u32 {
    3
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            asks_per_90_days: default_asks_per_90_days(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AskSettings {
    /// Fields an ask must have: a missing one is an error, not a warning.
    #[serde(default)]
    pub require: Vec<AskField>,
}

/// An optional field of an ask that `[ask] require` can insist on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AskField {
    Wants,
    Format,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImapSettings {
    pub host: String,
    #[serde(default, deserialize_with = "port")]
    pub port: Option<u16>,
    #[serde(default = "default_imap_security")]
    pub security: Security,
    pub username: Option<String>,
    pub password_command: Option<CommandLine>,
    pub password_env: Option<String>,
    pub ca_file: Option<PathBuf>,
    #[serde(default = "default_mailbox")]
    pub mailbox: String,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    #[serde(default)]
    pub allow_insecure_auth: bool,
    /// Append each sent message to this folder (off when absent).
    pub save_sent: Option<String>,
}

fn default_imap_security() -> Security {
    Security::Tls
}

fn default_mailbox() -> String {
    "INBOX".into()
}

impl ImapSettings {
    pub(crate) fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Tls => 993,
            Security::Starttls | Security::None => 143,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MaildirSettings {
    pub path: PathBuf,
}

/// A config file that could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    #[error("no config file at `{}`", path.display())]
    Missing { path: PathBuf },
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{pos}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        pos: LineCol,
        message: String,
    },
}

/// The tables only the commands that send or sync read: a mistake in one
/// fails those commands, not `status`, `contacts` or `stats`.
const MAIL_TABLES: [&str; 4] = ["smtp", "sendmail", "imap", "maildir"];

/// What `intro init` writes into `[me]`: a config still holding either is
/// not set up yet.
pub(crate) const PLACEHOLDER_NAME: &str = "Your Name";
pub(crate) const PLACEHOLDER_EMAIL: &str = "you@example.com";

impl Config {
    /// Read the config file at `path` for a command that neither sends nor
    /// syncs: a mail table that does not parse is left out (as if absent),
    /// everything else is validated.
    pub(crate) fn load_without_broken_mail(path: &Path) -> Result<Config, ConfigError> {
        Self::load_tolerating(path, &MAIL_TABLES)
    }

    /// Read and validate the config file at `path`, but a table among `tables` that does not parse is
    /// left out (as if absent), for a command that does not read it.
    pub(crate) fn load_tolerating(path: &Path, tables: &[&str]) -> Result<Config, ConfigError> {
        Self::parse_tolerating(&Self::read(path)?, path, tables)
    }

    /// Read the config file for a command that sends: only the mail tables
    /// it uses must be sound (its transport's, and `[imap]` when
    /// `save_sent` keeps a copy of what is sent); a broken other one is
    /// left out, so a bad `[smtp]` does not stop an outbox send.
    pub(crate) fn load_for_sending(path: &Path) -> Result<Config, ConfigError> {
        let text = Self::read(path)?;
        let used = tables_for_sending(&text);
        let unused: Vec<&str> = MAIL_TABLES
            .iter()
            .copied()
            .filter(|t| !used.contains(t))
            .collect();
        Self::parse_tolerating(&text, path, &unused)
    }

    fn parse_tolerating(text: &str, path: &Path, tables: &[&str]) -> Result<Config, ConfigError> {
        if let Ok(config) = Self::parse(text, path) {
            return Ok(config);
        }
        let broken: Vec<&str> = tables
            .iter()
            .copied()
            .filter(|t| table_problem(text, path, t).is_some())
            .collect();
        Self::parse_checked(
            &without_tables(text, &broken),
            path,
            !broken.contains(&"smtp"),
        )
    }

    /// Every problem in the config text, as far as toml lets one see: each
    /// mail table's on its own, then the rest's; within each, every bad
    /// key, not only the first.
    pub(crate) fn problems(text: &str, path: &Path) -> Vec<ConfigError> {
        let mut problems: Vec<ConfigError> = Vec::new();
        let mut broken = Vec::new();
        for table in MAIL_TABLES {
            let found = table_problems(text, path, table);
            if !found.is_empty() {
                broken.push(table);
                problems.extend(found);
            }
        }
        let rest = without_tables(text, &broken);
        let (rest, found) = each_problem::<Config>(&rest, path);
        problems.extend(found);
        if let Err(e) = Self::parse_checked(&rest, path, !broken.contains(&"smtp")) {
            problems.push(e);
        }
        // A syntax error is every table's: say it once.
        let mut seen = std::collections::HashSet::new();
        problems.retain(|p| seen.insert(p.to_string()));
        problems.sort_by_key(|p| match p {
            ConfigError::Invalid { pos, .. } => (pos.line, pos.column),
            _ => (0, 0),
        });
        problems
    }

    /// Where the contacts and templates are, read from a config that may
    /// not be valid; None for what cannot be read.
    pub(crate) fn places(text: &str) -> Places {
        #[derive(Deserialize)]
        struct Raw {
            contacts: Option<PathBuf>,
            templates: Option<Spanned<PathBuf>>,
        }
        match toml::from_str::<Raw>(text) {
            Ok(raw) => Places {
                contacts: raw.contacts,
                templates: raw.templates.map(|t| {
                    let pos = LineCol::of(text, t.span().start);
                    (t.into_inner(), pos)
                }),
            },
            Err(_) => Places::default(),
        }
    }

    /// A config for checking templates when the real one cannot be read.
    pub(crate) fn stand_in(path: &Path) -> Result<Config, ConfigError> {
        let text =
            format!("[me]\nname = \"{PLACEHOLDER_NAME}\"\nemail = \"{PLACEHOLDER_EMAIL}\"\n");
        Self::parse(&text, path)
    }

    /// Problems of a config that loads but is not set up: `[me]` still
    /// holding what `intro init` wrote.
    pub(crate) fn placeholders(&self, text: &str, path: &Path) -> Vec<ConfigError> {
        let at = |span: std::ops::Range<usize>, message: String| ConfigError::Invalid {
            path: path.into(),
            pos: LineCol::of(text, span.start),
            message,
        };
        let mut problems = Vec::new();
        if self.me_name() == PLACEHOLDER_NAME {
            problems.push(at(
                self.me.name.span(),
                format!("`me.name` is still the sample's `{PLACEHOLDER_NAME}`: put your own name"),
            ));
        }
        if self.me_email().eq_ignore_ascii_case(PLACEHOLDER_EMAIL) {
            problems.push(at(
                self.me.email.span(),
                format!(
                    "`me.email` is still the sample's `{PLACEHOLDER_EMAIL}`: put the address you send from"
                ),
            ));
        }
        problems
    }

    /// The config file's text.
    pub(crate) fn read(path: &Path) -> Result<String, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(ConfigError::Missing { path: path.into() })
            }
            Err(source) => Err(ConfigError::Read {
                path: path.into(),
                source,
            }),
        }
    }

    pub(crate) fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        Self::parse_checked(text, path, true)
    }

    /// Parse and validate; `smtp_table_checked` is false when a broken
    /// `[smtp]` table was left out, so its absence is no second problem.
    fn parse_checked(
        text: &str,
        path: &Path,
        smtp_table_checked: bool,
    ) -> Result<Config, ConfigError> {
        let invalid = |span: std::ops::Range<usize>, message: String| ConfigError::Invalid {
            path: path.into(),
            pos: LineCol::of(text, span.start),
            message,
        };
        let config: Config = toml::from_str(text).map_err(|e| {
            invalid(
                e.span().unwrap_or(0..0),
                crate::setup::textpos::toml_problem(text, e.span().map(|s| s.start), e.message()),
            )
        })?;
        let name = &config.me.name;
        if name.get_ref().trim().is_empty() {
            return Err(invalid(name.span(), "`me.name` is empty".into()));
        }
        if crate::domain::text::has_line_break(name.get_ref()) {
            return Err(invalid(
                name.span(),
                "`me.name` contains a line break".into(),
            ));
        }
        if let Some(first) = &config.me.first_name
            && (first.trim().is_empty() || crate::domain::text::has_line_break(first))
        {
            return Err(invalid(
                name.span(),
                "`me.first_name` is empty or spans lines".into(),
            ));
        }
        let email = &config.me.email;
        if let Err(why) = crate::setup::contacts::check_email(email.get_ref()) {
            return Err(invalid(
                email.span(),
                format!("`me.email` `{}` {why}", email.get_ref()),
            ));
        }
        if smtp_table_checked
            && config.send.transport == Some(TransportKind::Smtp)
            && config.smtp.is_none()
        {
            return Err(invalid(
                0..0,
                "`send.transport` is \"smtp\" but there is no [smtp] table".into(),
            ));
        }
        Ok(config)
    }

    /// The transport that sends, after defaults.
    pub(crate) fn transport(&self) -> TransportKind {
        match self.send.transport {
            Some(kind) => kind,
            None if self.smtp.is_some() => TransportKind::Smtp,
            None => TransportKind::Outbox,
        }
    }

    pub(crate) fn me_name(&self) -> &str {
        self.me.name.get_ref()
    }

    /// What I sign with: `[me] first_name`, or derived from the name.
    pub(crate) fn me_first_name(&self) -> &str {
        match &self.me.first_name {
            Some(set) => set,
            None => crate::domain::text::first_name(self.me_name()),
        }
    }

    pub(crate) fn me_email(&self) -> &str {
        self.me.email.get_ref()
    }
}

/// The `contacts` and `templates` keys of a config, with where the
/// templates key is (for pointing at it).
#[derive(Debug, Clone, Default)]
pub(crate) struct Places {
    pub contacts: Option<PathBuf>,
    pub templates: Option<(PathBuf, LineCol)>,
}

/// The mail tables a send reads, judged from the raw text (a broken table
/// still says whether it is there): the transport's own (`[send] transport`,
/// or `[smtp]` when that table exists), and `[imap]` when it has
/// `save_sent`, unless the transport is the outbox. Every table when the
/// text does not parse or names an unknown transport (that error is
/// reported anyway).
fn tables_for_sending(text: &str) -> Vec<&'static str> {
    let Ok(raw) = toml::from_str::<toml::Table>(text) else {
        return MAIL_TABLES.to_vec();
    };
    let transport = raw
        .get("send")
        .and_then(|send| send.get("transport"))
        .map(toml::Value::as_str);
    let transport = match transport {
        Some(Some("smtp")) => "smtp",
        Some(Some("sendmail")) => "sendmail",
        Some(Some("outbox")) => return Vec::new(),
        Some(_) => return MAIL_TABLES.to_vec(),
        None if raw.contains_key("smtp") => "smtp",
        None => return Vec::new(),
    };
    let saves_sent = raw
        .get("imap")
        .and_then(|imap| imap.get("save_sent"))
        .is_some();
    if saves_sent {
        vec![transport, "imap"]
    } else {
        vec![transport]
    }
}

/// The first problem of one mail table, parsed on its own.
fn table_problem(text: &str, path: &Path, table: &str) -> Option<ConfigError> {
    table_problems(text, path, table).into_iter().next()
}

/// Every problem of one mail table, parsed on its own.
fn table_problems(text: &str, path: &Path, table: &str) -> Vec<ConfigError> {
    // Other keys are ignored here: they are the rest of the config's.
    #[derive(Deserialize)]
    struct Smtp {
        #[allow(dead_code)]
        smtp: Option<SmtpSettings>,
    }
    #[derive(Deserialize)]
    struct Sendmail {
        #[allow(dead_code)]
        sendmail: Option<SendmailSettings>,
    }
    #[derive(Deserialize)]
    struct Imap {
        #[allow(dead_code)]
        imap: Option<ImapSettings>,
    }
    #[derive(Deserialize)]
    struct Maildir {
        #[allow(dead_code)]
        maildir: Option<MaildirSettings>,
    }
    let (_, problems) = match table {
        "smtp" => each_problem::<Smtp>(text, path),
        "sendmail" => each_problem::<Sendmail>(text, path),
        "imap" => each_problem::<Imap>(text, path),
        _ => each_problem::<Maildir>(text, path),
    };
    problems
}

/// Every problem toml and serde find reading `text` as `T`, and the text
/// with the lines they point at blanked. serde stops at the first bad key;
/// blanking its line (positions kept) and reading again finds the next, so
/// one typo does not hide the next. It stops at a syntax error or a
/// missing key (nothing to blank), and never blanks a table header.
fn each_problem<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
) -> (String, Vec<ConfigError>) {
    /// More than any real file has; a guard against going round forever.
    const MOST: usize = 100;
    let mut text = text.to_string();
    let mut problems = Vec::new();
    let syntax_ok = toml::from_str::<toml::Table>(&text).is_ok();
    for _ in 0..MOST {
        let Err(e) = toml::from_str::<T>(&text) else {
            break;
        };
        let span = e.span();
        problems.push(ConfigError::Invalid {
            path: path.into(),
            pos: LineCol::of(&text, span.as_ref().map_or(0, |s| s.start)),
            message: crate::setup::textpos::toml_problem(
                &text,
                span.as_ref().map(|s| s.start),
                e.message(),
            ),
        });
        let Some(span) = span.filter(|_| syntax_ok && !e.message().starts_with("missing field"))
        else {
            break;
        };
        let Some(lines) = whole_lines(&text, span) else {
            break;
        };
        text = crate::setup::textpos::blank(&text, &[lines]);
    }
    (text, problems)
}

/// The whole lines `span` touches, unless one of them is a table header
/// (blanking it would move its keys into the table before).
fn whole_lines(text: &str, span: std::ops::Range<usize>) -> Option<std::ops::Range<usize>> {
    let start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let last = span.end.max(span.start + 1).min(text.len());
    let end = text
        .get(last.saturating_sub(1)..)?
        .find('\n')
        .map_or(text.len(), |i| last.saturating_sub(1) + i);
    let lines = text.get(start..end)?;
    let header = lines.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with('[') && !l.starts_with("[[")
    });
    (!header && !lines.trim().is_empty()).then_some(start..end)
}

/// `text` without the tables named (their lines blanked, so positions in
/// the rest stay true).
fn without_tables(text: &str, tables: &[&str]) -> String {
    if tables.is_empty() {
        return text.to_string();
    }
    let ranges: Vec<_> = crate::setup::textpos::table_headers(text)
        .into_iter()
        .filter(|h| {
            let top = h.name.split('.').next().unwrap_or("").trim();
            tables.contains(&top)
        })
        .map(|h| h.range)
        .collect();
    crate::setup::textpos::blank(text, &ranges)
}

/// Where intro reads and writes, resolved once from flags, environment and
/// platform defaults (first match wins, as the spec lists).
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    /// The platform's config folder for intro (`<config dir>/intro`).
    pub config_home: PathBuf,
    pub config_file: PathBuf,
    /// `--contacts`, if given; the config's key is applied later.
    pub contacts_flag: Option<PathBuf>,
    pub data_dir: PathBuf,
}

impl Paths {
    /// The contacts file: `--contacts`, then the config's key (relative to
    /// the config file), then the default place.
    pub(crate) fn contacts_file(&self, config: Option<&Config>) -> PathBuf {
        if let Some(path) = &self.contacts_flag {
            return path.clone();
        }
        if let Some(rel) = config.and_then(|c| c.contacts.as_ref()) {
            return self.relative_to_config(rel);
        }
        self.config_home.join("contacts.toml")
    }

    pub(crate) fn templates_dir(&self, config: Option<&Config>) -> PathBuf {
        match config.and_then(|c| c.templates.as_ref()) {
            Some(rel) => self.relative_to_config(rel),
            None => self.config_home.join("templates"),
        }
    }

    /// A path from the config: `~` expanded, relative ones from the config file's folder.
    pub(crate) fn relative_to_config(&self, rel: &Path) -> PathBuf {
        let rel = fsutil::expand_tilde(rel);
        if rel.is_absolute() {
            return rel;
        }
        let base = self.config_file.parent().unwrap_or(Path::new("."));
        base.join(rel)
    }

    pub(crate) fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    pub(crate) fn drafts_dir(&self) -> PathBuf {
        self.data_dir.join("drafts")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_init_sample_holds_the_placeholders_check_looks_for() {
        let text = include_str!("../../assets/init/config.toml");
        let path = Path::new("config.toml");
        let config = Config::parse(text, path).unwrap();
        assert_eq!(config.placeholders(text, path).len(), 2);
    }

    #[test]
    fn a_broken_mail_table_is_left_out_only_by_the_lenient_load() {
        let text = "[me]\nname = \"G\"\nemail = \"g@example.com\"\n[send]\ntransport = \"smtp\"\n[smtp]\nport = 1\n[followup]\nmax = 4\n";
        let path = Path::new("config.toml");
        assert!(Config::parse(text, path).is_err());
        let rest = without_tables(text, &["smtp"]);
        let config = Config::parse_checked(&rest, path, false).unwrap();
        assert!(config.smtp.is_none());
        assert_eq!(config.followup.max, 4, "what follows the table is kept");
        let problems = Config::problems(text, path);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].to_string().contains(":6:"), "{}", problems[0]);
    }
}
