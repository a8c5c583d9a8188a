//! Turning a request into the message that goes with it: the template
//! variables, the recipients, the threading headers. One place, so every
//! command builds its messages the same way.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use time::OffsetDateTime;

use crate::domain::request::{Request, Side};
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

    fn template(&self, kind: Kind) -> anyhow::Result<std::rc::Rc<Template>> {
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

    /// The subject an ask for `request` will have.
    pub(crate) fn ask_subject(&self, request: &Request) -> anyhow::Result<String> {
        Ok(self
            .template(Kind::Ask)?
            .render(&self.vars(request))?
            .subject)
    }

    /// The ask's Subject and body: as the user edited it, or rendered.
    pub(crate) fn ask_text(&self, request: &Request) -> anyhow::Result<Rendered> {
        match &request.a_side.edited {
            Some(edited) => Ok(edited.clone()),
            None => Ok(self.template(Kind::Ask)?.render(&self.vars(request))?),
        }
    }

    /// The ask to A. B is never a recipient.
    pub(crate) fn ask(&self, request: &Request) -> anyhow::Result<Outgoing> {
        let rendered = self.ask_text(request)?;
        self.build(Draft {
            label: message::label(&request.id, Purpose::Ask),
            from: self.me(),
            to: vec![self.person(&request.a, &request.a_email)],
            bcc: self.bcc(),
            rendered,
            message_id: request.a_side.message_id.clone(),
            in_reply_to: None,
            references: None,
            date: self.now,
        })
    }

    /// A follow-up's Subject and body, to `side`: `Re:` the subject of
    /// that side's ask, always, so it threads. A message to B reads as
    /// one to A does, with the two swapped (see `vars_for_b`).
    pub(crate) fn followup_text(&self, request: &Request, side: Side) -> anyhow::Result<Rendered> {
        let vars = match side {
            Side::A => self.vars(request),
            Side::B => self.vars_for_b(request),
        };
        let mut rendered = self.template(Kind::Followup)?.render(&vars)?;
        rendered.subject = reply_subject(&self.subject_of(request, side));
        Ok(rendered)
    }

    /// The Subject of `side`'s ask, which its follow-ups answer.
    fn subject_of(&self, request: &Request, side: Side) -> String {
        request
            .party(side)
            .unwrap_or(&request.a_side)
            .subject
            .clone()
    }

    /// A nudge to `side` in the thread of that side's ask, replying to it.
    /// `text` is the user's edit, if any; its Subject is kept `Re:` the
    /// ask's.
    pub(crate) fn followup(
        &self,
        request: &Request,
        side: Side,
        message_id: String,
        text: Option<&Rendered>,
    ) -> anyhow::Result<Outgoing> {
        let rendered = match text {
            Some(t) => t.clone(),
            None => self.followup_text(request, side)?,
        };
        self.in_thread(request, side, rendered, message_id, Purpose::Followup)
    }

    /// A message to `side` in the thread of that side's ask: `Re:` its
    /// Subject, in reply to it and to the follow-ups since.
    fn in_thread(
        &self,
        request: &Request,
        side: Side,
        mut rendered: Rendered,
        message_id: String,
        purpose: Purpose,
    ) -> anyhow::Result<Outgoing> {
        let party = request
            .party(side)
            .ok_or_else(|| anyhow::anyhow!("request {} does not ask B", request.id))?;
        rendered.subject = reply_subject(&party.subject);
        self.build(Draft {
            label: message::label(&request.id, purpose),
            from: self.me(),
            to: vec![self.person(request.handle(side), request.email(side))],
            bcc: self.bcc(),
            rendered,
            message_id,
            in_reply_to: Some(party.message_id.clone()),
            references: Some(request.references(side)),
            date: self.now,
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
        let rendered = match text {
            Some(t) => t.clone(),
            None => self.introduction_text(request)?,
        };
        self.build(Draft {
            label: message::label(&request.id, Purpose::Introduction),
            from: self.me(),
            to: vec![
                self.person(&request.a, &request.a_email),
                self.person(&request.b, &request.b_email),
            ],
            bcc: self.bcc(),
            rendered,
            message_id,
            in_reply_to: None,
            references: None,
            date: self.now,
        })
    }

    /// The graceful close-the-loop note to B after a no.
    pub(crate) fn decline_note(&self, request: &Request) -> anyhow::Result<Outgoing> {
        let rendered = self.template(Kind::Decline)?.render(&self.vars(request))?;
        self.build(Draft {
            label: message::label(&request.id, Purpose::Decline),
            from: self.me(),
            to: vec![self.person(&request.b, &request.b_email)],
            bcc: None,
            rendered,
            message_id: self.new_message_id(),
            in_reply_to: None,
            references: None,
            date: self.now,
        })
    }

    /// The subject B's ask will have (`--both`).
    pub(crate) fn ask_b_subject(&self, request: &Request) -> anyhow::Result<String> {
        Ok(self
            .template(Kind::AskB)?
            .render(&self.vars(request))?
            .subject)
    }

    /// B's ask's Subject and body: as the user edited it, or rendered from
    /// ask_b.txt (which sees `a` and `b` as in A's ask).
    pub(crate) fn ask_b_text(&self, request: &Request) -> anyhow::Result<Rendered> {
        match request.b_side.as_ref().and_then(|b| b.edited.clone()) {
            Some(edited) => Ok(edited),
            None => Ok(self.template(Kind::AskB)?.render(&self.vars(request))?),
        }
    }

    /// B's ask (`--both`): to B alone.
    pub(crate) fn ask_b(&self, request: &Request) -> anyhow::Result<Outgoing> {
        let b_side = request
            .b_side
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("request {} does not ask B", request.id))?;
        let rendered = self.ask_b_text(request)?;
        self.build(Draft {
            label: message::label(&request.id, Purpose::AskB),
            from: self.me(),
            to: vec![self.person(&request.b, &request.b_email)],
            bcc: self.bcc(),
            rendered,
            message_id: b_side.message_id.clone(),
            in_reply_to: None,
            references: None,
            date: self.now,
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
        let rendered = match text {
            Some(t) => t.clone(),
            None => self.decline_note_text(request)?,
        };
        self.build(Draft {
            label: message::label(&request.id, Purpose::Decline),
            from: self.me(),
            to: vec![self.person(&request.b, &request.b_email)],
            bcc: self.bcc(),
            rendered,
            message_id,
            in_reply_to: None,
            references: None,
            date: self.now,
        })
    }

    pub(crate) fn decline_note_text(&self, request: &Request) -> anyhow::Result<Rendered> {
        Ok(self.template(Kind::Decline)?.render(&self.vars(request))?)
    }

    /// The note withdrawing the ask's Subject and body, for `side`: `Re:`
    /// that side's ask, so it threads.
    pub(crate) fn cancel_note_text(
        &self,
        request: &Request,
        side: Side,
    ) -> anyhow::Result<Rendered> {
        let vars = match side {
            Side::A => self.vars(request),
            Side::B => self.vars_for_b(request),
        };
        let mut rendered = self.template(Kind::Cancel)?.render(&vars)?;
        rendered.subject = reply_subject(&self.subject_of(request, side));
        Ok(rendered)
    }

    /// The note withdrawing the ask, to `side`, in that side's ask thread.
    /// `text` is the user's edit, if any; its Subject is kept `Re:` the
    /// ask's.
    pub(crate) fn cancel_note(
        &self,
        request: &Request,
        side: Side,
        message_id: String,
        text: Option<&Rendered>,
    ) -> anyhow::Result<Outgoing> {
        let rendered = match text {
            Some(t) => t.clone(),
            None => self.cancel_note_text(request, side)?,
        };
        self.in_thread(request, side, rendered, message_id, Purpose::Cancel)
    }

    pub(crate) fn new_message_id(&self) -> String {
        message::new_message_id(self.config.me_email())
    }

    fn build(&self, draft: Draft) -> anyhow::Result<Outgoing> {
        Ok(message::build_as(&draft, self.config.send.user_agent)?)
    }
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
