//! Message templates: the built-in ones (embedded), user overrides from the
//! templates folder, rendering with tera, and splitting the result into a
//! Subject and a body. Errors name the template file and line or variable.

use std::path::{Path, PathBuf};

use serde::Serialize;

pub(crate) use crate::domain::request::Rendered;
use crate::domain::text;

/// The templates intro renders, each overridable by `<name>.txt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Ask,
    AskB,
    Followup,
    Introduce,
    /// The introduction without an ask (`introduce A B --direct`).
    IntroduceDirect,
    Decline,
    /// The note withdrawing an ask (`cancel --tell`).
    Cancel,
    /// The request to B for a forwardable note (`intro note`).
    NoteRequest,
    /// Asking a connector for an introduction (`intro request`).
    Request,
    /// A follow-up to a connector asked for an introduction.
    RequestFollowup,
    /// The thank-you to a connector after the introduction (`intro thank`).
    Thanks,
}

impl Kind {
    pub(crate) const ALL: [Kind; 11] = [
        Kind::Ask,
        Kind::AskB,
        Kind::Followup,
        Kind::Introduce,
        Kind::IntroduceDirect,
        Kind::Decline,
        Kind::Cancel,
        Kind::NoteRequest,
        Kind::Request,
        Kind::RequestFollowup,
        Kind::Thanks,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Ask => "ask",
            Kind::AskB => "ask_b",
            Kind::Followup => "followup",
            Kind::Introduce => "introduce",
            Kind::IntroduceDirect => "introduce_direct",
            Kind::Decline => "decline",
            Kind::Cancel => "cancel",
            Kind::NoteRequest => "note_request",
            Kind::Request => "request",
            Kind::RequestFollowup => "request_followup",
            Kind::Thanks => "thanks",
        }
    }

    pub(crate) fn builtin(self) -> &'static str {
        match self {
            Kind::Ask => include_str!("../../templates/ask.txt"),
            Kind::AskB => include_str!("../../templates/ask_b.txt"),
            Kind::Followup => include_str!("../../templates/followup.txt"),
            Kind::Introduce => include_str!("../../templates/introduce.txt"),
            Kind::IntroduceDirect => include_str!("../../templates/introduce_direct.txt"),
            Kind::Decline => include_str!("../../templates/decline.txt"),
            Kind::Cancel => include_str!("../../templates/cancel.txt"),
            Kind::NoteRequest => include_str!("../../templates/note_request.txt"),
            Kind::Request => include_str!("../../templates/request.txt"),
            Kind::RequestFollowup => include_str!("../../templates/request_followup.txt"),
            Kind::Thanks => include_str!("../../templates/thanks.txt"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum TemplateError {
    #[error("cannot read template `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("template `{origin}` line {line}: {message}")]
    Syntax {
        origin: String,
        line: usize,
        message: String,
    },
    #[error("template `{origin}`: {message}")]
    Render { origin: String, message: String },
    #[error("template `{origin}`: {message}")]
    Shape { origin: String, message: String },
    #[error("the Subject would contain a line break from {fields}")]
    HeaderInjection { fields: String },
}

/// Where a template's text came from.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub kind: Kind,
    /// The user's file, or None for the built-in.
    pub path: Option<PathBuf>,
    pub text: String,
}

impl Source {
    /// How errors name this template.
    pub(crate) fn origin(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => format!("{}.txt (built-in)", self.kind.name()),
        }
    }
}

/// The user's template for `kind` if the folder has one, else the built-in.
pub(crate) fn load(kind: Kind, dir: &Path) -> Result<Source, TemplateError> {
    let path = dir.join(format!("{}.txt", kind.name()));
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Source {
            kind,
            path: Some(path),
            text,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Source {
            kind,
            path: None,
            text: kind.builtin().to_string(),
        }),
        Err(source) => Err(TemplateError::Read { path, source }),
    }
}

/// A contact as templates see it (`a`, `b`): never its private note. The
/// name reads as in a sentence (`Okafor, Ngozi` is `Ngozi Okafor`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ContactView {
    pub handle: String,
    pub name: String,
    pub first_name: String,
    pub email: String,
    pub blurb: Option<String>,
    /// A profile link.
    pub url: Option<String>,
    pub tags: Vec<String>,
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, toml::Value>,
}

impl From<&crate::setup::contacts::Contact> for ContactView {
    fn from(c: &crate::setup::contacts::Contact) -> Self {
        ContactView {
            handle: c.handle.clone(),
            name: text::natural_name(&c.name),
            first_name: c.first_name().to_string(),
            email: c.email.clone(),
            blurb: c.blurb.clone(),
            url: c.url.clone(),
            tags: c.tags.clone(),
            extra: c.extra.iter().cloned().collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct MeView {
    pub name: String,
    pub first_name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RequestView {
    pub id: String,
    pub subject: String,
    pub created_at: String,
    pub asked_at: Option<String>,
    pub followups: usize,
}

/// Everything a template can use.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Vars {
    pub me: MeView,
    pub a: ContactView,
    pub b: ContactView,
    pub why: String,
    /// What B reads as the reason (`--why-b`, else `why`).
    pub why_b: String,
    pub wants: Option<String>,
    pub format: Option<String>,
    pub note: Option<String>,
    /// B's forwardable note, word for word (`intro note`), when the ask
    /// carries one.
    pub forward_note: Option<String>,
    /// Both sides are asked (`--both`): neither has agreed to anything yet.
    pub both: bool,
    /// The follow-up being written is the last `followup.max` allows.
    pub last: bool,
    /// The follow-up being written comes after the last (`--force`): the
    /// one before promised it would be the last.
    pub past_last: bool,
    pub request: RequestView,
    /// In a thank-you to a connector: how the introduction went (`--how`).
    pub how: Option<String>,
}

impl Vars {
    /// The command-line and batch values, for naming the one that broke a header.
    fn free_text_fields(&self) -> Vec<(&'static str, Option<&str>)> {
        vec![
            ("why", Some(self.why.as_str())),
            ("why_b", Some(self.why_b.as_str())),
            ("wants", self.wants.as_deref()),
            ("format", self.format.as_deref()),
            ("note", self.note.as_deref()),
            ("how", self.how.as_deref()),
            ("a.blurb", self.a.blurb.as_deref()),
            ("b.blurb", self.b.blurb.as_deref()),
        ]
    }

    /// Vars for a first ask with nothing optional given, for tests and
    /// the fuzz target to start from.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn plain(
        me: MeView,
        a: ContactView,
        b: ContactView,
        why: String,
        request: RequestView,
    ) -> Vars {
        Vars {
            me,
            a,
            b,
            why_b: why.clone(),
            why,
            wants: None,
            format: None,
            note: None,
            forward_note: None,
            both: false,
            last: false,
            past_last: false,
            request,
            how: None,
        }
    }
}

/// A template parsed and ready to render many times (a batch renders one
/// ask per row).
pub(crate) struct Template {
    origin: String,
    header_lines: usize,
    tera: tera::Tera,
}

const HEADER: &str = "header";
const BODY: &str = "body";

impl Template {
    /// Parse `source`. The header block and the body are kept apart, so a
    /// value with a line break can never add a header line.
    pub(crate) fn compile(source: &Source) -> Result<Template, TemplateError> {
        let origin = source.origin();
        let (header_src, body_src, body_line) =
            split_source(&source.text).ok_or_else(|| TemplateError::Shape {
                origin: origin.clone(),
                message: "no header block: the first line must be `Subject: ...`".into(),
            })?;
        if let Some(line) = too_deep(&source.text) {
            return Err(TemplateError::Syntax {
                origin,
                line,
                message: format!(
                    "parentheses nest more than {MAX_PAREN_DEPTH} deep in one tag (unclosed ones?)"
                ),
            });
        }
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![]);
        crate::mail::phrase::register(&mut tera);
        for (name, src, first_line) in [(HEADER, header_src, 1), (BODY, body_src, body_line)] {
            if let Err(e) = tera.add_raw_template(name, src) {
                let message = error_chain(&e);
                let line = parse_error_line(&message).map_or(first_line, |l| l + first_line - 1);
                return Err(TemplateError::Syntax {
                    origin,
                    line,
                    message: syntax_summary(&message),
                });
            }
        }
        Ok(Template {
            origin,
            header_lines: header_src.trim_end_matches('\n').lines().count(),
            tera,
        })
    }

    /// Load and parse the template for `kind` (the user's, or the built-in).
    pub(crate) fn load(kind: Kind, dir: &Path) -> Result<Template, TemplateError> {
        Template::compile(&load(kind, dir)?)
    }

    /// Render with `vars`: if the rendered header block has more lines than
    /// the template's, a value added one, which is an error naming it.
    pub(crate) fn render(&self, vars: &Vars) -> Result<Rendered, TemplateError> {
        let origin = self.origin.clone();
        let context = tera::Context::from_serialize(vars).map_err(|e| TemplateError::Render {
            origin: origin.clone(),
            message: error_chain(&e),
        })?;
        let render = |name: &str| {
            self.tera
                .render(name, &context)
                .map_err(|e| TemplateError::Render {
                    origin: origin.clone(),
                    message: render_summary(&error_chain(&e)),
                })
        };
        let header = render(HEADER)?;
        let body = render(BODY)?;
        if header.trim_end_matches('\n').lines().count() != self.header_lines
            || header.contains('\r')
        {
            let fields: Vec<String> = vars
                .free_text_fields()
                .into_iter()
                .filter(|(_, v)| v.is_some_and(text::has_line_break))
                .map(|(name, _)| format!("`{name}`"))
                .collect();
            return Err(TemplateError::HeaderInjection {
                fields: if fields.is_empty() {
                    "a value".into()
                } else {
                    fields.join(", ")
                },
            });
        }
        let mut subject = None;
        for (i, line) in header.lines().enumerate() {
            let Some((name, value)) = line.split_once(':') else {
                return Err(TemplateError::Shape {
                    origin,
                    message: format!("line {}: expected `Subject: ...`, found `{line}`", i + 1),
                });
            };
            if !name.trim().eq_ignore_ascii_case("subject") {
                return Err(TemplateError::Shape {
                    origin,
                    message: format!(
                        "line {}: unknown header `{}` (only `Subject:` may be set by a template)",
                        i + 1,
                        name.trim()
                    ),
                });
            }
            subject = Some(value.trim().to_string());
        }
        let subject = subject
            .filter(|s| !s.is_empty())
            .ok_or_else(|| TemplateError::Shape {
                origin: origin.clone(),
                message: "the Subject is empty".into(),
            })?;
        Ok(Rendered {
            subject,
            body: tidy_body(&body),
        })
    }
}

/// Parse and render in one go.
pub(crate) fn render(source: &Source, vars: &Vars) -> Result<Rendered, TemplateError> {
    Template::compile(source)?.render(vars)
}

/// Split a template into its header block, its body, and the body's first line number.
/// How deep parentheses may nest inside one tag. tera's parser takes time
/// exponential in some nestings, valid or not (found by fuzzing): calls
/// with keyword arguments, `f(x=g(x=...))`, take four times longer per
/// level (8 levels 0.3 s, 10 levels 5 s), parenthesized `is` tests twice
/// (16 levels 0.2 s, 24 about a minute). At 6, the worst known takes 20 ms;
/// templates people write nest two or three deep.
const MAX_PAREN_DEPTH: usize = 6;

/// The line of the first tag (`{{ }}` or `{% %}`) in which parentheses,
/// outside string literals, nest deeper than [`MAX_PAREN_DEPTH`]. The text
/// of `{% raw %}` blocks and `{# #}` comments is not looked into.
fn too_deep(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let line_of = |at: usize| b[..at].iter().filter(|&&c| c == b'\n').count() + 1;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] != b'{' || !matches!(b[i + 1], b'{' | b'%' | b'#') {
            i += 1;
            continue;
        }
        let start = i;
        let end = match b[i + 1] {
            b'{' => b'}',
            other => other,
        };
        i += 2;
        let mut depth = 0;
        let mut quote = None;
        while i < b.len() {
            let c = b[i];
            if end == b'#' {
                // A comment: only its end matters.
            } else if let Some(q) = quote {
                if c == q {
                    quote = None;
                }
            } else if matches!(c, b'"' | b'\'' | b'`') {
                quote = Some(c);
            } else if c == b'(' {
                depth += 1;
                if depth > MAX_PAREN_DEPTH {
                    return Some(line_of(start));
                }
            } else if c == b')' {
                depth = depth.saturating_sub(1);
            }
            if quote.is_none() && c == end && b.get(i + 1) == Some(&b'}') {
                i += 2;
                break;
            }
            i += 1;
        }
        let tag = text[start..i.min(text.len())]
            .trim_start_matches(['{', '%', '-'])
            .trim_end_matches(['}', '%', '-'])
            .trim();
        if end == b'%' && tag == "raw" {
            // Skip the block's text, up to its `{% endraw %}`.
            match text[i..].find("endraw") {
                Some(at) => i += at + "endraw".len(),
                None => return None,
            }
        }
    }
    None
}

fn split_source(text: &str) -> Option<(&str, &str, usize)> {
    let first = text.lines().next()?;
    let (name, _) = first.split_once(':')?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if line.trim().is_empty() {
            return Some((&text[..offset], &text[offset + line.len()..], i + 2));
        }
        offset += line.len();
    }
    Some((text, "", text.lines().count() + 1))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join("\n")
}

/// tera's parse errors carry ` --> LINE:COL`.
fn parse_error_line(message: &str) -> Option<usize> {
    let at = message.find("--> ")?;
    let rest = &message[at + 4..];
    let end = rest.find(':')?;
    rest[..end].trim().parse().ok()
}

fn syntax_summary(message: &str) -> String {
    message
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or("syntax error")
        .to_string()
}

/// Keep the part of tera's message that names the variable or filter.
fn render_summary(message: &str) -> String {
    let line = message
        .lines()
        .find(|l| l.contains("Variable `") || l.contains("not found"))
        .or_else(|| message.lines().last())
        .unwrap_or("render error");
    match line.find(" while rendering") {
        Some(cut) => line[..cut].to_string(),
        None => line.to_string(),
    }
    .replace("Variable ", "variable ")
    .replace("in context", "in the template's variables")
}

/// Trim trailing spaces, collapse runs of blank lines left by `{% if %}`
/// blocks, and end with exactly one newline.
fn tidy_body(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut blank_run = 0;
    for line in body.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(handle: &str, name: &str) -> ContactView {
        ContactView {
            handle: handle.into(),
            name: name.into(),
            first_name: text::first_name(name).into(),
            email: format!("{handle}@example.com"),
            blurb: None,
            url: None,
            tags: vec![],
            extra: Default::default(),
        }
    }

    fn vars() -> Vars {
        Vars::plain(
            MeView {
                name: "Grace Hopper".into(),
                first_name: "Grace".into(),
                email: "grace@example.com".into(),
            },
            contact("ada", "Ada Lovelace"),
            contact("sam", "Sam Builder"),
            "you both care about compilers".into(),
            RequestView {
                id: "abcd1234".into(),
                subject: "Hello".into(),
                created_at: "2026-01-01T00:00:00Z".into(),
                asked_at: None,
                followups: 0,
            },
        )
    }

    fn source(text: &str) -> Source {
        Source {
            kind: Kind::Ask,
            path: Some("t/ask.txt".into()),
            text: text.into(),
        }
    }

    /// Found by fuzzing (`fuzz/`, target `template`): tera's parser took
    /// minutes over a few dozen unclosed parentheses around `is` tests, and
    /// over ten seconds on twelve nested calls with keyword arguments: time
    /// exponential in their nesting, valid or not.
    #[test]
    fn parentheses_nested_too_deep_are_refused_at_once() {
        let calls = "Subject: {{ f(sep=g(sep=h(sep=f(sep=g(sep=h(sep=f(sep=\n\nx\n";
        assert_eq!(too_deep(calls), Some(1));
        let fuzzed = "S:({{ (((( a.firs0 is\n os\n((((((( ((((((( a.firs0 is\n os\n(((((((\n";
        match Template::compile(&source(fuzzed)) {
            Err(TemplateError::Syntax { line, message, .. }) => {
                assert_eq!(line, 1);
                assert!(message.contains("nest more than 6 deep"), "{message}");
            }
            other => panic!("expected a syntax error, got {:?}", other.map(|_| ())),
        }
        // Counted per tag, outside strings, not in raw blocks or comments.
        let deep = |n: usize| format!("{}a.name{}", "(".repeat(n), ")".repeat(n));
        let fine = format!(
            "Subject: x\n\n{{{{ {} }}}} {{{{ {} }}}}\n{{{{ \"(((((((((((((((\" }}}}\n\
             {{% raw %}}{{{{ ((((((((((((((( }}}}{{% endraw %}}\n{{# ((((((((((((((( #}}\n",
            deep(6),
            deep(6)
        );
        assert!(too_deep(&fine).is_none());
        let refused = format!("Subject: x\n\nok\n{{{{ {} }}}}\n", deep(7));
        assert_eq!(too_deep(&refused), Some(4));
    }

    #[test]
    fn splits_subject_and_tidies_body() {
        let r = render(
            &source("Subject: Hi {{ a.first_name }}\n\n\nBody {{ b.name }}  \n\n\n\nEnd\n\n"),
            &vars(),
        )
        .unwrap();
        assert_eq!(r.subject, "Hi Ada");
        assert_eq!(r.body, "Body Sam Builder\n\nEnd\n");
    }

    #[test]
    fn a_line_break_in_a_value_cannot_add_a_header() {
        let mut v = vars();
        v.why = "x\nBcc: evil@example.com".into();
        let err = render(&source("Subject: {{ why }}\n\nbody\n"), &v).unwrap_err();
        assert!(
            matches!(&err, TemplateError::HeaderInjection { fields } if fields == "`why`"),
            "{err}"
        );
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let err = render(&source("Subject: x\n\nline one\n{% if %}\n"), &vars()).unwrap_err();
        match err {
            TemplateError::Syntax { origin, line, .. } => {
                assert_eq!(origin, "t/ask.txt");
                assert_eq!(line, 4);
            }
            other => panic!("expected a syntax error, got {other}"),
        }
    }

    #[test]
    fn render_errors_name_the_variable() {
        let err = render(&source("Subject: x\n\n{{ a.nickname }}\n"), &vars()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("t/ask.txt") && msg.contains("a.nickname"),
            "{msg}"
        );
    }

    #[test]
    fn only_subject_may_be_set() {
        let err = render(&source("Subject: x\nBcc: y@example.com\n\nbody\n"), &vars()).unwrap_err();
        assert!(err.to_string().contains("unknown header `Bcc`"), "{err}");
        let err = render(&source("Hello there\n\nbody\n"), &vars()).unwrap_err();
        assert!(matches!(err, TemplateError::Shape { .. }));
    }

    #[test]
    fn every_builtin_renders_with_minimal_vars() {
        for kind in Kind::ALL {
            let src = Source {
                kind,
                path: None,
                text: kind.builtin().into(),
            };
            let r = render(&src, &vars()).unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
            assert!(!r.subject.is_empty());
            assert!(r.body.contains("Grace"), "{} is signed", kind.name());
        }
    }
}
