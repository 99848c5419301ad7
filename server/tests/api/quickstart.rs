//! The README's quick start, run as written: the shell blocks between its
//! `quickstart:begin` and `quickstart:end` markers, in order, in one `bash`, against a real
//! `portico serve` — so the README cannot drift from what the server does.

use std::process::Command;

use crate::binary::{start_binary, BIN};

/// The `sh` blocks of the README's quick start, joined in order.
fn quickstart_script() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let start = readme
        .find("<!-- quickstart:begin -->")
        .expect("README.md has a quickstart:begin marker");
    let end = readme
        .find("<!-- quickstart:end -->")
        .expect("README.md has a quickstart:end marker");
    let mut script = String::new();
    let mut in_block = false;
    for line in readme[start..end].lines() {
        match (in_block, line.trim_end()) {
            (false, "```sh") => in_block = true,
            (true, "```") => in_block = false,
            (true, _) => {
                script.push_str(line);
                script.push('\n');
            }
            _ => {}
        }
    }
    assert!(!in_block, "an unclosed code block in the quick start");
    script
}

#[tokio::test]
async fn readme_quick_start_runs_as_written() {
    let script = quickstart_script();
    assert!(
        script.contains("admin-token") && script.contains("/oauth2/token"),
        "{script}"
    );
    // The commands run from the repository root against `target/release/portico` and the
    // default database `data/portico.db`: here a directory laid out the same way, with the
    // binary under test in place of the release build.
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("target/release")).unwrap();
    std::fs::create_dir_all(root.path().join("data")).unwrap();
    std::os::unix::fs::symlink(BIN, root.path().join("target/release/portico")).unwrap();
    let db = format!("sqlite://{}", root.path().join("data/portico.db").display());
    let server = start_binary(&db, Some("a bootstrap password")).await;
    let addr = server.base.trim_start_matches("http://").to_owned();

    let out = tokio::task::spawn_blocking({
        let cwd = root.path().to_owned();
        move || {
            Command::new("bash")
                .args(["-euo", "pipefail", "-c", &script])
                .current_dir(cwd)
                .env("PORTICO_ADDR", addr)
                .env_remove("PORTICO_ISSUER")
                .env_remove("PORTICO_DATABASE_URL")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the quick start failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    // What the README says each step answers: the JSON documents it prints, in order.
    let printed: Vec<serde_json::Value> =
        serde_json::Deserializer::from_str(&stdout.replace("added user alice\n", ""))
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let tokens: Vec<&serde_json::Value> = printed
        .iter()
        .filter(|v| v.get("access_token").is_some())
        .collect();
    assert_eq!(
        tokens.len(),
        3,
        "client_credentials twice, JWT bearer once: {stdout}"
    );
    assert!(
        tokens[2].get("id_token").is_some(),
        "the JWT-bearer grant with openid gives an ID token: {stdout}"
    );
    assert!(
        printed.iter().any(|v| v["preferred_username"] == "alice"),
        "userinfo names alice: {stdout}"
    );
    assert_eq!(
        printed[printed.len() - 2..],
        [serde_json::json!(true), serde_json::json!(false)],
        "introspection before and after revocation: {stdout}"
    );
    assert!(stdout.contains("/consent?interaction="), "{stdout}");
}
