//! Test harness: a real Portico server on 127.0.0.1:0 over SQLite or PostgreSQL, driven
//! over HTTP. Tokens are minted through the library's token service, as a sign-in would.

use std::path::PathBuf;
use std::sync::Arc;

use portico::clock::{Clock, ManualClock};
use portico::signing::AccessGrant;
use portico::store::{self, SqlStore, UserRecord};
use portico::users::{self, NewUser};
use portico::{AppState, Config};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where a test's database lives; kept so the server can be restarted on it.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("portico.db").display());
                TestDb {
                    url,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let base = std::env::var("PORTICO_TEST_POSTGRES_URL").unwrap_or_else(|_| {
                    panic!(
                        "PORTICO_TEST_POSTGRES_URL is not set: run scripts/test.sh, which starts \
                         PostgreSQL on loopback, or point it at a server you run"
                    )
                });
                let name = format!("portico_test_{}", portico::crypto::random::id().unwrap());
                let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
                sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                    .await
                    .unwrap();
                conn.close().await.unwrap();
                let (prefix, _) = base.rsplit_once('/').unwrap();
                TestDb {
                    url: format!("{prefix}/{name}"),
                    _dir: None,
                }
            }
        }
    }
}

pub struct TestServer {
    pub base: String,
    pub http: reqwest::Client,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub admin: UserRecord,
    pub admin_token: String,
    pub db: TestDb,
    store: Arc<SqlStore>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

pub struct Options {
    pub max_apps: u32,
    pub console_dir: Option<PathBuf>,
    /// `--trusted-proxies`: tests that simulate clients at several addresses list 127.0.0.1
    /// here and send `X-Forwarded-For`.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `--issuer`, when it is not the test server's own `http://` address (as behind a TLS
    /// proxy).
    pub issuer: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_apps: 10,
            console_dir: None,
            trusted_proxies: Vec::new(),
            issuer: None,
        }
    }
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, Options::default()).await
    }

    pub async fn start_with(backend: Backend, opts: Options) -> Self {
        let db = TestDb::new(backend).await;
        let clock = Arc::new(ManualClock::new(1_800_000_000));
        let mut s = Self::boot(db, clock, opts, "127.0.0.1:0").await;
        s.admin = users::create_user(
            &s.state.stores,
            s.clock.now(),
            NewUser {
                username: "root".into(),
                password: "correct horse battery".into(),
                email: Some("root@example.com".into()),
                name: Some("Root".into()),
                is_admin: true,
            },
        )
        .await
        .unwrap();
        s.admin_token = s.token_for(&s.admin.clone(), "openid admin");
        s
    }

    async fn boot(db: TestDb, clock: Arc<ManualClock>, opts: Options, addr: &str) -> Self {
        // Server logs show up in a failing test's output.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("warn,portico=info"))
            .with_test_writer()
            .try_init();
        let store = Arc::new(store::connect(&db.url).await.unwrap());
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let config = Config {
            issuer: opts.issuer.clone().unwrap_or_else(|| base.clone()),
            max_apps: opts.max_apps,
            console_dir: opts.console_dir,
            trusted_proxies: opts.trusted_proxies,
        };
        let state = AppState::new(config, store.clone(), clock.clone() as Arc<dyn Clock>)
            .await
            .unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = portico::app(state.clone());
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestServer {
            base,
            http: reqwest::Client::new(),
            state,
            clock,
            admin: placeholder_user(),
            admin_token: String::new(),
            db,
            store,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// A second copy of the server on the same database and issuer, with its own caches and
    /// its own clock (starting at this one's time), as another machine of a fleet would be.
    pub async fn another_copy(&self) -> TestServer {
        let db = TestDb {
            url: self.db.url.clone(),
            _dir: None,
        };
        let clock = Arc::new(ManualClock::new(self.clock.now()));
        let opts = Options {
            issuer: Some(self.base.clone()),
            ..Options::default()
        };
        let mut s = Self::boot(db, clock, opts, "127.0.0.1:0").await;
        s.admin = self.admin.clone();
        s.admin_token = s.token_for(&s.admin.clone(), "openid admin");
        s
    }

    /// Stops the server and starts a fresh one (new state, same address and issuer) on the
    /// same database, as a process restart would.
    pub async fn restart(mut self) -> Self {
        self.stop().await;
        let addr = self.base.trim_start_matches("http://").to_owned();
        let admin = self.admin.clone();
        let db = std::mem::replace(
            &mut self.db,
            TestDb {
                url: String::new(),
                _dir: None,
            },
        );
        let mut s = Self::boot(db, self.clock.clone(), Options::default(), &addr).await;
        s.admin = admin;
        s.admin_token = s.token_for(&s.admin.clone(), "openid admin");
        s
    }

    async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap();
        }
        self.store.close().await;
    }

    /// An access token for `user` with `scope`, minted by the server's token service.
    pub fn token_for(&self, user: &UserRecord, scope: &str) -> String {
        let grant = AccessGrant {
            subject: &user.id,
            client_id: "portico-console",
            scope,
            lifetime: 3600,
            grant_id: None,
        };
        self.state
            .tokens
            .issue_access_token(&grant, self.clock.now())
            .unwrap()
            .0
    }

    pub async fn add_user(&self, username: &str, admin: bool) -> UserRecord {
        users::create_user(
            &self.state.stores,
            self.clock.now(),
            NewUser {
                username: username.into(),
                password: "another good password".into(),
                email: None,
                name: None,
                is_admin: admin,
            },
        )
        .await
        .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request carrying a fresh admin token (valid whatever the test clock says).
    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        let token = self.token_for(&self.admin, "openid admin");
        self.http.request(method, self.url(path)).bearer_auth(token)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = self.req(method, path);
        if let Some(b) = body {
            r = r.json(&b);
        }
        read(r.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// Creates an app and returns the 201 body.
    pub async fn create_app(&self, app_type: &str, name: &str) -> Value {
        let (status, body) = self
            .post("/api/v1/apps", json!({"type": app_type, "name": name}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }
}

/// Status and JSON body (Null when the body is empty or not JSON).
pub async fn read(res: Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The `errors[].field` names of a 422 problem.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn placeholder_user() -> UserRecord {
    UserRecord {
        id: String::new(),
        username: String::new(),
        password_hash: Default::default(),
        email: None,
        name: None,
        is_admin: false,
        disabled: false,
        created_at: 0,
    }
}

/// Runs each named `async fn(Backend)` as two tests, on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            )*
        }
    };
}
