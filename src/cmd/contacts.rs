//! `intro contacts`: list contacts; `intro contacts check`: validate the
//! whole setup and report every problem.

use clap::{Args, Subcommand};
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::compose;
use crate::config::{Config, TransportKind};
use crate::context::Context;
use crate::error::UserError;

#[derive(Debug, Args)]
pub struct ContactsArgs {
    #[command(subcommand)]
    pub action: Option<ContactsAction>,
}

#[derive(Debug, Subcommand)]
pub enum ContactsAction {
    /// Validate the config, contacts and templates; report every problem
    Check,
}

#[derive(Serialize)]
struct ContactJson<'a> {
    handle: &'a str,
    name: &'a str,
    email: &'a str,
    blurb: Option<&'a str>,
    tags: &'a [String],
}

pub fn run(args: ContactsArgs, ctx: &mut Context) -> anyhow::Result<()> {
    match args.action {
        None => list(ctx),
        Some(ContactsAction::Check) => check(ctx),
    }
}

fn list(ctx: &mut Context) -> anyhow::Result<()> {
    // Listing works before the config is written: the contacts file is
    // then looked for in its default place.
    let config = match ctx.load_config() {
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
                email: &c.email,
                blurb: c.blurb.as_deref(),
                tags: &c.tags,
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
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(["HANDLE", "NAME", "EMAIL", "TAGS"].map(|h| ctx.out.bold(h)));
    for c in contacts.iter() {
        table.add_row([
            c.handle.clone(),
            c.name.clone(),
            c.email.clone(),
            c.tags.join(", "),
        ]);
    }
    ctx.out.data(trim_table(&table));
    Ok(())
}

fn is_missing_config(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<crate::config::ConfigError>(),
        Some(crate::config::ConfigError::Missing { .. })
    )
}

/// comfy-table pads every cell; the edges need none.
pub fn trim_table(table: &Table) -> String {
    table
        .lines()
        .map(|l| {
            l.trim_end()
                .strip_prefix(' ')
                .unwrap_or(l.trim_end())
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn check(ctx: &mut Context) -> anyhow::Result<()> {
    let mut problems: Vec<String> = Vec::new();
    let mut checked: Vec<String> = Vec::new();
    let config = match ctx.load_config() {
        Ok(c) => {
            checked.push(format!("config `{}`", ctx.paths.config_file.display()));
            problems.extend(check_transport(&c));
            Some(c)
        }
        Err(e) => {
            problems.push(format!("{e:#}"));
            None
        }
    };
    let contacts_path = ctx.paths.contacts_file(config.as_ref());
    let contacts = match crate::contacts::Contacts::load(&contacts_path) {
        Ok(c) => {
            checked.push(format!(
                "{} contacts in `{}`",
                c.len(),
                contacts_path.display()
            ));
            Some(c)
        }
        Err(crate::contacts::ContactsError::Invalid {
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
    if let Some(config) = &config {
        let dir = ctx.templates_dir(config);
        let empty = crate::contacts::Contacts::default();
        let template_problems =
            compose::check_templates(config, contacts.as_ref().unwrap_or(&empty), &dir);
        if template_problems.is_empty() {
            checked.push(format!("templates (overrides from `{}`)", dir.display()));
        }
        problems.extend(template_problems);
    }
    if ctx.out.json {
        ctx.out.json(&serde_json::json!({ "ok": problems.is_empty(), "checked": checked, "problems": problems }));
        if problems.is_empty() {
            return Ok(());
        }
        return Err(UserError::new(format!("{} problem(s) found", problems.len())).into());
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
            && smtp.security == crate::config::Security::None
            && !smtp.allow_insecure_auth
        {
            problems.push("[smtp] logs in over an unencrypted connection (`security = \"none\"`); use starttls or tls, or set `allow_insecure_auth = true`".into());
        }
    }
    problems
}
