//! The message corpus: hard but realistic inputs (titles, comma names, CJK
//! and diacritics, one-word names, fields typed every way), each rendered
//! by the real binary through the whole loop (ask, every follow-up, the
//! introduction, the decline note) and kept as a snapshot, so every change
//! to a message is read as a diff. Checks over the whole corpus catch what
//! reads as machine-made: doubled punctuation, broken joins, a title
//! greeted as a first name, the same text twice, messages too long, and
//! missing or telling headers.

#![allow(clippy::unwrap_used)]

use crate::support::sandbox::{COMPLETE_ASK, Sandbox, body, header, whole};

const CONFIG: &str = r#"[me]
name = "Dr. Grace Hopper"
email = "grace@example.com"
"#;

const CONTACTS: &str = r#"
[rafael]
name = "Dr. Rafael Ortiz"
email = "rafael@example.edu"
blurb = "professor of distributed systems at UC San Diego"

[ngozi]
name = "Okafor, Ngozi"
email = "ngozi@example.com"
blurb = "Runs platform engineering at a payments company."

[mei]
name = "Mei-Ling Chen"
email = "mei@example.org"
blurb = "Wrote the 2019 paper on consensus failures!"
url = "https://example.org/~mei"

[hannah]
name = "Prof. Dr. Hannah Weiß"
email = "hannah@example.de"
blurb = "Leads the storage systems group at TU Berlin"

[jo]
name = "Johanna Park"
first_name = "Jo"
email = "jo@example.com"
blurb = "Angel investor in developer tools..."

[wang]
name = "王小明"
email = "wang@example.cn"
blurb = "在深圳做硬件创业。"

[lukasz]
name = "Łukasz Żółtowski"
email = "lukasz@example.pl"
blurb = "first engineer at a Warsaw fintech; now hiring his own"

[tom]
name = "Tom Reed Jr."
email = "tom@example.com"
blurb = "Sells pricing software to hospitals?"

[prince]
name = "Prince"
email = "prince@example.com"

[sam]
name = "Sam Builder"
email = "sam@example.org"
blurb = "Builds developer tools for small teams."

[ada]
name = "Ada Lovelace"
email = "ada@example.com"
blurb = "Writes the first programs for the Analytical Engine."
url = "https://example.com/ada"

[john]
name = "Sir John Hegarty"
email = "john@example.co.uk"
blurb = "Founded two advertising agencies"

[kay]
name = "Katherine Johnson"
email = "kay@example.com"

[renee]
name = "Renée Lévesque, PhD"
email = "renee@example.fr"
blurb = "Studies how teams adopt new tools."
"#;

/// One scenario: an ask, and how far its life goes.
struct Scenario {
    name: &'static str,
    a: &'static str,
    b: &'static str,
    /// Everything after `ask A B` but `--yes`.
    args: &'static [&'static str],
    /// Send every follow-up `followup.max` allows.
    followups: bool,
    /// A (and B, with `--both`) says yes; the introduction is drafted.
    introduce: bool,
    /// A says no; the note to B is drafted.
    decline: bool,
    /// The ask is long on purpose, and must warn so.
    long: bool,
    /// No ask: `introduce A B --direct` drafts the introduction at once.
    direct: bool,
}

const fn s(
    name: &'static str,
    a: &'static str,
    b: &'static str,
    args: &'static [&'static str],
) -> Scenario {
    Scenario {
        name,
        a,
        b,
        args,
        followups: false,
        introduce: false,
        decline: false,
        long: false,
        direct: false,
    }
}

impl Scenario {
    const fn followed_up(mut self) -> Self {
        self.followups = true;
        self
    }
    const fn introduced(mut self) -> Self {
        self.introduce = true;
        self
    }
    const fn declined(mut self) -> Self {
        self.decline = true;
        self
    }
    const fn long(mut self) -> Self {
        self.long = true;
        self
    }
    const fn direct(mut self) -> Self {
        self.direct = true;
        self
    }
}

const LONG_WHY: &str = "You both spent the last three years moving a large monolith onto Kubernetes, you both wrote about what went wrong, and you both came out of it convinced that most of the pain was organisational rather than technical. Hannah's team is about to start the same journey, and I think an hour with someone who has the scars would save them months. She has read your talk twice and has a list of questions.";
const LONG_WANTS: &str = "an honest account of what you would do differently, which parts of the migration were worth it, how you kept the on-call rotation sane while both systems ran side by side, and whether you would hire for platform skills first or train the people you already have";

fn corpus() -> Vec<Scenario> {
    vec![
        s(
            "title_as_a",
            "rafael",
            "sam",
            &[
                "--why",
                "you both work on consensus protocols",
                "--wants",
                "advice on hiring a first SRE",
                "--format",
                "a 20-minute call",
            ],
        )
        .followed_up()
        .introduced(),
        s(
            "comma_name_and_every_mark",
            "ngozi",
            "lukasz",
            &[
                "--why",
                "Because you both survived a Kubernetes migration!",
                "--wants",
                "to pick your brain about hiring a first engineer?",
                "--format",
                "over coffee",
            ],
        )
        .followed_up()
        .introduced(),
        s(
            "format_as_a_sentence",
            "mei",
            "tom",
            &[
                "--why",
                "his pricing model looks like the failure mode in your 2019 paper",
                "--wants",
                "A frank gut-check on his pricing.",
                "--format",
                "Coffee after your Thursday lecture.",
            ],
        )
        .introduced(),
        s(
            "ellipses_everywhere",
            "jo",
            "sam",
            &[
                "--why",
                "you both love weird databases...",
                "--wants",
                "an intro to your portfolio companies...",
                "--format",
                "whatever is easiest for you, email is fine",
            ],
        )
        .followed_up(),
        s(
            "cjk_a",
            "wang",
            "sam",
            &[
                "--why",
                "you both build hardware for small workshops",
                "--wants",
                "advice on contract manufacturing in Shenzhen",
                "--format",
                "a video call",
            ],
        )
        .introduced(),
        s(
            "cjk_b",
            "sam",
            "wang",
            &[
                "--why",
                "Wang is building the hardware half of what you build in software.",
                "--wants",
                "feedback on his developer kit",
                "--format",
                "a call next week",
            ],
        )
        .declined(),
        s(
            "one_word_name",
            "prince",
            "ada",
            &[
                "--why",
                "you both write music with machines",
                "--wants",
                "a listen to her first compositions",
                "--format",
                "lunch",
            ],
        )
        .followed_up()
        .introduced(),
        s(
            "set_first_name_meets_two_titles",
            "jo",
            "hannah",
            &[
                "--why",
                "Hannah is spinning out a storage startup",
                "--wants",
                "Twenty minutes on how you think about seed rounds",
                "--format",
                "Zoom",
            ],
        )
        .introduced(),
        s(
            "suffixes_on_both",
            "tom",
            "renee",
            &[
                "--why",
                "Renée studies exactly the hospitals you sell to;",
                "--wants",
                "to hear how procurement teams pick tools:",
                "--format",
                "a call;",
            ],
        )
        .declined(),
        s(
            "sir_as_a",
            "john",
            "mei",
            &[
                "--why",
                "Isn't it time someone explained consensus to advertisers?",
                "--wants",
                "a chat about the talk she is writing",
                "--format",
                "drinks in London",
            ],
        )
        .followed_up(),
        s(
            "why_only",
            "ada",
            "prince",
            &["--why", "you both write music with machines"],
        )
        .followed_up()
        .introduced()
        .declined(),
        s(
            "format_only",
            "hannah",
            "sam",
            &[
                "--why",
                "Sam's tools could use a storage layer",
                "--format",
                "Call.",
            ],
        ),
        s(
            "wants_only",
            "renee",
            "jo",
            &[
                "--why",
                "Jo funds tools for the teams you study",
                "--wants",
                "Your take on which tools teams really adopt!",
            ],
        ),
        s(
            "note_lowercase_no_period",
            "sam",
            "ada",
            &[
                "--why",
                "you both care about compilers",
                "--wants",
                "advice",
                "--format",
                "a call",
                "--note",
                "congrats on the launch",
            ],
        ),
        s(
            "note_with_exclamations",
            "mei",
            "rafael",
            &[
                "--why",
                "you two keep citing each other",
                "--wants",
                "a second pair of eyes on her proof",
                "--format",
                "a coffee at the conference",
                "--note",
                "Loved your keynote!!",
            ],
        )
        .followed_up()
        .introduced(),
        s(
            "short_everything",
            "ada",
            "sam",
            &[
                "--why",
                "compilers",
                "--wants",
                "advice",
                "--format",
                "call",
            ],
        )
        .introduced()
        .declined(),
        s(
            "long_everything",
            "lukasz",
            "hannah",
            &[
                "--why",
                LONG_WHY,
                "--wants",
                LONG_WANTS,
                "--format",
                "an hour-long video call some time in the next month, whenever suits you",
            ],
        )
        .long()
        .followed_up()
        .introduced(),
        s(
            "acronym_start",
            "rafael",
            "mei",
            &[
                "--why",
                "NASA's review board wants you both on the panel",
                "--wants",
                "Zoom call to plan it",
                "--format",
                "Zoom",
            ],
        ),
        s(
            "quoted_why",
            "renee",
            "tom",
            &[
                "--why",
                "you both said \"never again\" about hospital procurement.",
                "--wants",
                "stories from the field",
                "--format",
                "a walk around the campus",
            ],
        ),
        s(
            "diacritics_both_ways",
            "lukasz",
            "renee",
            &[
                "--why",
                "Łukasz's team is adopting new tools right now",
                "--wants",
                "a look at Renée's survey",
                "--format",
                "a call in French or English",
            ],
        )
        .introduced(),
        s(
            "both_with_why_b",
            "hannah",
            "mei",
            &[
                "--both",
                "--why",
                "Mei-Ling's work on consensus failures is what your next paper needs",
                "--why-b",
                "Hannah's group has the storage traces your 2019 paper wished for",
                "--wants",
                "a frank gut-check",
                "--format",
                "a call",
            ],
        )
        .followed_up()
        .introduced(),
        s(
            "both_without_why_b",
            "ada",
            "john",
            &[
                "--both",
                "--why",
                "you both like machines that write",
                "--format",
                "lunch",
            ],
        )
        .introduced(),
        s(
            "both_with_a_question_for_wants",
            "ada",
            "john",
            &[
                "--both",
                "--why",
                "you both like machines that write",
                "--wants",
                "would you two compare notes on punched cards?",
                "--format",
                "a call",
            ],
        )
        .introduced(),
        s(
            "both_declined",
            "rafael",
            "ngozi",
            &[
                "--both",
                "--why",
                "you both run systems that cannot go down",
                "--why-b",
                "Rafael teaches what your team does every day",
                "--wants",
                "a guest lecture",
                "--format",
                "an hour on campus",
            ],
        )
        .declined(),
        s(
            "question_wants",
            "tom",
            "sam",
            &[
                "--why",
                "Sam builds what your sales team keeps asking for",
                "--wants",
                "would you share how you price?",
                "--format",
                "a call?",
            ],
        ),
        s(
            "capital_phrase_fields",
            "sam",
            "lukasz",
            &[
                "--why",
                "Hiring Is Hard",
                "--wants",
                "The Hiring Playbook you mentioned",
                "--format",
                "A Coffee",
            ],
        )
        .followed_up(),
        s(
            "cjk_fields",
            "wang",
            "mei",
            &[
                "--why",
                "你们都研究分布式系统。",
                "--wants",
                "请教共识算法的问题",
                "--format",
                "视频通话",
            ],
        )
        .introduced(),
        s(
            "sentence_shaped_wants",
            "ada",
            "tom",
            &[
                "--why",
                "you both sold software to hospitals before it was cool",
                "--wants",
                "He wants to ask you about fundraising. Also hiring.",
                "--format",
                "Zoom, or coffee in Lagos",
            ],
        )
        .followed_up()
        .introduced(),
        s(
            "quoted_wants_and_emoticon",
            "sam",
            "ada",
            &[
                "--why",
                "you both build tools for people who write programs",
                "--wants",
                "\"a quick intro.\"",
                "--format",
                "a call :)",
            ],
        )
        .introduced(),
        s(
            "no_blurb_on_either_side",
            "prince",
            "kay",
            &[
                "--why",
                "you both care about the maths behind the music",
                "--wants",
                "a chat about rhythm and orbits",
                "--format",
                "a walk",
            ],
        )
        .introduced(),
        s(
            "direct_introduction",
            "jo",
            "sam",
            &[
                "--why",
                "Sam is raising a first round for developer tools",
                "--wants",
                "advice on pricing",
                "--format",
                "a 20-minute call",
            ],
        )
        .direct(),
        s(
            "direct_introduction_in_whole_sentences",
            "rafael",
            "mei",
            &[
                "--why",
                "you both study why consensus fails in practice.",
                "--wants",
                "Mei would love your take on her next paper.",
                "--format",
                "Coffee at the conference would be perfect!",
            ],
        )
        .direct(),
        s(
            "direct_introduction_format_only",
            "ngozi",
            "lukasz",
            &[
                "--why",
                "you both run platform teams at fintechs",
                "--format",
                "over coffee in Warsaw",
            ],
        )
        .direct(),
        s(
            "direct_introduction_why_only",
            "ada",
            "kay",
            &["--why", "you both love numbers that fly"],
        )
        .direct(),
    ]
}

/// Words only a greeting could mistake for a first name.
const TITLES: &[&str] = &[
    "Dr.", "Dr", "Prof.", "Prof", "Mr.", "Mrs.", "Ms.", "Mx.", "Sir", "Dame", "Rev.", "Okafor",
];

/// Joins that read as pasted: a field dropped into a sentence that does
/// not fit it.
const BROKEN_JOINS: &[&str] = &[
    "for to ",
    "for because",
    " to to ",
    "of to ",
    "suggested Coffee",
    "over over",
    "ideally over whatever",
    "as we discussed.",
    ": : ",
    "hoping for would",
];

/// Marks that never follow one another in prose.
const DOUBLED: &[&str] = &[
    "!.", "?.", "?;", ";.", ".;", ",.", ".,", ":.", "。.", " ,", " .", "!,", "?,",
];

/// What a person reads in one message: its name in the scenario, and the raw text.
struct Message {
    label: String,
    raw: String,
}

/// The files a step added to `dir`.
fn new_files(before: &[(String, String)], after: Vec<(String, String)>) -> Vec<(String, String)> {
    after
        .into_iter()
        .filter(|(n, _)| !before.iter().any(|(b, _)| b == n))
        .collect()
}

fn run(sc: &Scenario) -> (Vec<Message>, String) {
    let mut sb = Sandbox::new();
    sb.write_config(CONFIG);
    sb.write_contacts(CONTACTS);
    let mut messages = Vec::new();
    let a_name = name_of(sc.a);
    let mut take = |sb: &Sandbox, label: &str, seen: &mut Vec<(String, String)>, drafts: bool| {
        let now = if drafts { sb.drafts() } else { sb.outbox() };
        let mut added = new_files(seen, now.clone());
        assert!(!added.is_empty(), "{}: {label} wrote no message", sc.name);
        // With `--both`, A's message first, then B's (`.ask-b.` sorts first).
        added.sort_by_key(|(_, raw)| !to_names(raw).contains(&a_name));
        let several = added.len() > 1;
        for (_, raw) in added {
            let label = if several {
                format!("{label} to {}", to_names(&raw))
            } else {
                label.to_string()
            };
            messages.push(Message { label, raw });
        }
        *seen = now;
    };
    let mut outbox = Vec::new();
    let mut drafts = Vec::new();
    if sc.direct {
        let mut args = vec!["introduce", sc.a, sc.b, "--direct", "--force"];
        args.extend_from_slice(sc.args);
        let run = sb.run(&args);
        assert_eq!(run.code, 0, "{}: {}", sc.name, run.stderr);
        take(&sb, "introduction", &mut drafts, true);
        return (messages, run.stderr);
    }
    let mut args = vec!["ask", sc.a, sc.b];
    args.extend_from_slice(sc.args);
    args.extend(["--yes", "--json"]);
    let ask = sb.run(&args);
    assert_eq!(ask.code, 0, "{}: {}", sc.name, ask.stderr);
    let id = ask.json()["id"].as_str().unwrap().to_string();
    let stderr = ask.stderr.clone();
    take(&sb, "ask", &mut outbox, false);
    if sc.followups {
        for (n, now) in [(1, "2026-03-07T09:00:00Z"), (2, "2026-03-13T09:00:00Z")] {
            sb.set_now(now);
            sb.ok(&["followup", &id, "--yes"]);
            take(&sb, &format!("follow-up {n}"), &mut outbox, false);
        }
    }
    let both = sc.args.contains(&"--both");
    if sc.introduce {
        sb.ok(&["approve", &id]);
        if both {
            sb.ok(&["approve", &id, "--side", "b"]);
        }
        sb.ok(&["introduce", &id]);
        take(&sb, "introduction", &mut drafts, true);
    }
    if sc.decline {
        let mut sb2 = Sandbox::new();
        sb2.write_config(CONFIG);
        sb2.write_contacts(CONTACTS);
        sb2.set_now("2026-03-01T09:00:00Z");
        let mut args = vec!["ask", sc.a, sc.b];
        args.extend_from_slice(sc.args);
        args.extend(["--yes", "--json"]);
        let id = sb2.json(&args[..args.len() - 1])["id"]
            .as_str()
            .unwrap()
            .to_string();
        sb2.ok(&["decline", &id, "--tell-b"]);
        let mut none = Vec::new();
        take(&sb2, "decline note", &mut none, true);
    }
    (messages, stderr)
}

/// The full name of the contact with `handle` in the corpus.
fn name_of(handle: &str) -> String {
    let contacts: toml::Table = toml::from_str(CONTACTS).unwrap();
    contacts[handle]["name"].as_str().unwrap().to_string()
}

/// The recipients' names, decoded.
fn to_names(raw: &str) -> String {
    let parsed = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap();
    parsed
        .to()
        .map(|list| {
            list.iter()
                .map(|a| a.name().unwrap_or_default().to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .unwrap_or_default()
}

/// Every message in one text, for the snapshot: who it goes to and its
/// Subject as a mail reader shows them, then the body.
fn transcript(messages: &[Message]) -> String {
    messages
        .iter()
        .map(|m| {
            let parsed = mail_parser::MessageParser::default()
                .parse(m.raw.as_bytes())
                .unwrap();
            format!(
                "===== {} =====\nTo: {}\nSubject: {}\n\n{}",
                m.label,
                to_names(&m.raw),
                parsed.subject().unwrap_or_default(),
                body(&m.raw)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// What a recipient would wince at in one message; empty when none.
fn wince(sc: &Scenario, m: &Message) -> Vec<String> {
    let mut found = Vec::new();
    let text = body(&m.raw);
    let mut say = |what: String| found.push(format!("{} / {}: {what}", sc.name, m.label));
    // "Tom Reed Jr., who ..." is one mark for the abbreviation, one for the clause.
    let unabbreviated = text.replace("Jr.,", "Jr,");
    for mark in DOUBLED {
        if unabbreviated.contains(mark) {
            say(format!("doubled punctuation `{mark}`"));
        }
    }
    if text.replace("...", "").contains("..") {
        say("doubled punctuation `..`".into());
    }
    for join in BROKEN_JOINS {
        if text.contains(join) {
            say(format!("broken join `{join}`"));
        }
    }
    let greeting = text.lines().next().unwrap_or("");
    let signature = text.trim_end().lines().last().unwrap_or("");
    for title in TITLES {
        let named = greeting.split([' ', ',']).any(|w| w == *title) || signature == *title;
        if named {
            say(format!("`{title}` greeted or signed as a first name"));
        }
    }
    if !greeting.starts_with("Hi ") || !greeting.ends_with(',') {
        say(format!("greeting `{greeting}`"));
    }
    let paragraphs: Vec<&str> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    for (i, p) in paragraphs.iter().enumerate() {
        if paragraphs[..i].contains(p) {
            say(format!("the same paragraph twice: `{p}`"));
        }
    }
    if text.matches("In a line:").count() > 1 {
        say("`In a line:` twice".into());
    }
    // Paragraphs are single lines (mail readers wrap them); only the
    // sign-off keeps its line break.
    for line in text.lines() {
        let line = line.trim_end();
        let closing = line.ends_with(['.', '!', '?', ',', ':', '…', '。', '？', '！'])
            // B's own note, forwarded as B wrapped it (`intro note`).
            || line.starts_with('>')
            || line == signature
            || line.ends_with(":)")
            || line.contains("https://");
        if !line.is_empty() && !closing {
            say(format!(
                "a line that ends mid-sentence (hard-wrapped?): `{line}`"
            ));
        }
    }
    let n = words(&text);
    let limit = if m.label.starts_with("follow-up") {
        79
    } else if m.label == "ask" && !sc.long {
        150
    } else {
        usize::MAX
    };
    if n > limit {
        say(format!("{n} words, more than {limit}"));
    }
    if header(&m.raw, "MIME-Version").as_deref() != Some("1.0") {
        say("no `MIME-Version: 1.0`".into());
    }
    if header(&m.raw, "User-Agent").is_some() {
        say("a `User-Agent` header".into());
    }
    let id = header(&m.raw, "Message-ID").unwrap_or_default();
    if !id.ends_with("@example.com>") || id.starts_with("<intro.") {
        say(format!("Message-ID `{id}` is not the sender's own"));
    }
    // Opaque: no request id, no purpose (`.ask.`, `.intro.`) to read.
    let local = id.trim_start_matches('<').split('@').next().unwrap_or("");
    if !local.chars().all(|c| c.is_ascii_alphanumeric()) {
        say(format!("Message-ID `{id}` labels the message"));
    }
    found
}

#[test]
fn the_corpus_reads_as_a_considerate_person_wrote_it() {
    let corpus = corpus();
    assert!(corpus.len() >= 25);
    let mut problems = Vec::new();
    for sc in &corpus {
        let (messages, stderr) = run(sc);
        for m in &messages {
            problems.extend(wince(sc, m));
        }
        let ask_words = words(&body(&messages[0].raw));
        if sc.long {
            assert!(
                ask_words > 150,
                "{}: the long ask has {ask_words} words",
                sc.name
            );
            assert!(
                stderr.contains(&format!(
                    "the ask to {} is {ask_words} words long (more than 150)",
                    header(&messages[0].raw, "To")
                        .map(|_| "")
                        .unwrap_or_default()
                )) || stderr.contains(&format!("is {ask_words} words long (more than 150)")),
                "{}: {stderr}",
                sc.name
            );
        } else {
            assert!(!stderr.contains("words long"), "{}: {stderr}", sc.name);
        }
        let follow_ups: Vec<&Message> = messages
            .iter()
            .filter(|m| m.label.starts_with("follow-up"))
            .collect();
        if let [first, .., last] = follow_ups.as_slice() {
            let (first, last) = (body(&first.raw), body(&last.raw));
            assert!(
                !first.contains("last"),
                "{}: only the last says so:\n{first}",
                sc.name
            );
            assert!(
                last.contains("the last you'll hear from me"),
                "{}:\n{last}",
                sc.name
            );
            assert!(last.contains("no answer is fine"), "{}:\n{last}", sc.name);
        }
        insta::assert_snapshot!(sc.name, transcript(&messages));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A sandbox with the corpus's contacts and sender.
fn corpus_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.write_config(CONFIG);
    sb.write_contacts(CONTACTS);
    sb
}

#[test]
fn first_names_are_listed_and_guesses_are_warned_about() {
    let sb = corpus_sandbox();
    let list = sb.json(&["contacts"]);
    let first = |handle: &str| {
        let c = list
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["handle"] == handle)
            .unwrap();
        (c["first_name"].clone(), c["url"].clone())
    };
    assert_eq!(first("rafael").0, "Rafael");
    assert_eq!(first("ngozi").0, "Ngozi");
    assert_eq!(first("hannah").0, "Hannah");
    assert_eq!(first("jo").0, "Jo", "a first_name that is set wins");
    assert_eq!(first("wang").0, "王小明");
    assert_eq!(first("tom").0, "Tom");
    assert_eq!(first("renee").0, "Renée");
    assert_eq!(first("mei").1, "https://example.org/~mei");
    assert!(first("sam").1.is_null());

    let run = sb.run(&["contacts", "check"]);
    assert_eq!(
        run.code, 0,
        "a guess is a warning, not a problem: {}",
        run.stderr
    );
    let warned: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    for expected in [
        "warning: `[me]`: greeted as `Grace`, from `Dr. Grace Hopper` (the title `Dr.` was dropped); set `first_name` if that is wrong",
        "warning: contact `rafael`: greeted as `Rafael`, from `Dr. Rafael Ortiz` (the title `Dr.` was dropped); set `first_name` if that is wrong",
        "warning: contact `ngozi`: greeted as `Ngozi`, from `Okafor, Ngozi` (it was read as `Last, First`); set `first_name` if that is wrong",
        "warning: contact `hannah`: greeted as `Hannah`, from `Prof. Dr. Hannah Weiß` (the title `Prof. Dr.` was dropped); set `first_name` if that is wrong",
        "warning: contact `john`: greeted as `John`, from `Sir John Hegarty` (the title `Sir` was dropped); set `first_name` if that is wrong",
    ] {
        assert!(
            warned.contains(&expected),
            "{expected}\nin:\n{}",
            run.stderr
        );
    }
    assert_eq!(
        warned.len(),
        5,
        "no warning where nothing was guessed:\n{}",
        run.stderr
    );
}

#[test]
fn with_both_each_side_reads_its_own_reason() {
    let sb = corpus_sandbox();
    let v = sb.json(&[
        "ask",
        "hannah",
        "mei",
        "--both",
        "--why",
        "REASON-FOR-A",
        "--why-b",
        "REASON-FOR-B",
        "--yes",
    ]);
    assert_eq!(v["why"], "REASON-FOR-A");
    assert_eq!(v["why_b"], "REASON-FOR-B");
    let id = v["id"].as_str().unwrap();
    assert_eq!(
        sb.request(id)["why_b"],
        "REASON-FOR-B",
        "the store keeps it"
    );
    let outbox = sb.outbox();
    let to = |email: &str| {
        outbox
            .iter()
            .map(|(_, m)| m)
            .find(|m| header(m, "To").unwrap().contains(email))
            .map(|m| body(m))
            .unwrap()
    };
    let (a, b) = (to("hannah@example.de"), to("mei@example.org"));
    assert!(
        a.contains("REASON-FOR-A") && !a.contains("REASON-FOR-B"),
        "{a}"
    );
    assert!(
        b.contains("REASON-FOR-B") && !b.contains("REASON-FOR-A"),
        "{b}"
    );
    // Without --both there is no B to read it.
    let err = sb.run(&[
        "ask",
        "ada",
        "sam",
        "--why",
        "x",
        "--why-b",
        "y",
        "--dry-run",
    ]);
    assert_eq!(err.code, 2, "{}", err.stderr);
    assert!(err.stderr.contains("--both"), "{}", err.stderr);
}

#[test]
fn an_ask_that_leaves_out_wants_or_format_warns_and_require_refuses_it() {
    let sb = corpus_sandbox();
    let run = sb.run(&["ask", "ada", "sam", "--why", "compilers", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: the ask does not say what B hopes for\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("warning: the ask does not say in what format\n"),
        "{}",
        run.stderr
    );
    let run = sb.run(&[&COMPLETE_ASK[..], &["--dry-run"]].concat());
    assert!(!run.stderr.contains("does not say"), "{}", run.stderr);

    sb.write_config(&format!("{CONFIG}\n[ask]\nrequire = [\"wants\"]\n"));
    let err = sb.fails(
        &[
            "ask",
            "ada",
            "sam",
            "--why",
            "compilers",
            "--format",
            "a call",
            "--yes",
        ],
        1,
    );
    insta::assert_snapshot!(whole(&err), @r#"
    error: the ask does not say what B hopes for, and `[ask] require` needs `wants`
    hint: pass `--wants TEXT` (in a batch, fill the `wants` column), or take "wants" out of `[ask] require`
    "#);
    assert!(sb.outbox().is_empty(), "nothing was sent");
    // Only what is required is an error; the rest still warns.
    let run = sb.run(&[
        "ask",
        "ada",
        "sam",
        "--why",
        "compilers",
        "--wants",
        "advice",
        "--yes",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: the ask does not say in what format"),
        "{}",
        run.stderr
    );

    // In a batch, a row without it is a bad row, listed with its line.
    let path = sb.root().join("asks.csv");
    std::fs::write(
        &path,
        "a,b,why,wants\ntom,sam,orbits,advice\nprince,sam,codes,\n",
    )
    .unwrap();
    let err = sb.fails(&["ask", "--batch", path.to_str().unwrap(), "--yes"], 1);
    assert!(err.starts_with("error: 1 bad row in "), "{err}");
    assert!(
        err.contains(
            "  line 3: the ask does not say what B hopes for, and `[ask] require` needs `wants`"
        ),
        "{err}"
    );
    assert_eq!(sb.outbox().len(), 1, "only the single ask above was sent");
}

#[test]
fn a_batch_warns_once_per_missing_field_not_once_per_row() {
    let sb = corpus_sandbox();
    let path = sb.root().join("asks.csv");
    std::fs::write(
        &path,
        "a,b,why,wants,format\nada,sam,one,,a call\ntom,sam,two,advice,\nprince,sam,three,,\nrafael,sam,four,,lunch\n",
    )
    .unwrap();
    let run = sb.run(&["ask", "--batch", path.to_str().unwrap(), "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: 3 asks do not say what B hopes for (lines 2, 4, 5)",
            "warning: 2 asks do not say in what format (lines 3, 4)",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn a_long_follow_up_warns_with_its_word_count() {
    let sb = corpus_sandbox();
    let templates = sb.config_dir().join("templates");
    let long = "word ".repeat(160);
    sb.write(
        &templates.join("followup.txt"),
        &format!("Subject: x\n\nHi {{{{ a.first_name }}}}, {long}\n"),
    );
    let id = sb.ask("ada", "sam", "compilers");
    let run = sb.run(&["followup", &id, "--force", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: the follow-up to Ada Lovelace is 162 words long (more than 150)"),
        "{}",
        run.stderr
    );
}

#[test]
fn user_agent_only_when_asked_for() {
    let sb = corpus_sandbox();
    let args = [
        "ask",
        "ada",
        "sam",
        "--why",
        "x",
        "--wants",
        "y",
        "--format",
        "z",
        "--dry-run",
    ];
    let plain = sb.ok(&args);
    assert!(!plain.contains("User-Agent"), "{plain}");
    assert!(plain.contains("MIME-Version: 1.0\n"), "{plain}");
    sb.write_config(&format!("{CONFIG}\n[send]\nuser_agent = true\n"));
    let labelled = sb.ok(&args);
    assert!(labelled.contains("User-Agent: intro/"), "{labelled}");
}

/// On a terminal (a real pseudo-terminal, through `script`), the question
/// before sending repeats what the ask leaves unsaid.
#[test]
fn the_question_on_a_terminal_repeats_the_warning() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no `script` to give intro a terminal");
        return;
    }
    let sb = corpus_sandbox();
    let command = format!(
        "{} ask ada sam --why compilers --wants advice",
        env!("CARGO_BIN_EXE_intro")
    );
    let mut cmd = sb.sealed("script");
    cmd.args(["-qec", &command, "/dev/null"]);
    let run = sb.run_command(cmd, Some("n\n"));
    let screen = run.stdout.replace("\r\n", "\n");
    let warning = "warning: the ask does not say in what format";
    assert_eq!(
        screen.matches(warning).count(),
        2,
        "once, then again at the question:\n{screen}"
    );
    let question = screen
        .find("Send the ask to Ada Lovelace? [y/N]")
        .expect(&screen);
    let last_warning = screen.rfind(warning).unwrap();
    let preview_end = screen[..question].rfind("Grace\n").unwrap();
    assert!(
        preview_end < last_warning && last_warning < question,
        "{screen}"
    );
    assert!(sb.outbox().is_empty(), "the answer was no");
}

#[test]
fn a_first_name_set_in_me_signs_every_message() {
    let sb = corpus_sandbox();
    sb.write_config(&CONFIG.replace("[me]\n", "[me]\nfirst_name = \"Amazing Grace\"\n"));
    let out = sb.ok(&[
        "ask",
        "ada",
        "sam",
        "--why",
        "x",
        "--wants",
        "y",
        "--format",
        "z",
        "--dry-run",
    ]);
    assert!(out.contains("Thanks,\nAmazing Grace\n"), "{out}");
    let run = sb.run(&["contacts", "check"]);
    assert!(
        !run.stderr.contains("`[me]`"),
        "nothing was guessed: {}",
        run.stderr
    );
}

#[test]
fn a_batch_row_with_why_b_must_ask_b_too() {
    let sb = corpus_sandbox();
    let path = sb.root().join("asks.csv");
    std::fs::write(
        &path,
        "a,b,why,why_b,wants,format\nada,sam,one,,advice,a call\ntom,sam,two,for Sam,advice,a call\n",
    )
    .unwrap();
    let err = sb.fails(&["ask", "--batch", path.to_str().unwrap(), "--yes"], 1);
    assert!(
        err.contains(
            "  line 3: `why_b` is what B reads when B is asked too, and this ask does not ask B"
        ),
        "{err}"
    );
    assert!(sb.outbox().is_empty());
}

/// The question before a send names the people it goes to as the message
/// does, whichever command sends.
#[test]
fn the_question_on_a_terminal_names_the_recipients_in_full() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no `script` to give intro a terminal");
        return;
    }
    let sb = corpus_sandbox();
    let id = sb.ask("ada", "sam", "compilers");
    sb.ok(&["approve", &id]);
    let declined = sb.ask("tom", "sam", "pricing");
    let question = |args: &str| {
        let command = format!("{} {args}", env!("CARGO_BIN_EXE_intro"));
        let mut cmd = sb.sealed("script");
        cmd.args(["-qec", &command, "/dev/null"]);
        let run = sb.run_command(cmd, Some("n\n"));
        let screen = run.stdout.replace("\r\n", "\n");
        screen
            .lines()
            .find_map(|l| l.find("[y/N]").map(|end| l[..end + 5].to_string()))
            .unwrap_or(screen)
    };
    assert_eq!(
        question(&format!("introduce {id} --send")),
        "Send the introduction to Ada Lovelace and Sam Builder? [y/N]"
    );
    assert_eq!(
        question(&format!("decline {declined} --tell-b --send")),
        "Send the note to Sam Builder? [y/N]"
    );
    assert_eq!(
        sb.outbox().len(),
        2,
        "only the asks went out: the answers were no"
    );
}

#[test]
fn an_ask_of_a_contact_about_themselves_says_what_to_type() {
    let sb = corpus_sandbox();
    let err = sb.fails(&["ask", "ada", "ada", "--why", "x", "--dry-run"], 1);
    assert!(
        err.contains("error: A and B are both `ada`") && err.contains("\nhint: "),
        "{err}"
    );
}

#[test]
fn contacts_check_warns_when_a_title_or_an_initial_made_the_greeting_a_guess() {
    let sb = Sandbox::new();
    sb.write_config(CONFIG);
    sb.write_contacts(
        r#"
[klaus]
name = "Dr.-Ing. Klaus Meyer"
email = "klaus@example.de"

[anna]
name = "Dr. med. Anna Berg"
email = "anna@example.de"

[obama]
name = "President Obama"
email = "potus@example.gov"

[tolkien]
name = "J. R. R. Tolkien"
email = "jrrt@example.co.uk"

[hannah]
name = "Hannah Weiß, Prof. Dr."
email = "hannah@example.de"
"#,
    );
    let list = sb.json(&["contacts"]);
    let first = |handle: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|c| c["handle"] == handle)
            .unwrap()["first_name"]
            .clone()
    };
    assert_eq!(first("klaus"), "Klaus");
    assert_eq!(first("anna"), "Anna");
    assert_eq!(first("obama"), "President Obama");
    assert_eq!(first("tolkien"), "J. R. R. Tolkien");
    assert_eq!(first("hannah"), "Hannah");
    let run = sb.run(&["contacts", "check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for expected in [
        "warning: contact `klaus`: greeted as `Klaus`, from `Dr.-Ing. Klaus Meyer` (the title `Dr.-Ing.` was dropped)",
        "warning: contact `anna`: greeted as `Anna`, from `Dr. med. Anna Berg` (the title `Dr. med.` was dropped)",
        "warning: contact `obama`: greeted as `President Obama`, from `President Obama` (only a title and one name are left, so the whole name is used)",
        "warning: contact `tolkien`: greeted as `J. R. R. Tolkien`, from `J. R. R. Tolkien` (it starts with initials, so the whole name is used)",
        "warning: contact `hannah`: greeted as `Hannah`, from `Hannah Weiß, Prof. Dr.` (the title `Prof. Dr.` was dropped)",
    ] {
        assert!(
            run.stderr.contains(expected),
            "{expected}\nin:\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_long_ask_names_its_recipient_as_the_messages_do() {
    let sb = corpus_sandbox();
    let why = "you both ".to_string() + &"care about careful payments systems ".repeat(30);
    let run = sb.run(&[
        "ask", "ngozi", "sam", "--why", &why, "--wants", "advice", "--format", "a call", "--yes",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: the ask to Ngozi Okafor is "),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Okafor, Ngozi"), "{}", run.stderr);
}

#[test]
fn asking_b_with_the_reason_written_for_a_warns() {
    let sb = corpus_sandbox();
    let ask = |extra: &[&str]| {
        let mut args = vec![
            "ask",
            "ada",
            "sam",
            "--both",
            "--why",
            "you both build tools",
            "--wants",
            "advice",
            "--format",
            "a call",
            "--yes",
        ];
        args.extend_from_slice(extra);
        sb.run(&args)
    };
    let warning =
        "warning: B will read the same reason as A, written for A; pass `--why-b` to write B's own";
    let run = ask(&["--dry-run"]);
    assert!(run.stderr.contains(warning), "{}", run.stderr);
    let run = ask(&["--dry-run", "-q"]);
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
    let run = ask(&["--dry-run", "--why-b", "Ada wrote the tool your team uses"]);
    assert!(!run.stderr.contains("same reason"), "{}", run.stderr);
    // Once, however many messages the ask sends.
    let run = ask(&[]);
    assert_eq!(
        run.stderr.matches("same reason").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn a_contact_without_a_blurb_is_warned_about_when_introduced() {
    let sb = corpus_sandbox();
    let run = sb.run(&[
        "ask",
        "ada",
        "prince",
        "--why",
        "you both write music with machines",
        "--wants",
        "a listen",
        "--format",
        "lunch",
        "--yes",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warning = "warning: `prince` has no blurb, so the ask cannot say who Prince is; add `blurb = \"...\"` (a line on who they are) under `[prince]` in the contacts file";
    assert!(run.stderr.contains(warning), "{}", run.stderr);
    assert!(!run.stderr.contains("`ada` has no blurb"), "{}", run.stderr);
    let id = run.json()["id"].as_str().unwrap().to_string();
    sb.ok(&["approve", &id]);
    let run = sb.run(&["introduce", &id]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: `prince` has no blurb, so the introduction cannot say who Prince is"
        ),
        "{}",
        run.stderr
    );
    let run = sb.run(&["introduce", &id, "-q"]);
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
    // An ask whose B has a blurb says nothing about it.
    let run = sb.run(&[
        "ask",
        "prince",
        "ada",
        "--why",
        "you both write music with machines",
        "--wants",
        "a listen",
        "--format",
        "lunch",
        "--dry-run",
    ]);
    assert!(!run.stderr.contains("blurb"), "{}", run.stderr);
}

#[test]
fn a_batch_warns_once_about_contacts_without_a_blurb() {
    let sb = Sandbox::new();
    sb.write_contacts(&crate::support::sandbox::people(12));
    let mut csv = String::from("a,b,why,wants,format\n");
    for i in 0..12 {
        csv.push_str(&format!("hub,p{i},row {i},advice,a call\n"));
    }
    csv.push_str("p0,p1,again,advice,a call\n");
    let path = sb.root().join("asks.csv");
    std::fs::write(&path, csv).unwrap();
    let run = sb.run(&["ask", "--batch", path.to_str().unwrap(), "--yes", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: 12 contacts have no blurb, so their asks cannot say who they are (`p0`, `p1`, `p2`, `p3`, `p4`, `p5`, `p6`, `p7`, `p8`, `p9`, and 2 more); add `blurb = \"...\"` under each in the contacts file"
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn a_forced_follow_up_past_the_last_apologises_instead_of_repeating_it() {
    let mut sb = corpus_sandbox();
    let v = sb.json(&[
        "ask",
        "mei",
        "tom",
        "--why",
        "his pricing model looks like the failure mode in your 2019 paper",
        "--wants",
        "a frank gut-check on his pricing",
        "--format",
        "a call",
        "--yes",
    ]);
    let id = v["id"].as_str().unwrap().to_string();
    let mut seen = sb.outbox();
    let mut bodies = Vec::new();
    for now in [
        "2026-03-07T09:00:00Z",
        "2026-03-13T09:00:00Z",
        "2026-03-20T09:00:00Z",
    ] {
        sb.set_now(now);
        let run = sb.run(&["followup", &id, "--yes", "--force"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let added = new_files(&seen, sb.outbox());
        assert_eq!(added.len(), 1);
        bodies.push(body(&added[0].1));
        seen = sb.outbox();
    }
    let (last, past) = (&bodies[1], &bodies[2]);
    assert!(last.contains("the last you'll hear from me"), "{last}");
    assert_ne!(last, past, "the one past the last repeats it");
    assert!(!past.contains("the last you'll hear from me"), "{past}");
    insta::assert_snapshot!("follow_up_past_the_last", past);
}

/// B's forwardable notes (`intro note`), one per case: (name, A, B, why,
/// the note as B wrote it, wrapped as B's mail program wrapped it).
const FORWARD_NOTES: &[(&str, &str, &str, Option<&str>, &str)] = &[
    (
        "note_titles_and_a_comma_name",
        "rafael",
        "ngozi",
        Some("you both think about consensus when the network misbehaves"),
        "Dear Rafael,\n\nI run platform engineering at a payments company, and we are about to\nsplit our ledger service across three regions. Your papers on consensus\nunder partial failure are the clearest thing I have read on it.\n\nWould you have 30 minutes for a call in the next month? I'd like to check\nour failover design with you before we build it. If the timing is wrong,\nno problem at all.\n\nNgozi Okafor",
    ),
    (
        "note_one_word_name_without_why",
        "wang",
        "prince",
        None,
        "Hi Xiaoming,\n\nI make small synthesizers and want to build the next one in Shenzhen.\nCould I ask you three questions by email about finding a first factory?\nNo call needed, and no worries if you're busy.\n\nPrince",
    ),
    (
        "note_sir_and_a_suffix",
        "john",
        "renee",
        Some("you both care how creative teams work!"),
        "Hello John,\n\nI study how creative teams adopt new tools; your two agencies are a case I\nkeep coming back to. Would you be open to a 45-minute interview, on a\ncall or over coffee in London?\n\nRenée",
    ),
];

#[test]
fn the_note_request_and_the_ask_carrying_the_note_read_as_a_person_wrote_them() {
    let mut problems = Vec::new();
    for &(name, a, b, why, note) in FORWARD_NOTES {
        let sb = corpus_sandbox();
        let mut args = vec!["note", b, "--for", a, "--yes"];
        if let Some(why) = why {
            args.extend(["--why", why]);
        }
        let id = sb.json(&args)["id"].as_str().unwrap().to_string();
        let run = sb.run_with_stdin(&["note", &id, "--file", "-"], Some(note));
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert!(!run.stderr.contains("warning"), "{name}: {}", run.stderr);
        let mut ask = vec!["ask", id.as_str(), "--yes"];
        if why.is_none() {
            ask.extend(["--why", "you both build hardware"]);
        }
        sb.ok(&ask);
        let messages = vec![
            Message {
                label: "note request".into(),
                raw: sb.sent("note-request").remove(0),
            },
            Message {
                label: "ask with B's note".into(),
                raw: sb.sent("ask").remove(0),
            },
        ];
        let sc = s(name, a, b, &[]);
        for m in &messages {
            problems.extend(wince(&sc, m));
        }
        let asked = body(&messages[1].raw);
        let quoted: Vec<String> = note
            .lines()
            .map(|l| {
                if l.is_empty() {
                    ">".into()
                } else {
                    format!("> {l}")
                }
            })
            .collect();
        assert!(
            asked.contains(&quoted.join("\n")),
            "{name}: word for word:\n{asked}"
        );
        let own = words(&asked) - words(note);
        assert!(
            own <= 150,
            "{name}: the ask around the note has {own} words"
        );
        assert!(
            words(&body(&messages[0].raw)) <= 170,
            "{name}: the note request is long"
        );
        insta::assert_snapshot!(name, transcript(&messages));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// One request of a connector (`intro request C T`), and the thank-you's
/// `--how`, if any.
struct RequestScenario {
    name: &'static str,
    c: &'static str,
    t: &'static str,
    /// Everything after `request C T` but `--yes`.
    args: &'static [&'static str],
    how: Option<&'static str>,
}

fn request_corpus() -> Vec<RequestScenario> {
    vec![
        RequestScenario {
            name: "request_comma_name_asked_about_a_title",
            c: "ngozi",
            t: "rafael",
            args: &[
                "--why",
                "Because your paper on consensus failures is the one I keep rereading!",
                "--wants",
                "to pick your brain about hiring a first SRE?",
                "--format",
                "over coffee",
                "--note",
                "Congratulations on the launch!",
            ],
            how: Some("we met for coffee on Tuesday and he gave me three names to call"),
        },
        RequestScenario {
            name: "request_fields_as_sentences",
            c: "jo",
            t: "mei",
            args: &[
                "--why",
                "I'm building a database and your 2019 paper changed how we test it.",
                "--wants",
                "I'd love a frank gut-check on our test plan.",
                "--format",
                "Coffee after your Thursday lecture.",
            ],
            how: Some("It was the most useful hour of my month!"),
        },
        RequestScenario {
            name: "request_why_only_to_a_cjk_name",
            c: "hannah",
            t: "wang",
            args: &["--why", "we are both building hardware startups..."],
            how: None,
        },
        RequestScenario {
            name: "request_one_word_name_with_ellipses",
            c: "prince",
            t: "lukasz",
            args: &[
                "--why",
                "he hired a whole fintech team from scratch...",
                "--wants",
                "advice on my first two hires...",
                "--format",
                "a 20-minute call",
            ],
            how: Some("a great call; I hired one of the people he suggested"),
        },
        RequestScenario {
            name: "request_thanks_told_in_a_sentence_of_its_own",
            c: "jo",
            t: "mei",
            args: &[
                "--why",
                "your team found the bug we have been chasing for a year",
            ],
            how: Some("Mei and I talked for an hour; two chapters of my book come from it."),
        },
    ]
}

/// The messages of one request of a connector through its whole life:
/// the request, both follow-ups, and the thank-you after the introduction.
fn run_request(sc: &RequestScenario) -> (Vec<Message>, String) {
    let mut sb = Sandbox::new();
    sb.write_config(CONFIG);
    sb.write_contacts(CONTACTS);
    let mut args = vec!["request", sc.c, sc.t];
    args.extend_from_slice(sc.args);
    args.extend(["--yes", "--json"]);
    let run = sb.run(&args);
    assert_eq!(run.code, 0, "{}: {}", sc.name, run.stderr);
    let id = run.json()["id"].as_str().unwrap().to_string();
    let mut messages = Vec::new();
    let mut seen = Vec::new();
    let mut take = |now: Vec<(String, String)>, label: &str, seen: &mut Vec<(String, String)>| {
        let added = new_files(seen, now.clone());
        assert_eq!(added.len(), 1, "{}: {label}", sc.name);
        messages.push(Message {
            label: label.into(),
            raw: added[0].1.clone(),
        });
        *seen = now;
    };
    take(sb.outbox(), "request", &mut seen);
    for (n, now) in [(1, "2026-03-07T09:00:00Z"), (2, "2026-03-13T09:00:00Z")] {
        sb.set_now(now);
        sb.ok(&["followup", &id, "--yes"]);
        take(sb.outbox(), &format!("follow-up {n}"), &mut seen);
    }
    sb.ok(&["introduced", &id]);
    let mut thank = vec!["thank", id.as_str()];
    if let Some(how) = sc.how {
        thank.extend(["--how", how]);
    }
    sb.ok(&thank);
    take(sb.drafts(), "thank-you", &mut Vec::new());
    (messages, run.stderr)
}

#[test]
fn requests_of_connectors_read_as_a_considerate_person_wrote_them() {
    let mut problems = Vec::new();
    for sc in request_corpus() {
        let (messages, stderr) = run_request(&sc);
        assert!(!stderr.contains("words long"), "{}: {stderr}", sc.name);
        let checked = s(sc.name, sc.c, sc.t, &[]);
        for m in &messages {
            // The request signs off to C, then carries the note for T,
            // which the user signs too: that first sign-off is a line of
            // its own on purpose.
            problems.extend(
                wince(&checked, m)
                    .into_iter()
                    .filter(|p| !p.ends_with("(hard-wrapped?): `Grace`")),
            );
        }
        let request = body(&messages[0].raw);
        let t_name = name_of(sc.t);
        assert!(
            request.contains(", ready to forward:"),
            "{}: the note for T is set apart:\n{request}",
            sc.name
        );
        assert!(
            request.contains("simply don't reply") && request.contains("no need to reply"),
            "{}: an easy no for C and for T:\n{request}",
            sc.name
        );
        assert!(
            words(&request) <= 170,
            "{}: the request is {} words",
            sc.name,
            words(&request)
        );
        assert!(!request.contains(&format!("{t_name} hopes")), "{request}");
        let (first, last) = (body(&messages[1].raw), body(&messages[2].raw));
        assert!(!first.contains("last"), "{}:\n{first}", sc.name);
        assert!(
            last.contains("the last you'll hear from me"),
            "{}:\n{last}",
            sc.name
        );
        assert!(last.contains("no answer is fine"), "{}:\n{last}", sc.name);
        let thanks = &messages[3].raw;
        assert_eq!(
            header(thanks, "In-Reply-To"),
            header(&messages[0].raw, "Message-ID"),
            "{}: the thank-you is in the request's thread",
            sc.name
        );
        assert!(words(&body(thanks)) < 80, "{}: {}", sc.name, body(thanks));
        insta::assert_snapshot!(sc.name, transcript(&messages));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
