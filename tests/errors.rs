//! Failures the modules below the commands hand up as typed errors, each
//! read whole as the user sees it: the `error:` line, then its hints. The
//! words are intro's contract; nothing is sent or recorded on the way.

#![allow(clippy::unwrap_used)]

use crate::support::sandbox::{Sandbox, whole};

/// `intro ask ada sam --edit` with `EDITOR` set to `editor`: what it says
/// on stderr, after checking that it failed, sent and recorded nothing.
fn ask_edited_with(editor: &str) -> String {
    let mut sb = Sandbox::new();
    sb.set_env("EDITOR", editor);
    let err = sb.fails(
        &["ask", "ada", "sam", "--why", "compilers", "--edit", "--yes"],
        1,
    );
    assert!(sb.outbox().is_empty());
    assert_eq!(sb.json(&["status", "--all"]), serde_json::json!([]));
    err
}

#[test]
fn an_edit_that_breaks_the_message_says_what_broke() {
    insta::assert_snapshot!(whole(&ask_edited_with("truncate -s 0")), @"error: the message was emptied in the editor; nothing was sent");
    insta::assert_snapshot!(
        whole(&ask_edited_with("printf 'Hi Ada\\n\\nA body.\\n' >")),
        @"error: the edited message must start with `Subject: ...`, not `Hi Ada`; nothing was sent"
    );
    insta::assert_snapshot!(
        whole(&ask_edited_with("printf 'Subject:  \\n\\nA body.\\n' >")),
        @"error: the edited Subject is empty; nothing was sent"
    );
    insta::assert_snapshot!(
        whole(&ask_edited_with("printf 'Subject: Hello\\n\\n   \\n' >")),
        @"error: the edited message has no body; nothing was sent"
    );
    insta::assert_snapshot!(
        whole(&ask_edited_with("false")),
        @"error: the editor `false` exited with exit status: 1; nothing was sent"
    );
}

/// `intro ask --batch -` reading `csv`: what it says on stderr, after
/// checking that it failed and sent nothing.
fn batch_header_error(csv: &str) -> String {
    let sb = Sandbox::new();
    let run = sb.run_with_stdin(&["ask", "--batch", "-", "--yes"], Some(csv));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(sb.outbox().is_empty());
    run.stderr
}

#[test]
fn a_batch_header_that_cannot_be_used_names_the_columns_a_batch_takes() {
    insta::assert_snapshot!(whole(&batch_header_error("a,\"b,why\nada,sam,ok\n")), @r"
    error: standard input: the header row (line 1) opens a quote that is never closed
    hint: the first line names the columns: a,b,why and optionally why_b,wants,format,note
    ");
    insta::assert_snapshot!(whole(&batch_header_error("a,b\nada,sam\n")), @r"
    error: standard input: the header row (line 1) has no column `why`
    hint: the first line names the columns: a,b,why and optionally why_b,wants,format,note
    ");
    insta::assert_snapshot!(whole(&batch_header_error("a,b,why,colour\nada,sam,ok,red\n")), @r"
    error: standard input: unknown column `colour` in the header row (line 1)
    hint: columns are a,b,why and optionally why_b,wants,format,note
    ");
    insta::assert_snapshot!(whole(&batch_header_error("a,b,why,A\nada,sam,ok,kay\n")), @r"
    error: standard input: the header row (line 1) names the column `a` twice
    hint: name each of a,b,why,why_b,wants,format,note at most once
    ");
}
