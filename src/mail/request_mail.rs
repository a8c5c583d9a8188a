//! The messages of an introduction the user asks for (`intro request`):
//! which templates the request and its follow-ups use, and the thank-you
//! to the connector afterwards, in the request's thread.

use crate::domain::request::{Direction, Request, Side};
use crate::mail::compose::Composer;
use crate::mail::message::{Outgoing, Purpose};
use crate::mail::template::{Kind, Rendered};

impl Kind {
    /// The template of the first message of a request made in `direction`.
    pub(crate) fn ask_for(direction: Direction) -> Kind {
        match direction {
            Direction::Introducing => Kind::Ask,
            Direction::Requested => Kind::Request,
        }
    }

    /// The template of a follow-up to a request made in `direction`: a
    /// connector is nudged about the introduction asked of them, not
    /// about meeting someone.
    pub(crate) fn followup_for(direction: Direction) -> Kind {
        match direction {
            Direction::Introducing => Kind::Followup,
            Direction::Requested => Kind::RequestFollowup,
        }
    }
}

impl Composer<'_> {
    /// The thank-you's Subject and body: `Re:` the request's Subject.
    /// `how` is how the introduction went, in the user's words.
    pub(crate) fn thanks_text(
        &self,
        request: &Request,
        how: Option<&str>,
    ) -> anyhow::Result<Rendered> {
        let mut vars = self.vars(request);
        vars.how = how.map(str::to_string);
        let mut rendered = self.template(Kind::Thanks)?.render(&vars)?;
        rendered.subject = crate::mail::compose::reply_subject(&request.a_side.subject);
        Ok(rendered)
    }

    /// The thank-you to the connector, in the thread of the request (and
    /// its follow-ups), to the connector alone. `text` is what to send.
    pub(crate) fn thanks(
        &self,
        request: &Request,
        message_id: String,
        text: Rendered,
    ) -> anyhow::Result<Outgoing> {
        self.reply_in_thread(request, Side::A, text, message_id, Purpose::Thanks)
    }
}
