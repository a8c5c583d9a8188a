//! `intro init`: write commented samples of the config and contacts files,
//! never losing one the user already has.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::context::Context;
use crate::error::UserError;
use crate::fsutil;

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Replace existing files with the samples, keeping each old one as `NAME.bak`
    #[arg(long)]
    pub force: bool,
}

const SAMPLE_CONFIG: &str = include_str!("../../assets/init/config.toml");
const SAMPLE_CONTACTS: &str = include_str!("../../assets/init/contacts.toml");

/// What init did with one file.
enum Outcome {
    Wrote,
    Kept,
    Replaced { backup: PathBuf },
}

pub(crate) fn run(args: InitArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let config_path = ctx.paths.config_file.clone();
    // A config that is kept may say where its contacts are; a sample
    // config (written or forced) uses the default place.
    let kept_config = match args.force {
        true => None,
        false => ctx.load_settings().ok(),
    };
    let contacts_path = ctx.paths.contacts_file(kept_config.as_ref());
    let mut outcomes = Vec::new();
    for (path, text) in [
        (&config_path, SAMPLE_CONFIG),
        (&contacts_path, SAMPLE_CONTACTS),
    ] {
        let outcome = match (path.exists(), args.force) {
            (true, false) => Outcome::Kept,
            (true, true) => {
                // The backup is a copy made before the sample replaces the
                // file atomically: at every moment one of the two holds
                // the user's text.
                let backup = fsutil::backup(path).map_err(|e| {
                    UserError::new(format!("cannot keep a backup of `{}`: {e}", path.display()))
                        .hint("nothing was replaced")
                })?;
                write(path, text)?;
                Outcome::Replaced { backup }
            }
            (false, _) => {
                write(path, text)?;
                Outcome::Wrote
            }
        };
        outcomes.push((path.clone(), outcome));
    }
    if ctx.out.json {
        let list = |want: fn(&Outcome) -> bool| -> Vec<&Path> {
            outcomes
                .iter()
                .filter(|(_, o)| want(o))
                .map(|(p, _)| p.as_path())
                .collect()
        };
        let backups: Vec<&Path> = outcomes
            .iter()
            .filter_map(|(_, o)| match o {
                Outcome::Replaced { backup } => Some(backup.as_path()),
                _ => None,
            })
            .collect();
        ctx.out.json(&serde_json::json!({
            "config": config_path,
            "contacts": contacts_path,
            "written": list(|o| !matches!(o, Outcome::Kept)),
            "kept": list(|o| matches!(o, Outcome::Kept)),
            "backups": backups,
        }));
        return Ok(());
    }
    for (path, outcome) in &outcomes {
        match outcome {
            Outcome::Wrote => ctx.out.data(format!("wrote {}", path.display())),
            Outcome::Kept => ctx
                .out
                .data(format!("kept the existing {}", path.display())),
            Outcome::Replaced { backup } => ctx.out.data(format!(
                "wrote {} (the old one is now {})",
                path.display(),
                backup.display()
            )),
        }
    }
    if outcomes.iter().all(|(_, o)| matches!(o, Outcome::Kept)) {
        ctx.out.note(
            "both files were already there; `intro init --force` replaces them with the samples, keeping the old ones as .bak",
        );
    } else {
        ctx.out.note(
            "next: put your name and email in [me], add contacts, then try\n  intro ask ada sam --why \"you both work on compilers\" --dry-run",
        );
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    fsutil::write_atomic(path, text.as_bytes())
        .map_err(|e| UserError::new(format!("cannot write `{}`: {e}", path.display())).into())
}
