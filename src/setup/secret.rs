//! Passwords for SMTP and IMAP: from a command, an environment variable, or
//! a prompt on a terminal. A password is only ever held in memory: never
//! written, printed, logged or put in JSON.

use std::process::{Command, Stdio};

use crate::setup::config::CommandLine;
use crate::setup::env::Environment;

/// Where a table says its password comes from.
pub(crate) struct PasswordSource<'a> {
    /// The config table, for messages: "smtp" or "imap".
    pub table: &'static str,
    /// Who logs in where, for the prompt: `user@host`.
    pub account: String,
    pub command: Option<&'a CommandLine>,
    pub env_name: Option<&'a str>,
}

/// Why no password could be had. Never contains the password.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct PasswordError {
    pub message: String,
    pub hint: String,
}

pub(crate) fn resolve(source: &PasswordSource, env: &Environment) -> Result<String, PasswordError> {
    let table = source.table;
    if let Some(command) = source.command {
        return run_command(table, command);
    }
    if let Some(name) = source.env_name {
        return env
            .var(name)
            .map(str::to_string)
            .ok_or_else(|| PasswordError {
                message: format!("`{table}.password_env` names `{name}`, which is not set"),
                hint: format!("export {name}=... before running intro, or use `password_command`"),
            });
    }
    if env.interactive() {
        let prompt = format!("{table} password for {}: ", source.account);
        return rpassword::prompt_password(prompt).map_err(|e| PasswordError {
            message: format!("cannot read the {table} password from the terminal: {e}"),
            hint: format!("set `password_command` or `password_env` in [{table}]"),
        });
    }
    Err(PasswordError {
        message: format!("no {table} password: not on a terminal, so intro cannot ask for it"),
        hint: format!(
            "set `password_command = [\"pass\", \"show\", \"...\"]` or `password_env = \"VAR\"` in [{table}]"
        ),
    })
}

fn run_command(table: &str, command: &CommandLine) -> Result<String, PasswordError> {
    let (program, shown, mut cmd) = match command {
        CommandLine::Argv(argv) => {
            let Some((program, args)) = argv.split_first() else {
                return Err(PasswordError {
                    message: format!("`{table}.password_command` is an empty list"),
                    hint: "give the command as a list, e.g. [\"pass\", \"show\", \"mail/smtp\"]"
                        .into(),
                });
            };
            let mut cmd = Command::new(program);
            cmd.args(args);
            (program.clone(), program.clone(), cmd)
        }
        CommandLine::Shell(line) => {
            let mut cmd = Command::new("sh");
            cmd.arg("-c").arg(line);
            ("sh".to_string(), "sh -c …".to_string(), cmd)
        }
    };
    // stdin and stderr stay the terminal's, so tools like `pass` can ask for
    // a passphrase; only stdout (the password) is captured.
    let output = cmd
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| PasswordError {
            message: format!("cannot run `{table}.password_command` (`{program}`): {e}"),
            hint: "check that the program is installed and on PATH".into(),
        })?;
    if !output.status.success() {
        return Err(PasswordError {
            message: format!(
                "`{table}.password_command` (`{shown}`) failed ({})",
                output.status
            ),
            hint: "run the command by hand to see why".into(),
        });
    }
    let stdout = String::from_utf8(output.stdout).map_err(|_| PasswordError {
        message: format!("`{table}.password_command` printed something that is not UTF-8"),
        hint: "the first line of its output must be the password".into(),
    })?;
    let password = stdout.lines().next().unwrap_or("").to_string();
    if password.is_empty() {
        return Err(PasswordError {
            message: format!("`{table}.password_command` printed an empty first line"),
            hint: "the first line of its output must be the password".into(),
        });
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(
        command: Option<&CommandLine>,
        env_name: Option<&'static str>,
    ) -> PasswordSource<'static> {
        // Leak is fine in tests: the command must outlive the source.
        let command = command.map(|c| &*Box::leak(Box::new(c.clone())));
        PasswordSource {
            table: "smtp",
            account: "u@h".into(),
            command,
            env_name,
        }
    }

    #[test]
    fn first_line_of_a_command() {
        let cmd = CommandLine::Argv(vec!["printf".into(), "s3cret\\nother\\n".into()]);
        assert_eq!(
            resolve(&source(Some(&cmd), None), &Environment::default()).unwrap(),
            "s3cret"
        );
        let cmd = CommandLine::Shell("echo from-shell".into());
        assert_eq!(
            resolve(&source(Some(&cmd), None), &Environment::default()).unwrap(),
            "from-shell"
        );
    }

    #[test]
    fn a_failing_command_is_an_error_without_output() {
        let cmd = CommandLine::Shell("echo leaked; exit 3".into());
        let err = resolve(&source(Some(&cmd), None), &Environment::default()).unwrap_err();
        assert!(err.message.contains("failed"), "{}", err.message);
        assert!(!err.message.contains("leaked"));
    }

    #[test]
    fn from_the_environment_or_a_clear_error() {
        let env = Environment::with_vars(&[("PW", "hunter2")]);
        assert_eq!(resolve(&source(None, Some("PW")), &env).unwrap(), "hunter2");
        let err = resolve(&source(None, Some("NOPE")), &env).unwrap_err();
        assert!(err.message.contains("`NOPE`"));
        let err = resolve(&source(None, None), &env).unwrap_err();
        assert!(err.message.contains("not on a terminal"));
    }
}
