//! What a contact asked of the user, kept in the contacts file: `prefers`
//! (`"direct"`: just introduce me; `"no-intros"`: do not ask me) and
//! `cooldown_days` (not again within that many days).

use serde::Serialize;

use crate::domain::fatigue::Pace;
use crate::setup::contacts::Contact;

/// A contact's `prefers`: how they like to be introduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Prefers {
    /// Said yes once and for all: introduce them without asking
    /// (`intro introduce A B --direct`).
    Direct,
    /// Wants no introductions: asks are refused without `--force`.
    NoIntros,
}

impl Prefers {
    pub(crate) fn parse(value: &str) -> Option<Prefers> {
        match value.trim() {
            "direct" => Some(Prefers::Direct),
            "no-intros" => Some(Prefers::NoIntros),
            _ => None,
        }
    }
}

/// The most `cooldown_days` can be: ten years.
pub(crate) const MAX_COOLDOWN_DAYS: i64 = 3650;

/// How often `contact` may be asked: their own `cooldown_days`, or
/// `[limits] asks_per_90_days`.
pub(crate) fn pace(contact: Option<&Contact>, asks_per_90_days: u32) -> Pace {
    match contact.and_then(|c| c.cooldown_days) {
        Some(days) => Pace::Cooldown(days),
        None => Pace::PerWindow(asks_per_90_days),
    }
}

/// The warning for asking someone who said "just introduce me".
pub(crate) fn direct_warning(a: &Contact, b: &str) -> Option<String> {
    (a.prefers == Some(Prefers::Direct)).then(|| {
        format!(
            "`{}` prefers to be introduced directly (`prefers = \"direct\"`): `intro introduce {} {b} --direct --why ...` introduces them without asking first",
            a.handle, a.handle
        )
    })
}
