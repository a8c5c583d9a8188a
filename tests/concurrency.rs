//! Several intro processes at once lose nothing, and racing asks of the
//! same pair end with exactly one request and one message.

#![allow(clippy::unwrap_used)]

mod support;

use std::process::Stdio;

use support::sandbox::{CONFIG, Sandbox};

fn many_contacts(n: usize) -> String {
    let mut s = String::from("[hub]\nname = \"Hub Person\"\nemail = \"hub@example.com\"\n");
    for i in 0..n {
        s.push_str(&format!(
            "[c{i}]\nname = \"Contact {i}\"\nemail = \"c{i}@example.com\"\n"
        ));
    }
    s
}

#[test]
fn parallel_processes_on_distinct_pairs_lose_nothing() {
    let sb = Sandbox::new();
    sb.write_config(CONFIG);
    let (procs, per) = (8, 10);
    sb.write_contacts(&many_contacts(procs * per));
    // Each process asks its own pairs one after another, all at once.
    let children: Vec<_> = (0..procs)
        .map(|p| {
            let script: Vec<String> = (0..per)
                .map(|i| {
                    format!(
                        "\"$INTRO\" ask c{} hub --why 'reason {p}-{i}' --yes -q || exit 1",
                        p * per + i
                    )
                })
                .collect();
            let mut cmd = sb.command(&[]);
            let program = cmd.get_program().to_owned();
            cmd.env("INTRO", program);
            let mut sh = std::process::Command::new("sh");
            sh.arg("-c").arg(script.join("\n"));
            for (k, v) in cmd.get_envs() {
                if let Some(v) = v {
                    sh.env(k, v);
                } else {
                    sh.env_remove(k);
                }
            }
            sh.stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let all = sb.json(&["status", "--all"]);
    assert_eq!(all.as_array().unwrap().len(), procs * per);
    assert_eq!(sb.outbox().len(), procs * per);
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "asked")
    );
}

#[test]
fn racing_asks_of_one_pair_end_with_exactly_one() {
    let sb = Sandbox::new();
    let children: Vec<_> = (0..8)
        .map(|_| {
            sb.command(&["ask", "ada", "sam", "--why", "compilers", "--yes"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut winners = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        if out.status.success() {
            winners += 1;
        } else {
            assert_eq!(out.status.code(), Some(1), "{stderr}");
            assert!(
                stderr.contains("already has an open request")
                    || stderr.contains("by another run")
                    || stderr.contains("another intro run is sending this ask"),
                "{stderr}"
            );
        }
    }
    assert_eq!(winners, 1);
    assert_eq!(sb.json(&["status", "--all"]).as_array().unwrap().len(), 1);
    assert_eq!(sb.outbox().len(), 1);
}
