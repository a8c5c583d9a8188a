//! Terminal conventions: a closed stdout ends quietly, `-q` silences
//! warnings, colors obey `--color` and `NO_COLOR` on every line (clap's
//! too), `status` pages and limits, `--since` reads dates as people type
//! them, `--edit` falls back to `vi`, and the manual page says where
//! things live.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use crate::support::sandbox::{Sandbox, people, whole};

/// What a run into a closed pipe did.
struct PipeRun {
    code: Option<i32>,
    stderr: String,
}

/// Run `cmd` with stdout a pipe whose reader is gone before intro writes
/// a byte: every write to it fails with EPIPE.
fn run_into_closed_pipe(mut cmd: Command) -> PipeRun {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = cmd
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    PipeRun {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run `cmd`, read one line of its stdout, then close the pipe, as
/// `| head -1` does.
fn run_into_head(mut cmd: Command) -> (String, PipeRun) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader (and the pipe with it) is dropped here.
    let out = child.wait_with_output().unwrap();
    (
        first,
        PipeRun {
            code: out.status.code(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        },
    )
}

/// A sandbox whose contacts `p0..` were each asked about `hub`, `n` open
/// requests in all.
fn with_requests(n: usize) -> Sandbox {
    let sb = Sandbox::new();
    let mut csv = String::from("why,a,b\n");
    for i in 0..n {
        csv.push_str(&format!("you both build tools,p{i},hub\n"));
    }
    sb.write_contacts(&people(n));
    let file = sb.root().join("asks.csv");
    std::fs::write(&file, csv).unwrap();
    sb.ok(&["ask", "--batch", file.to_str().unwrap(), "--yes", "-q"]);
    sb
}

fn open_requests(sb: &Sandbox) -> usize {
    sb.json(&["status"]).as_array().unwrap().len()
}

#[test]
fn a_closed_stdout_ends_every_reading_command_quietly() {
    let sb = with_requests(3);
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["status", "--all", "--json"],
        &["contacts"],
        &["contacts", "--json"],
        &["stats"],
        &["stats", "--json"],
        &["man"],
        &["man", "ask"],
        &["completions", "bash"],
        &["completions", "zsh", "--static"],
        &["status", "--help"],
        &["--version"],
    ] {
        let run = run_into_closed_pipe(sb.command(args));
        assert_eq!(run.stderr, "", "intro {args:?} into a closed pipe");
        assert_eq!(run.code, Some(0), "intro {args:?} into a closed pipe");
    }
}

#[test]
fn status_into_head_stops_quietly_after_the_first_line() {
    // Well over a pipe's 64 KiB of JSON, so intro is still writing when
    // the reader goes away.
    let sb = with_requests(150);
    let (first, run) = run_into_head(sb.command(&["status", "--json"]));
    assert_eq!(first, "[\n");
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, Some(0));
    assert_eq!(open_requests(&sb), 150, "nothing is lost");
}

#[test]
fn a_command_that_records_keeps_everything_when_stdout_is_closed() {
    let sb = Sandbox::new();
    let run = run_into_closed_pipe(sb.command(&[
        "ask",
        "ada",
        "sam",
        "--why",
        "you both build tools",
        "--yes",
    ]));
    assert!(!run.stderr.contains("error"), "{}", run.stderr);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(open_requests(&sb), 1);
    assert_eq!(sb.outbox().len(), 1, "the ask went out once");

    // A batch whose reader went away still asks every row, and says so
    // on stderr.
    let mut csv = String::from("why,a,b\n");
    for i in 0..20 {
        csv.push_str(&format!("you both build tools,p{i},hub\n"));
    }
    let sb = Sandbox::new();
    sb.write_contacts(&people(20));
    let file = sb.root().join("asks.csv");
    std::fs::write(&file, csv).unwrap();
    let run = run_into_closed_pipe(sb.command(&[
        "ask",
        "--batch",
        file.to_str().unwrap(),
        "--yes",
        "--json",
    ]));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stderr.contains("error"), "{}", run.stderr);
    assert_eq!(open_requests(&sb), 20);
    assert_eq!(sb.outbox().len(), 20);
}

#[test]
fn a_full_disk_under_stdout_is_an_error() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let sb = Sandbox::new();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = sb
        .command(&["contacts"])
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: cannot write to standard output: No space left on device"),
        "{stderr}"
    );
    assert!(stderr.contains("\nhint: "), "{stderr}");
}

/// Ask ada twice: the second ask warns that she already has an open one.
fn second_ask(sb: &Sandbox, extra: &[&str]) -> crate::support::sandbox::Run {
    sb.ok(&[
        "ask",
        "ada",
        "sam",
        "--why",
        "you both build tools",
        "--yes",
    ]);
    let mut args = vec!["ask", "ada", "kay", "--why", "both on orbits", "--yes"];
    args.extend_from_slice(extra);
    sb.run(&args)
}

#[test]
fn quiet_silences_warnings_but_not_errors() {
    let sb = Sandbox::new();
    let loud = second_ask(&sb, &[]);
    assert_eq!(loud.code, 0, "{}", loud.stderr);
    assert!(
        loud.stderr
            .contains("warning: `ada` already has 1 open ask"),
        "{}",
        loud.stderr
    );

    let sb = Sandbox::new();
    let quiet = second_ask(&sb, &["-q"]);
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert_eq!(quiet.stderr, "");
    assert_eq!(open_requests(&sb), 2);

    let err = sb.fails(&["status", "zzzz", "-q"], 1);
    assert!(err.starts_with("error: no request `zzzz`"), "{err}");
}

const ESC: &str = "\x1b[";

#[test]
fn color_always_paints_intros_prefixes_as_clap_paints_its_own() {
    let sb = Sandbox::new();
    let run = sb.run(&["--color", "always", "status", "zzzz"]);
    assert_eq!(run.code, 1);
    let err = run.stderr;
    assert!(
        err.starts_with("\x1b[1;31merror:\x1b[0m no request `zzzz`"),
        "{err:?}"
    );
    assert!(err.contains("\x1b[32mhint:\x1b[0m "), "{err:?}");

    let warned = second_ask(&sb, &["--color=always"]);
    assert!(
        warned.stderr.contains("\x1b[1;33mwarning:\x1b[0m `ada`"),
        "{:?}",
        warned.stderr
    );

    // Clap's own error, in the same colors.
    let clap = sb.run(&["--color", "always", "stauts"]);
    assert_eq!(clap.code, 2);
    assert!(
        clap.stderr.starts_with("\x1b[1m\x1b[31merror:\x1b[0m"),
        "{:?}",
        clap.stderr
    );
    assert!(
        clap.stderr.contains("\x1b[32mtip:\x1b[0m"),
        "{:?}",
        clap.stderr
    );
}

#[test]
fn color_never_and_no_color_reach_every_line_clap_included() {
    let mut sb = Sandbox::new();
    // Clap would color off a terminal with this set.
    sb.set_env("CLICOLOR_FORCE", "1");
    let clap = sb.fails(&["--color", "never", "stauts"], 2);
    assert!(
        clap.starts_with("error: unrecognized subcommand"),
        "{clap:?}"
    );
    assert!(!clap.contains(ESC), "{clap:?}");
    let clap = sb.fails(&["status", "--limit", "x", "--color=never"], 2);
    assert!(!clap.contains(ESC), "{clap:?}");
    let help = sb.ok(&["--color", "never", "status", "--help"]);
    assert!(!help.contains(ESC), "{help:?}");
    let err = sb.fails(&["--color", "never", "status", "zzzz"], 1);
    assert!(!err.contains(ESC), "{err:?}");
    // `auto` follows CLICOLOR_FORCE for intro's lines as clap does for its.
    let run = sb.run(&["status", "zzzz"]);
    assert!(
        run.stderr.starts_with("\x1b[1;31merror:"),
        "{:?}",
        run.stderr
    );

    sb.set_env("NO_COLOR", "1");
    let clap = sb.fails(&["stauts"], 2);
    assert!(!clap.contains(ESC), "{clap:?}");
    let help = sb.ok(&["status", "--help"]);
    assert!(!help.contains(ESC), "{help:?}");
    let err = sb.fails(&["status", "zzzz"], 1);
    assert!(!err.contains(ESC), "{err:?}");
    let warned = second_ask(&sb, &[]);
    assert!(!warned.stderr.contains(ESC), "{:?}", warned.stderr);
}

/// Run `intro ARGS` on a pseudo-terminal `rows` high (through util-linux
/// `script`), with `$PAGER` a script that keeps what it is given in the
/// file `paged`. Returns what the terminal showed.
fn on_terminal(sb: &Sandbox, rows: usize, args: &str) -> String {
    let pager = sb.root().join("pager.sh");
    let paged = sb.root().join("paged");
    sb.write(&pager, &format!("#!/bin/sh\ncat > '{}'\n", paged.display()));
    std::fs::set_permissions(&pager, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let run = terminal_run(sb, rows, args, &[("PAGER", &pager.display().to_string())]);
    assert_eq!(run.code, 0, "{args}:\n{}{}", run.stdout, run.stderr);
    run.stdout
}

/// Run `intro ARGS` on a pseudo-terminal `rows` high; its stdout and
/// stderr both show in the run's stdout.
fn terminal_run(
    sb: &Sandbox,
    rows: usize,
    args: &str,
    env: &[(&str, &str)],
) -> crate::support::sandbox::Run {
    let line = format!(
        "stty rows {rows} cols 120; '{}' {args}",
        env!("CARGO_BIN_EXE_intro")
    );
    let mut cmd = sb.sealed("script");
    cmd.args(["-qec", &line, "/dev/null"]).env("TERM", "xterm");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut run = sb.run_command(cmd, None);
    run.stdout = run.stdout.replace("\r\n", "\n");
    run
}

fn paged(sb: &Sandbox) -> Option<String> {
    std::fs::read_to_string(sb.root().join("paged")).ok()
}

#[test]
fn a_long_status_on_a_terminal_goes_through_the_pager() {
    let sb = with_requests(12);
    let shown = on_terminal(&sb, 8, "status --color never");
    let paged = paged(&sb).expect("the pager ran");
    assert!(paged.starts_with("ID "), "{paged}");
    assert_eq!(paged.lines().count(), 13, "{paged}");
    assert!(!shown.contains(" hub "), "the pager had it all: {shown}");
}

#[test]
fn status_prints_straight_out_when_it_fits_off_a_terminal_or_with_no_pager() {
    let sb = with_requests(12);
    // Fits the screen.
    let shown = on_terminal(&sb, 40, "status --color never");
    assert!(paged(&sb).is_none());
    assert_eq!(shown.lines().filter(|l| l.contains(" hub ")).count(), 12);
    // --no-pager.
    let shown = on_terminal(&sb, 8, "status --no-pager --color never");
    assert!(paged(&sb).is_none());
    assert_eq!(shown.lines().filter(|l| l.contains(" hub ")).count(), 12);
    // Not a terminal, whatever $PAGER says.
    let mut sb = sb;
    let pager = format!("cat > '{}'", sb.root().join("paged").display());
    sb.set_env("PAGER", &pager);
    let out = sb.ok(&["status"]);
    assert_eq!(out.lines().count(), 13);
    assert!(paged(&sb).is_none());
}

#[test]
fn status_limit_shows_the_first_n() {
    let sb = with_requests(12);
    let all = sb.ok(&["status"]);
    let run = sb.run(&["status", "-n", "3"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split_whitespace().next().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&run.stdout), ids(&all)[..4]);
    insta::assert_snapshot!(whole(&run.stderr), @"showing 3 of 12 requests (`-n` sets how many)");
    let json = sb.json(&["status", "--limit", "2"]);
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert_eq!(
        json[0]["id"],
        sb.json(&["status"])[0]["id"],
        "the first of the same order"
    );
    let err = sb.fails(&["status", "-n", "0"], 2);
    assert!(err.contains("invalid value '0' for '--limit <N>'"), "{err}");
    // A limit above the count shows all, without a note.
    let run = sb.run(&["status", "-n", "50"]);
    assert_eq!(run.stdout, all);
    assert_eq!(run.stderr, "");
}

/// A directory holding `sh` and, when given, a `vi` running `vi_script`.
fn path_with_vi(sb: &Sandbox, vi_script: Option<&str>) -> String {
    let bin = sb.root().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink("/bin/sh", bin.join("sh")).unwrap();
    if let Some(script) = vi_script {
        let vi = bin.join("vi");
        sb.write(&vi, &format!("#!/bin/sh\n{script}\n"));
        std::fs::set_permissions(&vi, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    bin.display().to_string()
}

#[test]
fn edit_without_visual_or_editor_uses_vi() {
    let mut sb = Sandbox::new();
    let sed = "/bin/sed -i -e 's/^Subject: .*/Subject: Edited in vi/' \"$1\"";
    let path = path_with_vi(&sb, Some(sed));
    sb.set_env("PATH", &path);
    let run = sb.run(&["ask", "ada", "sam", "--why", "compilers", "--edit", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sent = &sb.outbox()[0].1;
    assert!(sent.contains("\nSubject: Edited in vi\r\n"), "{sent}");
}

#[test]
fn edit_with_no_editor_at_all_says_so_and_sends_nothing() {
    let mut sb = Sandbox::new();
    let path = path_with_vi(&sb, None);
    sb.set_env("PATH", &path);
    let err = sb.fails(
        &["ask", "ada", "sam", "--why", "compilers", "--edit", "--yes"],
        1,
    );
    insta::assert_snapshot!(whole(&err), @r"
    error: cannot find the editor `vi`; nothing was sent
    hint: set $VISUAL or $EDITOR to one you have, e.g. export EDITOR=nano
    ");
    assert!(sb.outbox().is_empty());
    assert_eq!(sb.json(&["status", "--all"]), serde_json::json!([]));
}

#[test]
fn the_manual_says_where_things_live_what_it_reads_and_how_it_exits() {
    let sb = Sandbox::new();
    let page = sb.ok(&["man"]);
    let section = |title: &str| -> String {
        let start = page
            .find(&format!("\n.SH {title}\n"))
            .unwrap_or_else(|| panic!("no {title} section:\n{page}"));
        let rest = &page[start + 1..];
        let end = rest[4..].find("\n.SH ").map_or(rest.len(), |i| i + 5);
        rest[..end].to_string()
    };
    let files = section("FILES");
    for path in [
        "$XDG_CONFIG_HOME/intro/config.toml",
        "$XDG_CONFIG_HOME/intro/contacts.toml",
        "$XDG_CONFIG_HOME/intro/templates/",
        "$XDG_DATA_HOME/intro/",
        "~/.config/intro/config.toml",
        "~/.local/share/intro",
        "requests.log",
        "drafts/",
        "runs/",
    ] {
        assert!(files.contains(path), "FILES lacks {path}:\n{files}");
    }
    let environment = section("ENVIRONMENT");
    for name in [
        "INTRO_CONFIG",
        "INTRO_DATA_DIR",
        "INTRO_NOW",
        "NO_COLOR",
        "VISUAL, EDITOR",
        "PAGER",
        "XDG_CONFIG_HOME, XDG_DATA_HOME",
    ] {
        assert!(
            environment.contains(&format!("\\fB{name}\\fR")),
            "ENVIRONMENT lacks {name}:\n{environment}"
        );
    }
    let exit = section("\"EXIT STATUS\"");
    for code in ["0", "1", "2", "130", "143"] {
        assert!(
            exit.contains(&format!(".TP\n\\fB{code}\\fR\n")),
            "EXIT STATUS lacks {code}:\n{exit}"
        );
    }
    // The version stays last; a command's own page keeps to that command.
    assert!(page.find(".SH \"EXIT STATUS\"") < page.find(".SH VERSION"));
    let ask = sb.ok(&["man", "ask"]);
    assert!(!ask.contains(".SH FILES"), "{ask}");
}

#[test]
fn auto_colors_a_terminal_only_and_not_with_no_color() {
    let sb = with_requests(2);
    let run = terminal_run(&sb, 40, "status zzzz", &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .starts_with("\x1b[1;31merror:\x1b[0m no request `zzzz`"),
        "{:?}",
        run.stdout
    );
    let run = terminal_run(&sb, 40, "status", &[]);
    assert!(
        run.stdout.starts_with("\x1b[1mID\x1b[0m"),
        "{:?}",
        run.stdout
    );
    for args in ["status zzzz", "status", "stauts"] {
        let run = terminal_run(&sb, 40, args, &[("NO_COLOR", "1")]);
        assert!(!run.stdout.contains(ESC), "{args}: {:?}", run.stdout);
        let run = terminal_run(&sb, 40, &format!("--color never {args}"), &[]);
        assert!(!run.stdout.contains(ESC), "{args}: {:?}", run.stdout);
    }
    let run = terminal_run(&sb, 40, "status zzzz", &[("TERM", "dumb")]);
    assert!(!run.stdout.contains(ESC), "{:?}", run.stdout);
    // Off a terminal, plain.
    let run = sb.run(&["status", "zzzz"]);
    assert!(
        run.stderr.starts_with("error: no request"),
        "{:?}",
        run.stderr
    );
    assert!(!sb.ok(&["status"]).contains(ESC));
}
