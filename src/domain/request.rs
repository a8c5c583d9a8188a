//! The domain: a request (one ask of A about B), its states and the legal
//! moves between them. Pure: no I/O, and `now` is always a parameter.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::domain::auto_reply::AutoReply;
pub(crate) use crate::domain::requested::Direction;

/// A rendered template (or a message the user edited): the Subject and the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Rendered {
    pub subject: String,
    pub body: String,
}

/// When follow-ups are due: the config's `[followup]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FollowupSettings {
    /// A follow-up is due this many days after the ask or the last follow-up.
    #[serde(default = "default_after_days")]
    pub after_days: u32,
    /// No more follow-ups than this per request.
    #[serde(default = "default_max")]
    pub max: u32,
}

fn default_after_days() -> u32 {
    5
}

fn default_max() -> u32 {
    2
}

impl Default for FollowupSettings {
    fn default() -> Self {
        FollowupSettings {
            after_days: default_after_days(),
            max: default_max(),
        }
    }
}

/// Where a request stands. `Sending` is intro's own: the ask is recorded
/// before it goes out, so an interrupted send can be finished (with the same
/// Message-ID) instead of lost or repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub(crate) enum State {
    Sending,
    Asked,
    Replied,
    Approved,
    Declined,
    Introduced,
    Cancelled,
    /// B was asked for a forwardable note (`intro note`); A not yet.
    #[serde(rename = "note_requested")]
    NoteRequested,
    /// B's note is in; the ask to A carrying it is next.
    #[serde(rename = "note_received")]
    NoteReceived,
}

impl State {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            State::Sending => "sending",
            State::Asked => "asked",
            State::Replied => "replied",
            State::Approved => "approved",
            State::Declined => "declined",
            State::Introduced => "introduced",
            State::Cancelled => "cancelled",
            State::NoteRequested => "note_requested",
            State::NoteReceived => "note_received",
        }
    }

    /// Open requests block a new ask of the same pair.
    pub(crate) fn is_open(self) -> bool {
        matches!(
            self,
            State::Sending
                | State::Asked
                | State::Replied
                | State::Approved
                | State::NoteRequested
                | State::NoteReceived
        )
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One message intro sent (or began to send) for a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Sent {
    pub message_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A message whose send began but whose acceptance is not yet recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub kind: PendingKind,
    pub message_id: String,
    /// The run sending it (see `claim`); another may take over once it died.
    #[serde(default)]
    pub run: Option<String>,
    /// The text as the user edited it (`--edit`), so a resend sends it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<Rendered>,
}

/// What a message intro began to send is: a kind, and for most the side
/// it is written to. On disk each has the name it always had (`followup`,
/// `followup_b`, ...; see [`PendingKind::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PendingKind {
    /// An ask sent after the request was made: only B's, with `--both`
    /// (A's is the request's own `sending` state, never pending).
    Ask(Side),
    /// A follow-up to a side.
    Followup(Side),
    /// The note withdrawing a side's ask (`cancel --tell --send`).
    CancelNote(Side),
    /// The close-the-loop note to B as A's no is recorded (`decline
    /// --tell-b --send`): always to B.
    DeclineNote,
    /// The introduction: to both sides at once, so to neither alone.
    Introduction,
    /// The thank-you to the connector after an introduction the user
    /// asked for (`intro thank --send`): to A, the connector.
    Thanks,
}

impl PendingKind {
    /// Every kind, to read a name back. The names themselves are written
    /// by [`PendingKind::name`], which the compiler holds to every kind.
    const ALL: &[PendingKind] = &[
        PendingKind::Followup(Side::A),
        PendingKind::Introduction,
        PendingKind::Ask(Side::A),
        PendingKind::Ask(Side::B),
        PendingKind::Followup(Side::B),
        PendingKind::DeclineNote,
        PendingKind::CancelNote(Side::A),
        PendingKind::CancelNote(Side::B),
        PendingKind::Thanks,
    ];

    /// Its name on disk and in JSON.
    fn name(self) -> &'static str {
        match self {
            PendingKind::Followup(Side::A) => "followup",
            PendingKind::Introduction => "introduction",
            PendingKind::Ask(Side::A) => "ask",
            PendingKind::Ask(Side::B) => "ask_b",
            PendingKind::Followup(Side::B) => "followup_b",
            PendingKind::DeclineNote => "decline_note",
            PendingKind::CancelNote(Side::A) => "cancel_note",
            PendingKind::CancelNote(Side::B) => "cancel_note_b",
            PendingKind::Thanks => "thanks",
        }
    }

    /// Who a message of this kind is written to: one side, or `None` for
    /// the introduction, written to both.
    pub(crate) fn side(self) -> Option<Side> {
        match self {
            PendingKind::Ask(side)
            | PendingKind::Followup(side)
            | PendingKind::CancelNote(side) => Some(side),
            PendingKind::DeclineNote => Some(Side::B),
            PendingKind::Thanks => Some(Side::A),
            PendingKind::Introduction => None,
        }
    }
}

/// Serialize and deserialize a kind as its `name()`, read back through its `ALL`.
macro_rules! named_on_disk {
    ($kind:ty) => {
        impl Serialize for $kind {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $kind {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                named(<$kind>::ALL, <$kind>::name, deserializer)
            }
        }
    };
}

named_on_disk!(PendingKind);

/// The kind among `all` whose `name` is the one on disk.
fn named<'de, T: Copy, D: serde::Deserializer<'de>>(
    all: &[T],
    name: fn(T) -> &'static str,
    deserializer: D,
) -> Result<T, D::Error> {
    let found = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
    all.iter()
        .copied()
        .find(|&kind| name(kind) == found)
        .ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(|&kind| name(kind)).collect();
            serde::de::Error::custom(format!(
                "unknown kind `{found}`, expected one of {}",
                known.join(", ")
            ))
        })
}

/// A note sent as the request closed: to B after A's no, or withdrawing
/// the ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Note {
    pub kind: PendingKind,
    pub message_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A reply from A found by `intro sync`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Reply {
    /// The reply's Date header.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub snippet: String,
    pub message_id: Option<String>,
}

/// What a line of history records: a side's move, or one of the whole
/// request. On disk each has the name it always had (`asked`, `asked_b`,
/// ...; see [`EventKind::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Asked(Side),
    FollowedUp(Side),
    Replied(Side),
    Approved(Side),
    Declined(Side),
    Cancelled,
    Introduced,
    /// A note sent as the request closed (see [`Note`]).
    NoteSent,
    /// B was asked for a forwardable note (see `forward_note`).
    NoteRequested,
    /// B's forwardable note came in (by `sync`, or by hand).
    NoteReceived,
    /// A follow-up or introduction whose send was cut off and not finished
    /// before the request moved on: it may have reached its reader. The
    /// note holds its Message-ID, so the record of it is not lost.
    Unconfirmed,
    /// The thank-you to the connector went out (`intro thank --send`).
    Thanked,
    /// An out-of-office reply from A or B (the note says whose, and until
    /// when): not an answer.
    AutoReplied,
}

impl EventKind {
    /// Every kind, to read a name back. The names themselves are written
    /// by [`EventKind::name`], which the compiler holds to every kind.
    const ALL: &[EventKind] = &[
        EventKind::Asked(Side::A),
        EventKind::FollowedUp(Side::A),
        EventKind::Replied(Side::A),
        EventKind::Approved(Side::A),
        EventKind::Declined(Side::A),
        EventKind::Cancelled,
        EventKind::Introduced,
        EventKind::Asked(Side::B),
        EventKind::FollowedUp(Side::B),
        EventKind::Replied(Side::B),
        EventKind::Approved(Side::B),
        EventKind::Declined(Side::B),
        EventKind::NoteSent,
        EventKind::NoteRequested,
        EventKind::NoteReceived,
        EventKind::Unconfirmed,
        EventKind::Thanked,
        EventKind::AutoReplied,
    ];

    /// Its name on disk and in JSON.
    fn name(self) -> &'static str {
        match self {
            EventKind::Asked(Side::A) => "asked",
            EventKind::FollowedUp(Side::A) => "followed_up",
            EventKind::Replied(Side::A) => "replied",
            EventKind::Approved(Side::A) => "approved",
            EventKind::Declined(Side::A) => "declined",
            EventKind::Cancelled => "cancelled",
            EventKind::Introduced => "introduced",
            EventKind::Asked(Side::B) => "asked_b",
            EventKind::FollowedUp(Side::B) => "followed_up_b",
            EventKind::Replied(Side::B) => "replied_b",
            EventKind::Approved(Side::B) => "approved_b",
            EventKind::Declined(Side::B) => "declined_b",
            EventKind::NoteSent => "note_sent",
            EventKind::NoteRequested => "note_requested",
            EventKind::NoteReceived => "note_received",
            EventKind::Unconfirmed => "unconfirmed",
            EventKind::Thanked => "thanked",
            EventKind::AutoReplied => "auto_replied",
        }
    }
}

named_on_disk!(EventKind);

/// One line of a request's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Event {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub kind: EventKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Where B's side of a request made with `--both` stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SideState {
    Sending,
    Asked,
    Replied,
    Approved,
    Declined,
}

impl SideState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SideState::Sending => "sending",
            SideState::Asked => "asked",
            SideState::Replied => "replied",
            SideState::Approved => "approved",
            SideState::Declined => "declined",
        }
    }
}

/// One side of a request: A, who is always asked, or B, asked too when
/// the request is made with `--both`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Side {
    A,
    B,
}

/// One move a side can make, and how its refusal reads. What differs
/// between the sides is data: the states each may make it from (see
/// [`Request::standing`]) and the words of a refusal.
struct Move {
    /// The standings the move is allowed from: A's, then B's.
    from: [&'static [SideState]; 2],
    /// The refusal's words, "it cannot be {action}": for A, then for B.
    action: [&'static str; 2],
    /// A's refusal when A already said yes and the request waits for B;
    /// `None` when that is refused like any other state (or allowed).
    a_said_yes: Option<&'static str>,
}

impl Move {
    fn from(&self, side: Side) -> &'static [SideState] {
        self.from[side as usize]
    }

    fn action(&self, side: Side) -> &'static str {
        self.action[side as usize]
    }
}

/// The transport accepted the side's ask.
const MARK_ASKED: Move = Move {
    from: [&[SideState::Sending], &[SideState::Sending]],
    action: ["marked asked", "marked asked for B"],
    a_said_yes: None,
};

/// The side's ask may be sent again: recorded, not yet accepted.
const ASK_AGAIN: Move = Move {
    from: [&[SideState::Sending], &[SideState::Sending]],
    action: ["asked again", "asked for B again"],
    a_said_yes: None,
};

const APPROVE: Move = Move {
    from: [
        &[SideState::Asked, SideState::Replied],
        &[SideState::Asked, SideState::Replied],
    ],
    action: ["approved", "approved for B"],
    a_said_yes: Some("approved again (A already said yes; the request waits for B)"),
};

/// A may still say no after a yes that waits for B; B's yes is final.
const DECLINE: Move = Move {
    from: [
        &[SideState::Asked, SideState::Replied, SideState::Approved],
        &[SideState::Asked, SideState::Replied],
    ],
    action: ["declined", "declined for B"],
    a_said_yes: None,
};

const FOLLOW_UP: Move = Move {
    from: [&[SideState::Asked], &[SideState::Asked]],
    action: ["followed up", "followed up with B"],
    a_said_yes: Some("followed up with A (A already said yes)"),
};

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::A => "A",
            Side::B => "B",
        })
    }
}

impl Side {
    /// The other side of the same request.
    pub(crate) fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

/// One side of a request: the ask to A, or with `--both` the ask to B
/// (the introduction then waits for both yeses), and the thread it began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Party {
    /// This side's own answer; the request's `status` is the whole's.
    pub status: SideState,
    /// The ask's Message-ID (with angle brackets) and Subject, which the
    /// follow-ups answer with `Re:`.
    pub message_id: String,
    pub subject: String,
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub asked_at: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub followups: Vec<Sent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<Box<Reply>>,
    /// The ask as the user edited it (`--edit`); otherwise it is rendered
    /// from the template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<Rendered>,
    /// Out-of-office replies from this side (see `auto_reply`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auto_replies: Vec<AutoReply>,
}

impl Party {
    /// An ask about to be sent.
    pub(crate) fn sending(message_id: String, subject: String) -> Party {
        Party {
            status: SideState::Sending,
            message_id,
            subject,
            asked_at: None,
            followups: Vec::new(),
            reply: None,
            edited: None,
            auto_replies: Vec::new(),
        }
    }

    /// When the last message to this side went out: its last follow-up,
    /// or its ask.
    pub(crate) fn last_contact(&self) -> Option<OffsetDateTime> {
        self.followups.last().map(|f| f.at).or(self.asked_at)
    }

    /// Every Message-ID of this side's thread intro wrote: the ask and
    /// the follow-ups, oldest first.
    fn thread(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.message_id.as_str())
            .chain(self.followups.iter().map(|f| f.message_id.as_str()))
    }
}

/// What the user typed to make an ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AskSpec {
    pub a: String,
    pub a_email: String,
    pub b: String,
    pub b_email: String,
    pub why: String,
    pub wants: Option<String>,
    pub format: Option<String>,
    pub note: Option<String>,
}

#[cfg(any(test, feature = "fuzzing"))]
impl AskSpec {
    /// An ask of `a` about `b` with only a reason: no wishes, format or note.
    pub(crate) fn pair(
        a: String,
        a_email: String,
        b: String,
        b_email: String,
        why: String,
    ) -> AskSpec {
        AskSpec {
            a,
            a_email,
            b,
            b_email,
            why,
            wants: None,
            format: None,
            note: None,
        }
    }
}

#[cfg(test)]
impl AskSpec {
    /// The tests' usual ask: of `a` (at example.com) about Sam, for
    /// compilers, with no wishes, format or note.
    pub(crate) fn of_about_sam(a: &str) -> AskSpec {
        AskSpec::pair(
            a.into(),
            format!("{a}@example.com"),
            "sam".into(),
            "sam@example.org".into(),
            "compilers".into(),
        )
    }
}

/// One ask of A about B, and everything that happened to it since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Request {
    pub id: String,
    /// A's handle: the one asked.
    pub a: String,
    /// A's address when asked; replies are matched against it.
    pub a_email: String,
    pub b: String,
    pub b_email: String,
    pub why: String,
    /// With `--both`: the reason as B reads it (`--why-b`), when it
    /// differs from `why`. Stores written before it existed have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_b: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wants: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The personal line to A carried by the ask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub status: State,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// A's side: the ask, its thread and A's answer.
    pub a_side: Party,
    /// While `sending`: the run sending the ask (see `claim`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending_run: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Box<Pending>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduction: Option<Sent>,
    #[serde(default)]
    pub history: Vec<Event>,
    /// B's side, when B is asked too (`--both`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b_side: Option<Box<Party>>,
    /// The message drafted under `drafts/` (the introduction; for a request
    /// of a connector, the thank-you) as intro itself wrote it when it
    /// last saved the draft (read back from the file): a draft that no
    /// longer reads the same was edited since, and is what is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drafted: Option<Box<Rendered>>,
    /// Notes sent as the request closed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// B's forwardable note and the request for it (`intro note`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_note: Option<Box<crate::domain::forward_note::ForwardNote>>,
    /// Who introduces whom: the user (`intro ask`), or a connector the
    /// user asked (`intro request`: A is the connector, B the person the
    /// user hopes to meet). Stores written before it existed hold asks.
    #[serde(default, skip_serializing_if = "Direction::is_introducing")]
    pub direction: Direction,
    /// For a request the user made of a connector: the thank-you sent
    /// after the introduction (`intro thank --send`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thanks: Option<Box<Sent>>,
    /// A direct introduction (`introduce A B --direct`): A was never
    /// asked (see `direct`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub direct: bool,
}

/// A move the request's state does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("request `{id}` is {from}; it cannot be {action}")]
pub(crate) struct TransitionError {
    pub id: String,
    pub from: State,
    pub action: &'static str,
}

impl Request {
    /// A request whose ask is about to be sent.
    pub(crate) fn new(
        id: String,
        spec: AskSpec,
        subject: String,
        message_id: String,
        now: OffsetDateTime,
    ) -> Request {
        Request {
            id,
            a: spec.a,
            a_email: spec.a_email,
            b: spec.b,
            b_email: spec.b_email,
            why: spec.why,
            why_b: None,
            wants: spec.wants,
            format: spec.format,
            note: spec.note,
            status: State::Sending,
            created_at: now,
            updated_at: now,
            a_side: Party::sending(message_id, subject),
            sending_run: None,
            pending: None,
            introduction: None,
            history: Vec::new(),
            b_side: None,
            drafted: None,
            notes: Vec::new(),
            forward_note: None,
            direction: Direction::Introducing,
            thanks: None,
            direct: false,
        }
    }

    /// Ask B too: the request is made with `--both`.
    pub(crate) fn with_b_side(mut self, message_id: String, subject: String) -> Request {
        self.b_side = Some(Box::new(Party::sending(message_id, subject)));
        self
    }

    /// B is asked too.
    pub(crate) fn both(&self) -> bool {
        self.b_side.is_some()
    }

    /// Whether `side` is asked: A always, B with `--both`.
    pub(crate) fn asks(&self, side: Side) -> bool {
        side == Side::A || self.both()
    }

    /// The handle of `side`'s contact.
    pub(crate) fn handle(&self, side: Side) -> &str {
        match side {
            Side::A => &self.a,
            Side::B => &self.b,
        }
    }

    /// The address `side` was asked at; replies are matched against it.
    pub(crate) fn email(&self, side: Side) -> &str {
        match side {
            Side::A => &self.a_email,
            Side::B => &self.b_email,
        }
    }

    /// The reply found from `side`, if any.
    pub(crate) fn reply_from(&self, side: Side) -> Option<&Reply> {
        self.party(side).and_then(|p| p.reply.as_deref())
    }

    /// Whether a reply from `side` may still change the request: its ask
    /// went out (or may have: `sending`) and it has not answered.
    pub(crate) fn awaits_reply(&self, side: Side) -> bool {
        matches!(
            self.standing(side),
            Some(SideState::Sending | SideState::Asked)
        )
    }

    /// The follow-ups sent to `side`.
    pub(crate) fn followups_to(&self, side: Side) -> &[Sent] {
        self.party(side).map_or(&[], |p| &p.followups)
    }

    /// With `--both`: A said yes, and the request waits for B.
    pub(crate) fn a_waits_for_b(&self) -> bool {
        self.a_side.status == SideState::Approved
            && matches!(self.status, State::Asked | State::Replied)
    }

    /// `side`'s part of the request: its ask, thread and answer.
    pub(crate) fn party(&self, side: Side) -> Option<&Party> {
        match side {
            Side::A => Some(&self.a_side),
            Side::B => self.b_side.as_deref(),
        }
    }

    pub(in crate::domain) fn party_mut(&mut self, side: Side) -> Option<&mut Party> {
        match side {
            Side::A => Some(&mut self.a_side),
            Side::B => self.b_side.as_deref_mut(),
        }
    }

    /// A's own answer, apart from B's: what `status` would be without B.
    pub(crate) fn a_status(&self) -> State {
        if self.a_waits_for_b() {
            State::Approved
        } else {
            self.status
        }
    }

    /// Where `side` stands, as its moves are gated: A by the request's
    /// own state (read as A's answer while A's yes waits for B), B by B's
    /// side state while the request is open to answers. `None` when the
    /// side can make no move: the request has moved on, or B was not asked.
    fn standing(&self, side: Side) -> Option<SideState> {
        match side {
            Side::A => match self.status {
                State::Sending => Some(SideState::Sending),
                State::Asked | State::Replied if self.a_waits_for_b() => Some(SideState::Approved),
                State::Asked => Some(SideState::Asked),
                State::Replied => Some(SideState::Replied),
                _ => None,
            },
            Side::B => self
                .b_side
                .as_ref()
                .filter(|_| matches!(self.status, State::Asked | State::Replied))
                .map(|b| b.status),
        }
    }

    /// `side` may make `mv` now.
    fn gate(&self, side: Side, mv: &Move) -> Result<(), TransitionError> {
        let standing = self.standing(side);
        if standing.is_some_and(|s| mv.from(side).contains(&s)) {
            Ok(())
        } else {
            Err(self.refusal(side, standing, mv))
        }
    }

    /// Why `side`, standing at `standing`, may not make `mv`. A's refusal
    /// names the request's state; B's names B's own answer.
    fn refusal(&self, side: Side, standing: Option<SideState>, mv: &Move) -> TransitionError {
        let refuse = |from, action| TransitionError {
            id: self.id.clone(),
            from,
            action,
        };
        match (side, standing) {
            (Side::B, _) if self.b_side.is_none() => refuse(
                self.status,
                "answered for B (B was not asked: `intro ask --both` asks both)",
            ),
            (Side::A, Some(SideState::Approved)) => match mv.a_said_yes {
                Some(words) => refuse(State::Approved, words),
                None => refuse(self.status, mv.action(side)),
            },
            (Side::B, Some(SideState::Sending)) => {
                refuse(self.status, "answered for B: B's ask was never sent")
            }
            (Side::B, Some(SideState::Approved)) => {
                refuse(self.status, "answered for B again: B already said yes")
            }
            (Side::B, Some(SideState::Declined)) => {
                refuse(self.status, "answered for B again: B already said no")
            }
            _ => refuse(self.status, mv.action(side)),
        }
    }

    /// `side`'s part, once a gate let a move through.
    fn party_of(&mut self, side: Side) -> &mut Party {
        self.party_mut(side).expect("checked by gate")
    }

    /// The transport accepted `side`'s ask. The request's own state
    /// follows A's ask; B's is one more in the thread of a request
    /// already asked.
    fn ask_accepted(&mut self, side: Side, now: OffsetDateTime) -> Result<(), TransitionError> {
        self.gate(side, &MARK_ASKED)?;
        let party = self.party_of(side);
        party.status = SideState::Asked;
        party.asked_at = Some(now);
        match side {
            Side::A => {
                self.status = State::Asked;
                self.sending_run = None;
            }
            Side::B => self.finish_pending(PendingKind::Ask(Side::B)),
        }
        self.record(now, EventKind::Asked(side), None);
        Ok(())
    }

    /// The transport accepted `side`'s ask, sent after the request was
    /// recorded (B's, with `--both`).
    pub(crate) fn mark_party_asked(
        &mut self,
        side: Side,
        now: OffsetDateTime,
    ) -> Result<(), TransitionError> {
        self.ask_accepted(side, now)
    }

    /// `side`'s ask may be sent: it is recorded but not yet accepted.
    pub(crate) fn check_ask(&self, side: Side) -> Result<(), TransitionError> {
        self.gate(side, &ASK_AGAIN)
    }

    /// `side` said yes. With `--both` the request is approved once both
    /// did; until then it waits for the other.
    pub(crate) fn approve(
        &mut self,
        side: Side,
        now: OffsetDateTime,
        note: Option<String>,
    ) -> Result<(), TransitionError> {
        self.gate(side, &APPROVE)?;
        self.party_of(side).status = SideState::Approved;
        if self
            .party(side.other())
            .is_none_or(|p| p.status == SideState::Approved)
        {
            self.status = State::Approved;
        }
        self.record(now, EventKind::Approved(side), note);
        Ok(())
    }

    /// `side` said no: either no declines the request.
    pub(crate) fn decline(
        &mut self,
        side: Side,
        now: OffsetDateTime,
        note: Option<String>,
    ) -> Result<(), TransitionError> {
        self.gate(side, &DECLINE)?;
        self.party_of(side).status = SideState::Declined;
        self.status = State::Declined;
        self.settle_pending(now);
        self.record(now, EventKind::Declined(side), note);
        Ok(())
    }

    /// A reply from `side` was found: its ask becomes `replied` (and the
    /// request's too, for A's). So does an ask still `sending`: its run
    /// died after the transport took it and before it could record that,
    /// and the answer proves it went out. Returns false, changing
    /// nothing, when the reply can no longer change the request (a second
    /// sighting, or a decision the user already recorded).
    pub(crate) fn record_reply(&mut self, side: Side, now: OffsetDateTime, reply: Reply) -> bool {
        if self.standing(side) == Some(SideState::Sending) {
            // It went out in the run that recorded it, when it was made.
            let sent = self.created_at;
            if self.ask_accepted(side, sent).is_err() {
                return false;
            }
        }
        if self.standing(side) != Some(SideState::Asked) {
            return false;
        }
        if side == Side::A {
            self.status = State::Replied;
        }
        self.party_of(side).status = SideState::Replied;
        // The answer ends this side's thread, and so proves a follow-up
        // half sent in it went out; the other side's thread goes on.
        self.settle_pending_of(now, &[PendingKind::Followup(side)]);
        self.record(now, EventKind::Replied(side), None);
        self.party_of(side).reply = Some(Box::new(reply));
        true
    }

    /// A follow-up to `side` may be sent now.
    pub(crate) fn check_followup(&self, side: Side) -> Result<(), TransitionError> {
        self.gate(side, &FOLLOW_UP)
    }

    fn check(&self, allowed: &[State], action: &'static str) -> Result<(), TransitionError> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(TransitionError {
                id: self.id.clone(),
                from: self.status,
                action,
            })
        }
    }

    pub(in crate::domain) fn record(
        &mut self,
        now: OffsetDateTime,
        kind: EventKind,
        note: Option<String>,
    ) {
        self.updated_at = now;
        self.history.push(Event {
            at: now,
            kind,
            note,
        });
    }

    /// The transport accepted the ask.
    pub(crate) fn mark_asked(&mut self, now: OffsetDateTime) -> Result<(), TransitionError> {
        self.ask_accepted(Side::A, now)
    }

    pub(crate) fn cancel(&mut self, now: OffsetDateTime) -> Result<(), TransitionError> {
        self.check(
            &[
                State::Sending,
                State::Asked,
                State::Replied,
                State::Approved,
                State::NoteRequested,
                State::NoteReceived,
            ],
            "cancelled",
        )?;
        self.status = State::Cancelled;
        self.settle_pending(now);
        self.sending_run = None;
        self.record(now, EventKind::Cancelled, None);
        Ok(())
    }

    /// The pending message of `kind` was accepted (and is recorded by the
    /// caller); a pending message of another kind stays pending.
    fn finish_pending(&mut self, kind: PendingKind) {
        if self.pending.as_ref().is_some_and(|p| p.kind == kind) {
            self.pending = None;
        }
    }

    /// The request moves on while a follow-up or introduction may be
    /// half sent: keep its Message-ID in the history (it may have reached
    /// its reader), and send it no more.
    fn settle_pending(&mut self, now: OffsetDateTime) {
        self.settle_pending_of(
            now,
            &[
                PendingKind::Followup(Side::A),
                PendingKind::Followup(Side::B),
                PendingKind::Introduction,
                PendingKind::Ask(Side::B),
                PendingKind::DeclineNote,
                PendingKind::CancelNote(Side::A),
                PendingKind::CancelNote(Side::B),
            ],
        );
    }

    /// [`Request::settle_pending`] for a pending message of one of `kinds`.
    fn settle_pending_of(&mut self, now: OffsetDateTime, kinds: &[PendingKind]) {
        if self
            .pending
            .as_ref()
            .is_some_and(|p| kinds.contains(&p.kind))
            && let Some(p) = self.pending.take()
        {
            let what = match p.kind {
                PendingKind::Followup(side) => format!("a follow-up to {side}"),
                PendingKind::Introduction => "the introduction".to_string(),
                PendingKind::Ask(side) => format!("the ask to {side}"),
                PendingKind::DeclineNote => "the note to B".to_string(),
                PendingKind::CancelNote(side) => format!("the note withdrawing the ask to {side}"),
                PendingKind::Thanks => "the thank-you".to_string(),
            };
            self.record(
                now,
                EventKind::Unconfirmed,
                Some(format!("{what} ({}) may have been sent", p.message_id)),
            );
        }
    }

    /// Record that a follow-up (or an introduction) is about to be sent by
    /// `run`, with the user's edited text if they edited it.
    pub(crate) fn begin(
        &mut self,
        kind: PendingKind,
        message_id: String,
        run: String,
        edited: Option<Rendered>,
    ) {
        self.pending = Some(Box::new(Pending {
            kind,
            message_id,
            run: Some(run),
            edited,
        }));
    }

    /// The edited text of an interrupted follow-up or introduction.
    pub(crate) fn pending_edit(&self, kind: PendingKind) -> Option<&Rendered> {
        match &self.pending {
            Some(p) if p.kind == kind => p.edited.as_ref(),
            _ => None,
        }
    }

    /// The pending message of `kind`, if an earlier send was interrupted.
    pub(crate) fn pending_id(&self, kind: PendingKind) -> Option<&str> {
        match &self.pending {
            Some(p) if p.kind == kind => Some(&p.message_id),
            _ => None,
        }
    }

    /// Who still owes an answer to their ask, and so should hear that it
    /// is withdrawn: A, and B for a request made with `--both`. An ask
    /// still `sending` may never have arrived, so it is not counted.
    pub(crate) fn unanswered(&self) -> Vec<Side> {
        [Side::A, Side::B]
            .into_iter()
            .filter(|&side| self.standing(side) == Some(SideState::Asked))
            .collect()
    }

    /// Who `cancel --tell` writes to: whoever still owes an answer
    /// ([`Request::unanswered`]); B, while B's note is awaited (in the
    /// thread of the note request; A was not asked yet); and a connector
    /// who answered or agreed, since they may be about to introduce the
    /// user.
    pub(crate) fn to_tell_on_cancel(&self) -> Vec<Side> {
        if self.awaits_note() {
            return if self.note_request_unsent() {
                Vec::new()
            } else {
                vec![Side::B]
            };
        }
        if self.is_requested() && matches!(self.status, State::Replied | State::Approved) {
            return vec![Side::A];
        }
        self.unanswered()
    }

    /// A closing note of `kind` may be sent: the request can still be
    /// declined (a note to B) or cancelled (a note withdrawing the ask),
    /// and no such note was sent yet.
    pub(crate) fn check_note(&self, kind: PendingKind) -> Result<(), TransitionError> {
        match kind {
            PendingKind::DeclineNote => self.check(&[State::Asked, State::Replied], "declined")?,
            _ => self.check(
                &[
                    State::Asked,
                    State::Replied,
                    State::Approved,
                    State::NoteRequested,
                ],
                "cancelled",
            )?,
        }
        if self.note_sent(kind) {
            return Err(TransitionError {
                id: self.id.clone(),
                from: self.status,
                action: "sent the same note twice",
            });
        }
        Ok(())
    }

    /// A note of `kind` was sent already.
    pub(crate) fn note_sent(&self, kind: PendingKind) -> bool {
        self.notes.iter().any(|n| n.kind == kind)
    }

    /// The transport accepted a closing note; the caller records the
    /// decline or the cancel that goes with it.
    pub(crate) fn mark_note_sent(
        &mut self,
        now: OffsetDateTime,
        kind: PendingKind,
        message_id: String,
    ) -> Result<(), TransitionError> {
        self.check_note(kind)?;
        self.finish_pending(kind);
        let to = match kind.side() {
            Some(side) => format!("to {side}"),
            None => "to both".to_string(),
        };
        self.record(
            now,
            EventKind::NoteSent,
            Some(format!("{to} ({message_id})")),
        );
        self.notes.push(Note {
            kind,
            message_id,
            at: now,
        });
        Ok(())
    }

    pub(crate) fn check_introduce(&self) -> Result<(), TransitionError> {
        if self.direction == Direction::Requested {
            return Err(TransitionError {
                id: self.id.clone(),
                from: self.status,
                action: "introduced by you: you asked the connector to make this introduction",
            });
        }
        self.check(&[State::Approved], "introduced")
    }

    /// The transport accepted the introduction.
    pub(crate) fn mark_introduced(
        &mut self,
        now: OffsetDateTime,
        message_id: String,
    ) -> Result<(), TransitionError> {
        self.check_introduce()?;
        self.status = State::Introduced;
        self.finish_pending(PendingKind::Introduction);
        self.settle_pending(now);
        self.introduction = Some(Sent {
            message_id,
            at: now,
        });
        self.drafted = None;
        self.record(now, EventKind::Introduced, None);
        Ok(())
    }

    /// The transport accepted a follow-up to `side`.
    pub(crate) fn mark_followed_up(
        &mut self,
        side: Side,
        now: OffsetDateTime,
        message_id: String,
    ) -> Result<(), TransitionError> {
        self.check_followup(side)?;
        self.finish_pending(PendingKind::Followup(side));
        self.party_mut(side)
            .expect("checked by check_followup")
            .followups
            .push(Sent {
                message_id,
                at: now,
            });
        self.record(now, EventKind::FollowedUp(side), None);
        Ok(())
    }

    /// When `side`'s next follow-up becomes due, if one can be: its ask is
    /// unanswered, fewer than `max` were sent, and `after_days` after the
    /// ask or the last follow-up.
    pub(crate) fn next_followup_at(
        &self,
        side: Side,
        settings: &FollowupSettings,
    ) -> Option<OffsetDateTime> {
        let party = self.party(side)?;
        if self.check_followup(side).is_err() || party.followups.len() >= settings.max as usize {
            return None;
        }
        let due = party.last_contact()? + Duration::days(i64::from(settings.after_days));
        // An out-of-office reply pushes it to the return date.
        Some(
            self.auto_reply_hold(side, settings)
                .map_or(due, |hold| hold.max(due)),
        )
    }

    /// Every Message-ID a reply from `side` may point at: its ask, its
    /// follow-ups, and one being sent.
    pub(crate) fn thread_ids(&self, side: Side) -> Vec<&str> {
        let Some(party) = self.party(side) else {
            return Vec::new();
        };
        party
            .thread()
            .chain(self.pending_id(PendingKind::Followup(side)))
            .collect()
    }

    /// The References header of a follow-up to `side`: its ask and
    /// earlier follow-ups.
    pub(crate) fn references(&self, side: Side) -> String {
        self.thread_party(side)
            .map(|p| p.thread().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    }

    /// A follow-up to either side is due: asked, fewer than `max` sent,
    /// and `after_days` since the ask or the last follow-up.
    pub(crate) fn is_due(&self, now: OffsetDateTime, settings: &FollowupSettings) -> bool {
        self.is_due_for(Side::A, now, settings) || self.is_due_for(Side::B, now, settings)
    }

    /// A follow-up to `side` is due.
    pub(crate) fn is_due_for(
        &self,
        side: Side,
        now: OffsetDateTime,
        settings: &FollowupSettings,
    ) -> bool {
        self.next_followup_at(side, settings)
            .is_some_and(|at| now >= at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// A reply found at `at`, saying `snippet`.
    fn reply(at: OffsetDateTime, snippet: &str) -> Reply {
        Reply {
            at,
            snippet: snippet.into(),
            message_id: None,
        }
    }

    fn asked(at: OffsetDateTime) -> Request {
        let spec = AskSpec::pair(
            "ada".into(),
            "ada@example.com".into(),
            "sam".into(),
            "sam@example.com".into(),
            "compilers".into(),
        );
        let mut r = Request::new("abcd1234".into(), spec, "Intro?".into(), "<x@y>".into(), at);
        r.mark_asked(at).unwrap();
        r
    }

    #[test]
    fn a_request_stays_small_in_memory() {
        // The store keeps every open request in memory, a big batch's
        // thousands of them: what most requests never have (B's side, a
        // note, a send in flight, a draft, a thank-you, a reply) is boxed.
        assert!(
            size_of::<Request>() <= 640,
            "a request takes {} bytes",
            size_of::<Request>()
        );
        assert!(
            size_of::<Party>() <= 192,
            "a side takes {} bytes",
            size_of::<Party>()
        );
    }

    #[test]
    fn legal_path_to_introduced() {
        let t = datetime!(2026-01-01 10:00 UTC);
        let mut r = asked(t);
        assert!(r.record_reply(Side::A, t, reply(t, "sure")));
        assert_eq!(r.status, State::Replied);
        r.approve(Side::A, t, None).unwrap();
        r.mark_introduced(t, "<i@y>".into()).unwrap();
        assert_eq!(r.status, State::Introduced);
        let kinds: Vec<EventKind> = r.history.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EventKind::Asked(Side::A),
                EventKind::Replied(Side::A),
                EventKind::Approved(Side::A),
                EventKind::Introduced
            ]
        );
    }

    #[test]
    fn illegal_moves_are_refused_and_change_nothing() {
        let t = datetime!(2026-01-01 10:00 UTC);
        let mut r = asked(t);
        assert!(r.mark_introduced(t, "<i@y>".into()).is_err());
        r.decline(Side::A, t, Some("busy".into())).unwrap();
        let before = r.clone();
        assert!(r.approve(Side::A, t, None).is_err());
        assert!(r.cancel(t).is_err());
        assert!(r.mark_followed_up(Side::A, t, "<f@y>".into()).is_err());
        assert!(r.decline(Side::A, t, None).is_err());
        assert_eq!(r, before);
    }

    #[test]
    fn cancel_only_from_open_states() {
        let t = datetime!(2026-01-01 10:00 UTC);
        let mut r = asked(t);
        r.approve(Side::A, t, None).unwrap();
        r.cancel(t).unwrap();
        let err = r.cancel(t).unwrap_err();
        assert_eq!(err.from, State::Cancelled);
    }

    #[test]
    fn due_after_days_since_last_contact_up_to_max() {
        let settings = FollowupSettings {
            after_days: 5,
            max: 2,
        };
        let t0 = datetime!(2026-01-01 10:00 UTC);
        let mut r = asked(t0);
        assert!(!r.is_due(t0 + Duration::days(5) - Duration::seconds(1), &settings));
        assert!(r.is_due(t0 + Duration::days(5), &settings));
        let t1 = t0 + Duration::days(6);
        r.mark_followed_up(Side::A, t1, "<f1@y>".into()).unwrap();
        assert!(!r.is_due(t1 + Duration::days(4), &settings));
        assert!(r.is_due(t1 + Duration::days(5), &settings));
        let t2 = t1 + Duration::days(5);
        r.mark_followed_up(Side::A, t2, "<f2@y>".into()).unwrap();
        assert!(
            !r.is_due(t2 + Duration::days(500), &settings),
            "max reached"
        );
        assert_eq!(r.references(Side::A), "<x@y> <f1@y> <f2@y>");
    }

    #[test]
    fn never_due_unless_asked() {
        let settings = FollowupSettings::default();
        let t0 = datetime!(2026-01-01 10:00 UTC);
        let mut r = asked(t0);
        assert!(r.record_reply(Side::A, t0, reply(t0, "")));
        assert!(!r.is_due(t0 + Duration::days(100), &settings));
    }

    #[test]
    fn each_side_keeps_its_own_thread_follow_ups_and_reply() {
        let settings = FollowupSettings::default();
        let t0 = datetime!(2026-01-01 10:00 UTC);
        let mut r = asked(t0).with_b_side("<b@y>".into(), "s".into());
        r.mark_party_asked(Side::B, t0).unwrap();
        let t1 = t0 + Duration::days(6);
        for side in [Side::A, Side::B] {
            assert!(r.asks(side));
            assert!(r.is_due_for(side, t1, &settings));
            assert!(r.awaits_reply(side));
        }
        r.mark_followed_up(Side::B, t1, "<fb@y>".into()).unwrap();
        assert_eq!(r.followups_to(Side::A), []);
        assert_eq!(r.followups_to(Side::B).len(), 1);
        assert_eq!(r.thread_ids(Side::A), ["<x@y>"]);
        assert_eq!(r.thread_ids(Side::B), ["<b@y>", "<fb@y>"]);
        assert_eq!(r.references(Side::B), "<b@y> <fb@y>");
        assert!(r.is_due_for(Side::A, t1, &settings));
        assert!(!r.is_due_for(Side::B, t1, &settings), "B was just nudged");

        let reply = reply(t1, "yes");
        assert!(r.record_reply(Side::B, t1, reply));
        assert!(r.reply_from(Side::A).is_none());
        assert_eq!(r.reply_from(Side::B).unwrap().snippet, "yes");
        assert!(!r.awaits_reply(Side::B));
        assert!(r.awaits_reply(Side::A));
        assert_eq!(
            (r.handle(Side::A), r.email(Side::B)),
            ("ada", "sam@example.com")
        );

        r.approve(Side::B, t1, None).unwrap();
        r.approve(Side::A, t1, None).unwrap();
        assert_eq!(r.status, State::Approved, "both said yes");
    }

    #[test]
    fn a_request_without_b_asks_a_only() {
        let r = asked(datetime!(2026-01-01 10:00 UTC));
        assert!(r.asks(Side::A) && !r.asks(Side::B));
        assert_eq!(r.followups_to(Side::B), []);
        assert!(r.thread_ids(Side::B).is_empty());
        assert!(r.check_followup(Side::B).is_err());
        assert!(!r.awaits_reply(Side::B));
    }

    #[test]
    fn a_reply_to_an_ask_still_sending_proves_it_went_out() {
        let t0 = datetime!(2026-01-01 10:00 UTC);
        let mut r = asked(t0);
        r.status = State::Sending;
        r.a_side.asked_at = None;
        r.sending_run = Some("123-abcd".into());
        r.history.clear();
        let t = t0 + Duration::hours(3);
        let reply = reply(t, "yes");
        assert!(r.record_reply(Side::A, t, reply));
        assert_eq!(r.status, State::Replied);
        assert_eq!(r.a_side.asked_at, Some(t0));
        assert_eq!(r.sending_run, None);
        let kinds: Vec<EventKind> = r.history.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [EventKind::Asked(Side::A), EventKind::Replied(Side::A)]
        );
    }

    #[test]
    fn a_reply_from_b_to_b_s_ask_still_sending_proves_it_went_out() {
        let t0 = datetime!(2026-01-01 10:00 UTC);
        let mut r = asked(t0).with_b_side("<b@y>".into(), "s".into());
        assert!(r.awaits_reply(Side::B), "B's ask may have gone out");
        let t = t0 + Duration::hours(3);
        let reply = reply(t, "yes");
        assert!(r.record_reply(Side::B, t, reply));
        let b = r.b_side.as_ref().unwrap();
        assert_eq!(b.status, SideState::Replied);
        assert_eq!(b.asked_at, Some(t0));
        let kinds: Vec<EventKind> = r.history.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EventKind::Asked(Side::A),
                EventKind::Asked(Side::B),
                EventKind::Replied(Side::B)
            ]
        );
        assert!(!r.awaits_reply(Side::B), "B answered");
    }

    #[test]
    fn a_half_sent_follow_up_outlives_the_request_moving_on() {
        let t = datetime!(2026-01-01 10:00 UTC);
        let mut r = asked(t).with_b_side("<b@y>".into(), "s".into());
        r.mark_party_asked(Side::B, t).unwrap();
        r.begin(
            PendingKind::Followup(Side::B),
            "<fb@y>".into(),
            "run".into(),
            None,
        );
        // A's answer ends A's thread only: B's follow-up stays pending.
        let reply = reply(t, "yes");
        assert!(r.record_reply(Side::A, t, reply));
        assert_eq!(r.pending_id(PendingKind::Followup(Side::B)), Some("<fb@y>"));
        // A decline closes the request: the follow-up is kept in the
        // history, no longer pending.
        r.decline(Side::A, t, None).unwrap();
        assert!(r.pending.is_none());
        let last = r.history.iter().rev().nth(1).unwrap();
        assert_eq!(last.kind, EventKind::Unconfirmed);
        assert_eq!(
            last.note.as_deref(),
            Some("a follow-up to B (<fb@y>) may have been sent")
        );
    }

    #[test]
    fn a_reply_ends_the_follow_up_half_sent_in_its_own_thread_only() {
        let t = datetime!(2026-01-01 10:00 UTC);
        for side in [Side::A, Side::B] {
            let mut r = asked(t).with_b_side("<b@y>".into(), "s".into());
            r.mark_party_asked(Side::B, t).unwrap();
            r.begin(
                PendingKind::Followup(side),
                "<f@y>".into(),
                "run".into(),
                None,
            );
            let reply = reply(t, "yes");
            // The other side's answer leaves the follow-up pending.
            assert!(r.record_reply(side.other(), t, reply.clone()));
            assert_eq!(r.pending_id(PendingKind::Followup(side)), Some("<f@y>"));
            // Its reader's answer proves it went out: it is kept in the
            // history and no longer pending, so no later send replaces it.
            assert!(r.record_reply(side, t, reply));
            assert!(r.pending.is_none(), "{side:?}");
            let settled = r.history.iter().rev().nth(1).unwrap();
            assert_eq!(settled.kind, EventKind::Unconfirmed);
            let to = if side == Side::A { "A" } else { "B" };
            assert_eq!(
                settled.note.as_deref(),
                Some(format!("a follow-up to {to} (<f@y>) may have been sent").as_str())
            );
        }
    }

    #[test]
    fn only_those_still_owing_an_answer_hear_the_ask_is_withdrawn() {
        let t = datetime!(2026-01-01 10:00 UTC);
        let mut r = asked(t).with_b_side("<b@y>".into(), "s".into());
        assert_eq!(r.unanswered(), [Side::A], "B's ask never went out");
        r.mark_party_asked(Side::B, t).unwrap();
        assert_eq!(r.unanswered(), [Side::A, Side::B]);
        r.approve(Side::A, t, None).unwrap();
        assert_eq!(r.unanswered(), [Side::B], "A said yes");
        let reply = reply(t, "maybe");
        assert!(r.record_reply(Side::B, t, reply));
        assert!(r.unanswered().is_empty(), "both answered");
    }

    #[test]
    fn a_closing_note_is_recorded_once_with_what_it_closes() {
        let t = datetime!(2026-01-01 10:00 UTC);
        let mut r = asked(t);
        r.begin(
            PendingKind::CancelNote(Side::A),
            "<c@y>".into(),
            "run".into(),
            None,
        );
        r.mark_note_sent(t, PendingKind::CancelNote(Side::A), "<c@y>".into())
            .unwrap();
        assert!(r.pending.is_none());
        assert!(r.note_sent(PendingKind::CancelNote(Side::A)));
        let before = r.clone();
        assert!(
            r.mark_note_sent(t, PendingKind::CancelNote(Side::A), "<c2@y>".into())
                .is_err()
        );
        assert_eq!(r, before, "a refused note changes nothing");
        r.cancel(t).unwrap();
        let kinds: Vec<EventKind> = r.history.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EventKind::Asked(Side::A),
                EventKind::NoteSent,
                EventKind::Cancelled
            ]
        );
        assert_eq!(r.history[1].note.as_deref(), Some("to A (<c@y>)"));
        // A note to B goes only with a decline that is still possible.
        assert!(r.check_note(PendingKind::DeclineNote).is_err());
    }

    #[test]
    fn every_kind_has_its_own_name_and_reads_back_from_it() {
        fn check<T>(all: &[T], name: fn(T) -> &'static str)
        where
            T: Copy + PartialEq + std::fmt::Debug + Serialize + for<'de> Deserialize<'de>,
        {
            let mut names = std::collections::HashSet::new();
            for &kind in all {
                assert!(names.insert(name(kind)), "{kind:?}: a name used twice");
                let json = serde_json::to_string(&kind).unwrap();
                assert_eq!(json, format!("\"{}\"", name(kind)));
                assert_eq!(serde_json::from_str::<T>(&json).unwrap(), kind);
            }
        }
        check(PendingKind::ALL, PendingKind::name);
        check(EventKind::ALL, EventKind::name);
    }

    #[test]
    fn a_second_reply_changes_nothing() {
        let t = datetime!(2026-01-01 10:00 UTC);
        let mut r = asked(t);
        let reply = reply(t, "yes");
        assert!(r.record_reply(Side::A, t, reply.clone()));
        let before = r.clone();
        assert!(!r.record_reply(Side::A, t, reply));
        assert_eq!(r, before);
    }
}

/// Property tests: no sequence of commands reaches an illegal state, and
/// `due` matches its definition for arbitrary dates and settings.
#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);

    #[derive(Debug, Clone)]
    enum Op {
        MarkAsked,
        MarkBAsked,
        Approve,
        ApproveB,
        Decline,
        DeclineB,
        Cancel,
        Reply,
        ReplyB,
        FollowUp,
        FollowUpB,
        Introduce,
        /// A follow-up (to A or, with `--both`, to B) begins and is cut off.
        BeginFollowUp(bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::MarkAsked),
            Just(Op::MarkBAsked),
            Just(Op::Approve),
            Just(Op::ApproveB),
            Just(Op::Decline),
            Just(Op::DeclineB),
            Just(Op::Cancel),
            Just(Op::Reply),
            Just(Op::ReplyB),
            Just(Op::FollowUp),
            Just(Op::FollowUpB),
            Just(Op::Introduce),
            any::<bool>().prop_map(Op::BeginFollowUp),
        ]
    }

    fn fresh(both: bool) -> Request {
        let spec = AskSpec::pair(
            "ada".into(),
            "ada@example.com".into(),
            "sam".into(),
            "sam@example.com".into(),
            "w".into(),
        );
        let r = Request::new("r".into(), spec, "s".into(), "<a@x>".into(), T0);
        if both {
            r.with_b_side("<b@x>".into(), "sb".into())
        } else {
            r
        }
    }

    /// Apply `op`; Ok(true) when it changed the request.
    fn apply(r: &mut Request, op: &Op, now: OffsetDateTime) -> Result<bool, TransitionError> {
        let reply = || Reply {
            at: now,
            snippet: "yes".into(),
            message_id: None,
        };
        match op {
            Op::MarkAsked => r.mark_asked(now).map(|_| true),
            Op::MarkBAsked => r.mark_party_asked(Side::B, now).map(|_| true),
            Op::Approve => r.approve(Side::A, now, None).map(|_| true),
            Op::ApproveB => r.approve(Side::B, now, None).map(|_| true),
            Op::Decline => r.decline(Side::A, now, None).map(|_| true),
            Op::DeclineB => r.decline(Side::B, now, None).map(|_| true),
            Op::Cancel => r.cancel(now).map(|_| true),
            Op::Reply => Ok(r.record_reply(Side::A, now, reply())),
            Op::ReplyB => Ok(r.record_reply(Side::B, now, reply())),
            // A send that follows a cut-off one reuses its Message-ID.
            Op::FollowUp => {
                let id = r
                    .pending_id(PendingKind::Followup(Side::A))
                    .unwrap_or("<f@x>")
                    .to_string();
                r.mark_followed_up(Side::A, now, id).map(|_| true)
            }
            Op::FollowUpB => {
                let id = r
                    .pending_id(PendingKind::Followup(Side::B))
                    .unwrap_or("<fb@x>")
                    .to_string();
                r.mark_followed_up(Side::B, now, id).map(|_| true)
            }
            Op::Introduce => r.mark_introduced(now, "<i@x>".into()).map(|_| true),
            Op::BeginFollowUp(to_b) => {
                let kind = if *to_b {
                    PendingKind::Followup(Side::B)
                } else {
                    PendingKind::Followup(Side::A)
                };
                match kind {
                    PendingKind::Followup(Side::B) => r.check_followup(Side::B)?,
                    _ => r.check_followup(Side::A)?,
                }
                if r.pending.is_some() {
                    return Ok(false);
                }
                r.begin(
                    kind,
                    format!("<p{}@x>", r.history.len()),
                    "run".into(),
                    None,
                );
                Ok(false)
            }
        }
    }

    fn legal(from: State, to: State) -> bool {
        use State::*;
        from == to
            || matches!(
                (from, to),
                (Sending, Asked | Replied | Cancelled)
                    | (Asked, Replied | Approved | Declined | Cancelled)
                    | (Replied, Approved | Declined | Cancelled)
                    | (Approved, Introduced | Cancelled)
            )
    }

    proptest! {
        #[test]
        fn no_sequence_reaches_an_illegal_state(
            both in any::<bool>(),
            ops in proptest::collection::vec(op(), 0..40),
        ) {
            let mut r = fresh(both);
            let mut now = T0;
            for op in &ops {
                now += Duration::hours(1);
                let before = r.clone();
                match apply(&mut r, op, now) {
                    Ok(changed) => {
                        prop_assert!(legal(before.status, r.status), "{:?} -> {:?} by {op:?}", before.status, r.status);
                        if changed {
                            // A reply to an ask still sending records the
                            // ask too (A's or B's), and a move past a
                            // half-sent message records it as unconfirmed.
                            let finished = before.status == State::Sending
                                && r.status == State::Replied;
                            let side = |r: &Request| r.b_side.as_ref().map(|b| b.status);
                            let finished_b = side(&before) == Some(SideState::Sending)
                                && side(&r) == Some(SideState::Replied);
                            let unconfirmed = |r: &Request| {
                                r.history.iter().filter(|e| e.kind == EventKind::Unconfirmed).count()
                            };
                            let settled = unconfirmed(&r) - unconfirmed(&before);
                            prop_assert!(settled <= 1);
                            if settled == 1 {
                                prop_assert!(before.pending.is_some() && r.pending.is_none());
                            }
                            let added = 1 + usize::from(finished) + usize::from(finished_b) + settled;
                            prop_assert_eq!(r.history.len(), before.history.len() + added);
                        } else if matches!(op, Op::BeginFollowUp(_)) {
                            prop_assert_eq!(&r.history, &before.history);
                            prop_assert_eq!(r.status, before.status);
                        } else {
                            prop_assert_eq!(&r, &before);
                        }
                    }
                    // A refused move changes nothing at all.
                    Err(_) => prop_assert_eq!(&r, &before),
                }
                // A half-sent message is never forgotten: it is pending,
                // recorded as sent, or kept in the history as unconfirmed.
                if let Some(p) = &before.pending
                    && r.pending.as_ref() != Some(p)
                {
                    let id = p.message_id.as_str();
                    let sent = |list: &[Sent]| list.iter().any(|f| f.message_id == id);
                    let kept = sent(&r.a_side.followups)
                        || r.b_side.as_ref().is_some_and(|b| sent(&b.followups))
                        || r.history.iter().any(|e| {
                            e.kind == EventKind::Unconfirmed
                                && e.note.as_deref().is_some_and(|n| n.contains(id))
                        });
                    prop_assert!(kept, "{id} was dropped by {op:?}");
                }
                // Closed requests stay closed.
                if matches!(before.status, State::Declined | State::Introduced | State::Cancelled) {
                    prop_assert_eq!(&r, &before);
                }
                // Approved (and introduced) with --both means both said yes.
                if let Some(b) = &r.b_side
                    && matches!(r.status, State::Approved | State::Introduced)
                {
                    prop_assert_eq!(b.status, SideState::Approved);
                }
                // A's yes waits for B's only when B was asked.
                if r.a_waits_for_b() {
                    prop_assert!(r.both() && matches!(r.status, State::Asked | State::Replied));
                    prop_assert!(r.b_side.as_ref().is_some_and(|b| b.status != SideState::Approved));
                }
                if r.status == State::Introduced {
                    prop_assert!(r.introduction.is_some());
                    prop_assert!(r.history.iter().any(|e| e.kind == EventKind::Approved(Side::A)));
                }
                // Nothing is ever due unless A was asked and has not answered.
                if r.is_due_for(Side::A, now, &FollowupSettings::default()) {
                    prop_assert_eq!(r.status, State::Asked);
                }
            }
        }

        #[test]
        fn due_matches_its_definition(
            after_days in 0u32..30,
            max in 0u32..5,
            followup_gaps in proptest::collection::vec(0i64..(40 * 24), 0..6),
            now_offset_hours in 0i64..(200 * 24),
            replied in any::<bool>(),
        ) {
            let settings = FollowupSettings { after_days, max };
            let mut r = fresh(false);
            r.mark_asked(T0).unwrap();
            let mut last = T0;
            for gap in &followup_gaps {
                last += Duration::hours(*gap);
                r.a_side.followups.push(Sent { message_id: "<f@x>".into(), at: last });
            }
            if replied {
                r.status = State::Replied;
            }
            let now = T0 + Duration::hours(now_offset_hours);
            let expected = r.status == State::Asked
                && r.a_side.followups.len() < max as usize
                && now - last >= Duration::days(i64::from(after_days));
            prop_assert_eq!(r.is_due(now, &settings), expected);
        }
    }
}
