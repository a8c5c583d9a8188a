//! The layer rule of `lib.rs`, checked on the sources: a module imports
//! only from its own layer and the layers below it. A test, so a path that
//! reaches upward fails `cargo test` the day it is written, not the day
//! someone notices the layers have blurred.

use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first. Folders not listed (`cmd/`, and the files at
/// the top of `src/`) sit above them all and may import anything.
const LAYERS: [&str; 5] = ["domain", "setup", "store", "ui", "mail"];

/// Modules every layer may use: the file-system habits. (`error`, the
/// one voice of failures, sits above the layers: they hand it typed errors
/// and never import it.)
const SHARED: [&str; 1] = ["fsutil"];

/// Where a module at the top of the crate sits: a layer's index, or above
/// every layer.
fn rank(top: &str) -> usize {
    LAYERS
        .iter()
        .position(|layer| *layer == top)
        .unwrap_or(LAYERS.len())
}

/// The top-level modules named by `crate::` paths in `code`, with the
/// line each is on; `use crate::{a, b::c}` names `a` and `b`.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let group = rest
                .strip_prefix('{')
                .map(|g| g.split('}').next().unwrap_or(g));
            let names: Vec<&str> = match group {
                Some(group) => group.split(',').collect(),
                None => vec![rest],
            };
            for name in names {
                let name: String = name
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push((index + 1, name));
                }
            }
        }
    }
    found
}

/// The code of a file without its unit tests (they may reach anywhere for
/// fixtures).
fn without_tests(code: &str) -> &str {
    code.find("#[cfg(test)]\nmod tests")
        .map_or(code, |at| &code[..at])
}

/// Every `.rs` file under `dir`, into `into`.
pub(crate) fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("src/ is readable").path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// Every import that goes upward, as `file:line: what`.
fn upward_imports(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src/");
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default();
        let own = rank(top);
        if own == LAYERS.len() {
            continue;
        }
        let code = fs::read_to_string(&file).expect("a source file is readable");
        for (line, name) in crate_paths(without_tests(&code)) {
            if SHARED.contains(&name.as_str()) || rank(&name) <= own {
                continue;
            }
            wrong.push(format!(
                "src/{}:{line}: `{top}` imports `crate::{name}` from a layer above it",
                relative.display()
            ));
        }
    }
    wrong
}

#[test]
fn no_layer_imports_from_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let wrong = upward_imports(&src);
    assert!(
        wrong.is_empty(),
        "imports that go upward:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_reads_single_and_grouped_paths() {
    let code =
        "use crate::mail::message;\nuse crate::{setup::config, ui};\nlet x = crate::cmd::run();\n";
    assert_eq!(
        crate_paths(code),
        [
            (1, "mail".to_string()),
            (2, "setup".to_string()),
            (2, "ui".to_string()),
            (3, "cmd".to_string()),
        ]
    );
}

#[test]
fn an_upward_import_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("domain")).unwrap();
    fs::write(
        dir.path().join("domain/request.rs"),
        "use crate::setup::config::Config;\nuse crate::error::UserError;\n\n#[cfg(test)]\nmod tests {\n    use crate::cmd;\n}\n",
    )
    .unwrap();
    assert_eq!(
        upward_imports(dir.path()),
        [
            "src/domain/request.rs:1: `domain` imports `crate::setup` from a layer above it",
            "src/domain/request.rs:2: `domain` imports `crate::error` from a layer above it",
        ]
    );
}
