//! The planner: what to do with each ask, checked against the contacts,
//! the store's requests and the rows before it in a batch: a new request,
//! one an earlier run began (resumed), one already made or being sent by
//! another run (skipped), or a bad row that refuses the batch; and the ask
//! fatigue of a batch, once per A. It sends and writes nothing: the time,
//! the requests and the contacts come in.

use std::collections::{HashMap, HashSet};

use crate::cmd::send::claim;
use crate::domain::ask_plan::{self, AskPlan};
use crate::domain::fatigue::{self, PriorAsk};
use crate::domain::request::{Direction, Request, Side};
use crate::error::UserError;
use crate::mail::ask_check;
use crate::mail::compose::Composer;
use crate::setup::contacts::Prefers;
use crate::setup::contacts::{Contact, Contacts};
use crate::setup::prefers;
use crate::store::Requests;

use super::queue::Queued;
use super::request_id::new_request_id;

/// One ask, ready to go: a fresh request, or one an earlier run began.
#[derive(Clone)]
pub(super) struct Planned {
    /// The CSV line, for batch messages.
    pub(super) line: Option<u64>,
    pub(super) request: Request,
    /// True when an earlier run recorded it and may have sent it.
    pub(super) resumed: bool,
    /// Ask fatigue: A was asked a lot lately, or has an open ask.
    pub(super) warning: Option<String>,
}

/// Why a row cannot be asked.
pub(super) struct BadRow {
    pub(super) line: Option<u64>,
    pub(super) error: UserError,
}

impl BadRow {
    /// One line for a batch's list of bad rows: the message, with the
    /// suggestion or the candidates folded in.
    pub(super) fn one_line(&self) -> String {
        let mut text = self.error.message.clone();
        if let Some(h) = self
            .error
            .hints
            .iter()
            .find(|h| h.starts_with("did you mean"))
        {
            text = format!("{text} ({h})");
        }
        if !self.error.details.is_empty() {
            text = format!("{text}: {}", self.error.details.join("; "));
        }
        match self.line {
            Some(line) => format!("line {line}: {text}"),
            None => text,
        }
    }
}

/// What to do with one row: ask it, or skip it because it was already asked.
pub(super) enum Decision {
    Ask(Box<Planned>),
    /// Already asked: the same pair with the same why is open.
    Skip {
        id: String,
    },
    /// Another live intro process is sending this very ask right now.
    Busy {
        id: String,
    },
}

/// The text fields of one ask, as typed.
#[derive(Debug)]
pub(crate) struct AskFields {
    pub(crate) a: String,
    pub(crate) b: String,
    pub(crate) why: String,
    pub(crate) why_b: Option<String>,
    pub(crate) wants: Option<String>,
    pub(crate) format: Option<String>,
    pub(crate) note: Option<String>,
}

/// Checks asks against the contacts, the store and the batch so far.
pub(super) struct Planner<'a> {
    pub(super) now: time::OffsetDateTime,
    pub(super) composer: &'a Composer<'a>,
    pub(super) contacts: &'a Contacts,
    pub(super) requests: &'a Requests,
    pub(super) data_dir: &'a std::path::Path,
    /// What the open requests and earlier rows decide.
    pub(super) decisions: AskPlan<'a>,
    /// Ids drawn for earlier rows.
    pub(super) reserved: HashSet<String>,
    /// Every stored ask by A, for the ask-fatigue warning (a batch's own
    /// asks of A are counted by `batch_fatigue`, once per A).
    pub(super) asks_by_a: HashMap<String, Vec<PriorAsk>>,
    /// `[limits] asks_per_90_days`, or None with `--force`.
    pub(super) fatigue_limit: Option<u32>,
    /// `--force`: also ask those whose `prefers` is `no-intros`.
    pub(super) force: bool,
    /// Ask B too (`--both`).
    pub(super) both: bool,
    /// `[ask] require`: fields a row must fill.
    pub(super) require: Vec<crate::setup::config::AskField>,
    /// Asks (the user introduces) or requests of a connector: each kind
    /// is checked against its own open requests.
    pub(super) direction: Direction,
}

impl<'a> Planner<'a> {
    pub(super) fn new(
        now: time::OffsetDateTime,
        composer: &'a Composer<'a>,
        contacts: &'a Contacts,
        requests: &'a Requests,
        data_dir: &'a std::path::Path,
        force: bool,
        fatigue_limit: u32,
    ) -> Planner<'a> {
        let mut asks_by_a: HashMap<String, Vec<PriorAsk>> = HashMap::new();
        // A note request has not written to A yet: no ask of A so far.
        for r in requests.iter().filter(|r| !r.a_not_yet_asked()) {
            asks_by_a
                .entry(r.a.clone())
                .or_default()
                .push(PriorAsk::of(r));
        }
        // Closed requests the read left in the archive, by their index.
        for x in requests.archived_asks_since(now - fatigue::window()) {
            asks_by_a.entry(x.a).or_default().push(PriorAsk {
                id: x.id,
                b: x.b,
                asked_at: x.at,
                open: false,
            });
        }
        Planner {
            now,
            composer,
            contacts,
            requests,
            data_dir,
            decisions: AskPlan::new(
                requests
                    .iter()
                    .filter(|r| r.direction == Direction::Introducing),
                force,
            ),
            reserved: HashSet::new(),
            asks_by_a,
            fatigue_limit: (!force).then_some(fatigue_limit),
            force,
            both: false,
            require: Vec::new(),
            direction: Direction::Introducing,
        }
    }

    /// Plan requests made in `direction`: with `Direction::Requested`,
    /// requests of connectors, checked against the open ones only.
    pub(super) fn in_direction(mut self, direction: Direction, force: bool) -> Planner<'a> {
        if direction != self.direction {
            self.direction = direction;
            self.decisions = AskPlan::new(
                self.requests.iter().filter(|r| r.direction == direction),
                force,
            );
        }
        self
    }

    /// Decide one ask: new, resumed, skipped, or a bad row.
    pub(super) fn plan(
        &mut self,
        fields: &AskFields,
        line: Option<u64>,
    ) -> Result<Decision, BadRow> {
        let direction = self.direction;
        let decision = self.decide(fields, line).map_err(|mut bad| {
            let reword = |text: &str| crate::cmd::request::in_words_of(direction, text);
            bad.error.message = reword(&bad.error.message);
            bad.error.hints = bad.error.hints.iter().map(|h| reword(h)).collect();
            bad
        })?;
        let (a, b) = match &decision {
            Decision::Ask(p) => {
                self.reserved.insert(p.request.id.clone());
                (p.request.a.clone(), p.request.b.clone())
            }
            Decision::Skip { id } | Decision::Busy { id } => {
                let r = self.requests.get(id).expect("skip names a stored request");
                (r.a.clone(), r.b.clone())
            }
        };
        self.decisions.note(&a, &b, line);
        Ok(decision)
    }

    fn decide(&self, fields: &AskFields, line: Option<u64>) -> Result<Decision, BadRow> {
        let bad = |message: String| BadRow {
            line,
            error: UserError::new(message),
        };
        let find = |name: &str, role: &str| -> Result<&Contact, BadRow> {
            if name.trim().is_empty() {
                return Err(bad(format!("no contact {role} given")));
            }
            self.contacts.find(name).map_err(|e| BadRow {
                line,
                error: crate::error::lookup_error(e, &self.contacts.path),
            })
        };
        let a = find(&fields.a, "A")?;
        let b = find(&fields.b, "B")?;
        if a.handle == b.handle {
            return Err(BadRow {
                line,
                error: UserError::new(format!(
                    "A and B are both `{}`: an introduction needs two people",
                    a.handle
                ))
                .hint("name the one to ask first, then the one they would meet: `intro ask A B --why ...`"),
            });
        }
        if a.prefers == Some(Prefers::NoIntros) && !self.force {
            return Err(BadRow {
                line,
                error: crate::cmd::no_intros(a, &self.contacts.path),
            });
        }
        let why = fields.why.trim();
        if why.is_empty() {
            return Err(bad("`why` is empty: say why the two should meet".into()));
        }
        if let Some(other) = self.decisions.asked_earlier(&a.handle, &b.handle) {
            return Err(bad(format!(
                "asks `{}` about `{}` again (same pair as line {})",
                a.handle,
                b.handle,
                other.map_or("?".into(), |l| l.to_string())
            )));
        }
        if let Some(error) = ask_check::unmet(
            &self.require,
            &ask_check::missing(fields.wants.as_deref(), fields.format.as_deref()),
        ) {
            return Err(BadRow {
                line,
                error: error.into(),
            });
        }
        let why_b = crate::cmd::typed(fields.why_b.as_deref()).filter(|w| w.as_str() != why);
        if why_b.is_some() && !self.both {
            return Err(bad(
                "`why_b` is what B reads when B is asked too, and this ask does not ask B".into(),
            ));
        }
        let spec = crate::cmd::ask_spec(
            a,
            b,
            why,
            fields.wants.as_deref(),
            fields.format.as_deref(),
            fields.note.as_deref(),
        );
        // An open request for the pair: the same ask already made (skip it),
        // the same ask interrupted mid-send (finish it), or another ask.
        let alive = |run: &str| !claim::is_abandoned(self.data_dir, run);
        match self.decisions.decide(&spec.a, &spec.b, &spec.why, alive) {
            Ok(ask_plan::Decision::New) => {}
            Ok(ask_plan::Decision::Resume(r)) => {
                return Ok(Decision::Ask(Box::new(Planned {
                    line,
                    request: r.clone(),
                    resumed: true,
                    warning: None,
                })));
            }
            Ok(ask_plan::Decision::Skip(r)) => return Ok(Decision::Skip { id: r.id.clone() }),
            Ok(ask_plan::Decision::Busy(r)) => return Ok(Decision::Busy { id: r.id.clone() }),
            Err(ask_plan::Refusal::OtherOpen(r)) => {
                return Err(bad(format!(
                    "`{}` already has an open request about `{}` (request {}, {}; pass --force to ask anyway)",
                    r.a, r.b, r.id, r.status
                )));
            }
        }
        let id = new_request_id(self.requests, &self.reserved);
        let message_id = self.composer.new_message_id();
        let mut request = Request::new(id, spec, String::new(), message_id, self.now);
        request.why_b = why_b;
        request.direction = self.direction;
        // Rendering now catches template errors and line breaks bound for a
        // header before anything is sent.
        request.a_side.subject = self
            .composer
            .ask_subject(&request, Side::A)
            .map_err(|e| bad(crate::error::one_line(&e)))?;
        if self.both {
            let b_message_id = self.composer.new_message_id();
            let b_subject = self
                .composer
                .ask_subject(&request, Side::B)
                .map_err(|e| bad(crate::error::one_line(&e)))?;
            request = request.with_b_side(b_message_id, b_subject);
        }
        // A batch warns once per A, after every row is planned.
        let fatigue_limit = if line.is_some() {
            None
        } else {
            self.fatigue_limit
        };
        let warning = fatigue_limit.and_then(|limit| {
            let prior = self
                .asks_by_a
                .get(&request.a)
                .map_or(&[][..], Vec::as_slice);
            let connector = request
                .is_requested()
                .then(|| crate::cmd::request::same_person_warning(self.requests, &request))
                .flatten();
            let pace = prefers::pace(Some(a), limit);
            let asked = fatigue::warning(&request.a, prior, self.now, pace);
            match (asked, connector) {
                (Some(a), Some(c)) => Some(format!("{a}; {c}")),
                (a, c) => a.or(c),
            }
        });
        Ok(Decision::Ask(Box::new(Planned {
            line,
            request,
            resumed: false,
            warning,
        })))
    }
}

/// Ask fatigue over a batch, once per A: each warning, in the order A
/// first appears, and on each row that warns (for `--json`) the warning of
/// its A.
pub(super) fn batch_fatigue(plan: &mut [Queued], planner: &Planner<'_>, limit: u32) -> Vec<String> {
    let mut rows_by_a: Vec<(String, Vec<usize>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, p) in plan.iter().enumerate().filter(|(_, p)| !p.resumed) {
        let at = *index.entry(p.a()).or_insert_with(|| {
            rows_by_a.push((p.a().to_string(), Vec::new()));
            rows_by_a.len() - 1
        });
        rows_by_a[at].1.push(i);
    }
    let mut warnings = Vec::new();
    for (a, rows) in rows_by_a {
        let lines: Vec<u64> = rows.iter().map(|&i| plan[i].line.unwrap_or(0)).collect();
        let prior = planner.asks_by_a.get(&a).map_or(&[][..], Vec::as_slice);
        let pace = prefers::pace(planner.contacts.by_handle(&a), limit);
        if let Some(w) = fatigue::batch_warning(&a, prior, &lines, planner.now, pace) {
            for &i in &rows[w.from..] {
                plan[i].warning = Some(w.text.clone());
            }
            warnings.push(w.text);
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use time::macros::datetime;

    use super::*;
    use crate::domain::request::{AskSpec, State};
    use crate::setup::config::Config;

    const NOW: time::OffsetDateTime = datetime!(2026-06-01 09:00 UTC);

    const CONTACTS: &str = r#"
[ada]
name = "Ada Lovelace"
email = "ada@example.com"

[sam]
name = "Sam Builder"
email = "sam@example.org"

[kay]
name = "Kay Field"
email = "kay@example.net"

[nia]
name = "Nia Quiet"
email = "nia@example.com"
prefers = "no-intros"

[cal]
name = "Cal Slow"
email = "cal@example.com"
cooldown_days = 30
"#;

    /// What a planner needs that outlives it.
    struct World {
        config: Config,
        contacts: Contacts,
        requests: Requests,
        data_dir: tempfile::TempDir,
    }

    impl World {
        fn new(requests: Vec<Request>) -> World {
            let config = Config::parse(
                "[me]\nname = \"Alice Sender\"\nemail = \"alice@example.com\"\n",
                Path::new("config.toml"),
            )
            .unwrap();
            let contacts = Contacts::parse(CONTACTS, Path::new("contacts.toml")).unwrap();
            World {
                config,
                contacts,
                requests: Requests::of(requests),
                data_dir: tempfile::tempdir().unwrap(),
            }
        }

        /// A composer with the built-in templates.
        fn composer(&self) -> Composer<'_> {
            Composer::new(
                &self.config,
                &self.contacts,
                self.data_dir.path().join("no-templates"),
                NOW,
            )
        }

        /// A planner at `NOW` over this world's requests.
        fn planner<'a>(
            &'a self,
            composer: &'a Composer<'a>,
            force: bool,
            limit: u32,
        ) -> Planner<'a> {
            Planner::new(
                NOW,
                composer,
                &self.contacts,
                &self.requests,
                self.data_dir.path(),
                force,
                limit,
            )
        }

        /// Plan `rows` (a, b, why) with `force`, as a batch when `batch`
        /// (rows numbered from line 2), else one by one as single asks.
        fn plan(&self, rows: &[(&str, &str, &str)], force: bool, batch: bool) -> Vec<Outcome> {
            let composer = self.composer();
            let mut planner = self.planner(&composer, force, 2);
            rows.iter()
                .zip(2..)
                .map(|(&(a, b, why), line)| {
                    let fields = fields(a, b, why);
                    let line = batch.then_some(line);
                    Outcome::of(planner.plan(&fields, line))
                })
                .collect()
        }
    }

    /// A decision, reduced to what the tests look at.
    #[derive(Debug, PartialEq, Eq)]
    enum Outcome {
        New { a: String, b: String, warned: bool },
        Resumed(String),
        Skip(String),
        Busy(String),
        Bad(String),
    }

    impl Outcome {
        fn of(decision: Result<Decision, BadRow>) -> Outcome {
            match decision {
                Ok(Decision::Ask(p)) if p.resumed => Outcome::Resumed(p.request.id.clone()),
                Ok(Decision::Ask(p)) => Outcome::New {
                    a: p.request.a.clone(),
                    b: p.request.b.clone(),
                    warned: p.warning.is_some(),
                },
                Ok(Decision::Skip { id }) => Outcome::Skip(id),
                Ok(Decision::Busy { id }) => Outcome::Busy(id),
                Err(bad) => Outcome::Bad(bad.one_line()),
            }
        }

        fn new(a: &str, b: &str) -> Outcome {
            Outcome::New {
                a: a.into(),
                b: b.into(),
                warned: false,
            }
        }
    }

    fn fields(a: &str, b: &str, why: &str) -> AskFields {
        AskFields {
            a: a.into(),
            b: b.into(),
            why: why.into(),
            why_b: None,
            wants: Some("advice".into()),
            format: Some("a call".into()),
            note: None,
        }
    }

    /// A request of A about B for `why`, recorded `days` ago, still
    /// `sending` unless `asked`.
    fn stored(id: &str, a: &str, b: &str, why: &str, days: i64, asked: bool) -> Request {
        let at = NOW - time::Duration::days(days);
        let spec = AskSpec::pair(
            a.into(),
            format!("{a}@example.com"),
            b.into(),
            format!("{b}@example.org"),
            why.into(),
        );
        let mut r = Request::new(id.into(), spec, "Intro?".into(), format!("<{id}@x>"), at);
        if asked {
            r.mark_asked(at).unwrap();
        }
        r
    }

    fn bad_contains(outcome: &Outcome, text: &str) -> bool {
        matches!(outcome, Outcome::Bad(line) if line.contains(text))
    }

    #[test]
    fn a_pair_with_nothing_open_is_a_new_request_with_an_id_of_its_own() {
        let world = World::new(vec![stored("0000000a", "ada", "kay", "orbits", 3, true)]);
        let composer = world.composer();
        let mut planner = world.planner(&composer, false, 10);
        let mut ids = Vec::new();
        for (a, b) in [("ada", "sam"), ("kay", "sam"), ("sam", "ada")] {
            let Ok(Decision::Ask(p)) = planner.plan(&fields(a, b, "compilers"), Some(2)) else {
                panic!("{a} about {b} is a new ask");
            };
            assert_eq!(p.request.status, State::Sending);
            assert_eq!((p.request.a.as_str(), p.request.b.as_str()), (a, b));
            assert!(
                !p.request.a_side.subject.is_empty(),
                "the subject is rendered"
            );
            assert_eq!(p.request.created_at, NOW, "the time comes in");
            ids.push(p.request.id.clone());
        }
        ids.push("0000000a".into());
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 4, "every id is new: {ids:?}");
    }

    #[test]
    fn the_same_ask_already_made_is_skipped_and_one_begun_is_resumed() {
        let world = World::new(vec![
            stored("0000000a", "ada", "sam", "compilers", 3, true),
            stored("0000000b", "kay", "sam", "compilers", 1, false),
        ]);
        let got = world.plan(
            &[("ada", "sam", "compilers"), ("kay", "sam", "compilers")],
            false,
            true,
        );
        assert_eq!(
            got,
            [
                Outcome::Skip("0000000a".into()),
                Outcome::Resumed("0000000b".into())
            ]
        );
    }

    #[test]
    fn an_ask_begun_by_a_live_run_is_busy() {
        let mut begun = stored("0000000b", "kay", "sam", "compilers", 0, false);
        begun.sending_run = Some("run1".into());
        let world = World::new(vec![begun]);
        // A run is alive while it holds the lock on its file.
        let runs = world.data_dir.path().join("runs");
        std::fs::create_dir_all(&runs).unwrap();
        let lock = std::fs::File::create(runs.join("run1.lock")).unwrap();
        lock.lock().unwrap();
        let got = world.plan(&[("kay", "sam", "compilers")], false, true);
        assert_eq!(got, [Outcome::Busy("0000000b".into())]);
        drop(lock);
        let got = world.plan(&[("kay", "sam", "compilers")], false, true);
        assert_eq!(
            got,
            [Outcome::Resumed("0000000b".into())],
            "a dead run's ask is resumed"
        );
    }

    #[test]
    fn another_open_ask_of_the_pair_refuses_the_row_unless_forced() {
        let world = World::new(vec![stored("0000000a", "ada", "sam", "orbits", 3, true)]);
        let got = world.plan(&[("ada", "sam", "compilers")], false, true);
        assert!(
            bad_contains(
                &got[0],
                "line 2: `ada` already has an open request about `sam` (request 0000000a, asked; pass --force"
            ),
            "{got:?}"
        );
        let got = world.plan(&[("ada", "sam", "compilers")], true, true);
        assert_eq!(got, [Outcome::new("ada", "sam")]);
    }

    #[test]
    fn a_pair_twice_in_a_batch_refuses_the_second_row() {
        let world = World::new(Vec::new());
        let got = world.plan(
            &[("ada", "sam", "compilers"), ("ada", "sam", "other reasons")],
            false,
            true,
        );
        assert_eq!(got[0], Outcome::new("ada", "sam"));
        assert_eq!(
            got[1],
            Outcome::Bad("line 3: asks `ada` about `sam` again (same pair as line 2)".into())
        );
    }

    #[test]
    fn rows_that_cannot_be_asked_say_why() {
        let world = World::new(Vec::new());
        let got = world.plan(
            &[
                ("ada", "ada", "x"),
                ("ada", "", "x"),
                ("ada", "sam", "  "),
                ("zed", "sam", "x"),
                ("nia", "sam", "x"),
            ],
            false,
            true,
        );
        assert!(bad_contains(&got[0], "A and B are both `ada`"), "{got:?}");
        assert!(
            bad_contains(&got[1], "line 3: no contact B given"),
            "{got:?}"
        );
        assert!(bad_contains(&got[2], "line 4: `why` is empty"), "{got:?}");
        assert!(bad_contains(&got[3], "line 5:"), "{got:?}");
        assert!(bad_contains(&got[4], "line 6:"), "{got:?}");
        assert!(bad_contains(&got[4], "nia"), "{got:?}");
        // `--force` asks one who prefers no introductions.
        let got = world.plan(&[("nia", "sam", "x")], true, true);
        assert_eq!(got, [Outcome::new("nia", "sam")]);
    }

    #[test]
    fn why_b_needs_both() {
        let world = World::new(Vec::new());
        let composer = world.composer();
        let mut planner = world.planner(&composer, false, 10);
        let mut row = fields("ada", "sam", "compilers");
        row.why_b = Some("you build tools".into());
        let refused = Outcome::of(planner.plan(&row, None));
        assert!(bad_contains(&refused, "`why_b`"), "{refused:?}");
        planner.both = true;
        let Ok(Decision::Ask(p)) = planner.plan(&row, None) else {
            panic!("with --both, why_b is B's");
        };
        assert_eq!(p.request.why_b.as_deref(), Some("you build tools"));
        assert!(p.request.b_side.is_some(), "B is asked too");
    }

    #[test]
    fn a_single_ask_warns_of_fatigue_a_batch_row_leaves_it_to_the_batch() {
        // The limit is 2 asks in 90 days: ada was asked twice already.
        let world = World::new(vec![
            stored("0000000a", "ada", "kay", "one", 20, true),
            stored("0000000b", "ada", "nia", "two", 10, true),
        ]);
        let single = world.plan(&[("ada", "sam", "compilers")], false, false);
        assert_eq!(
            single,
            [Outcome::New {
                a: "ada".into(),
                b: "sam".into(),
                warned: true
            }]
        );
        // Forced, no warning.
        let forced = world.plan(&[("ada", "sam", "compilers")], true, false);
        assert_eq!(forced, [Outcome::new("ada", "sam")]);
        let batch = world.plan(&[("ada", "sam", "compilers")], false, true);
        assert_eq!(batch, [Outcome::new("ada", "sam")]);
    }

    #[test]
    fn a_contacts_cooldown_sets_their_pace() {
        // Asked 10 days ago: within cal's 30 days, far under the 90-day limit.
        let world = World::new(vec![stored("0000000a", "cal", "kay", "one", 10, true)]);
        let got = world.plan(&[("cal", "sam", "compilers")], false, false);
        assert_eq!(
            got,
            [Outcome::New {
                a: "cal".into(),
                b: "sam".into(),
                warned: true
            }]
        );
        // Asked 40 days ago, and cancelled since: the cooldown is over.
        let mut old = stored("0000000a", "cal", "kay", "one", 40, true);
        old.cancel(NOW - time::Duration::days(39)).unwrap();
        let world = World::new(vec![old]);
        let got = world.plan(&[("cal", "sam", "compilers")], false, false);
        assert_eq!(got, [Outcome::new("cal", "sam")]);
    }

    #[test]
    fn batch_fatigue_warns_once_per_a_from_the_row_over_the_limit() {
        let world = World::new(vec![stored("0000000a", "ada", "nia", "one", 10, true)]);
        let composer = world.composer();
        let mut planner = world.planner(&composer, false, 2);
        let mut plan = Vec::new();
        for (line, (a, b)) in [("ada", "sam"), ("kay", "sam"), ("ada", "kay")]
            .into_iter()
            .enumerate()
        {
            let Ok(Decision::Ask(p)) = planner.plan(&fields(a, b, "why"), Some(line as u64 + 2))
            else {
                panic!("{a} about {b} is a new ask");
            };
            plan.push(Queued::of(*p, NOW));
        }
        let warnings = batch_fatigue(&mut plan, &planner, 2);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("ada"), "{warnings:?}");
        let warned: Vec<bool> = plan.iter().map(|p| p.warning.is_some()).collect();
        assert!(!warned[1], "kay is asked once: {warned:?}");
        assert!(warned[2], "ada's last row is over the limit: {warned:?}");
    }

    #[test]
    fn requests_of_a_connector_are_checked_against_their_own_kind() {
        // An ask of ada about sam is open; a request of ada (a connector)
        // for an introduction to sam is another thing.
        let world = World::new(vec![stored("0000000a", "ada", "sam", "compilers", 3, true)]);
        let composer = world.composer();
        let mut planner = world
            .planner(&composer, false, 10)
            .in_direction(Direction::Requested, false);
        let Ok(Decision::Ask(p)) = planner.plan(&fields("ada", "sam", "compilers"), Some(2)) else {
            panic!("a request of a connector is not the ask");
        };
        assert_eq!(p.request.direction, Direction::Requested);
        assert!(!p.resumed);
    }
}
