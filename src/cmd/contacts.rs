//! `intro contacts`: list contacts; `intro contacts check`: validate the
//! whole setup and report every problem; `intro contacts import`: add the
//! cards of a vCard file.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueHint};
use serde::Serialize;

use crate::context::Context;
use crate::error::UserError;
use crate::mail::compose;
use crate::setup::config::{Config, Places, TransportKind};
use crate::setup::contacts_edit::ContactsFile;
use crate::setup::import::{self, NewContact, Plan};
use crate::setup::vcf;
use crate::ui::output;
use crate::ui::table::Table;

#[derive(Debug, Args)]
pub(crate) struct ContactsArgs {
    #[command(subcommand)]
    pub action: Option<ContactsAction>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ContactsAction {
    /// Validate the config, contacts and templates; report every problem
    Check,
    /// Add the people in a vCard file (.vcf) to the contacts file
    Import(ImportArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Reads vCard 2.1, 3.0 and 4.0, one or many cards per file, as exported by Apple
Contacts, Google Contacts, Android, Outlook, khard or vdirsyncer. From each card:
FN (or N) -> name, EMAIL -> email (the preferred one, else the first), NOTE ->
note, ORG -> company, TITLE -> title, CATEGORIES -> tags.

Handles come from the name: `ada`, or `ada-lovelace` when `ada` is taken, then
`ada-lovelace-2`. A card without an email, without a name, or with an address
already in the contacts is skipped, and the report says why. New contacts are
appended; the file's comments and layout stay as they were.

Examples:
  intro contacts import ~/Downloads/contacts.vcf --dry-run
  intro contacts import contacts.vcf
  cat ~/.contacts/friends/*.vcf | intro contacts import -   (a khard/vdirsyncer folder)"
)]
pub(crate) struct ImportArgs {
    /// The vCard file to read (`-` reads standard input)
    #[arg(value_name = "FILE.vcf", value_hint = ValueHint::FilePath)]
    pub file: PathBuf,

    /// Show what would be added and skipped; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Update a contact whose email a card has with the card's fields (its
    /// handle and any field the card lacks, such as `blurb`, are kept)
    #[arg(long)]
    pub force: bool,
}

#[derive(Serialize)]
struct ContactJson<'a> {
    handle: &'a str,
    name: &'a str,
    first_name: &'a str,
    email: &'a str,
    blurb: Option<&'a str>,
    url: Option<&'a str>,
    tags: &'a [String],
    /// `direct`, `no-intros`, or null.
    prefers: Option<crate::setup::contacts::Prefers>,
    cooldown_days: Option<u32>,
}

pub(crate) fn run(args: ContactsArgs, ctx: &mut Context) -> anyhow::Result<()> {
    match args.action {
        None => list(ctx),
        Some(ContactsAction::Check) => check(ctx),
        Some(ContactsAction::Import(args)) => import(args, ctx),
    }
}

fn list(ctx: &mut Context) -> anyhow::Result<()> {
    // Listing works before the config is written: the contacts file is
    // then looked for in its default place.
    let config = match ctx.load_settings() {
        Ok(c) => Some(c),
        Err(e) if is_missing_config(&e) => None,
        Err(e) => return Err(e),
    };
    let contacts = ctx.load_contacts(config.as_ref())?;
    if ctx.out.json {
        let list: Vec<ContactJson> = contacts
            .iter()
            .map(|c| ContactJson {
                handle: &c.handle,
                name: &c.name,
                first_name: c.first_name(),
                email: &c.email,
                blurb: c.blurb.as_deref(),
                url: c.url.as_deref(),
                tags: &c.tags,
                prefers: c.prefers,
                cooldown_days: c.cooldown_days,
            })
            .collect();
        ctx.out.json(&list);
        return Ok(());
    }
    if contacts.is_empty() {
        ctx.out
            .note(format!("no contacts yet in `{}`", contacts.path.display()));
        return Ok(());
    }
    let mut table = Table::new();
    table.header(["HANDLE", "NAME", "EMAIL", "TAGS"].map(|h| ctx.out.bold(h)));
    for c in contacts.iter() {
        table.row([
            c.handle.clone(),
            c.name.clone(),
            c.email.clone(),
            c.tags.join(", "),
        ]);
    }
    ctx.out.data(table.render());
    Ok(())
}

fn import(args: ImportArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let config = match ctx.load_settings() {
        Ok(c) => Some(c),
        Err(e) if is_missing_config(&e) => None,
        Err(e) => return Err(e),
    };
    let file = ContactsFile::load(&ctx.paths.contacts_file(config.as_ref())).map_err(|e| {
        UserError::from(e).hint("fix the contacts file first: nothing was imported")
    })?;
    let source = args.file.display().to_string();
    let bytes = read_source(&args.file)?;
    let cards = vcf::parse(&bytes).map_err(|e| {
        UserError::new(format!("`{source}` is not a vCard file: {e}"))
            .hint("export contacts as vCard (.vcf) from your address book")
    })?;
    let plan = import::plan(cards, &file.contacts, args.force);
    let changes = !plan.added.is_empty() || !plan.updated.is_empty();
    if changes && !args.dry_run {
        file.save(&plan.added, &plan.updated)?;
    }
    report(&plan, &file.path, args.dry_run, ctx);
    Ok(())
}

/// The vCard bytes, from the file or standard input (`-`).
fn read_source(file: &Path) -> anyhow::Result<Vec<u8>> {
    if file == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        return Ok(bytes);
    }
    std::fs::read(file)
        .map_err(|e| UserError::new(format!("cannot read `{}`: {e}", file.display())).into())
}

#[derive(Serialize)]
struct ImportedJson<'a> {
    card: usize,
    handle: &'a str,
    name: &'a str,
    email: &'a str,
    company: Option<&'a str>,
    title: Option<&'a str>,
    tags: &'a [String],
}

#[derive(Serialize)]
struct SkippedJson<'a> {
    card: usize,
    name: Option<&'a str>,
    email: Option<&'a str>,
    reason: &'a str,
}

fn imported_json(list: &[NewContact]) -> Vec<ImportedJson<'_>> {
    // `note` is private: it stays out of what intro prints.
    list.iter()
        .map(|c| ImportedJson {
            card: c.card,
            handle: &c.handle,
            name: &c.name,
            email: &c.email,
            company: c.company.as_deref(),
            title: c.title.as_deref(),
            tags: &c.tags,
        })
        .collect()
}

fn report(plan: &Plan, path: &Path, dry_run: bool, ctx: &Context) {
    let out = ctx.out;
    if out.json {
        let skipped: Vec<SkippedJson> = plan
            .skipped
            .iter()
            .map(|s| SkippedJson {
                card: s.card,
                name: s.name.as_deref(),
                email: s.email.as_deref(),
                reason: &s.reason,
            })
            .collect();
        out.json(&serde_json::json!({
            "contacts": path,
            "dry_run": dry_run,
            "added": imported_json(&plan.added),
            "updated": imported_json(&plan.updated),
            "skipped": skipped,
        }));
        return;
    }
    let would = if dry_run { "would " } else { "" };
    let mut blocks: Vec<String> = Vec::new();
    for (verb, preposition, list) in [
        (if dry_run { "add" } else { "added" }, "to", &plan.added),
        (
            if dry_run { "update" } else { "updated" },
            "in",
            &plan.updated,
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        let mut table = Table::new();
        table.header(["HANDLE", "NAME", "EMAIL", "TAGS"].map(|h| out.bold(h)));
        for c in list {
            table.row([
                c.handle.clone(),
                c.name.clone(),
                c.email.clone(),
                c.tags.join(", "),
            ]);
        }
        blocks.push(format!(
            "{would}{verb} {} {preposition} `{}`:\n{}",
            output::plural(list.len(), "contact"),
            path.display(),
            table.render()
        ));
    }
    if !plan.skipped.is_empty() {
        let lines: Vec<String> = plan
            .skipped
            .iter()
            .map(|s| {
                // Escaped: a name may hold the line break it is refused for.
                let who = match (&s.name, &s.email) {
                    (Some(name), _) => format!(" ({})", name.escape_debug()),
                    (None, Some(email)) => format!(" (<{}>)", email.escape_debug()),
                    (None, None) => String::new(),
                };
                format!("  card {}{who}: {}", s.card, s.reason)
            })
            .collect();
        blocks.push(format!(
            "skipped {}:\n{}",
            output::plural(plan.skipped.len(), "card"),
            lines.join("\n")
        ));
    }
    if plan.added.is_empty() && plan.updated.is_empty() {
        blocks.insert(0, format!("nothing to add to `{}`", path.display()));
    }
    out.data(blocks.join("\n\n"));
    if dry_run {
        out.note("dry run: nothing was written");
    } else if !plan.added.is_empty() {
        out.note(
            "next: give each new contact a `blurb` (a forwardable one-liner used in introductions)",
        );
    }
}

fn is_missing_config(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<crate::setup::config::ConfigError>(),
        Some(crate::setup::config::ConfigError::Missing { .. })
    )
}

fn check(ctx: &mut Context) -> anyhow::Result<()> {
    let mut problems: Vec<String> = Vec::new();
    // Warnings are worth a look but do not fail the check.
    let mut warnings: Vec<String> = Vec::new();
    let mut checked: Vec<String> = Vec::new();
    let config_path = ctx.paths.config_file.clone();
    // Each file is checked whatever the others hold: a broken config still
    // says where the contacts and templates are when it can, and the
    // templates are rendered with a stand-in config or no contacts.
    let (config, places) = match Config::read(&config_path) {
        Ok(text) => {
            let config_problems = Config::problems(&text, &config_path);
            let config = Config::load_without_broken_mail(&config_path).ok();
            if let Some(c) = &config {
                problems.extend(
                    c.placeholders(&text, &config_path)
                        .iter()
                        .map(ToString::to_string),
                );
                problems.extend(check_transport(c));
                if let (None, (first, Some(guess))) = (
                    &c.me.first_name,
                    crate::domain::text::derive_first_name(c.me_name()),
                ) {
                    warnings.push(first_name_guessed("`[me]`", first, c.me_name(), &guess));
                }
            }
            if config_problems.is_empty() && problems.is_empty() {
                checked.push(format!("config `{}`", config_path.display()));
            }
            problems.extend(config_problems.iter().map(ToString::to_string));
            (config, Config::places(&text))
        }
        Err(e) => {
            problems.push(e.to_string());
            (None, Places::default())
        }
    };
    let dir = match &places.templates {
        Some((rel, _)) => ctx.paths.relative_to_config(rel),
        None => ctx.paths.templates_dir(config.as_ref()),
    };
    if let Some((rel, pos)) = &places.templates
        && !dir.is_dir()
    {
        problems.push(format!(
            "{}:{pos}: `templates` is `{}`, but there is no folder `{}`",
            config_path.display(),
            rel.display(),
            dir.display()
        ));
    }
    let contacts_path = match (&config, &places.contacts) {
        (Some(c), _) => ctx.paths.contacts_file(Some(c)),
        (None, Some(rel)) if ctx.paths.contacts_flag.is_none() => ctx.paths.relative_to_config(rel),
        (None, _) => ctx.paths.contacts_file(None),
    };
    let contacts = match crate::setup::contacts::Contacts::load(&contacts_path) {
        Ok(c) => {
            checked.push(format!(
                "{} contacts in `{}`",
                c.len(),
                contacts_path.display()
            ));
            for contact in c.iter() {
                if let Some(guess) = contact.first_name_guess() {
                    warnings.push(first_name_guessed(
                        &format!("contact `{}`", contact.handle),
                        contact.first_name(),
                        &contact.name,
                        &guess,
                    ));
                }
            }
            for (email, handles) in c.shared_emails() {
                let handles: Vec<String> = handles.iter().map(|h| format!("`{h}`")).collect();
                warnings.push(format!(
                    "{}: {} have the same email `{email}`",
                    contacts_path.display(),
                    handles.join(" and ")
                ));
            }
            Some(c)
        }
        Err(crate::setup::contacts::ContactsError::Invalid {
            path,
            problems: list,
        }) => {
            problems.extend(
                list.iter()
                    .map(|p| format!("{}:{}: {}", path.display(), p.pos, p.message)),
            );
            None
        }
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    let stand_in = match &config {
        Some(_) => None,
        None => Config::stand_in(&config_path).ok(),
    };
    if let Some(config) = config.as_ref().or(stand_in.as_ref()) {
        let empty = crate::setup::contacts::Contacts::default();
        let template_problems =
            compose::check_templates(config, contacts.as_ref().unwrap_or(&empty), &dir);
        if template_problems.is_empty() {
            checked.push(if dir.is_dir() {
                format!("templates (overrides from `{}`)", dir.display())
            } else {
                format!(
                    "templates (built-in; no overrides folder `{}`)",
                    dir.display()
                )
            });
        }
        problems.extend(template_problems);
    }
    if ctx.out.json {
        ctx.out.json(&serde_json::json!({
            "ok": problems.is_empty(),
            "checked": checked,
            "problems": problems,
            "warnings": warnings,
        }));
        if problems.is_empty() {
            return Ok(());
        }
        return Err(UserError::new(format!("{} problem(s) found", problems.len())).into());
    }
    for warning in &warnings {
        ctx.out.warn(warning);
    }
    if problems.is_empty() {
        for line in &checked {
            ctx.out.data(format!("ok: {line}"));
        }
        return Ok(());
    }
    let count = problems.len();
    Err(UserError::new(format!(
        "{count} problem{} in the setup",
        if count == 1 { "" } else { "s" }
    ))
    .details(problems)
    .hint("fix each line above, then run `intro contacts check` again")
    .into())
}

/// The warning for a first name derived with a guess, so the user can
/// set `first_name` where the guess is wrong.
fn first_name_guessed(
    who: &str,
    first: &str,
    name: &str,
    guess: &crate::domain::text::Guess,
) -> String {
    format!(
        "{who}: greeted as `{first}`, from `{name}` ({guess}); set `first_name` if that is wrong"
    )
}

/// Problems a send would hit, found before anything is sent.
fn check_transport(config: &Config) -> Vec<String> {
    let mut problems = Vec::new();
    if config.transport() == TransportKind::Smtp
        && let Some(smtp) = &config.smtp
    {
        if let Some(ca) = &smtp.ca_file {
            let path = crate::fsutil::expand_tilde(ca);
            if !path.exists() {
                problems.push(format!(
                    "`smtp.ca_file` `{}` does not exist",
                    path.display()
                ));
            }
        }
        if smtp.password_command.is_some() && smtp.password_env.is_some() {
            problems
                .push("[smtp] sets both `password_command` and `password_env`; keep one".into());
        }
        if smtp.username.is_some()
            && smtp.security == crate::setup::config::Security::None
            && !smtp.allow_insecure_auth
        {
            problems.push("[smtp] logs in over an unencrypted connection (`security = \"none\"`); use starttls or tls, or set `allow_insecure_auth = true`".into());
        }
    }
    problems
}
