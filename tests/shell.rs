//! Shell integration end to end: `intro completions` scripts, the completion
//! answers they get back from intro (contact handles, request ids), through
//! a real bash where it matters, and `intro man`.

use std::time::{Duration, Instant};

use crate::support::sandbox::{CONFIG, Run, Sandbox};

/// What intro answers a shell that completes the last of `words`, in fish's
/// protocol (one `value<TAB>description` line each).
fn complete(sb: &Sandbox, words: &[&str]) -> Run {
    let mut cmd = sb.command(&["--"]);
    cmd.args(words).env("INTRO_COMPLETE", "fish");
    sb.run_command(cmd, None)
}

/// The values offered, without descriptions or option names.
fn values(run: &Run) -> Vec<String> {
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "", "a completion prints nothing on stderr");
    run.stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap_or("").to_string())
        .filter(|v| !v.starts_with('-'))
        .collect()
}

/// One request asked, one approved, one declined, an hour apart.
fn requests(sb: &mut Sandbox) -> [String; 3] {
    let asked = sb.ask("ada", "sam", "compilers");
    sb.set_now("2026-03-01T10:00:00Z");
    let approved = sb.ask("kay", "sam", "orbits");
    sb.ok(&["approve", &approved]);
    sb.set_now("2026-03-01T11:00:00Z");
    let declined = sb.ask("sam", "ada", "tools");
    sb.ok(&["decline", &declined]);
    [asked, approved, declined]
}

#[test]
fn handles_are_offered_with_names_and_filtered_by_prefix() {
    let sb = Sandbox::new();
    let run = complete(&sb, &["intro", "ask", ""]);
    assert!(run.stdout.contains("ada\tAda Lovelace\n"), "{}", run.stdout);
    assert_eq!(values(&run), ["ada", "alan", "alan2", "kay", "sam"]);
    let run = complete(&sb, &["intro", "ask", "ada", "a"]);
    assert_eq!(values(&run), ["ada", "alan", "alan2"]);
}

#[test]
fn request_ids_are_offered_for_the_commands_they_fit() {
    let mut sb = Sandbox::new();
    let [asked, approved, declined] = requests(&mut sb);
    let run = complete(&sb, &["intro", "status", ""]);
    assert_eq!(
        values(&run),
        [
            declined.as_str(),
            approved.as_str(),
            asked.as_str(),
            "ada",
            "kay"
        ],
        "every request, newest first, then the handles naming an open one"
    );
    assert!(
        run.stdout
            .contains(&format!("{asked}\tada about sam, asked\n")),
        "{}",
        run.stdout
    );
    assert_eq!(
        values(&complete(&sb, &["intro", "approve", ""])),
        [asked.as_str(), "ada"]
    );
    assert!(
        complete(&sb, &["intro", "approve", "a"])
            .stdout
            .contains(&format!("ada\t{asked} (ada about sam, asked)\n"))
    );
    assert_eq!(
        values(&complete(&sb, &["intro", "decline", ""])),
        [asked.as_str(), "ada"]
    );
    assert_eq!(
        values(&complete(&sb, &["intro", "followup", ""])),
        [asked.as_str(), "ada"]
    );
    assert_eq!(
        values(&complete(&sb, &["intro", "introduce", ""])),
        [approved.as_str(), "kay"]
    );
    assert_eq!(
        values(&complete(&sb, &["intro", "cancel", ""])),
        [approved.as_str(), asked.as_str(), "ada", "kay"]
    );
    // A contact with two open requests as A names neither.
    sb.ask("ada", "kay", "again");
    assert!(!values(&complete(&sb, &["intro", "cancel", ""])).contains(&"ada".to_string()));
    let prefix = &asked[..3];
    let offered = values(&complete(&sb, &["intro", "status", prefix]));
    assert!(offered.contains(&asked) && offered.iter().all(|id| id.starts_with(prefix)));
}

#[test]
fn completion_finds_files_the_way_a_run_does() {
    let sb = Sandbox::new();
    // INTRO_CONFIG and its `contacts` key decide, as for any command.
    let config = sb.root().join("elsewhere").join("my.toml");
    sb.write(&config, &format!("contacts = \"people.toml\"\n{CONFIG}"));
    sb.write(
        &sb.root().join("elsewhere").join("people.toml"),
        "[zed]\nname = \"Zed Shaw\"\nemail = \"zed@example.com\"\n",
    );
    let mut cmd = sb.command(&["--", "intro", "ask", ""]);
    cmd.env("INTRO_COMPLETE", "fish")
        .env("INTRO_CONFIG", &config);
    assert_eq!(values(&sb.run_command(cmd, None)), ["zed"]);
    // So do `--config` and `--contacts` typed earlier on the line.
    let config = config.to_str().unwrap();
    assert_eq!(
        values(&complete(&sb, &["intro", "--config", config, "ask", ""])),
        ["zed"]
    );
    let other = sb.root().join("other.toml");
    sb.write(
        &other,
        "[amy]\nname = \"Amy\"\nemail = \"amy@example.com\"\n",
    );
    let contacts = format!("--contacts={}", other.display());
    assert_eq!(
        values(&complete(&sb, &["intro", &contacts, "ask", ""])),
        ["amy"]
    );
}

#[test]
fn problems_offer_nothing_and_print_nothing() {
    let mut sb = Sandbox::new();
    let [asked, ..] = requests(&mut sb);
    // A broken contacts file.
    sb.write_contacts("[ada\nname = ");
    let run = complete(&sb, &["intro", "ask", ""]);
    assert_eq!(values(&run), Vec::<String>::new());
    // No config at all: the contacts file is looked for in its default place.
    std::fs::remove_file(sb.config_dir().join("config.toml")).unwrap();
    sb.write_contacts("[kay]\nname = \"Kay\"\nemail = \"kay@example.com\"\n");
    assert_eq!(values(&complete(&sb, &["intro", "ask", ""])), ["kay"]);
    assert_eq!(
        values(&complete(&sb, &["intro", "approve", ""])),
        [asked.as_str(), "ada"]
    );
    // A bad INTRO_NOW, which stops every command, quietly stops these too.
    sb.set_now("not a time");
    let run = complete(&sb, &["intro", "ask", ""]);
    assert_eq!(values(&run), Vec::<String>::new());
}

#[test]
fn a_busy_store_offers_no_ids_at_once_instead_of_waiting() {
    let mut sb = Sandbox::new();
    let [asked, ..] = requests(&mut sb);
    // Another run is writing: it holds the store's lock.
    let lock = std::fs::File::open(sb.data_dir().join("store.lock")).unwrap();
    lock.lock().unwrap();
    let started = Instant::now();
    let run = complete(&sb, &["intro", "approve", ""]);
    assert_eq!(values(&run), Vec::<String>::new());
    assert!(started.elapsed() < Duration::from_secs(5));
    lock.unlock().unwrap();
    assert_eq!(
        values(&complete(&sb, &["intro", "approve", ""])),
        [asked.as_str(), "ada"]
    );
}

#[test]
fn bash_completes_handles_and_ids_through_the_printed_script() {
    let mut sb = Sandbox::new();
    let [asked, ..] = requests(&mut sb);
    let script = r#"
source <("$INTRO" completions bash)
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(( $# - 1 ))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMP_TYPE=9
    COMPREPLY=()
    _clap_complete_intro intro "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
    printf '%s\n' "${COMPREPLY[@]}" | grep -v '^-'
    echo ---
}
complete -p intro
complete_words intro ask k
complete_words intro ask kay s
complete_words intro approve ""
complete_words intro sta
"#;
    let mut cmd = sb.sealed("bash");
    cmd.args(["--norc", "--noprofile", "-c", script])
        .env("INTRO", env!("CARGO_BIN_EXE_intro"));
    let run = sb.run_command(cmd, None);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let blocks: Vec<&str> = run.stdout.split("---\n").collect();
    assert!(
        blocks[0].starts_with("complete ") && blocks[0].contains("_clap_complete_intro"),
        "{}",
        run.stdout
    );
    assert_eq!(blocks[0].lines().last(), Some("kay"), "{}", run.stdout);
    assert_eq!(blocks[1], "sam\n");
    assert_eq!(blocks[2], format!("{asked}\nada\n"));
    assert_eq!(blocks[3], "status\nstats\n", "in the order of `intro help`");
}

#[test]
fn every_shell_gets_a_script() {
    let sb = Sandbox::empty();
    let bin = env!("CARGO_BIN_EXE_intro");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = sb.ok(&["completions", shell]);
        assert!(out.contains("INTRO_COMPLETE"), "{shell}:\n{out}");
        assert!(out.contains(bin), "{shell} calls this intro back:\n{out}");
    }
    // Static scripts never call intro: for packagers.
    let out = sb.ok(&["completions", "bash", "--static"]);
    assert!(out.contains("_intro()") && out.contains("stats"), "{out}");
    assert!(!out.contains("INTRO_COMPLETE"));
    let out = sb.ok(&["completions", "fish", "--static"]);
    assert!(out.contains("complete -c intro"), "{out}");
    let err = sb.fails(&["completions", "tcsh"], 2);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

#[test]
fn man_prints_roff_pages_without_any_setup() {
    let mut sb = Sandbox::empty();
    // Nothing is read: not even a bad clock stops it.
    sb.set_now("not a time");
    let page = sb.ok(&["man"]);
    assert!(page.contains(".TH intro 1"), "{page}");
    assert!(page.contains(".SH NAME") && page.contains(".SH SYNOPSIS"));
    for command in ["ask", "stats", "completions", "contacts"] {
        assert!(
            page.contains(&format!("intro\\-{command}(1)")),
            "{command}:\n{page}"
        );
    }
    // Every command it lists has a page (`help` is `--help`, not listed).
    assert!(!page.contains("intro\\-help"), "{page}");
    let page = sb.ok(&["man", "ask"]);
    assert!(page.contains(".TH intro-ask 1  \"intro 0.1.0\""), "{page}");
    assert!(page.contains("\\-\\-why"), "{page}");
    let page = sb.ok(&["man", "contacts", "import"]);
    assert!(page.contains(".TH intro-contacts-import 1"), "{page}");
    let err = sb.fails(&["man", "nope"], 1);
    assert!(err.contains("no command `nope`"), "{err}");
    // The same is true of completions.
    sb.ok(&["completions", "bash"]);
}
