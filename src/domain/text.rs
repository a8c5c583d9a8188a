//! Small text helpers shared by contacts, templates and messages.

/// True when `s` would break a header line.
pub(crate) fn has_line_break(s: &str) -> bool {
    s.contains(['\r', '\n'])
}

/// Words written before a name that are not the name: greeting "Hi Dr."
/// reads as machine-made. Compared without case and without a final `.`;
/// a compound (`Dr.-Ing.`, `Prof.Dr`) is a title when each of its parts is.
#[rustfmt::skip]
const TITLES: &[&str] = &[
    "dr", "doctor", "prof", "professor", "mr", "mrs", "ms", "mx", "miss", "mister", "sir",
    "dame", "lord", "lady", "rev", "revd", "reverend", "fr", "father", "sister", "brother",
    "hon", "honorable", "honourable", "capt", "captain", "col", "gen", "maj", "lt", "sgt",
    "judge", "justice", "rabbi", "imam", "pastor", "bishop", "cardinal", "sheikh", "herr",
    "frau", "mme", "mlle", "dott", "dott.ssa", "ing", "ir", "sra", "sr.a", "srta", "sen",
    "senator", "rep", "representative", "gov", "governor", "president", "pres", "mayor",
    "minister", "ambassador", "chancellor", "dean", "mag", "dipl", "univ", "priv", "doz", "the",
];

/// Academic qualifiers written after a title and with their own final
/// `.`: `Dr. med.`, `Dr. rer. nat.`, `Dr. h.c.`. Without the `.` they may
/// be names, so only the abbreviation counts.
#[rustfmt::skip]
const QUALIFIERS: &[&str] = &[
    "med", "rer", "nat", "phil", "h.c", "jur", "oec", "pol", "soc", "habil", "sc", "techn",
    "vet", "dent", "theol", "paed", "ing", "mag", "dipl", "nat.techn", "mult", "publ",
];

/// Words written after a name: generations, degrees, honours.
const SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "v", "phd", "ph.d", "md", "m.d", "dds", "esq", "mba", "msc",
    "bsc", "ma", "ba", "obe", "mbe", "cbe", "kbe", "frs", "cpa", "pe", "rn",
];

fn is_one_of(word: &str, list: &[&str]) -> bool {
    let word = word.trim_end_matches(['.', ',']).to_lowercase();
    !word.is_empty() && list.contains(&word.as_str())
}

/// A title before a name: a known one, a compound of known ones
/// (`Dr.-Ing.`), or an academic qualifier abbreviated with a `.`.
fn is_title(word: &str) -> bool {
    let word = word.trim_end_matches(',');
    let abbreviated = word.ends_with('.');
    let part_is_title =
        |part: &str| is_one_of(part, TITLES) || (abbreviated && is_one_of(part, QUALIFIERS));
    is_one_of(word, TITLES)
        || (abbreviated && is_one_of(word, QUALIFIERS))
        || (word.contains(['-', '.'])
            && word
                .split(['-', '.'])
                .filter(|p| !p.is_empty())
                .all(part_is_title))
}

/// An initial (`J.`, `J.R.R.`): letters each followed by a `.`.
fn is_initial(word: &str) -> bool {
    let word = word.trim_end_matches(',');
    word.ends_with('.')
        && word
            .split('.')
            .filter(|p| !p.is_empty())
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
}

/// Why a first name derived from a full name may be wrong, so the user
/// can set `first_name` instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Guess {
    /// A title was dropped (`Dr. Rafael Ortiz` gives `Rafael`).
    TitleDropped(String),
    /// The name was read as `Last, First`.
    CommaForm,
    /// Only a title and one name are left (`President Obama`): greeting
    /// by the surname alone is rude, so the whole name is used.
    TitleAndOneName,
    /// The name starts with initials (`J. R. R. Tolkien`), so the whole
    /// name is used.
    Initials,
}

impl std::fmt::Display for Guess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Guess::TitleDropped(title) => write!(f, "the title `{title}` was dropped"),
            Guess::CommaForm => write!(f, "it was read as `Last, First`"),
            Guess::TitleAndOneName => {
                write!(
                    f,
                    "only a title and one name are left, so the whole name is used"
                )
            }
            Guess::Initials => {
                write!(f, "it starts with initials, so the whole name is used")
            }
        }
    }
}

/// The name a person is greeted by, derived from their full name: titles
/// before it and suffixes after it are dropped, `Last, First` gives First,
/// and a name without spaces (as CJK names are written) is used whole.
/// A word ending in `.` (a title, an initial) is never the result unless
/// nothing else is there; where only a title and one name remain, or the
/// name starts with initials, the whole name is used. Also says when that
/// took a guess.
pub(crate) fn derive_first_name(full: &str) -> (&str, Option<Guess>) {
    let full = full.trim();
    let mut parts: Vec<&str> = full.split(',').map(str::trim).collect();
    let mut guess = None;
    // `King, Jr.`, `Ada Lovelace, PhD` or `Hannah Weiß, Prof. Dr.`: the
    // parts after a comma that are only suffixes or titles say nothing
    // about the order of the name.
    while parts.len() > 1
        && parts.last().is_some_and(|p| {
            p.split_whitespace()
                .all(|w| is_one_of(w, SUFFIXES) || is_title(w))
        })
    {
        let dropped = parts.pop().unwrap_or_default();
        if dropped.split_whitespace().any(is_title) {
            guess = Some(Guess::TitleDropped(dropped.to_string()));
        }
    }
    let given = match parts.as_slice() {
        [one] => *one,
        [_, rest @ ..] if rest.iter().any(|p| !p.is_empty()) => {
            guess = Some(Guess::CommaForm);
            rest.iter().find(|p| !p.is_empty()).copied().unwrap_or(full)
        }
        _ => full,
    };
    let words: Vec<&str> = given.split_whitespace().collect();
    let Some(first) = words.iter().position(|w| !is_title(w) && !w.ends_with('.')) else {
        // Only titles or abbreviations ("Dr.", "J. R."): the name as written.
        return (given.trim_end_matches(','), None);
    };
    let skipped = &words[..first];
    let names_left = words[first..]
        .iter()
        .filter(|w| !is_one_of(w, SUFFIXES) && !w.ends_with('.'))
        .count();
    if skipped.iter().any(|w| is_initial(w) && !is_title(w)) {
        return (given.trim_end_matches(','), Some(Guess::Initials));
    }
    if !skipped.is_empty() && names_left == 1 && guess != Some(Guess::CommaForm) {
        return (given.trim_end_matches(','), Some(Guess::TitleAndOneName));
    }
    if !skipped.is_empty() && guess.is_none() {
        guess = Some(Guess::TitleDropped(skipped.join(" ")));
    }
    (words[first].trim_end_matches(','), guess)
}

/// A full name as it reads in a sentence: `Okafor, Ngozi` is `Ngozi
/// Okafor`; a suffix after a comma (`King, Jr.`) and any other name stay
/// as written.
pub(crate) fn natural_name(full: &str) -> String {
    let full = full.trim();
    let parts: Vec<&str> = full.split(',').map(str::trim).collect();
    let suffixes = parts
        .iter()
        .rev()
        .take_while(|p| p.split_whitespace().all(|w| is_one_of(w, SUFFIXES)))
        .count();
    let (name, suffix) = parts.split_at(parts.len() - suffixes);
    match name {
        [family, given] if !family.is_empty() && !given.is_empty() => {
            let mut out = format!("{given} {family}");
            for s in suffix.iter().filter(|s| !s.is_empty()) {
                out.push_str(", ");
                out.push_str(s);
            }
            out
        }
        _ => full.to_string(),
    }
}

/// A full name as its owner says it of themselves ("I'm Grace Hopper"):
/// as it reads in a sentence ([`natural_name`]), without the titles
/// before it, unless only one name would be left.
pub(crate) fn plain_name(full: &str) -> String {
    let natural = natural_name(full);
    let words: Vec<&str> = natural.split_whitespace().collect();
    let first = words.iter().position(|w| !is_title(w)).unwrap_or(0);
    if words.len() - first < 2 {
        return natural;
    }
    words[first..].join(" ").trim_end_matches(',').to_string()
}

/// The name a person is greeted by (see [`derive_first_name`]).
pub(crate) fn first_name(full: &str) -> &str {
    derive_first_name(full).0
}

/// The first `max` characters of `s`, with an ellipsis when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_name_has_no_titles_before_it() {
        assert_eq!(plain_name("Dr. Grace Hopper"), "Grace Hopper");
        assert_eq!(plain_name("Prof. Dr. Hannah Weiß"), "Hannah Weiß");
        assert_eq!(plain_name("Okafor, Ngozi"), "Ngozi Okafor");
        assert_eq!(plain_name("Ada Lovelace"), "Ada Lovelace");
        assert_eq!(plain_name("President Obama"), "President Obama");
        assert_eq!(plain_name("王小明"), "王小明");
    }

    #[test]
    fn first_name_is_the_first_word() {
        assert_eq!(first_name("Ada Lovelace"), "Ada");
        assert_eq!(first_name("  Grace  "), "Grace");
        assert_eq!(first_name(""), "");
    }

    #[test]
    fn names_in_sentences_read_given_name_first() {
        assert_eq!(natural_name("Okafor, Ngozi"), "Ngozi Okafor");
        assert_eq!(natural_name("Lévesque, Renée, PhD"), "Renée Lévesque, PhD");
        assert_eq!(
            natural_name("Martin Luther King, Jr."),
            "Martin Luther King, Jr."
        );
        assert_eq!(natural_name("Ada Lovelace"), "Ada Lovelace");
        assert_eq!(natural_name("王小明"), "王小明");
    }

    #[test]
    fn first_names_leave_out_titles_and_suffixes() {
        let plain = derive_first_name;
        assert_eq!(plain("Mei-Ling Chen"), ("Mei-Ling", None));
        assert_eq!(plain("José María Núñez"), ("José", None));
        assert_eq!(plain("Martin Luther King, Jr."), ("Martin", None));
        assert_eq!(plain("Ada Lovelace, PhD"), ("Ada", None));
        assert_eq!(plain("王小明"), ("王小明", None));
        assert_eq!(plain("Sir"), ("Sir", None));
        assert_eq!(plain("Prince"), ("Prince", None));
        assert_eq!(
            plain("Dr. Rafael Ortiz"),
            ("Rafael", Some(Guess::TitleDropped("Dr.".into())))
        );
        assert_eq!(
            plain("Prof. Dr. Hannah Weiß"),
            ("Hannah", Some(Guess::TitleDropped("Prof. Dr.".into())))
        );
        assert_eq!(
            plain("DAME Judi Dench"),
            ("Judi", Some(Guess::TitleDropped("DAME".into())))
        );
        assert_eq!(plain("Okafor, Ngozi"), ("Ngozi", Some(Guess::CommaForm)));
        assert_eq!(
            plain("Okafor, Dr. Ngozi"),
            ("Ngozi", Some(Guess::CommaForm))
        );
        assert_eq!(plain("Okafor,"), ("Okafor", None));
    }

    #[test]
    fn compound_titles_and_academic_qualifiers_are_not_names() {
        let first = |full| derive_first_name(full).0;
        assert_eq!(first("Dr.-Ing. Klaus Meyer"), "Klaus");
        assert_eq!(first("Prof. Dr.-Ing. Eva Roth"), "Eva");
        assert_eq!(first("Dr. med. Anna Berg"), "Anna");
        assert_eq!(first("Dr. rer. nat. Eva Roth"), "Eva");
        assert_eq!(first("Dr. phil. Dipl.-Ing. Jan Kurz"), "Jan");
        assert_eq!(first("Prof. Dr. h.c. Maria Vogt"), "Maria");
        assert_eq!(first("Mag. Eva Huber"), "Eva");
        assert_eq!(first("Sen. Jane Doe"), "Jane");
        assert_eq!(first("Rep. John Lewis"), "John");
        assert_eq!(first("Gov. Ann Richards"), "Ann");
        assert_eq!(first("The Hon. Mary Smith"), "Mary");
        assert_eq!(first("Judge Judy Sheindlin"), "Judy");
        assert_eq!(first("Sister Helen Prejean"), "Helen");
        assert_eq!(first("Rabbi Sarah Levy"), "Sarah");
        assert_eq!(first("Imam Omar Suleiman"), "Omar");
        assert_eq!(first("Lady Ada Lovelace"), "Ada");
        assert_eq!(
            derive_first_name("Dr. med. Anna Berg").1,
            Some(Guess::TitleDropped("Dr. med.".into()))
        );
    }

    #[test]
    fn titles_after_a_comma_are_not_the_last_first_form() {
        assert_eq!(
            derive_first_name("Hannah Weiß, Prof. Dr."),
            ("Hannah", Some(Guess::TitleDropped("Prof. Dr.".into())))
        );
        assert_eq!(derive_first_name("Okafor, Ngozi").1, Some(Guess::CommaForm));
    }

    #[test]
    fn a_title_and_one_name_greet_by_the_whole_name() {
        assert_eq!(
            derive_first_name("President Obama"),
            ("President Obama", Some(Guess::TitleAndOneName))
        );
        assert_eq!(
            derive_first_name("Dr. Meyer Jr."),
            ("Dr. Meyer Jr.", Some(Guess::TitleAndOneName))
        );
        assert_eq!(derive_first_name("Dr."), ("Dr.", None));
    }

    #[test]
    fn initials_are_never_a_first_name() {
        assert_eq!(
            derive_first_name("J. R. R. Tolkien"),
            ("J. R. R. Tolkien", Some(Guess::Initials))
        );
        assert_eq!(
            derive_first_name("J.R.R. Tolkien"),
            ("J.R.R. Tolkien", Some(Guess::Initials))
        );
        // A middle initial is no guess: the first name comes before it.
        assert_eq!(derive_first_name("Ada B. Lovelace"), ("Ada", None));
    }

    #[test]
    fn no_abbreviation_is_a_first_name_while_a_name_is_left() {
        for full in [
            "Dr.-Ing. Klaus Meyer",
            "Dr. rer. nat. Eva Roth",
            "Xyz. Eva Roth",
            "Univ.-Prof. Eva Roth",
        ] {
            assert!(!derive_first_name(full).0.ends_with('.'), "{full}");
        }
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo world", 6), "héllo…");
    }

    #[test]
    fn line_breaks_are_cr_or_lf() {
        assert!(has_line_break("a\rb"));
        assert!(has_line_break("a\nb"));
        assert!(!has_line_break("a\tb"));
    }
}
