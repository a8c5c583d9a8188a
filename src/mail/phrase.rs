//! Fitting what the user typed into the sentences of a message. A field
//! may start with a capital or not, end in `.`, `!`, `?`, `...` or nothing,
//! and be a phrase or a whole sentence; pasted as is, it reads as
//! machine-made ("hoping for to pick your brain?;"). Templates reach these
//! as the tera filters `sentence`, `ending`, `clause`, `full_stop` and `brief`, the
//! built-in ones and the user's alike, and the test `standalone` (a field
//! that is a sentence of its own, not to be spliced into one).

use std::collections::HashMap;

/// Marks that end a sentence.
const FINAL_MARKS: [char; 7] = ['.', '!', '?', '…', '。', '！', '？'];

/// What may follow a final mark and still end the sentence.
const CLOSERS: [char; 6] = [')', '"', '\'', '”', '’', ']'];

/// Words that start a field only because it starts there, lowercased
/// when the field goes mid-sentence. Anything else (a name, a product,
/// an acronym) keeps its capital: "Hannah's paper" must not become
/// "hannah's paper".
#[rustfmt::skip]
const COMMON_STARTS: &[&str] = &[
    "a", "an", "the", "to", "for", "because", "since", "as", "over", "on", "in", "at", "with",
    "about", "by", "via", "some", "any", "just", "maybe", "perhaps", "ideally", "whatever",
    "coffee", "lunch", "dinner", "breakfast", "drinks", "tea", "call", "chat", "video", "phone",
    "quick", "short", "brief", "help", "advice", "feedback", "thoughts", "intro",
    "introduction", "his", "her", "their", "your", "you", "they", "she", "he", "we", "both",
    "one", "two", "three", "four", "five", "ten", "fifteen", "twenty", "thirty", "forty",
    "half", "hiring", "learning", "getting", "finding", "talking", "meeting", "it", "this",
    "that", "these", "those", "email", "walk", "advise", "pick", "ask", "get", "hear", "learn",
    "talk", "meet", "discuss", "share", "swap", "compare", "understand", "explore", "see",
    "possibly", "mostly", "mainly", "probably", "honest", "frank", "candid", "practical",
    "first", "early", "whichever", "either", "in-person", "remote", "virtual", "online",
];

/// `s` as a sentence of its own: trimmed, a capital first letter, and a
/// final `.` unless it already ends in `.`, `!`, `?` or `...`.
pub(crate) fn sentence(s: &str) -> String {
    full_stop(&capitalize(s.trim()))
}

/// `s` ending a sentence, its capital as typed: a final `.` unless it
/// already ends in one (`Tom Reed Jr.` stays as it is).
pub(crate) fn full_stop(s: &str) -> String {
    let mut out = s.trim().to_string();
    if out.is_empty() {
        return out;
    }
    if !ends_a_sentence(&out) {
        // "; " or ", " at the end is a sentence cut short.
        let kept = out.trim_end_matches([',', ';', ':', ' ']).len();
        out.truncate(kept);
        out.push('.');
    }
    out
}

/// `s` as the end of a sentence the template began ("Why I thought of
/// you two: ..."): its first word as in [`clause`], its own final `!`,
/// `?` or `...` kept, else a `.`.
pub(crate) fn ending(s: &str) -> String {
    let s = s.trim().trim_end_matches([',', ';', ':', ' ']);
    let (body, mark) = s.split_at(s.trim_end_matches(FINAL_MARKS).len());
    if mark.is_empty() {
        return full_stop(&lower_start(body));
    }
    lower_start(body) + mark
}

/// `s` as part of a sentence the template goes on with: trimmed, its final
/// punctuation dropped, and its first word lowercased when it is a common
/// word that was capitalized only for starting the field.
pub(crate) fn clause(s: &str) -> String {
    let s = s.trim();
    // `"a quick intro."` goes on as `"a quick intro"`: the mark inside a
    // closing quote or bracket ends the field's sentence, not the closer.
    let closed = s.trim_end_matches(CLOSERS);
    if closed.len() < s.len() && closed.trim_end().ends_with(FINAL_MARKS) {
        return clause(closed) + &s[closed.len()..];
    }
    let mut s = s;
    loop {
        let cut = s
            .trim_end_matches(FINAL_MARKS)
            .trim_end_matches([';', ',', ':', '；', '，', '：'])
            .trim_end();
        if cut.len() == s.len() {
            break;
        }
        s = cut;
    }
    lower_start(s)
}

/// `s` with its first word lowercased when it is a common word that was
/// capitalized only for starting the field.
fn lower_start(s: &str) -> String {
    let first_word = s.split_whitespace().next().unwrap_or("");
    let bare = first_word.trim_end_matches([',', ':', ';']);
    let titlecase = {
        let mut chars = bare.chars();
        chars.next().is_some_and(char::is_uppercase) && chars.all(|c| !c.is_uppercase())
    };
    let lower = bare.to_lowercase();
    // "Hiring Is Hard" is a title, capitals and all; "A Coffee" is not.
    let title_case = !matches!(lower.as_str(), "a" | "an" | "the")
        && s.split_whitespace()
            .nth(1)
            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase));
    if titlecase && !title_case && COMMON_STARTS.contains(&lower.as_str()) {
        let mut chars = s.chars();
        let first = chars.next().map(|c| c.to_lowercase().collect::<String>());
        return first.unwrap_or_default() + chars.as_str();
    }
    s.to_string()
}

/// Past this many words, [`brief`] shortens a clause.
const BRIEF_WORDS: usize = 14;

/// `s` as a [`clause`] short enough for a one-line reminder: a long one
/// is cut where its first part ends (a comma, a semicolon, a dash, or an
/// `and`), or else after [`BRIEF_WORDS`] words.
pub(crate) fn brief(s: &str) -> String {
    let whole = clause(s);
    let words: Vec<&str> = whole.split_whitespace().collect();
    if words.len() <= BRIEF_WORDS {
        return whole;
    }
    let end = (4..BRIEF_WORDS)
        .find(|&i| {
            words[i - 1].ends_with([',', ';', ':']) || matches!(words[i], "and" | "-" | "–" | "—")
        })
        .unwrap_or(BRIEF_WORDS);
    clause(&words[..end].join(" "))
}

/// True when `s` ends in a final mark, perhaps inside a closing quote or
/// bracket, or in an emoticon (`a call :)` takes no `.` after it).
pub(crate) fn ends_a_sentence(s: &str) -> bool {
    ends_in_emoticon(s)
        || s.trim_end()
            .trim_end_matches(CLOSERS)
            .ends_with(FINAL_MARKS)
}

/// Emoticons typed as text; a pictograph (🙂) counts too.
const EMOTICONS: &[&str] = &[
    ":)", ":-)", ":(", ":-(", ";)", ";-)", ":D", ":-D", ":P", ":-P", ":p", ":-p", "^^", "^_^",
    "<3", "xD", "XD", ":o", ":O", ":/", ":-/",
];

/// True when the last word of `s` is an emoticon.
fn ends_in_emoticon(s: &str) -> bool {
    let last = s.split_whitespace().last().unwrap_or("");
    EMOTICONS.contains(&last)
        || (!last.is_empty()
            && last.chars().all(
                |c| matches!(u32::from(c), 0x2600..=0x27BF | 0x1F300..=0x1FAFF | 0xFE0F | 0x200D),
            ))
}

/// Words that, first in a field, make it a sentence with its own subject
/// ("He wants to ask you about fundraising").
#[rustfmt::skip]
const SUBJECTS: &[&str] = &[
    "i", "he", "she", "they", "we", "you", "i'd", "i'm", "i've", "he's", "she's", "they're",
    "we're", "you're", "he'd", "she'd", "they'd", "we'd", "you'd", "he'll", "she'll",
    "they'll", "we'll", "you'll", "i’d", "i’m", "he’s", "she’s", "they’re", "we’re",
];

/// Verbs that, second in a field, make its first word a subject ("Tom
/// wants ...", "Sam would ...").
#[rustfmt::skip]
const SECOND_VERBS: &[&str] = &[
    "wants", "needs", "hopes", "would", "is", "has", "could", "will", "can", "might",
    "asked", "asks", "plans", "said", "says", "wondered", "wonders", "thinks", "likes",
    "was", "were", "went", "had", "did",
];

/// Words that, followed by a subject, open a question.
const QUESTION_STARTS: &[&str] = &[
    "would", "could", "can", "will", "do", "does", "are", "is", "may", "might", "shall",
];

/// True when `s` should not go inside a sentence the template began: it
/// is more than one sentence, or a whole sentence with its own subject.
/// Templates write it with [`sentence`] instead (the `standalone` test).
pub(crate) fn standalone(s: &str) -> bool {
    let s = s.trim();
    let mut words = s.split_whitespace();
    let first = words.next().unwrap_or("").to_lowercase();
    let second = words.next().unwrap_or("").to_lowercase();
    if SUBJECTS.contains(&first.as_str()) && !second.is_empty() {
        return true;
    }
    if SECOND_VERBS.contains(&second.as_str()) {
        return true;
    }
    // "would you share how you price?": a question of its own.
    if QUESTION_STARTS.contains(&first.as_str())
        && matches!(
            second.as_str(),
            "you" | "we" | "i" | "it" | "there" | "he" | "she" | "they"
        )
    {
        return true;
    }
    // "Tess and I talked for an hour": a subject of two, one of them the
    // writer.
    let third = words.next().unwrap_or("").to_lowercase();
    if second == "and" && matches!(third.as_str(), "i" | "we") && words.next().is_some() {
        return true;
    }
    more_than_one_sentence(s)
}

/// True when a final mark ends a sentence inside `s` and another starts
/// after it: `fundraising. Also hiring`, not `Dr. Smith` or `e.g. Zoom`.
fn more_than_one_sentence(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    let spaced = words.windows(2).any(|pair| {
        let (word, next) = (pair[0], pair[1]);
        let body = word.trim_end_matches(CLOSERS);
        let Some(mark) = body.chars().last().filter(|c| FINAL_MARKS.contains(c)) else {
            return false;
        };
        let letters = body.trim_end_matches(FINAL_MARKS);
        // `Dr.`, `St.`, `e.g.`, `vs.`: a `.` that shortens a word.
        let short_title =
            letters.chars().count() <= 3 && letters.chars().next().is_some_and(char::is_uppercase);
        let abbreviation = mark == '.'
            && (letters.contains('.') || short_title || matches!(letters, "vs" | "etc" | "approx"));
        !abbreviation && next.chars().next().is_some_and(char::is_uppercase)
    });
    // Scripts without spaces between sentences: `。` with more after it.
    let unspaced = s
        .trim_end()
        .trim_end_matches(CLOSERS)
        .trim_end_matches(FINAL_MARKS)
        .contains(['。', '！', '？']);
    spaced || unspaced
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// The words of a message body, as a reader counts them.
pub(crate) fn word_count(body: &str) -> usize {
    body.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Verbs that start a blurb written without its subject ("Wrote the
/// paper on ..."), beyond those a final `s` or `ed` gives away.
#[rustfmt::skip]
const BLURB_VERBS: &[&str] = &[
    "wrote", "built", "ran", "led", "made", "sold", "taught", "spent", "grew", "won", "left",
    "took", "did", "helps", "teaches", "works", "worked", "co-founded", "cofounded", "founded",
    "started", "invests", "invested", "studies", "studied", "designs", "designed", "writes",
    "runs", "leads", "builds", "sells", "makes", "manages", "managed", "advises", "advised",
];

/// True when `word` reads as a verb starting a sentence whose subject was
/// left out: "Builds developer tools", "Founded two agencies".
fn is_verb(word: &str) -> bool {
    let w = word.to_lowercase();
    let w = w.trim_end_matches([',', ';', ':']);
    if BLURB_VERBS.contains(&w) {
        return true;
    }
    let letters = w.chars().count();
    let third_person = w.ends_with('s')
        && letters > 3
        && !["ss", "us", "is", "ics", "ous"]
            .iter()
            .any(|e| w.ends_with(e));
    let past = w.ends_with("ed") && letters > 4;
    w.chars().all(|c| c.is_alphabetic() || c == '-') && (third_person || past)
}

/// A person introduced by `name` and their `blurb`, as one writes it
/// after "meet": a blurb that leaves out its subject is joined on ("Sam
/// Reed, who builds developer tools."), a lowercase phrase follows the
/// name ("Dr. Rafael Ortiz, professor of distributed systems."), and a
/// sentence of its own stays one.
pub(crate) fn introduced(name: &str, blurb: Option<&str>) -> String {
    let name = name.trim();
    let blurb = blurb.map(str::trim).unwrap_or("");
    if blurb.is_empty() {
        return full_stop(name);
    }
    let first = blurb.split_whitespace().next().unwrap_or("");
    let lowercase = first.chars().next().is_some_and(char::is_lowercase);
    if standalone(blurb) || more_than_one_sentence(blurb) {
        return format!("{} {}", full_stop(name), sentence(blurb));
    }
    let body = blurb.trim_end_matches([',', ';', ':', ' ']);
    // Joined on, a `?` would make the person a question.
    let body = if body.ends_with(['?', '？']) {
        body.trim_end_matches(['?', '？'])
    } else {
        body
    };
    if is_verb(first) {
        let mut chars = body.chars();
        let lowered = chars.next().map(|c| c.to_lowercase().collect::<String>());
        return format!(
            "{name}, who {}",
            full_stop(&(lowered.unwrap_or_default() + chars.as_str()))
        );
    }
    if lowercase {
        return format!("{name}, {}", full_stop(body));
    }
    format!("{} {}", full_stop(name), sentence(blurb))
}

/// `text` quoted for a plain-text mail, word for word: each line behind
/// `> ` (a blank one behind `>`), nothing rewrapped or changed.
pub(crate) fn quote(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = l.trim_end_matches('\r');
            if l.trim().is_empty() {
                ">".to_string()
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Make the filters available to `tera`'s templates.
pub(crate) fn register(tera: &mut tera::Tera) {
    tera.register_filter("sentence", filter(sentence));
    tera.register_filter("clause", filter(clause));
    tera.register_filter("full_stop", filter(full_stop));
    tera.register_filter("ending", filter(ending));
    tera.register_filter("brief", filter(brief));
    tera.register_filter("quote", filter(quote));
    tera.register_filter("plain_name", filter(crate::domain::text::plain_name));
    tera.register_filter(
        "introduced",
        |value: &tera::Value, args: &HashMap<String, tera::Value>| {
            let name = value.as_str().unwrap_or_default();
            let blurb = args.get("blurb").and_then(tera::Value::as_str);
            Ok(tera::Value::String(introduced(name, blurb)))
        },
    );
    tera.register_tester(
        "standalone",
        |value: Option<&tera::Value>, _: &[tera::Value]| {
            Ok(value.and_then(tera::Value::as_str).is_some_and(standalone))
        },
    );
}

/// A tera filter applying `f` to a string; an absent value (null) stays
/// empty, so `{{ wants | clause }}` needs no `if` to render.
fn filter(
    f: fn(&str) -> String,
) -> impl Fn(&tera::Value, &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    move |value, _| match value {
        tera::Value::Null => Ok(tera::Value::String(String::new())),
        tera::Value::String(s) => Ok(tera::Value::String(f(s))),
        other => Ok(tera::Value::String(f(&other.to_string()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_gains_its_capital_and_keeps_one_final_mark() {
        assert_eq!(sentence("writes compilers"), "Writes compilers.");
        assert_eq!(sentence("Writes compilers."), "Writes compilers.");
        assert_eq!(sentence("survived a migration!"), "Survived a migration!");
        assert_eq!(sentence("  is it?  "), "Is it?");
        assert_eq!(sentence("more to come..."), "More to come...");
        assert_eq!(sentence("more to come…"), "More to come…");
        assert_eq!(sentence("(ideally soon.)"), "(ideally soon.)");
        assert_eq!(sentence("a list;"), "A list.");
        assert_eq!(sentence("élan"), "Élan.");
        assert_eq!(sentence("王小明"), "王小明.");
        assert_eq!(sentence("在深圳做硬件创业。"), "在深圳做硬件创业。");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn a_clause_loses_its_final_marks_and_a_capital_only_a_sentence_gave() {
        assert_eq!(
            clause("to pick your brain about hiring a first engineer?"),
            "to pick your brain about hiring a first engineer"
        );
        assert_eq!(
            clause("Coffee after your Thursday lecture."),
            "coffee after your Thursday lecture"
        );
        assert_eq!(
            clause("Because you both survived it!"),
            "because you both survived it"
        );
        assert_eq!(clause("Hannah's 2019 paper..."), "Hannah's 2019 paper");
        assert_eq!(clause("Zoom call"), "Zoom call");
        assert_eq!(clause("Hiring Is Hard"), "Hiring Is Hard");
        assert_eq!(clause("A Coffee"), "a Coffee");
        assert_eq!(clause("I think so."), "I think so");
        assert_eq!(clause("NASA's review;"), "NASA's review");
        assert_eq!(
            clause("A 20-minute call (ideally Tuesday)."),
            "a 20-minute call (ideally Tuesday)"
        );
        assert_eq!(clause("?!"), "");
    }

    #[test]
    fn an_ending_keeps_the_mark_the_user_chose() {
        assert_eq!(
            ending("Because you both survived it!"),
            "because you both survived it!"
        );
        assert_eq!(ending("Isn't it time you met?"), "Isn't it time you met?");
        assert_eq!(
            ending("you both love databases..."),
            "you both love databases..."
        );
        assert_eq!(ending("The storage traces;"), "the storage traces.");
        assert_eq!(ending("compilers"), "compilers.");
        assert_eq!(ending("你们都研究分布式系统。"), "你们都研究分布式系统。");
    }

    #[test]
    fn a_full_stop_is_added_once_and_the_capital_left_alone() {
        assert_eq!(full_stop("Tom Reed Jr."), "Tom Reed Jr.");
        assert_eq!(full_stop("danah boyd"), "danah boyd.");
    }

    #[test]
    fn brief_keeps_the_first_part_of_a_long_clause() {
        assert_eq!(brief("Advice on hiring."), "advice on hiring");
        assert_eq!(
            brief(
                "an honest account of what you would do differently, which parts were worth it, and more besides"
            ),
            "an honest account of what you would do differently"
        );
        let long = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen";
        assert_eq!(brief(long).split_whitespace().count(), 14);
    }

    #[test]
    fn a_mark_inside_a_closing_quote_is_not_doubled() {
        assert_eq!(clause("\"a quick intro.\""), "\"a quick intro\"");
        assert_eq!(clause("(ideally soon.)"), "(ideally soon)");
        assert_eq!(
            full_stop(&clause("\"a quick intro.\"")),
            "\"a quick intro\"."
        );
        assert_eq!(clause("a call (Zoom)"), "a call (Zoom)");
    }

    #[test]
    fn an_emoticon_ends_a_sentence_without_a_full_stop() {
        assert_eq!(full_stop("a call :)"), "a call :)");
        assert_eq!(ending("a call :)"), "a call :)");
        assert_eq!(full_stop(&clause("a call 🙂")), "a call 🙂");
        assert_eq!(sentence("see you soon ;-)"), "See you soon ;-)");
        assert_eq!(full_stop("a call (Zoom)"), "a call (Zoom).");
    }

    #[test]
    fn more_than_a_phrase_stands_alone() {
        assert!(standalone(
            "He wants to ask you about fundraising. Also hiring."
        ));
        assert!(standalone("advice on fundraising. Also hiring"));
        assert!(standalone("She'd love your take on pricing"));
        assert!(standalone("Tom wants a frank gut-check"));
        assert!(standalone("We could do a call next week."));
        assert!(standalone("Tess and I talked for an hour"));
        assert!(standalone("would you share how you price?"));
        assert!(!standalone("would-be founders"));
        assert!(standalone("It was the most useful hour of my month!"));
        assert!(!standalone("Tess and Ian"));
        assert!(!standalone("coffee and I"));
        assert!(standalone("一起喝咖啡。然后再聊。"));
        assert!(!standalone(
            "to pick your brain about hiring a first engineer?"
        ));
        assert!(!standalone("advice from Dr. Smith on hiring"));
        assert!(!standalone("a call, e.g. Zoom"));
        assert!(!standalone("Zoom, or coffee in Lagos"));
        assert!(!standalone("A frank gut-check on his pricing."));
        assert!(!standalone("\"a quick intro.\""));
        assert!(!standalone("在深圳做硬件创业。"));
        assert!(!standalone(""));
    }

    #[test]
    fn a_blurb_joins_the_name_as_a_person_would_write_it() {
        let meet = |blurb| introduced("Sam Reed", Some(blurb));
        assert_eq!(
            meet("Builds developer tools for small teams."),
            "Sam Reed, who builds developer tools for small teams."
        );
        assert_eq!(
            meet("Wrote the 2019 paper on consensus failures!"),
            "Sam Reed, who wrote the 2019 paper on consensus failures!"
        );
        assert_eq!(
            meet("professor of distributed systems at UC San Diego"),
            "Sam Reed, professor of distributed systems at UC San Diego."
        );
        assert_eq!(
            meet("She runs platform engineering at a bank."),
            "Sam Reed. She runs platform engineering at a bank."
        );
        assert_eq!(
            meet("Angel investor in developer tools..."),
            "Sam Reed. Angel investor in developer tools..."
        );
        assert_eq!(
            meet("Runs a lab. Hiring soon."),
            "Sam Reed. Runs a lab. Hiring soon."
        );
        assert_eq!(meet("在深圳做硬件创业。"), "Sam Reed. 在深圳做硬件创业。");
        assert_eq!(introduced("Tom Reed Jr.", None), "Tom Reed Jr.");
        assert_eq!(
            introduced("Tom Reed Jr.", Some("Sells pricing software?")),
            "Tom Reed Jr., who sells pricing software."
        );
        assert_eq!(
            introduced("Tom Reed Jr.", Some("sells pricing software")),
            "Tom Reed Jr., who sells pricing software."
        );
        assert!(!is_verb("Physics"));
        assert!(!is_verb("Angel"));
    }

    #[test]
    fn words_are_counted_as_a_reader_counts_them() {
        assert_eq!(word_count("Hi Ada,\n\n-- \nThanks - Grace"), 4);
    }
}
