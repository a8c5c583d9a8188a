//! Every kind of bad input the spec names gets one `error:` line that
//! points at the file, line, field or id, plus a hint; never a panic, and
//! nothing already recorded is lost.

#![allow(clippy::unwrap_used)]

use crate::support::sandbox::{CONFIG, CONTACTS, Sandbox};

#[test]
fn malformed_config_names_file_line_and_column() {
    let sb = Sandbox::new();
    sb.write_config("[me]\nname = \"Grace\nemail = \"g@example.com\"\n");
    let err = sb.fails(&["status"], 1);
    let path = sb.config_dir().join("config.toml");
    assert!(
        err.starts_with(&format!("error: {}:2:", path.display())),
        "{err}"
    );
}

#[test]
fn unknown_config_keys_and_bad_values_are_named() {
    let sb = Sandbox::new();
    sb.write_config(&format!("{CONFIG}\n[send]\ntransprt = \"smtp\"\n"));
    let err = sb.fails(&["contacts", "check"], 1);
    assert!(
        err.contains("unknown field `transprt`") && err.contains(":6:"),
        "{err}"
    );
    sb.write_config(&format!("{CONFIG}\n[send]\ntransport = \"pigeon\"\n"));
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(err.contains("pigeon") && err.contains(":6:"), "{err}");
    sb.write_config("[me]\nname = \"Grace\"\nemail = \"not-an-address\"\n");
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(err.contains(":3:") && err.contains("`me.email`"), "{err}");
}

#[test]
fn a_missing_config_says_how_to_make_one() {
    let sb = Sandbox::empty();
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(
        err.contains("no config file at") && err.contains("hint: run `intro init`"),
        "{err}"
    );
}

#[test]
fn malformed_contacts_name_file_line_column_and_field() {
    let sb = Sandbox::new();
    sb.write_contacts(
        "[ada]\nname = \"Ada\"\nemail = \"ada@example.com\"\n\n[sam]\nname = \"Sam\"\n",
    );
    let err = sb.fails(&["contacts"], 1);
    let path = sb.config_dir().join("contacts.toml");
    assert!(
        err.starts_with(&format!("error: {}:5:", path.display())),
        "{err}"
    );
    assert!(
        err.contains("contact `sam`: missing field `email`"),
        "{err}"
    );

    sb.write_contacts("[ada]\nname = \"Ada\"\nemail = [1]\n[\"Bad Handle\"]\nname = \"B\"\nemail = \"b@example.com\"\n");
    let err = sb.fails(&["contacts", "check"], 1);
    assert!(
        err.contains(":3:") && err.contains("`email` must be a string"),
        "{err}"
    );
    assert!(
        err.contains(":4:") && err.contains("handle `Bad Handle`"),
        "{err}"
    );
    assert!(err.starts_with("error: 2 problems"), "{err}");

    sb.write_contacts("[ada\nname = 1\n");
    let err = sb.fails(&["contacts"], 1);
    assert!(err.contains(":1:"), "{err}");
}

#[test]
fn unknown_contacts_suggest_close_handles() {
    let sb = Sandbox::new();
    let err = sb.fails(&["ask", "adda", "sam", "--why", "w", "--yes"], 1);
    assert!(err.starts_with("error: unknown contact `adda`\n"), "{err}");
    assert!(err.contains("hint: did you mean `ada`?"), "{err}");
    assert!(
        err.contains("hint: `intro contacts` lists every contact"),
        "{err}"
    );
}

#[test]
fn ambiguous_names_list_the_candidates() {
    let sb = Sandbox::new();
    let err = sb.fails(&["ask", "alan turing", "sam", "--why", "w", "--yes"], 1);
    assert!(
        err.starts_with("error: `alan turing` matches 2 contacts"),
        "{err}"
    );
    assert!(
        err.contains("alan@example.net") && err.contains("turing@example.net"),
        "{err}"
    );
    assert!(
        err.contains("hint: name the contact by its handle or email"),
        "{err}"
    );
}

#[test]
fn a_and_b_must_differ() {
    let sb = Sandbox::new();
    let err = sb.fails(&["ask", "ada", "ada@example.com", "--why", "w", "--yes"], 1);
    assert!(err.contains("A and B are both `ada`"), "{err}");
}

#[test]
fn one_open_request_per_pair_unless_forced() {
    let sb = Sandbox::new();
    let first = sb.ask("ada", "sam", "compilers");
    let err = sb.fails(
        &["ask", "ada", "sam", "--why", "something else", "--yes"],
        1,
    );
    assert!(err.contains(&first) && err.contains("--force"), "{err}");
    // The reverse pair is a different ask: A is the one asked.
    sb.ask("sam", "ada", "tools");
    let forced = sb.json(&[
        "ask",
        "ada",
        "sam",
        "--why",
        "something else",
        "--yes",
        "--force",
    ]);
    assert_ne!(forced["id"], first.as_str());
    assert_eq!(sb.json(&["status"]).as_array().unwrap().len(), 3);
}

#[test]
fn empty_why_is_refused() {
    let sb = Sandbox::new();
    let err = sb.fails(&["ask", "ada", "sam", "--why", "  ", "--yes"], 1);
    assert!(err.contains("`why` is empty"), "{err}");
}

#[test]
fn a_line_break_bound_for_a_header_is_refused() {
    let sb = Sandbox::new();
    sb.write(
        &sb.config_dir().join("templates").join("ask.txt"),
        "Subject: About {{ why }}\n\nHi {{ a.first_name }}\n",
    );
    let err = sb.fails(
        &[
            "ask",
            "ada",
            "sam",
            "--why",
            "x\nBcc: evil@example.com",
            "--yes",
        ],
        1,
    );
    assert!(err.contains("line break") && err.contains("`why`"), "{err}");
    let err = sb.fails(
        &[
            "ask",
            "ada",
            "sam",
            "--why",
            "x\rBcc: evil@example.com",
            "--yes",
        ],
        1,
    );
    assert!(err.contains("line break"), "{err}");
    assert!(sb.outbox().is_empty());
    // In the body a line break is just a line break.
    std::fs::remove_dir_all(sb.config_dir().join("templates")).unwrap();
    sb.ask("ada", "sam", "line one\nline two");

    let sb = Sandbox::new();
    sb.write_contacts(&CONTACTS.replace(
        "name = \"Sam Builder\"",
        "name = \"Sam\\nBcc: evil@example.com\"",
    ));
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(
        err.contains("contact `sam`: `name` contains a line break"),
        "{err}"
    );
}

#[test]
fn template_errors_name_the_file_and_line_or_variable() {
    let sb = Sandbox::new();
    let path = sb.config_dir().join("templates").join("ask.txt");
    sb.write(&path, "Subject: Hi\n\nHello {{ a.first_name }}\n{% if %}\n");
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--dry-run"], 1);
    assert!(
        err.contains(&format!("template `{}` line 4", path.display())),
        "{err}"
    );
    sb.write(&path, "Subject: Hi\n\nHello {{ a.nickname }}\n");
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--dry-run"], 1);
    assert!(
        err.contains(&path.display().to_string()) && err.contains("a.nickname"),
        "{err}"
    );
    let err = sb.fails(&["contacts", "check"], 1);
    assert!(err.contains("a.nickname"), "{err}");
    // A user template may use any extra contact field.
    sb.write(
        &path,
        "Subject: Hi {{ a.company }}\n\nHello {{ a.first_name }} at {{ a.company }}\n",
    );
    let out = sb.ok(&["ask", "ada", "sam", "--why", "w", "--dry-run"]);
    assert!(out.contains("Subject: Hi Analytical Engines Ltd"), "{out}");
}

#[test]
fn unknown_and_ambiguous_request_ids() {
    let sb = Sandbox::new();
    sb.ask("ada", "sam", "one");
    let err = sb.fails(&["approve", "zzzz"], 1);
    assert!(
        err.contains("no request `zzzz`") && err.contains("intro status --all"),
        "{err}"
    );
    // Make two requests whose ids share a first character, then use it:
    // too short to name one, whatever it matches.
    let mut ids: Vec<String> = vec![];
    for (i, b) in ["kay", "alan", "alan2"].iter().enumerate() {
        ids.push(sb.ask("ada", b, &format!("reason {i}")));
        let id = sb.ask("sam", b, &format!("reason {i}"));
        ids.push(id);
    }
    let all = sb.json(&["status", "--all"]);
    let mut firsts: Vec<String> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap()[..1].to_string())
        .collect();
    firsts.sort();
    if let Some(w) = firsts.windows(2).find(|w| w[0] == w[1]) {
        let err = sb.fails(&["status", &w[0]], 1);
        assert!(
            err.contains("is too short to name a request") && err.contains("hint: "),
            "{err}"
        );
    }
}

#[test]
fn a_bad_intro_now_is_named() {
    let mut sb = Sandbox::new();
    sb.set_now("yesterday");
    let err = sb.fails(&["status"], 1);
    assert!(err.contains("`INTRO_NOW` is not an RFC 3339 time"), "{err}");
}

#[test]
fn a_store_from_a_newer_intro_is_refused_untouched() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.data_dir()).unwrap();
    let snapshot = sb.data_dir().join("requests.json");
    std::fs::write(&snapshot, "{\"intro_store\": 7, \"generation\": 1}\n").unwrap();
    let err = sb.fails(&["status"], 1);
    assert!(err.contains("store format 7"), "{err}");
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(err.contains("store format 7"), "{err}");
    assert!(
        sb.outbox().is_empty(),
        "nothing sent when the store cannot record it"
    );
    assert_eq!(
        std::fs::read_to_string(&snapshot).unwrap(),
        "{\"intro_store\": 7, \"generation\": 1}\n"
    );
}

#[test]
fn a_damaged_journal_is_reported_not_dropped() {
    let sb = Sandbox::new();
    sb.ask("ada", "sam", "one");
    let journal = sb.data_dir().join("requests.log");
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str("{not json}\n");
    std::fs::write(&journal, &text).unwrap();
    let err = sb.fails(&["status"], 1);
    assert!(err.contains("requests.log` line 4 is damaged"), "{err}");
    assert!(err.contains("hint: "), "{err}");
}

#[test]
fn contacts_check_reports_every_problem_at_once() {
    let sb = Sandbox::new();
    sb.write_contacts("[a]\nname = \"A\"\n[b]\nemail = \"b@\"\nname = \"\"\n");
    sb.write(
        &sb.config_dir().join("templates").join("followup.txt"),
        "no header here\n",
    );
    let err = sb.fails(&["contacts", "check"], 1);
    let problems = err.lines().filter(|l| l.starts_with("  ")).count();
    assert!(problems >= 4, "{err}");
    assert!(err.contains("missing field `email`"), "{err}");
    assert!(
        err.contains("`email` `b@` is not an email address"),
        "{err}"
    );
    assert!(err.contains("`name` is empty"), "{err}");
    assert!(err.contains("followup.txt"), "{err}");
}

#[test]
fn contacts_check_flags_the_sample_me_left_as_init_wrote_it() {
    let sb = Sandbox::empty();
    sb.ok(&["init"]);
    let err = sb.fails(&["contacts", "check"], 1);
    let config = sb.config_dir().join("config.toml");
    assert!(
        err.contains(&format!(
            "{}:6:8: `me.name` is still the sample's `Your Name`",
            config.display()
        )) && err.contains("`me.email` is still the sample's `you@example.com`"),
        "{err}"
    );
    // A real-looking person, even at example.com, passes.
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("Your Name", "Grace Hopper")
        .replace("you@example.com", "grace@example.com");
    std::fs::write(&config, text).unwrap();
    sb.ok(&["contacts", "check"]);
}

#[test]
fn contacts_check_names_a_missing_templates_folder() {
    let sb = Sandbox::new();
    sb.write_config(&format!("templates = \"my-templates\"\n{CONFIG}"));
    let err = sb.fails(&["contacts", "check"], 1);
    assert!(
        err.contains(":1:13: `templates` is `my-templates`, but there is no folder")
            && err.contains(&sb.config_dir().join("my-templates").display().to_string()),
        "{err}"
    );
    std::fs::create_dir_all(sb.config_dir().join("my-templates")).unwrap();
    sb.ok(&["contacts", "check"]);
}

/// Without a templates folder the built-in templates are used: the check
/// said `overrides from` a folder that is not there.
#[test]
fn contacts_check_says_the_templates_are_built_in_without_a_folder() {
    let sb = Sandbox::new();
    let dir = sb.config_dir().join("templates");
    let out = sb.ok(&["contacts", "check"]);
    assert!(
        out.contains(&format!(
            "ok: templates (built-in; no overrides folder `{}`)\n",
            dir.display()
        )),
        "{out}"
    );
    std::fs::create_dir_all(&dir).unwrap();
    let out = sb.ok(&["contacts", "check"]);
    assert!(
        out.contains(&format!(
            "ok: templates (overrides from `{}`)\n",
            dir.display()
        )),
        "{out}"
    );
}

#[test]
fn a_handle_defined_twice_names_both_lines() {
    let sb = Sandbox::new();
    sb.write_contacts(&format!(
        "{CONTACTS}\n[ada]\nname = \"Ada Again\"\nemail = \"ada2@example.com\"\n\n[zed]\nname = \"Zed\"\n"
    ));
    let err = sb.fails(&["contacts", "check"], 1);
    let path = sb.config_dir().join("contacts.toml");
    let second = CONTACTS.lines().count() + 2;
    assert!(
        err.contains(&format!(
            "{}:{second}:1: handle `ada` is defined more than once, on lines 2 and {second}",
            path.display()
        )),
        "{err}"
    );
    assert!(!err.contains("duplicate key"), "{err}");
    // The rest of the file is still checked.
    assert!(
        err.contains("contact `zed`: missing field `email`"),
        "{err}"
    );
}

#[test]
fn two_contacts_with_one_email_is_a_warning() {
    let sb = Sandbox::new();
    sb.write_contacts(&format!(
        "{CONTACTS}\n[ada2]\nname = \"Ada L.\"\nemail = \"ADA@example.com\"\n"
    ));
    let run = sb.run(&["contacts", "check"]);
    assert_eq!(
        run.code, 0,
        "a warning alone does not fail:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("warning: ")
            && run
                .stderr
                .contains("`ada` and `ada2` have the same email `ada@example.com`"),
        "{}",
        run.stderr
    );
    let v = sb.json(&["contacts", "check"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1, "{v}");
}

#[test]
fn a_port_outside_the_range_is_said_in_those_words() {
    let sb = Sandbox::new();
    for (port, line) in [("99999", 7), ("0", 7), ("-1", 7)] {
        sb.write_config(&format!(
            "{CONFIG}\n[smtp]\nhost = \"smtp.example.com\"\nport = {port}\n"
        ));
        let err = sb.fails(&["contacts", "check"], 1);
        assert!(
            err.contains(&format!(":{line}:8: `port` is {port}, outside 1-65535")),
            "{err}"
        );
        assert!(!err.contains("u16"), "{err}");
    }
    sb.write_config(&format!(
        "{CONFIG}\n[imap]\nhost = \"imap.example.com\"\nport = 70000\n"
    ));
    let err = sb.fails(&["sync"], 1);
    assert!(err.contains("`port` is 70000, outside 1-65535"), "{err}");
}

/// serde stops at a table's first bad key: each fix used to reveal the
/// next. The check reports them all at once, each with its place.
#[test]
fn contacts_check_reports_every_bad_key_of_a_table() {
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "{CONFIG}\n[smtp]\nhots = \"x\"\nport = 99999\nsecurity = \"startls\"\n\n\
         [send]\nrate_limit = \"fast\"\nbcc_me = 1\n"
    ));
    let err = sb.fails(&["contacts", "check"], 1);
    let config = sb.config_dir().join("config.toml").display().to_string();
    for (place, problem) in [
        ("5:1", "missing field `host`"),
        ("6:1", "unknown field `hots`"),
        ("7:8", "`port` is 99999, outside 1-65535"),
        (
            "8:12",
            "`security` is `startls`; it must be one of `starttls`, `tls`, `none`",
        ),
        (
            "11:14",
            "`rate_limit` must be a whole number, 0 or more, not the string \"fast\"",
        ),
        ("12:10", "`bcc_me` must be true or false, not the number 1"),
    ] {
        assert!(
            err.contains(&format!("  {config}:{place}: {problem}")),
            "{place} {problem}:\n{err}"
        );
    }
    assert!(err.starts_with("error: 6 problems in the setup"), "{err}");
}

/// A value of the wrong type is said in the user's words, with the key,
/// not serde's `invalid type: string "587", expected i64`.
#[test]
fn a_value_of_the_wrong_type_is_said_in_plain_words() {
    let sb = Sandbox::new();
    for (table, line, problem) in [
        (
            "[smtp]\nhost = \"smtp.example.com\"\nport = \"587\"\n",
            "7:8",
            "`port` must be a whole number from 1 to 65535, not the string \"587\"",
        ),
        (
            "[followup]\nmax = true\n",
            "6:7",
            "`max` must be a whole number, 0 or more, not true",
        ),
        (
            "[send]\nuser_agent = \"yes\"\n",
            "6:14",
            "`user_agent` must be true or false, not the string \"yes\"",
        ),
        (
            "[ask]\nrequire = \"wants\"\n",
            "6:11",
            "`require` must be an array in brackets, e.g. [\"a\", \"b\"], not the string \"wants\"",
        ),
        (
            "[sendmail]\ncommand = 7\n",
            "6:11",
            "`command` must be a command: an array of strings",
        ),
    ] {
        sb.write_config(&format!("{CONFIG}\n{table}"));
        let err = sb.fails(&["contacts", "check"], 1);
        assert!(
            err.contains(&format!(":{line}: {problem}")),
            "{table}\n{err}"
        );
        for word in [
            "invalid type",
            "i64",
            "u32",
            "u64",
            "a boolean",
            "a sequence",
            "untagged",
        ] {
            assert!(!err.contains(word), "{word}: {err}");
        }
    }
}

#[test]
fn a_broken_mail_table_fails_only_the_commands_that_use_it() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    for table in [
        "[smtp]\nhost = \"smtp.example.com\"\nport = 99999\n",
        "[smtp]\nhots = \"smtp.example.com\"\n",
        "[sendmail]\ncommand = 7\n",
        "[imap]\nhost = \"imap.example.com\"\nsecurity = \"maybe\"\n",
    ] {
        sb.write_config(&format!("{CONFIG}\n{table}"));
        // Read-only commands and decisions still work.
        let out = sb.ok(&["status"]);
        assert!(out.contains(&id), "{out}");
        sb.ok(&["status", &id]);
        sb.ok(&["contacts"]);
        sb.ok(&["stats"]);
        // What uses the table says what is wrong with it, with its line.
        let err = sb.fails(&["contacts", "check"], 1);
        assert!(
            err.contains("config.toml:6:") || err.contains("config.toml:7:"),
            "{table}\n{err}"
        );
        // Without `[send] transport`, the transport is smtp when [smtp]
        // exists, else the outbox: only a broken [smtp] stops an ask.
        let ask = ["ask", "kay", "sam", "--why", "w", "--dry-run"];
        if table.starts_with("[smtp]") {
            let err = sb.fails(&ask, 1);
            assert!(err.contains("config.toml:"), "{table}\n{err}");
        } else {
            sb.ok(&ask);
        }
        // Sync reads only [imap] or [maildir].
        let err = sb.fails(&["sync"], 1);
        assert_eq!(
            err.contains("nowhere to look for replies"),
            !table.starts_with("[imap]"),
            "{table}\n{err}"
        );
    }
    assert_eq!(sb.request(&id)["status"], "asked");
    // A problem outside those tables still stops everything.
    sb.write_config("[me]\nname = \"Grace\"\n\n[smtp]\nport = 99999\n");
    let err = sb.fails(&["status"], 1);
    assert!(err.contains("missing field `email`"), "{err}");
}

/// A command that sends reads only its transport's table, and [imap]
/// only when `save_sent` copies what it sends: a broken [smtp] used to
/// stop an ask through the outbox.
#[test]
fn a_send_fails_only_on_the_tables_its_transport_uses() {
    let sb = Sandbox::new();
    let broken_smtp = "[smtp]\nhost = \"smtp.example.com\"\nport = 99999\n";
    let broken_imap = "[imap]\nhost = \"imap.example.com\"\nsecurity = \"maybe\"\n";
    sb.write_config(&format!(
        "{CONFIG}\n[send]\ntransport = \"outbox\"\n\n{broken_smtp}\n[sendmail]\ncommand = 7\n\n{broken_imap}save_sent = \"Sent\"\n"
    ));
    let id = sb.ask("ada", "sam", "compilers");
    assert_eq!(sb.sent("ask").len(), 1, "the outbox took the ask");
    sb.ok(&["followup", &id, "--force", "--yes"]);
    // Through SMTP, [smtp] is read, and [imap] too when it saves a copy.
    let smtp_ok = "[smtp]\nhost = \"127.0.0.1\"\nport = 2525\nsecurity = \"none\"\n";
    sb.write_config(&format!("{CONFIG}\n{broken_smtp}"));
    let err = sb.fails(&["ask", "kay", "sam", "--why", "w", "--dry-run"], 1);
    assert!(
        err.contains("config.toml:7:8: `port` is 99999, outside 1-65535"),
        "{err}"
    );
    sb.write_config(&format!("{CONFIG}\n{smtp_ok}\n{broken_imap}"));
    sb.ok(&["ask", "kay", "sam", "--why", "w", "--dry-run"]);
    sb.write_config(&format!(
        "{CONFIG}\n{smtp_ok}\n{broken_imap}save_sent = \"Sent\"\n"
    ));
    let err = sb.fails(&["ask", "kay", "sam", "--why", "w", "--dry-run"], 1);
    assert!(
        err.contains("config.toml:12:12: `security` is `maybe`"),
        "{err}"
    );
}

#[test]
fn contacts_check_reports_config_contacts_and_templates_together() {
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "{CONFIG}\n[send]\nrate_limit = \"fast\"\n\n[smtp]\nhost = \"smtp.example.com\"\nport = 99999\n"
    ));
    sb.write_contacts("[a]\nname = \"A\"\n");
    let template = sb.config_dir().join("templates").join("ask.txt");
    sb.write(&template, "Subject: Hi\n\n{% if %}\n");
    let err = sb.fails(&["contacts", "check"], 1);
    assert!(err.contains("`port` is 99999, outside 1-65535"), "{err}");
    assert!(
        err.contains("rate_limit") || err.contains("\"fast\""),
        "{err}"
    );
    assert!(err.contains("contact `a`: missing field `email`"), "{err}");
    assert!(
        err.contains(&template.display().to_string()),
        "a broken template is reported with the rest:\n{err}"
    );
    assert!(err.starts_with("error: 4 problems in the setup"), "{err}");
}
