//! The `portico` binary itself: `user add`, first-start bootstrap, graceful shutdown.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use portico::crypto::password;
use portico::state::Stores;

use crate::common::{Backend, TestDb};
use crate::on_both_databases;

on_both_databases!(
    user_add_reads_the_password_from_stdin,
    first_start_bootstraps_admin_and_sigterm_stops_cleanly
);

pub const BIN: &str = env!("CARGO_BIN_EXE_portico");

pub fn user_add(db: &str, args: &[&str], password: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(["user", "add"])
        .args(args)
        .args(["--database-url", db])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub async fn open(db: &str) -> (Arc<portico::store::SqlStore>, Stores) {
    let store = Arc::new(portico::store::connect(db).await.unwrap());
    (store.clone(), Stores::from_one(store))
}

async fn user_add_reads_the_password_from_stdin(b: Backend) {
    let db = TestDb::new(b).await;
    let out = user_add(
        &db.url,
        &[
            "alice",
            "--email",
            "alice@example.com",
            "--name",
            "Alice A.",
        ],
        "a long enough password",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("added user alice"));
    let out = user_add(&db.url, &["bob", "--admin"], "another long password");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("(admin)"));

    let out = user_add(&db.url, &["alice"], "a long enough password");
    assert!(!out.status.success(), "duplicate usernames are refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = user_add(&db.url, &["carol"], "short");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8"));
    let out = user_add(&db.url, &["bad name"], "a long enough password");
    assert!(!out.status.success());

    let (store, stores) = open(&db.url).await;
    let alice = stores
        .users
        .user_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alice.email.as_deref(), Some("alice@example.com"));
    assert_eq!(alice.name.as_deref(), Some("Alice A."));
    assert!(!alice.is_admin);
    // argon2id with OWASP's parameters, and the password is not stored in the clear.
    assert!(
        alice
            .password_hash
            .expose()
            .starts_with("$argon2id$v=19$m=9216,t=4,p=1$"),
        "{}",
        alice.password_hash.expose()
    );
    assert!(
        password::verify(
            "a long enough password".into(),
            alice.password_hash.expose().to_owned()
        )
        .await
    );
    assert!(!password::verify("wrong".into(), alice.password_hash.into_exposed()).await);
    assert!(
        stores
            .users
            .user_by_username("bob")
            .await
            .unwrap()
            .unwrap()
            .is_admin
    );
    assert!(stores
        .users
        .user_by_username("carol")
        .await
        .unwrap()
        .is_none());
    store.close().await;
}

pub struct Running {
    pub child: std::process::Child,
    stdout: Arc<std::sync::Mutex<String>>,
    stderr: Arc<std::sync::Mutex<String>>,
    pub base: String,
    /// The management listener (`/health/*`, `/metrics`).
    pub management: String,
}

/// A server a failed test leaves behind is killed, not left running after the tests.
impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Collects what `from` writes, line by line, on a thread of its own.
fn collect(from: impl std::io::Read + Send + 'static) -> Arc<std::sync::Mutex<String>> {
    let text = Arc::new(std::sync::Mutex::new(String::new()));
    let sink = text.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            let mut s = sink.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
    text
}

/// A port for a server this test starts. Not one the kernel hands out for `:0`: the
/// ephemeral range (32768–60999 on Linux) is also where every outgoing connection gets its
/// source port, so a port found free there can be taken by another test's client before the
/// server binds it (seen: `Address already in use`, or worse, a test talking to another
/// test's server). Below that range, one counter per test process hands out distinct
/// ports, starting at a random point so that concurrent test processes rarely meet; a port
/// something already holds is skipped.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 20_000;
    const COUNT: u32 = 12_000;
    static NEXT: std::sync::OnceLock<AtomicU32> = std::sync::OnceLock::new();
    let next = NEXT.get_or_init(|| {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
            ^ std::process::id().wrapping_mul(2_654_435_761);
        AtomicU32::new(seed % COUNT)
    });
    loop {
        let port = FIRST + next.fetch_add(1, Ordering::Relaxed) % COUNT;
        let port = u16::try_from(port).unwrap();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

pub async fn start_binary(db: &str, bootstrap_password: Option<&str>) -> Running {
    start_binary_with(db, bootstrap_password, &["--shutdown-delay", "0"]).await
}

/// Starts `portico serve` on free ports (public and management) with `extra` flags.
pub async fn start_binary_with(
    db: &str,
    bootstrap_password: Option<&str>,
    extra: &[&str],
) -> Running {
    start_binary_on(db, bootstrap_password, (free_port(), free_port()), extra).await
}

/// Starts `portico serve` on the given public and management ports (a restart that must
/// keep its issuer, `http://127.0.0.1:<port>`, uses the same ones again).
pub async fn start_binary_on(
    db: &str,
    bootstrap_password: Option<&str>,
    ports: (u16, u16),
    extra: &[&str],
) -> Running {
    let mut r = spawn_binary(db, bootstrap_password, ports, extra);
    r.wait_ready().await;
    r
}

/// Starts `portico serve` without waiting for it to answer (see `Running::wait_ready`).
pub fn spawn_binary(
    db: &str,
    bootstrap_password: Option<&str>,
    (port, management_port): (u16, u16),
    extra: &[&str],
) -> Running {
    let mut cmd = Command::new(BIN);
    cmd.args([
        "serve",
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--management-addr",
        &format!("127.0.0.1:{management_port}"),
        "--database-url",
        db,
        "--console-dir",
        "/nonexistent",
    ])
    .args(extra)
    .env_remove("PORTICO_BOOTSTRAP_ADMIN_PASSWORD")
    .env("PORTICO_LOG", "info")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    if let Some(p) = bootstrap_password {
        cmd.env("PORTICO_BOOTSTRAP_ADMIN_PASSWORD", p);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = collect(child.stdout.take().unwrap());
    let stderr = collect(child.stderr.take().unwrap());
    Running {
        child,
        stdout,
        stderr,
        base: format!("http://127.0.0.1:{port}"),
        management: format!("http://127.0.0.1:{management_port}"),
    }
}

impl Running {
    /// Waits until the server answers, or panics with its output if it exited.
    pub async fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = reqwest::get(format!("{}/api/v1/openapi.json", self.base)).await {
                if r.status().is_success() {
                    return;
                }
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "server exited with {status}: {}{}",
                    self.stdout.lock().unwrap(),
                    self.stderr.lock().unwrap()
                );
            }
            assert!(Instant::now() < deadline, "server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Stops the server with SIGTERM, checks it exits 0, and returns its stdout and stderr.
pub fn sigterm_and_wait(mut r: Running) -> (String, String) {
    let status = Command::new("kill")
        .args(["-TERM", &r.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = r.child.try_wait().unwrap() {
            if !status.success() {
                let (out, err) = output(r);
                let tail = |s: &str| s.lines().rev().take(20).collect::<Vec<_>>().join("\n");
                panic!(
                    "graceful shutdown exits 0, got {status}\nstdout (last lines, newest \
                     first):\n{}\nstderr:\n{}",
                    tail(&out),
                    tail(&err)
                );
            }
            break;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    output(r)
}

/// What a server that has exited wrote to stdout (its log) and stderr.
pub fn output(r: Running) -> (String, String) {
    // The reader threads may still be taking the last lines off the pipes.
    std::thread::sleep(Duration::from_millis(100));
    let out = r.stdout.lock().unwrap().clone();
    let err = r.stderr.lock().unwrap().clone();
    (out, err)
}

async fn first_start_bootstraps_admin_and_sigterm_stops_cleanly(b: Backend) {
    // No users: the admin gets the password from PORTICO_BOOTSTRAP_ADMIN_PASSWORD, unprinted.
    // (A generated password: see security_storage.)
    let db = TestDb::new(b).await;
    let running = start_binary(&db.url, Some("from the environment")).await;
    let res = reqwest::get(format!("{}/api/v1/apps", running.base))
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::UNAUTHORIZED);
    // A new SQLite file gets its signing keys generated while it is being created: one
    // per algorithm, published before the port answers.
    let kids = jwks_kids(&running.base).await;
    let algs: Vec<&str> = kids.iter().map(|(alg, _)| alg.as_str()).collect();
    assert_eq!(algs, ["ES256", "RS256"], "{kids:?}");
    let (out, err) = sigterm_and_wait(running);
    assert!(out.contains("created user `admin`"), "{out}");
    assert!(!out.contains("from the environment") && !err.contains("from the environment"));
    let (store, stores) = open(&db.url).await;
    let admin = stores
        .users
        .user_by_username("admin")
        .await
        .unwrap()
        .unwrap();
    assert!(admin.is_admin);
    assert!(
        password::verify(
            "from the environment".into(),
            admin.password_hash.into_exposed()
        )
        .await
    );
    store.close().await;

    // The second start finds a user, needs no password and creates nothing: the same keys.
    let running = start_binary(&db.url, None).await;
    assert_eq!(jwks_kids(&running.base).await, kids);
    let (out, err) = sigterm_and_wait(running);
    assert!(
        !out.contains("created user") && !err.contains("first administrator"),
        "{out}{err}"
    );
}

/// The (alg, kid) pairs of the JWKS `base` publishes, sorted.
async fn jwks_kids(base: &str) -> Vec<(String, String)> {
    let jwks: serde_json::Value = reqwest::get(format!("{base}/oauth2/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut kids: Vec<(String, String)> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["alg"].as_str().unwrap().to_owned(),
                k["kid"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    kids.sort();
    kids
}
