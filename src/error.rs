//! What a failure looks like to the user: one `error:` line, optional detail
//! lines (one per problem), `hint:` lines, and the exit code.
//!
//! Errors flow one way. The modules below `cmd/` return plain typed errors
//! that carry the path, line or id they are about, and never import this
//! module; here alone they become `error:` and `hint:` lines. Each error
//! type is one variant of [`Kind`], and each of its variants one arm of a
//! match, so a variant added without its hints does not compile; a unit
//! test finds any module error type that is no `Kind` and not said why.

use std::fmt;
use std::io;
use std::path::Path;
use std::process::ExitCode;

use crate::domain::request::{Request, State, TransitionError};
use crate::mail::ask_check::Unmet;
use crate::mail::message::MessageError;
use crate::mail::sync::SyncError;
use crate::mail::template::TemplateError;
use crate::mail::transport::SendError;
use crate::setup::batch_csv::HeaderError;
use crate::setup::config::ConfigError;
use crate::setup::contacts::{ContactsError, LookupError};
use crate::store::{FindError, StoreError};
use crate::ui::editor::EditorError;
use crate::ui::output::{paint_prefix, write_stderr};

/// The error and its causes on one line (`ui::output` owns the wording,
/// which the layers below `cmd/` use too).
pub(crate) use crate::ui::output::one_line;

/// The process exit codes the spec fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    /// Bad input, unknown contact, send failure, some rows of a batch failed.
    Failure = 1,
    /// Usage errors, and a send refused for want of confirmation.
    Usage = 2,
    /// Stopped by SIGINT after the message in flight (128 + 2, as shells do).
    Interrupted = 130,
    /// Stopped by SIGTERM after the message in flight (128 + 15).
    Terminated = 143,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// An error meant for the user, with the lines that help them act on it.
///
/// Module errors convert into this at the command edge when they know a
/// next step; anything else is reported from its `anyhow` chain.
#[derive(Debug)]
pub(crate) struct UserError {
    pub message: String,
    pub details: Vec<String>,
    pub hints: Vec<String>,
    pub exit: Exit,
}

impl UserError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            details: Vec::new(),
            hints: Vec::new(),
            exit: Exit::Failure,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub(crate) fn details(mut self, details: impl IntoIterator<Item = String>) -> Self {
        self.details.extend(details);
        self
    }

    pub(crate) fn exit(mut self, exit: Exit) -> Self {
        self.exit = exit;
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// Write the error to stderr in the one voice and return its exit code;
/// `color` paints the `error:` and `hint:` prefixes as clap paints its own.
pub(crate) fn report(err: &anyhow::Error, color: bool) -> Exit {
    let error = paint_prefix("error:", color);
    let hint = paint_prefix("hint:", color);
    let mut out = String::new();
    if let Some(user) = user_error(err) {
        out.push_str(&format!("{error} {}\n", user.message));
        for line in &user.details {
            out.push_str(&format!("  {line}\n"));
        }
        for line in &user.hints {
            out.push_str(&format!("{hint} {line}\n"));
        }
        write_stderr(&out);
        return user.exit;
    }
    out.push_str(&format!("{error} {}\n", one_line(err)));
    for line in chain_hints(err) {
        out.push_str(&format!("{hint} {line}\n"));
    }
    write_stderr(&out);
    Exit::Failure
}

/// A failure that is the user's to act on, told by itself: the message
/// alone, with its details and hints, as a [`UserError`] is.
fn user_error(err: &anyhow::Error) -> Option<UserError> {
    if let Some(user) = err.downcast_ref::<UserError>() {
        return Some(UserError {
            message: user.message.clone(),
            details: user.details.clone(),
            hints: user.hints.clone(),
            exit: user.exit,
        });
    }
    Kind::told_alone(err).map(Kind::user_error)
}

/// Every typed error the modules below `cmd/` hand up with hints. Each
/// type has an arm in [`Kind::hints`], and each of its variants an arm in
/// that type's own match: one left out does not compile.
#[derive(Clone, Copy)]
enum Kind<'a> {
    // Told by itself, as a `UserError`: a context above it is not shown.
    Message(&'a MessageError),
    Editor(&'a EditorError),
    BatchHeader(&'a HeaderError),
    Unmet(&'a Unmet),
    // Told with the causes around it on one line, then its hints.
    Config(&'a ConfigError),
    Store(&'a StoreError),
    Template(&'a TemplateError),
    Send(&'a SendError),
    Contacts(&'a ContactsError),
    Sync(&'a SyncError),
}

impl<'a> Kind<'a> {
    /// The failure itself, or the error a context was added to, when it
    /// is one told by itself.
    fn told_alone(err: &'a anyhow::Error) -> Option<Kind<'a>> {
        err.downcast_ref()
            .map(Kind::Message)
            .or_else(|| err.downcast_ref().map(Kind::Editor))
            .or_else(|| err.downcast_ref().map(Kind::BatchHeader))
            .or_else(|| err.downcast_ref().map(Kind::Unmet))
    }

    /// The first cause of a failure that brings hints.
    fn in_chain(err: &'a anyhow::Error) -> Option<Kind<'a>> {
        err.chain().find_map(|cause| {
            cause
                .downcast_ref()
                .map(Kind::Config)
                .or_else(|| cause.downcast_ref().map(Kind::Store))
                .or_else(|| cause.downcast_ref().map(Kind::Template))
                .or_else(|| cause.downcast_ref().map(Kind::Send))
                .or_else(|| cause.downcast_ref().map(Kind::Contacts))
                .or_else(|| cause.downcast_ref().map(Kind::Sync))
        })
    }

    fn hints(self) -> Vec<String> {
        match self {
            Kind::Message(e) => message_hints(e),
            Kind::Editor(e) => editor_hints(e),
            Kind::BatchHeader(e) => header_hints(e),
            Kind::Unmet(e) => unmet_hints(*e),
            Kind::Config(e) => config_hints(e),
            Kind::Store(e) => store_hints(e),
            Kind::Template(e) => template_hints(e),
            Kind::Contacts(e) => contacts_hints(e),
            // A send or a sync failure is described where it was met,
            // which alone knows the server's answer: its hints come with it.
            Kind::Send(e) => e.hints.clone(),
            Kind::Sync(e) => e.hints.clone(),
        }
    }

    fn error(self) -> &'a (dyn std::error::Error + 'static) {
        match self {
            Kind::Message(e) => e,
            Kind::Editor(e) => e,
            Kind::BatchHeader(e) => e,
            Kind::Unmet(e) => e,
            Kind::Config(e) => e,
            Kind::Store(e) => e,
            Kind::Template(e) => e,
            Kind::Contacts(e) => e,
            Kind::Send(e) => e,
            Kind::Sync(e) => e,
        }
    }

    fn user_error(self) -> UserError {
        UserError {
            message: self.error().to_string(),
            details: Vec::new(),
            hints: self.hints(),
            exit: Exit::Failure,
        }
    }
}

fn chain_hints(err: &anyhow::Error) -> Vec<String> {
    Kind::in_chain(err).map(Kind::hints).unwrap_or_default()
}

fn config_hints(e: &ConfigError) -> Vec<String> {
    match e {
        ConfigError::Missing { .. } => {
            vec!["run `intro init` to write a commented sample, or pass `--config FILE`".into()]
        }
        ConfigError::Read { .. } => vec![],
        ConfigError::Invalid { .. } => {
            vec!["`intro contacts check` lists every problem in the setup".into()]
        }
    }
}

fn store_hints(e: &StoreError) -> Vec<String> {
    match e {
        StoreError::Io { source, .. } if source.kind() == io::ErrorKind::PermissionDenied => {
            vec!["check the permissions of the data dir (set `INTRO_DATA_DIR` to use another)".into()]
        }
        StoreError::Io { source, .. }
            if matches!(
                source.kind(),
                io::ErrorKind::ReadOnlyFilesystem
                    | io::ErrorKind::StorageFull
                    | io::ErrorKind::QuotaExceeded
            ) =>
        {
            vec!["make room on the data dir's disk (or mount it writable) and run the same command again".into()]
        }
        StoreError::Io { .. } => vec![],
        StoreError::Damaged { .. } => vec![
            "nothing was changed; fix or remove that line by hand (every other line is a whole request)".into(),
        ],
        StoreError::UnknownVersion { .. } => {
            vec!["upgrade intro (`cargo install intro`) to read this store".into()]
        }
        StoreError::Busy { .. } => vec![],
    }
}

fn template_hints(e: &TemplateError) -> Vec<String> {
    match e {
        TemplateError::Syntax { .. } | TemplateError::Render { .. } => vec![
            "templates see `me`, `a`, `b`, `why`, `why_b`, `wants`, `format`, `note`, `both`, `last` and `request`, and the filters `sentence`, `clause`, `full_stop` and `brief`; see the README".into(),
        ],
        TemplateError::Shape { .. } => vec![
            "a template starts with `Subject: ...`, then a blank line, then the body".into(),
        ],
        TemplateError::HeaderInjection { .. } => vec![
            "values that end up in a header must be one line; remove the line break".into(),
        ],
        TemplateError::Read { .. } => vec![],
    }
}

fn contacts_hints(e: &ContactsError) -> Vec<String> {
    match e {
        ContactsError::Missing { .. } => {
            vec!["run `intro init` to write a sample, or pass `--contacts FILE`".into()]
        }
        ContactsError::Read { .. } => vec![],
        ContactsError::Invalid { .. } => vec![
            "each contact is a table like `[ada]` with `name = \"...\"` and `email = \"...\"`"
                .into(),
        ],
    }
}

fn message_hints(e: &MessageError) -> Vec<String> {
    match e {
        MessageError::NotAnAddress { .. }
        | MessageError::BodyNotEncodable
        | MessageError::LineBreak { .. }
        | MessageError::Build { .. } => vec![],
        MessageError::HeaderTooLong { .. } => {
            vec!["shorten the longest word of the Subject or of the names".into()]
        }
    }
}

fn editor_hints(e: &EditorError) -> Vec<String> {
    match e {
        EditorError::NotFound { .. } => {
            vec!["set $VISUAL or $EDITOR to one you have, e.g. export EDITOR=nano".into()]
        }
        EditorError::Start { .. }
        | EditorError::Failed { .. }
        | EditorError::Emptied
        | EditorError::NoSubjectLine { .. }
        | EditorError::EmptySubject
        | EditorError::NoBody => vec![],
    }
}

fn header_hints(e: &HeaderError) -> Vec<String> {
    match e {
        HeaderError::UnclosedQuote { columns, .. } | HeaderError::Missing { columns, .. } => {
            vec![format!("the first line names the columns: {columns}")]
        }
        HeaderError::Unreadable { .. } => vec![],
        HeaderError::Unknown { columns, .. } => vec![format!("columns are {columns}")],
        HeaderError::Twice { names, .. } => vec![format!("name each of {names} at most once")],
    }
}

fn unmet_hints(e: Unmet) -> Vec<String> {
    let field = e.field.name();
    vec![format!(
        "pass `--{field} TEXT` (in a batch, fill the `{field}` column), or take \"{field}\" out of `[ask] require`"
    )]
}

/// For a batch, which reports a bad row in the words it would use alone.
impl From<Unmet> for UserError {
    fn from(e: Unmet) -> Self {
        Kind::Unmet(&e).user_error()
    }
}

/// A name that finds no request, or several.
impl From<FindError> for UserError {
    fn from(e: FindError) -> Self {
        match e {
            FindError::Unknown(name) => UserError::new(format!("no request `{name}`"))
                .hint("`intro status --all` lists every request with its id"),
            FindError::Ambiguous(name, ids) => UserError::new(format!(
                "`{name}` is the start of {} request ids",
                ids.len()
            ))
            .details(ids)
            .hint("type more of the id"),
            FindError::NotRead(name) => UserError::new(format!(
                "request `{name}` was closed by another intro run meanwhile"
            ))
            .hint(format!("`intro status {name}` shows it")),
        }
    }
}

/// A transition the request's state does not allow, with what to do instead.
pub(crate) fn transition_error(e: TransitionError) -> UserError {
    let hint = match e.from {
        State::Sending => format!(
            "its ask was interrupted mid-send: rerun the ask, or `intro cancel {}`",
            e.id
        ),
        State::Asked | State::Replied => {
            format!("approve or decline it first: `intro approve {}`", e.id)
        }
        State::Approved => format!("it is approved: `intro introduce {}`", e.id),
        State::Declined | State::Introduced | State::Cancelled => {
            "it is closed; `intro ask` starts a new request".to_string()
        }
        State::NoteRequested => format!(
            "it waits for B's note: `intro sync` finds B's reply, or `intro note {} --file FILE` records it",
            e.id
        ),
        State::NoteReceived => format!(
            "B's note is in: `intro ask {}` sends the ask to A with it",
            e.id
        ),
    };
    UserError::new(e.to_string()).hint(hint)
}

/// Why `r` (a request of a connector, or an ask) cannot make the move
/// `e` refused, with the next step in the words of its direction: for a
/// request of a connector, the introduction is the connector's to make.
/// `e` is None when the move makes no sense for a request of a connector.
pub(crate) fn transition_error_of(r: &Request, e: Option<TransitionError>) -> UserError {
    if !r.is_requested() {
        return match e {
            Some(e) => transition_error(e),
            None => UserError::new(format!("request {} cannot do that", r.id)),
        };
    }
    let id = &r.id;
    let message = match e {
        Some(e) => e.to_string(),
        None => format!(
            "request {id} asked `{}` to introduce you to `{}`: the introduction is theirs to make, not yours to send",
            r.a, r.b
        ),
    };
    let hint = match r.status {
        State::Sending => format!(
            "its message to `{}` was interrupted mid-send: rerun the same `intro request`, or `intro cancel {id}`",
            r.a
        ),
        State::Asked | State::Approved => format!(
            "`intro sync` notices `{}`'s introduction (a message to you and `{}`), or `intro introduced {id}` records it",
            r.a, r.b
        ),
        State::Replied => format!(
            "`{}` answered: `intro approve {id}` records their yes, `intro decline {id}` their no; `intro introduced {id}` once they introduced you",
            r.a
        ),
        State::Introduced if r.thanks.is_none() => {
            format!(
                "`{}` introduced you: `intro thank {id} --how TEXT` thanks them",
                r.a
            )
        }
        // `intro note` makes only the user's own introductions.
        State::NoteRequested | State::NoteReceived => format!("`intro status {id}` shows it"),
        // Thanked: the request is done, and asking again would be odd.
        State::Introduced => format!(
            "`{}` introduced you to `{}` and you thanked them: it is done (`intro status {id}` shows it)",
            r.a, r.b
        ),
        State::Declined | State::Cancelled => format!(
            "it is closed; `intro request {} {} --why TEXT` asks again",
            r.a, r.b
        ),
    };
    UserError::new(message).hint(hint)
}

/// The contacts file cannot be used: one line per problem when there are
/// several.
impl From<ContactsError> for UserError {
    fn from(e: ContactsError) -> Self {
        let mut err = UserError::new(e.to_string());
        if let ContactsError::Invalid { path, problems } = &e
            && problems.len() > 1
        {
            err = err.details(
                problems
                    .iter()
                    .map(|p| format!("{}:{}: {}", path.display(), p.pos, p.message)),
            );
        }
        err.hints = contacts_hints(&e);
        err
    }
}

/// A name that finds no contact, or several; `contacts_path` is where new
/// ones go.
pub(crate) fn lookup_error(e: LookupError, contacts_path: &Path) -> UserError {
    match e {
        LookupError::Unknown { query, suggestions } => {
            let mut err = UserError::new(format!("unknown contact `{query}`"));
            match suggestions.as_slice() {
                [] => {}
                [one] => err = err.hint(format!("did you mean `{one}`?")),
                many => {
                    let list: Vec<String> = many.iter().map(|h| format!("`{h}`")).collect();
                    err = err.hint(format!("did you mean one of {}?", list.join(", ")));
                }
            }
            err.hint(format!(
                "`intro contacts` lists every contact; add new ones to `{}`",
                contacts_path.display()
            ))
        }
        LookupError::Ambiguous { query, candidates } => {
            UserError::new(format!("`{query}` matches {} contacts", candidates.len()))
                .details(candidates)
                .hint("name the contact by its handle or email")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup::textpos::LineCol;

    /// The hints a failure gets when `e` is one of its causes, below a
    /// context as commands add them.
    fn hints_below_context(e: impl std::error::Error + Send + Sync + 'static) -> Vec<String> {
        chain_hints(&anyhow::Error::new(e).context("cannot do what was asked"))
    }

    fn io(kind: io::ErrorKind) -> io::Error {
        io::Error::from(kind)
    }

    const NO_HINTS: [&str; 0] = [];

    #[test]
    fn every_kind_of_config_error_has_its_hints() {
        let path = std::path::PathBuf::from("/c/config.toml");
        let pos = LineCol { line: 3, column: 1 };
        let cases = [
            (
                ConfigError::Missing { path: path.clone() },
                vec!["run `intro init` to write a commented sample, or pass `--config FILE`"],
            ),
            (
                ConfigError::Read {
                    path: path.clone(),
                    source: io(io::ErrorKind::Other),
                },
                NO_HINTS.to_vec(),
            ),
            (
                ConfigError::Invalid {
                    path,
                    pos,
                    message: "bad".into(),
                },
                vec!["`intro contacts check` lists every problem in the setup"],
            ),
        ];
        for (e, hints) in cases {
            assert_eq!(hints_below_context(e), hints);
        }
    }

    #[test]
    fn every_kind_of_store_error_has_its_hints() {
        let path = std::path::PathBuf::from("/d/store.jsonl");
        let at = |kind| StoreError::Io {
            action: "open",
            path: path.clone(),
            source: io(kind),
        };
        let room = "make room on the data dir's disk (or mount it writable) and run the same command again";
        let cases = [
            (
                at(io::ErrorKind::PermissionDenied),
                vec!["check the permissions of the data dir (set `INTRO_DATA_DIR` to use another)"],
            ),
            (at(io::ErrorKind::ReadOnlyFilesystem), vec![room]),
            (at(io::ErrorKind::StorageFull), vec![room]),
            (at(io::ErrorKind::QuotaExceeded), vec![room]),
            (at(io::ErrorKind::Other), NO_HINTS.to_vec()),
            (
                StoreError::Damaged {
                    path: path.clone(),
                    line: 2,
                    message: "bad".into(),
                },
                vec![
                    "nothing was changed; fix or remove that line by hand (every other line is a whole request)",
                ],
            ),
            (
                StoreError::UnknownVersion {
                    path: path.clone(),
                    found: 99,
                },
                vec!["upgrade intro (`cargo install intro`) to read this store"],
            ),
            (StoreError::Busy { path }, NO_HINTS.to_vec()),
        ];
        for (e, hints) in cases {
            assert_eq!(hints_below_context(e), hints);
        }
    }

    #[test]
    fn every_kind_of_template_error_has_its_hints() {
        let names = "templates see `me`, `a`, `b`, `why`, `why_b`, `wants`, `format`, `note`, `both`, `last` and `request`, and the filters `sentence`, `clause`, `full_stop` and `brief`; see the README";
        let origin = || "ask.txt".to_string();
        let message = || "bad".to_string();
        let cases = [
            (
                TemplateError::Read {
                    path: "/t/ask.txt".into(),
                    source: io(io::ErrorKind::NotFound),
                },
                NO_HINTS.to_vec(),
            ),
            (
                TemplateError::Syntax {
                    origin: origin(),
                    line: 1,
                    message: message(),
                },
                vec![names],
            ),
            (
                TemplateError::Render {
                    origin: origin(),
                    message: message(),
                },
                vec![names],
            ),
            (
                TemplateError::Shape {
                    origin: origin(),
                    message: message(),
                },
                vec!["a template starts with `Subject: ...`, then a blank line, then the body"],
            ),
            (
                TemplateError::HeaderInjection {
                    fields: "`why`".into(),
                },
                vec!["values that end up in a header must be one line; remove the line break"],
            ),
        ];
        for (e, hints) in cases {
            assert_eq!(hints_below_context(e), hints);
        }
    }

    #[test]
    fn every_kind_of_contacts_error_has_its_hints() {
        let path = std::path::PathBuf::from("/c/contacts.toml");
        let cases = [
            (
                ContactsError::Missing { path: path.clone() },
                vec!["run `intro init` to write a sample, or pass `--contacts FILE`"],
            ),
            (
                ContactsError::Read {
                    path: path.clone(),
                    source: io(io::ErrorKind::Other),
                },
                NO_HINTS.to_vec(),
            ),
            (
                ContactsError::Invalid {
                    path,
                    problems: Vec::new(),
                },
                vec![
                    "each contact is a table like `[ada]` with `name = \"...\"` and `email = \"...\"`",
                ],
            ),
        ];
        for (e, hints) in cases {
            assert_eq!(hints_below_context(e), hints);
        }
    }

    #[test]
    fn send_and_sync_errors_bring_their_own_hints() {
        use crate::mail::transport::Severity;
        let send = SendError::new(Severity::Fatal, "refused").hint("check `[smtp]`");
        assert_eq!(hints_below_context(send), ["check `[smtp]`"]);
        let sync = SyncError::new("cannot log in").hint("check `[imap]`");
        assert_eq!(hints_below_context(sync), ["check `[imap]`"]);
    }

    /// What the user reads for a failure that is told by itself: the
    /// message, then its hints.
    fn told(e: impl std::error::Error + Send + Sync + 'static) -> (String, Vec<String>) {
        let user = user_error(&anyhow::Error::new(e)).expect("a failure told by itself");
        assert!(user.details.is_empty());
        assert_eq!(user.exit, Exit::Failure);
        (user.message, user.hints)
    }

    /// Each failure is told by itself in exactly these words and hints.
    fn assert_all_told<E: std::error::Error + Send + Sync + 'static>(
        cases: impl IntoIterator<Item = (E, &'static str, Vec<&'static str>)>,
    ) {
        for (e, message, hints) in cases {
            assert_eq!(
                told(e),
                (
                    message.to_string(),
                    hints.iter().map(ToString::to_string).collect()
                )
            );
        }
    }

    #[test]
    fn every_kind_of_message_error_is_told_with_its_hints() {
        let cases = [
            (
                MessageError::NotAnAddress {
                    email: "ada".into(),
                },
                "`ada` is not an email address",
                NO_HINTS.to_vec(),
            ),
            (
                MessageError::BodyNotEncodable,
                "the message body cannot be encoded",
                NO_HINTS.to_vec(),
            ),
            (
                MessageError::LineBreak {
                    what: "the Subject",
                },
                "the Subject contains a line break, which would break the message headers",
                NO_HINTS.to_vec(),
            ),
            (
                MessageError::Build {
                    reason: "missing destination address".into(),
                },
                "cannot build the message: missing destination address",
                NO_HINTS.to_vec(),
            ),
            (
                MessageError::HeaderTooLong { longest: 1200 },
                "a header line would be 1200 characters long, more than mail servers take (998)",
                vec!["shorten the longest word of the Subject or of the names"],
            ),
        ];
        assert_all_told(cases);
    }

    #[test]
    fn every_kind_of_editor_error_is_told_with_its_hints() {
        let editor = || "vim".to_string();
        let cases = [
            (
                EditorError::NotFound { editor: editor() },
                "cannot find the editor `vim`; nothing was sent",
                vec!["set $VISUAL or $EDITOR to one you have, e.g. export EDITOR=nano"],
            ),
            (
                EditorError::Start {
                    editor: editor(),
                    reason: "no such file".into(),
                },
                "cannot start the editor `vim`: no such file",
                NO_HINTS.to_vec(),
            ),
            (
                EditorError::Failed {
                    editor: editor(),
                    status: "exit status: 1".into(),
                },
                "the editor `vim` exited with exit status: 1; nothing was sent",
                NO_HINTS.to_vec(),
            ),
            (
                EditorError::Emptied,
                "the message was emptied in the editor; nothing was sent",
                NO_HINTS.to_vec(),
            ),
            (
                EditorError::NoSubjectLine { first: "Hi".into() },
                "the edited message must start with `Subject: ...`, not `Hi`; nothing was sent",
                NO_HINTS.to_vec(),
            ),
            (
                EditorError::EmptySubject,
                "the edited Subject is empty; nothing was sent",
                NO_HINTS.to_vec(),
            ),
            (
                EditorError::NoBody,
                "the edited message has no body; nothing was sent",
                NO_HINTS.to_vec(),
            ),
        ];
        assert_all_told(cases);
    }

    #[test]
    fn every_kind_of_batch_header_error_is_told_with_its_hints() {
        let shown = || "`asks.csv`".to_string();
        let columns = || "a,b,why and optionally note".to_string();
        let cases = [
            (
                HeaderError::UnclosedQuote {
                    shown: shown(),
                    columns: columns(),
                },
                "`asks.csv`: the header row (line 1) opens a quote that is never closed",
                "the first line names the columns: a,b,why and optionally note",
            ),
            (
                HeaderError::Missing {
                    shown: shown(),
                    missing: "`why`".into(),
                    columns: columns(),
                },
                "`asks.csv`: the header row (line 1) has no column `why`",
                "the first line names the columns: a,b,why and optionally note",
            ),
            (
                HeaderError::Unknown {
                    shown: shown(),
                    unknown: "`when`".into(),
                    columns: columns(),
                },
                "`asks.csv`: unknown column `when` in the header row (line 1)",
                "columns are a,b,why and optionally note",
            ),
            (
                HeaderError::Twice {
                    shown: shown(),
                    column: "a".into(),
                    names: "a,b,why,note".into(),
                },
                "`asks.csv`: the header row (line 1) names the column `a` twice",
                "name each of a,b,why,note at most once",
            ),
        ];
        for (e, message, hint) in cases {
            assert_eq!(told(e), (message.to_string(), vec![hint.to_string()]));
        }
        let unreadable = HeaderError::Unreadable {
            shown: shown(),
            reason: "invalid UTF-8".into(),
        };
        assert_eq!(
            told(unreadable),
            (
                "`asks.csv`: cannot read the header row: invalid UTF-8".to_string(),
                Vec::new()
            )
        );
    }

    #[test]
    fn an_unmet_requirement_is_told_with_its_hint() {
        use crate::setup::config::AskField;
        assert_eq!(
            told(Unmet {
                field: AskField::Format
            }),
            (
                "the ask does not say in what format, and `[ask] require` needs `format`".to_string(),
                vec![
                    "pass `--format TEXT` (in a batch, fill the `format` column), or take \"format\" out of `[ask] require`".to_string()
                ]
            )
        );
    }

    /// Module errors that are no [`Kind`], and why nothing is lost: each
    /// is told by the words of its causes or turned into another error
    /// (with its hints) by the code that meets it.
    const NOT_KINDS: [&str; 4] = [
        // Its message and cause say what could not be written.
        "SaveError",
        // `contacts import` tells it as a `UserError` with its hint.
        "NotVcard",
        // The SMTP and IMAP code turn it into a send or sync error.
        "PasswordError",
        // Told by `transition_error` here, as a `UserError` with its hint.
        "TransitionError",
    ];

    /// The error types (`thiserror`) declared below `cmd/`.
    fn module_error_types() -> Vec<String> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        crate::layers::rust_files(&src, &mut files);
        let mut names = Vec::new();
        for file in files {
            let relative = file.strip_prefix(&src).unwrap();
            if relative.starts_with("cmd") || relative == Path::new("error.rs") {
                continue;
            }
            let code = std::fs::read_to_string(&file).unwrap();
            let mut derived = false;
            for line in code.lines() {
                if line.starts_with("#[derive(") && line.contains("thiserror::Error") {
                    derived = true;
                } else if derived && let Some(rest) = line.strip_prefix("pub(crate) ") {
                    let rest = rest
                        .trim_start_matches("enum ")
                        .trim_start_matches("struct ");
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    names.push(name);
                    derived = false;
                }
            }
        }
        names.sort();
        names
    }

    #[test]
    fn every_module_error_type_is_a_kind_or_said_why_not() {
        let this = include_str!("error.rs");
        let kinds = &this[this.find("enum Kind<'a>").unwrap()..];
        let kinds = &kinds[..kinds.find("\n}").unwrap()];
        let found = module_error_types();
        assert!(
            found.len() >= 10,
            "the scan finds the module errors: {found:?}"
        );
        let unsaid: Vec<&String> = found
            .iter()
            .filter(|name| !kinds.contains(&format!("(&'a {name})")))
            .filter(|name| !NOT_KINDS.contains(&name.as_str()))
            .collect();
        assert!(
            unsaid.is_empty(),
            "module errors with no `Kind` in error.rs and no word in `NOT_KINDS`: {unsaid:?}"
        );
    }

    #[test]
    fn every_kind_of_request_not_found_has_its_hints() {
        let hints = |e: FindError| UserError::from(e).hints;
        assert_eq!(
            hints(FindError::Unknown("c0ffee".into())),
            ["`intro status --all` lists every request with its id"]
        );
        let ambiguous = UserError::from(FindError::Ambiguous(
            "c0f".into(),
            vec!["c0ffee".into(), "c0fa11".into()],
        ));
        assert_eq!(ambiguous.details, ["c0ffee", "c0fa11"]);
        assert_eq!(ambiguous.hints, ["type more of the id"]);
        assert_eq!(
            hints(FindError::NotRead("c0ffee".into())),
            ["`intro status c0ffee` shows it"]
        );
    }

    #[test]
    fn every_state_a_move_is_refused_in_says_what_to_do_instead() {
        let hint = |from| {
            let e = TransitionError {
                id: "c0ffee".into(),
                from,
                action: "approved",
            };
            transition_error(e).hints
        };
        let closed = "it is closed; `intro ask` starts a new request";
        let cases = [
            (
                State::Sending,
                "its ask was interrupted mid-send: rerun the ask, or `intro cancel c0ffee`",
            ),
            (
                State::Asked,
                "approve or decline it first: `intro approve c0ffee`",
            ),
            (
                State::Replied,
                "approve or decline it first: `intro approve c0ffee`",
            ),
            (State::Approved, "it is approved: `intro introduce c0ffee`"),
            (State::Declined, closed),
            (State::Introduced, closed),
            (State::Cancelled, closed),
        ];
        for (from, expected) in cases {
            assert_eq!(hint(from), [expected]);
        }
    }

    #[test]
    fn a_failure_told_by_itself_keeps_its_words_below_a_context() {
        let err = anyhow::Error::new(EditorError::NoBody).context("cannot send the follow-up");
        let user = user_error(&err).expect("found below the context");
        assert_eq!(
            user.message,
            "the edited message has no body; nothing was sent"
        );
    }

    #[test]
    fn one_line_says_each_cause_once() {
        let io = std::io::Error::from_raw_os_error(30);
        let store = crate::store::StoreError::Io {
            action: "open",
            path: "/data/store.lock".into(),
            source: io,
        };
        let err = anyhow::Error::new(store).context("cannot record the ask");
        assert_eq!(
            one_line(&err),
            "cannot record the ask: cannot open `/data/store.lock`: Read-only file system (os error 30)"
        );
    }
}
