//! Turning a request into the message that goes with it: the template
//! variables, the recipients, the threading headers. One place, so every
//! command builds its messages the same way.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use time::OffsetDateTime;

use crate::domain::request::{Direction, Request, Side};
use crate::mail::message::{self, Draft, Outgoing, Person, Purpose};
use crate::mail::template::{
    self, ContactView, Kind, MeView, Rendered, RequestView, Template, Vars,
};
use crate::setup::config::Config;
use crate::setup::contacts::{Contact, Contacts};
use crate::ui::output::rfc3339;

pub(crate) struct Composer<'a> {
    config: &'a Config,
    contacts: &'a Contacts,
    templates_dir: PathBuf,
    now: OffsetDateTime,
    compiled: RefCell<HashMap<&'static str, std::rc::Rc<Template>>>,
}

impl<'a> Composer<'a> {
    pub(crate) fn new(
        config: &'a Config,
        contacts: &'a Contacts,
        templates_dir: PathBuf,
        now: OffsetDateTime,
    ) -> Composer<'a> {
        Composer {
            config,
            contacts,
            templates_dir,
            now,
            compiled: RefCell::new(HashMap::new()),
        }
    }

    pub(super) fn template(&self, kind: Kind) -> anyhow::Result<std::rc::Rc<Template>> {
        if let Some(t) = self.compiled.borrow().get(kind.name()) {
            return Ok(t.clone());
        }
        let t = std::rc::Rc::new(Template::load(kind, &self.templates_dir)?);
        self.compiled.borrow_mut().insert(kind.name(), t.clone());
        Ok(t)
    }

    fn me(&self) -> Person {
        Person::new(self.config.me_name(), self.config.me_email())
    }

    fn bcc(&self) -> Option<Person> {
        self.config.send.bcc_me.then(|| self.me())
    }

    /// The contact as the request knows it; if it left the contacts file
    /// since, what the request recorded.
    fn contact(&self, handle: &str, email: &str) -> Contact {
        match self.contacts.by_handle(handle) {
            Some(c) => c.clone(),
            None => Contact {
                handle: handle.into(),
                name: handle.into(),
                email: email.into(),
                first_name: None,
                blurb: None,
                url: None,
                tags: Vec::new(),
                prefers: None,
                cooldown_days: None,
                extra: Default::default(),
            },
        }
    }

    pub(crate) fn vars(&self, request: &Request) -> Vars {
        let a = self.contact(&request.a, &request.a_email);
        let b = self.contact(&request.b, &request.b_email);
        Vars {
            me: MeView {
                name: self.config.me_name().into(),
                first_name: self.config.me_first_name().into(),
                email: self.config.me_email().into(),
            },
            a: ContactView::from(&a),
            b: ContactView::from(&b),
            why: request.why.clone(),
            why_b: request.why_b.clone().unwrap_or_else(|| request.why.clone()),
            wants: request.wants.clone(),
            format: request.format.clone(),
            note: request.note.clone(),
            forward_note: request.forward_note_text().map(str::to_string),
            both: request.both(),
            last: self.is_last_followup(request.a_side.followups.len()),
            past_last: self.is_past_last_followup(request.a_side.followups.len()),
            request: RequestView {
                id: request.id.clone(),
                subject: request.a_side.subject.clone(),
                created_at: rfc3339(request.created_at),
                asked_at: request.a_side.asked_at.map(rfc3339),
                followups: request.a_side.followups.len(),
            },
            how: None,
        }
    }

    /// Whether the follow-up after `sent` earlier ones is the last that
    /// `followup.max` allows (or one past it, with `--force`).
    fn is_last_followup(&self, sent: usize) -> bool {
        sent + 1 >= self.config.followup.max as usize
    }

    /// Whether `sent` earlier follow-ups already reached `followup.max`,
    /// so the next one (with `--force`) breaks the last one's promise.
    fn is_past_last_followup(&self, sent: usize) -> bool {
        sent >= self.config.followup.max as usize
    }

    /// The variables for a message to B: `a` and `b` swapped, so `a` is
    /// always the person written to (B's follow-ups reuse followup.txt).
    /// B reads the reason written for B, and is not told B's own wishes.
    fn vars_for_b(&self, request: &Request) -> Vars {
        let mut vars = self.vars(request);
        std::mem::swap(&mut vars.a, &mut vars.b);
        vars.why = vars.why_b.clone();
        vars.wants = None;
        if let Some(b) = &request.b_side {
            vars.request.subject = b.subject.clone();
            vars.request.asked_at = b.asked_at.map(rfc3339);
            vars.request.followups = b.followups.len();
            vars.last = self.is_last_followup(b.followups.len());
            vars.past_last = self.is_past_last_followup(b.followups.len());
        }
        vars
    }

    fn person(&self, handle: &str, email: &str) -> Person {
        let c = self.contact(handle, email);
        Person::new(&c.name, &c.email)
    }

    /// The template and label of `side`'s ask: B's (`--both`) has its
    /// own, and so has A's when A is a connector asked for an introduction.
    fn ask_kind(request: &Request, side: Side) -> (Kind, Purpose) {
        match side {
            Side::A => (Kind::ask_for(request.direction), Purpose::Ask),
            Side::B => (Kind::AskB, Purpose::AskB),
        }
    }

    /// The subject `side`'s ask for `request` will have.
    pub(crate) fn ask_subject(&self, request: &Request, side: Side) -> anyhow::Result<String> {
        Ok(self.ask_rendered(request, side)?.subject)
    }

    /// `side`'s ask rendered from its template: ask.txt, or ask_b.txt
    /// (which sees `a` and `b` as in A's ask).
    fn ask_rendered(&self, request: &Request, side: Side) -> anyhow::Result<Rendered> {
        let (kind, _) = Self::ask_kind(request, side);
        Ok(self.template(kind)?.render(&self.vars(request))?)
    }

    /// `side`'s ask's Subject and body: as the user edited it, or rendered.
    pub(crate) fn ask_text(&self, request: &Request, side: Side) -> anyhow::Result<Rendered> {
        match request.party(side).and_then(|p| p.edited.clone()) {
            Some(edited) => Ok(edited),
            None => self.ask_rendered(request, side),
        }
    }

    /// The ask to `side` alone: A's, or with `--both` B's. The other is
    /// never a recipient.
    pub(crate) fn ask(&self, request: &Request, side: Side) -> anyhow::Result<Outgoing> {
        let party = request
            .party(side)
            .ok_or_else(|| anyhow::anyhow!("request {} does not ask B", request.id))?;
        let (_, purpose) = Self::ask_kind(request, side);
        let rendered = self.ask_text(request, side)?;
        let to = vec![self.person(request.handle(side), request.email(side))];
        self.build(self.draft(request, purpose, to, rendered, party.message_id.clone()))
    }

    /// The Subject and body of `what` to `side`, rendered in that side's
    /// thread: `Re:` the subject of its ask, always, so it threads. A
    /// message to B reads as one to A does, with the two swapped (see
    /// `vars_for_b`).
    pub(crate) fn thread_text(
        &self,
        request: &Request,
        side: Side,
        what: InThread,
    ) -> anyhow::Result<Rendered> {
        let (kind, _) = what.template_and_label(request.direction);
        let vars = match side {
            Side::A => self.vars(request),
            Side::B => self.vars_for_b(request),
        };
        let mut rendered = self.template(kind)?.render(&vars)?;
        rendered.subject = reply_subject(&self.subject_of(request, side));
        Ok(rendered)
    }

    /// The Subject of `side`'s ask, which its follow-ups answer.
    fn subject_of(&self, request: &Request, side: Side) -> String {
        request
            .thread_party(side)
            .map_or_else(|| request.a_side.subject.clone(), |p| p.subject)
    }

    /// `what` to `side` in the thread of that side's ask: `Re:` its
    /// Subject, in reply to it and to the follow-ups since. `text` is the
    /// user's edit, if any (its Subject is kept `Re:` the ask's);
    /// otherwise it is rendered from `what`'s template.
    pub(crate) fn in_thread(
        &self,
        request: &Request,
        side: Side,
        what: InThread,
        message_id: String,
        text: Option<&Rendered>,
    ) -> anyhow::Result<Outgoing> {
        let (_, purpose) = what.template_and_label(request.direction);
        let rendered = edited_or(text, || self.thread_text(request, side, what))?;
        self.reply_in_thread(request, side, rendered, message_id, purpose)
    }

    /// `rendered` to `side` as `purpose`, in the thread of that side's
    /// ask: `Re:` its Subject, in reply to it and to the follow-ups since.
    pub(super) fn reply_in_thread(
        &self,
        request: &Request,
        side: Side,
        mut rendered: Rendered,
        message_id: String,
        purpose: Purpose,
    ) -> anyhow::Result<Outgoing> {
        let party = request
            .thread_party(side)
            .ok_or_else(|| anyhow::anyhow!("request {} does not ask B", request.id))?;
        rendered.subject = reply_subject(&party.subject);
        let to = vec![self.person(request.handle(side), request.email(side))];
        self.build(Draft {
            in_reply_to: Some(party.message_id.clone()),
            references: Some(request.references(side)),
            ..self.draft(request, purpose, to, rendered, message_id)
        })
    }

    pub(crate) fn introduction_text(&self, request: &Request) -> anyhow::Result<Rendered> {
        // Nobody was asked before a direct introduction: its words differ.
        let kind = if request.direct {
            Kind::IntroduceDirect
        } else {
            Kind::Introduce
        };
        Ok(self.template(kind)?.render(&self.vars(request))?)
    }

    /// The introduction, to A and B together. `text` is the user's edit, if any.
    pub(crate) fn introduction(
        &self,
        request: &Request,
        message_id: String,
        text: Option<&Rendered>,
    ) -> anyhow::Result<Outgoing> {
        let rendered = edited_or(text, || self.introduction_text(request))?;
        let to = vec![
            self.person(&request.a, &request.a_email),
            self.person(&request.b, &request.b_email),
        ];
        self.build(self.draft(request, Purpose::Introduction, to, rendered, message_id))
    }

    /// The graceful close-the-loop note to B after a no, as a draft the
    /// user sends from their own mail client: no Bcc to themselves.
    pub(crate) fn decline_note(&self, request: &Request) -> anyhow::Result<Outgoing> {
        let rendered = self.decline_note_text(request)?;
        let to = vec![self.person(&request.b, &request.b_email)];
        self.build(Draft {
            bcc: None,
            ..self.draft(
                request,
                Purpose::Decline,
                to,
                rendered,
                self.new_message_id(),
            )
        })
    }

    /// The close-the-loop note to B after A's no, as a message that can be
    /// sent again with the same Message-ID. `text` is the user's edit, if any.
    pub(crate) fn decline_note_to_send(
        &self,
        request: &Request,
        message_id: String,
        text: Option<&Rendered>,
    ) -> anyhow::Result<Outgoing> {
        let rendered = edited_or(text, || self.decline_note_text(request))?;
        let to = vec![self.person(&request.b, &request.b_email)];
        self.build(self.draft(request, Purpose::Decline, to, rendered, message_id))
    }

    pub(crate) fn decline_note_text(&self, request: &Request) -> anyhow::Result<Rendered> {
        Ok(self.template(Kind::Decline)?.render(&self.vars(request))?)
    }

    pub(crate) fn new_message_id(&self) -> String {
        message::new_message_id(self.config.me_email())
    }

    /// A new message of `request` for `purpose`, from the user, Bcc as
    /// configured, starting no thread of its own yet.
    fn draft(
        &self,
        request: &Request,
        purpose: Purpose,
        to: Vec<Person>,
        rendered: Rendered,
        message_id: String,
    ) -> Draft {
        Draft {
            label: message::label(&request.id, purpose),
            from: self.me(),
            to,
            bcc: self.bcc(),
            rendered,
            message_id,
            in_reply_to: None,
            references: None,
            date: self.now,
        }
    }

    fn build(&self, draft: Draft) -> anyhow::Result<Outgoing> {
        Ok(message::build_as(&draft, self.config.send.user_agent)?)
    }
}

/// The request to B for a forwardable note (`intro note`).
impl Composer<'_> {
    /// The Subject and body of the note request to B: as the user edited
    /// it, or rendered from note_request.txt (`a` is the one B would
    /// meet, `b` the one written to, as in B's ask).
    pub(crate) fn note_request_text(&self, request: &Request) -> anyhow::Result<Rendered> {
        match request.forward_note.as_ref().and_then(|n| n.edited.clone()) {
            Some(edited) => Ok(edited),
            None => Ok(self
                .template(Kind::NoteRequest)?
                .render(&self.vars(request))?),
        }
    }

    /// The note request, to B alone; A is not told of it.
    pub(crate) fn note_request(&self, request: &Request) -> anyhow::Result<Outgoing> {
        let note = request
            .forward_note
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("request {} asks B for no note", request.id))?;
        let rendered = self.note_request_text(request)?;
        let to = vec![self.person(&request.b, &request.b_email)];
        self.build(self.draft(
            request,
            Purpose::NoteRequest,
            to,
            rendered,
            note.message_id.clone(),
        ))
    }
}

/// A message intro writes in a side's ask thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InThread {
    /// A nudge to answer the ask.
    Followup,
    /// The note withdrawing the ask.
    Cancel,
}

impl InThread {
    /// Its template, which depends on the request's direction (a connector
    /// is nudged about the introduction asked of them), and its label.
    fn template_and_label(self, direction: Direction) -> (Kind, Purpose) {
        match self {
            InThread::Followup => (Kind::followup_for(direction), Purpose::Followup),
            InThread::Cancel => (Kind::Cancel, Purpose::Cancel),
        }
    }
}

/// The user's edit of a message, if they made one; otherwise `render` it.
fn edited_or(
    text: Option<&Rendered>,
    render: impl FnOnce() -> anyhow::Result<Rendered>,
) -> anyhow::Result<Rendered> {
    text.map_or_else(render, |t| Ok(t.clone()))
}

/// `Re: <subject>`, without stacking a second `Re:`.
pub(crate) fn reply_subject(subject: &str) -> String {
    if subject.len() >= 3 && subject[..3].eq_ignore_ascii_case("re:") {
        subject.to_string()
    } else {
        format!("Re: {subject}")
    }
}

/// Render every template once with sample values, for `contacts check`.
pub(crate) fn check_templates(
    config: &Config,
    contacts: &Contacts,
    templates_dir: &std::path::Path,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut people = contacts.iter();
    let sample = |handle: &str| Contact {
        handle: handle.into(),
        name: format!("Sample {handle}"),
        email: format!("{handle}@example.com"),
        first_name: None,
        blurb: Some("A sample blurb.".into()),
        url: None,
        tags: vec![],
        prefers: None,
        cooldown_days: None,
        extra: Default::default(),
    };
    let a = people.next().cloned().unwrap_or_else(|| sample("a"));
    let b = people.next().cloned().unwrap_or_else(|| sample("b"));
    let composer = Composer::new(
        config,
        contacts,
        templates_dir.into(),
        OffsetDateTime::UNIX_EPOCH,
    );
    let request = Request::new(
        "00000000".into(),
        crate::domain::request::AskSpec {
            a: a.handle.clone(),
            a_email: a.email.clone(),
            b: b.handle.clone(),
            b_email: b.email.clone(),
            why: "a sample reason".into(),
            wants: Some("a sample wish".into()),
            format: Some("a call".into()),
            note: Some("A sample personal line.".into()),
        },
        "Sample subject".into(),
        "<sample@example.com>".into(),
        OffsetDateTime::UNIX_EPOCH,
    );
    for kind in Kind::ALL {
        let result = template::load(kind, templates_dir)
            .map_err(anyhow::Error::from)
            .and_then(|source| Ok(template::render(&source, &composer.vars(&request))?));
        if let Err(e) = result {
            problems.push(crate::ui::output::one_line(&e));
        }
    }
    problems
}
