//! `intro init`: write commented samples of the config and contacts files.

use clap::Args;

use crate::context::Context;
use crate::error::UserError;
use crate::fsutil;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite files that already exist
    #[arg(long)]
    pub force: bool,
}

const SAMPLE_CONFIG: &str = include_str!("../../assets/init/config.toml");
const SAMPLE_CONTACTS: &str = include_str!("../../assets/init/contacts.toml");

pub fn run(args: InitArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let config_path = ctx.paths.config_file.clone();
    let contacts_path = ctx.paths.contacts_file(None);
    let files = [
        (&config_path, SAMPLE_CONFIG),
        (&contacts_path, SAMPLE_CONTACTS),
    ];
    if !args.force {
        let existing: Vec<String> = files
            .iter()
            .filter(|(p, _)| p.exists())
            .map(|(p, _)| format!("`{}`", p.display()))
            .collect();
        if !existing.is_empty() {
            return Err(
                UserError::new(format!("{} already exists", existing.join(" and ")))
                    .hint("pass `--force` to overwrite it with the sample")
                    .into(),
            );
        }
    }
    for (path, text) in files {
        fsutil::write_atomic(path, text.as_bytes())
            .map_err(|e| UserError::new(format!("cannot write `{}`: {e}", path.display())))?;
    }
    if ctx.out.json {
        ctx.out.json(&serde_json::json!({
            "config": config_path,
            "contacts": contacts_path,
        }));
        return Ok(());
    }
    ctx.out.data(format!("wrote {}", config_path.display()));
    ctx.out.data(format!("wrote {}", contacts_path.display()));
    ctx.out.note(
        "next: put your name and email in [me], add contacts, then try\n  intro ask ada sam --why \"you both work on compilers\" --dry-run",
    );
    Ok(())
}
