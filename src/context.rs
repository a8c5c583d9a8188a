//! Settings resolved once per run: the environment, global flags, paths,
//! the clock, and loaders for the config, contacts and store. Commands get
//! everything from here and never read the environment themselves.

use std::path::PathBuf;

use anyhow::Context as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cli::{ColorChoice, GlobalArgs};
use crate::cmd::send::claim::RunClaim;
use crate::error::UserError;
use crate::mail::transport::{self, Transport};
use crate::setup::config::{Config, Paths};
use crate::setup::contacts::Contacts;
use crate::setup::env::Environment;
use crate::store::Store;
use crate::ui::output::{self, Output};

pub(crate) struct Context {
    pub env: Environment,
    pub out: Output,
    pub paths: Paths,
    /// The time of this run: `$INTRO_NOW`, or the clock.
    pub now: OffsetDateTime,
    pub store: Store,
    claim: Option<RunClaim>,
}

impl Context {
    pub(crate) fn new(global: &GlobalArgs, env: Environment) -> anyhow::Result<Context> {
        let out = Output {
            json: global.json,
            quiet: global.quiet,
            color: output::use_color(global.color, env.stdout_tty, &env),
            stderr_color: output::use_color(global.color, env.stderr_tty, &env),
        };
        let now = match env.var("INTRO_NOW") {
            Some(text) => OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
                UserError::new(format!(
                    "`INTRO_NOW` is not an RFC 3339 time (`{text}`): {e}"
                ))
                .hint("e.g. INTRO_NOW=2026-03-01T09:00:00Z")
            })?,
            None => OffsetDateTime::now_utc(),
        };
        let now = now
            .to_offset(time::UtcOffset::UTC)
            .replace_nanosecond(0)
            .expect("0 is a valid nanosecond");
        let config_home = dirs::config_dir()
            .map(|d| d.join("intro"))
            .unwrap_or_else(|| PathBuf::from(".intro"));
        let config_file = global
            .config
            .clone()
            .or_else(|| env.var("INTRO_CONFIG").map(PathBuf::from))
            .unwrap_or_else(|| config_home.join("config.toml"));
        let data_dir = env
            .var("INTRO_DATA_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs::data_dir().map(|d| d.join("intro")))
            .context("cannot find a data dir; set `INTRO_DATA_DIR`")?;
        let paths = Paths {
            config_home,
            config_file,
            contacts_flag: global.contacts.clone(),
            data_dir: data_dir.clone(),
        };
        Ok(Context {
            env,
            out,
            paths,
            now,
            store: Store::new(data_dir, now),
            claim: None,
        })
    }

    /// This run's claim on what it sends, taken on first use.
    pub(crate) fn run_id(&mut self) -> anyhow::Result<String> {
        if self.claim.is_none() {
            let claim = RunClaim::acquire(&self.paths.data_dir).map_err(|e| {
                UserError::new(format!(
                    "cannot write to the data dir `{}`: {e}",
                    self.paths.data_dir.display()
                ))
                .hint("check its permissions and free space (set `INTRO_DATA_DIR` to use another)")
            })?;
            self.claim = Some(claim);
        }
        Ok(self
            .claim
            .as_ref()
            .expect("claim was just taken")
            .id()
            .to_string())
    }

    /// The config for a command that sends: a broken mail table it does
    /// not use (not its transport's, nor `[imap]` without `save_sent`) is
    /// left out.
    pub(crate) fn load_config(&self) -> anyhow::Result<Config> {
        Ok(Config::load_for_sending(&self.paths.config_file)?)
    }

    /// The config for a command that neither sends nor syncs: a broken
    /// `[smtp]`, `[sendmail]`, `[imap]` or `[maildir]` table is left out
    /// (the commands that use it report it).
    pub(crate) fn load_settings(&self) -> anyhow::Result<Config> {
        Ok(Config::load_without_broken_mail(&self.paths.config_file)?)
    }

    /// The config for `intro sync`, which reads `[imap]` or `[maildir]`
    /// but never sends: a broken `[smtp]` or `[sendmail]` is left out.
    pub(crate) fn load_for_sync(&self) -> anyhow::Result<Config> {
        Ok(Config::load_tolerating(
            &self.paths.config_file,
            &["smtp", "sendmail"],
        )?)
    }

    pub(crate) fn load_contacts(&self, config: Option<&Config>) -> anyhow::Result<Contacts> {
        let path = self.paths.contacts_file(config);
        Contacts::load(&path).map_err(|e| UserError::from(e).into())
    }

    /// Config and contacts, for commands that need both.
    pub(crate) fn setup(&self) -> anyhow::Result<(Config, Contacts)> {
        let config = self.load_config()?;
        let contacts = self.load_contacts(Some(&config))?;
        Ok((config, contacts))
    }

    pub(crate) fn transport(&self, config: &Config) -> Box<dyn Transport> {
        transport::from_config(config, self.paths.outbox_dir(), &self.env, self.out)
    }

    pub(crate) fn templates_dir(&self, config: &Config) -> PathBuf {
        self.paths.templates_dir(Some(config))
    }

    /// The context a run of the line being completed gets, for shell
    /// completion: `--config` and `--contacts` as typed on it, otherwise
    /// the environment and the default places. None when it cannot be made.
    pub(crate) fn for_completion(
        config: Option<PathBuf>,
        contacts: Option<PathBuf>,
    ) -> Option<Context> {
        let global = GlobalArgs {
            config,
            contacts,
            json: false,
            quiet: true,
            color: ColorChoice::Never,
        };
        Context::new(&global, Environment::capture()).ok()
    }
}
