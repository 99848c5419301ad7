//! The `portico` binary: `serve`, `user add|disable|enable|delete`, `keys rotate` and
//! `admin-token`; the commands that change something or hand out a credential record it in
//! the audit log (actor `cli`).

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use portico::clock::{Clock, SystemClock};
use portico::signing::KeysAhead;
use portico::state::Stores;
use portico::users::{self, AdminPassword, Bootstrap, NewUser};
use portico::{store, AppState, Config, Error};

#[derive(Parser)]
#[command(
    name = "portico",
    version,
    about = "Portico OAuth2 authorization server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct DbArgs {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    #[arg(
        long,
        env = "PORTICO_DATABASE_URL",
        default_value = "sqlite://data/portico.db"
    )]
    database_url: String,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations, then serve the API, the protocol endpoints and the console.
    Serve(ServeArgs),
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the token signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Print a short-lived admin access token for scripts on this machine (stdout: the
    /// token only). Whoever can run this can read the database, so it is trusted as the
    /// console is; every token it prints is recorded in the audit log.
    AdminToken(AdminTokenArgs),
}

#[derive(Args)]
struct AdminTokenArgs {
    /// The administrator the token acts for.
    #[arg(long, default_value = "admin")]
    username: String,
    /// How long the token is valid: 1m to 1h, written like 15m or 1h.
    #[arg(long, default_value = "15m", value_parser = parse_ttl)]
    ttl: u64,
    #[command(flatten)]
    issuer: IssuerArgs,
    #[command(flatten)]
    db: DbArgs,
}

/// The issuer a token names (`iss`, `aud`): it must be the one the server was started with,
/// so this reads the same flags and variables `serve` does.
#[derive(Args)]
struct IssuerArgs {
    #[arg(long, env = "PORTICO_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Issuer identifier (RFC 8414); defaults to `http://<addr>`.
    #[arg(long, env = "PORTICO_ISSUER")]
    issuer: Option<String>,
}

impl IssuerArgs {
    fn resolve(self) -> Result<String, Error> {
        let issuer = self
            .issuer
            .unwrap_or_else(|| format!("http://{}", self.addr))
            .trim_end_matches('/')
            .to_owned();
        url::Url::parse(&issuer)
            .map_err(|e| Error::Config(format!("--issuer {issuer:?} is not a URL: {e}")))?;
        Ok(issuer)
    }
}

/// An admin token's lifetime. An hour at most: a script that runs longer asks again, and a
/// leaked token is worth little for long.
fn parse_ttl(s: &str) -> Result<u64, String> {
    let secs = portico_proto::duration::parse_duration(s)?;
    if (60..=3_600).contains(&secs) {
        Ok(secs)
    } else {
        Err("the lifetime must be between 1m and 1h".to_owned())
    }
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    listen: IssuerArgs,
    #[command(flatten)]
    db: DbArgs,
    /// Most apps that may exist at once.
    #[arg(long, env = "PORTICO_MAX_APPS", default_value_t = 10)]
    max_apps: u32,
    /// Folder with the console's built files.
    #[arg(long, env = "PORTICO_CONSOLE_DIR", default_value = "dist")]
    console_dir: PathBuf,
    /// Reverse proxies (CIDRs or addresses, comma-separated) whose `Forwarded` /
    /// `X-Forwarded-For` header names the client's address for abuse limits; from any
    /// other peer those headers are ignored.
    #[arg(long, env = "PORTICO_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_net)]
    trusted_proxies: Vec<ipnet::IpNet>,
    /// Address of the management listener (`/health/live`, `/health/ready`, `/metrics`).
    /// Keep it off the public network: it is for probes and scrapers, unauthenticated.
    #[arg(
        long,
        env = "PORTICO_MANAGEMENT_ADDR",
        default_value = "127.0.0.1:9090"
    )]
    management_addr: SocketAddr,
    /// Seconds to keep serving after SIGTERM with `/health/ready` answering 503, so the
    /// load balancer stops sending requests before the listener closes.
    #[arg(long, env = "PORTICO_SHUTDOWN_DELAY", default_value_t = 5)]
    shutdown_delay: u64,
    /// Seconds in-flight requests may take to finish once the listener has closed.
    #[arg(long, env = "PORTICO_SHUTDOWN_TIMEOUT", default_value_t = 20)]
    shutdown_timeout: u64,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a new signing key active. Old keys keep verifying (and stay in the JWKS) until
    /// the last token they signed has expired; running servers switch within a minute.
    Rotate {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input (or a prompt on a terminal).
    Add {
        username: String,
        /// Give the user the admin role.
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable a user: their sessions end and every grant and token they hold is revoked.
    Disable {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Enable a disabled user again.
    Enable {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Delete a user and revoke every grant and token they hold.
    Delete {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// A CIDR (`10.0.0.0/8`) or a single address (`10.0.0.1`).
fn parse_net(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{s:?} is not an IP address or CIDR block"))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PORTICO_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let result = match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    admin,
                    email,
                    name,
                    db,
                },
        } => add_user(&db.database_url, username, admin, email, name).await,
        Command::User {
            command: UserCommand::Disable { username, db },
        } => change_user(&db.database_url, &username, UserChange::Disable).await,
        Command::User {
            command: UserCommand::Enable { username, db },
        } => change_user(&db.database_url, &username, UserChange::Enable).await,
        Command::User {
            command: UserCommand::Delete { username, db },
        } => change_user(&db.database_url, &username, UserChange::Delete).await,
        Command::Keys {
            command: KeysCommand::Rotate { db },
        } => rotate_keys(&db.database_url).await,
        Command::AdminToken(args) => admin_token(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("portico: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), Error> {
    let addr = args.listen.addr;
    let issuer = args.listen.resolve()?;
    let database_url = args.db.database_url.as_str();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let ahead = keys_ahead(database_url, clock.now());
    let store = Arc::new(store::connect(database_url).await?);
    let config = Config {
        issuer: issuer.clone(),
        max_apps: args.max_apps,
        console_dir: Some(args.console_dir),
        trusted_proxies: args.trusted_proxies,
    };
    // Signing keys and the first administrator are created under the first-start lock, so
    // copies started together on an empty database agree on one of each.
    // The first administrator's argon2id hash runs beside the signing keys' generation,
    // each on a core of its own. Joined, not raced: each runs to its end even if the other
    // fails, so a bootstrap is never cut off between writing the password file and
    // creating the user (it removes the file itself when the user cannot be created).
    let lock = store.startup_lock().await?;
    let admin_stores = Stores::from_one(store.clone());
    let (state, admin) = tokio::join!(
        AppState::with_keys_ahead(config, store.clone(), clock.clone(), ahead),
        bootstrap(&admin_stores, clock.now(), database_url),
    );
    let state = state?;
    admin?;
    lock.release().await?;
    // Other copies' changes (PostgreSQL), applied to this copy's caches as they commit.
    tokio::spawn(
        portico::runtime::changes::Follower {
            store: store.clone(),
            clients: state.clients.clone(),
            origins: state.origins.clone(),
            tokens: state.tokens.clone(),
            signing_keys: state.stores.signing_keys.clone(),
            clock: state.clock.clone(),
            metrics: state.metrics.clone(),
            readiness: state.readiness.clone(),
        }
        .run(),
    );
    // Bounded storage: expired protocol state goes in the background.
    portico::purge::spawn(state.clone());
    spawn_key_reload(&state);
    // Both listeners are bound before either serves, so a taken port stops the start.
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let management = tokio::net::TcpListener::bind(args.management_addr).await?;
    tracing::info!(
        addr = %listener.local_addr()?,
        management = %management.local_addr()?,
        %issuer,
        "Portico is serving"
    );
    let management_app = portico::management::router(state.clone(), store.clone());
    let management_task = tokio::spawn(async move {
        if let Err(e) = axum::serve(management, management_app).await {
            tracing::error!(error = %e, "the management listener stopped");
        }
    });
    let drain = Drain {
        delay: Duration::from_secs(args.shutdown_delay),
        timeout: Duration::from_secs(args.shutdown_timeout),
    };
    drain
        .serve(
            listener,
            portico::app(state.clone()).into_make_service_with_connect_info::<SocketAddr>(),
            state.readiness.clone(),
        )
        .await?;
    management_task.abort();
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Signing keys started before the database is open. A new SQLite file has none yet, so
/// they generate now, beside opening and migrating it: the RSA key, a random search for two
/// primes, is most of a first start's time (measured 80–450 ms on a busy 2-core machine).
/// PostgreSQL's first start is not known before the database answers; its keys generate
/// once it does, under the first-start lock.
fn keys_ahead(database_url: &str, now: i64) -> KeysAhead {
    if store::sqlite_file(database_url).is_some_and(|file| !file.exists()) {
        KeysAhead::start(now)
    } else {
        KeysAhead::default()
    }
}

/// Creates the first administrator on a first start (see `admin_password_source`).
async fn bootstrap(stores: &Stores, now: i64, database_url: &str) -> Result<(), Error> {
    let source = admin_password_source(database_url);
    match users::bootstrap_admin(stores, now, source).await? {
        Bootstrap::NotNeeded => {}
        Bootstrap::FromEnvironment => {
            tracing::info!(
                "created user `admin` with the password from PORTICO_BOOTSTRAP_ADMIN_PASSWORD"
            )
        }
        // Only the path, straight to the terminal: log streams are often kept and shipped.
        Bootstrap::WrittenTo(path) => eprintln!(
            "\nCreated the first administrator `admin`. Its generated password is in\n  {}\n\
             (readable by this user only). Keep it somewhere safe, then delete the file.\n",
            path.display()
        ),
    }
    Ok(())
}

/// Picks up key rotations made by `portico keys rotate` or another copy.
fn spawn_key_reload(state: &AppState) {
    let tokens = state.tokens.clone();
    let signing_keys = state.stores.signing_keys.clone();
    let clock = state.clock.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            if let Err(e) = tokens.reload(signing_keys.as_ref(), clock.now()).await {
                tracing::warn!(error = %e, "could not reload signing keys");
            }
        }
    });
}

/// How a copy leaves a fleet without failing a request: on SIGTERM (or Ctrl-C) readiness
/// turns 503 at once while the copy keeps serving for `delay` — load balancers take a few
/// probe intervals to notice — then the listener closes and requests already in flight get
/// up to `timeout` to finish. Either way the process then exits 0: being asked to stop and
/// stopping is success.
struct Drain {
    delay: Duration,
    timeout: Duration,
}

impl Drain {
    async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        app: axum::extract::connect_info::IntoMakeServiceWithConnectInfo<axum::Router, SocketAddr>,
        readiness: Arc<portico::runtime::readiness::Readiness>,
    ) -> Result<(), Error> {
        let closed = Arc::new(tokio::sync::Notify::new());
        let closing = closed.clone();
        let delay = self.delay;
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            shutdown_signal().await;
            readiness.start_draining();
            tracing::info!(
                delay_s = delay.as_secs(),
                "draining: /health/ready answers 503; still serving"
            );
            tokio::time::sleep(delay).await;
            tracing::info!("draining: no new connections; waiting for requests in flight");
            closing.notify_one();
        });
        let deadline = async {
            closed.notified().await;
            tokio::time::sleep(self.timeout).await;
        };
        tokio::select! {
            result = server => result?,
            () = deadline => tracing::warn!(
                timeout_s = self.timeout.as_secs(),
                "requests still in flight after the shutdown timeout; stopping anyway"
            ),
        }
        Ok(())
    }
}

/// Where a first start takes the first administrator's password from: the environment,
/// else a generated one written to a file beside the SQLite database; PostgreSQL has no
/// local file, so there the variable is required.
fn admin_password_source(database_url: &str) -> AdminPassword {
    match std::env::var("PORTICO_BOOTSTRAP_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => AdminPassword::Given(p),
        _ => match store::sqlite_file(database_url) {
            Some(db) => AdminPassword::GenerateInto(users::password_file_for(&db)),
            None => AdminPassword::Required(
                "the database has no users yet: set PORTICO_BOOTSTRAP_ADMIN_PASSWORD to the \
                 password `admin` should get (with PostgreSQL there is no local file to write \
                 a generated one to, and Portico never writes passwords to a log stream)"
                    .to_owned(),
            ),
        },
    }
}

/// Resolves on SIGINT or SIGTERM so in-flight requests finish before exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

fn read_password() -> Result<String, Error> {
    if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Repeat password: ")?;
        if p != again {
            return Err(Error::Config("the passwords differ".to_owned()));
        }
        Ok(p)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

async fn add_user(
    database_url: &str,
    username: String,
    admin: bool,
    email: Option<String>,
    name: Option<String>,
) -> Result<(), Error> {
    let password = read_password()?;
    let store = Arc::new(store::connect(database_url).await?);
    let stores = Stores::from_one(store.clone());
    let now = SystemClock.now();
    let user = users::create_user(
        &stores,
        now,
        NewUser {
            username,
            password: password.into(),
            email,
            name,
            is_admin: admin,
        },
    )
    .await;
    let audited = match &user {
        Ok(u) => {
            cli_audit(
                &stores,
                now,
                portico_proto::AuditAction::UserAdd,
                user_detail(&u.username, u.is_admin),
            )
            .await
        }
        Err(_) => Ok(()),
    };
    store.close().await;
    let user = user?;
    println!(
        "added user {}{}",
        user.username,
        if user.is_admin { " (admin)" } else { "" }
    );
    audited
}

/// Records a command's change in the audit log, after the change (the `portico` commands
/// change one thing at a time; a failure here is reported, the change stays).
async fn cli_audit(
    stores: &Stores,
    now: i64,
    action: portico_proto::AuditAction,
    detail: String,
) -> Result<(), Error> {
    stores
        .audit
        .record_audit(&store::AuditRecord {
            at: now,
            actor: "cli".to_owned(),
            action,
            client_id: None,
            detail,
        })
        .await
        .map_err(|e| Error::Config(format!("the change was made, but not audited: {e}")))
}

fn user_detail(username: &str, is_admin: bool) -> String {
    format!(
        "{username} ({})",
        if is_admin { "admin" } else { "not admin" }
    )
}

enum UserChange {
    Disable,
    Enable,
    Delete,
}

async fn change_user(database_url: &str, username: &str, change: UserChange) -> Result<(), Error> {
    let store = Arc::new(store::connect(database_url).await?);
    let stores = Stores::from_one(store.clone());
    let now = SystemClock.now();
    // Read first: the audit names whether the user was an admin, and a deleted one is gone.
    let is_admin = match stores.users.user_by_username(username).await {
        Ok(u) => u.is_some_and(|u| u.is_admin),
        Err(e) => {
            store.close().await;
            return Err(e.into());
        }
    };
    let (result, done, action) = match change {
        UserChange::Disable => (
            stores.users.set_user_disabled(username, true, now).await,
            "disabled",
            portico_proto::AuditAction::UserDisable,
        ),
        UserChange::Enable => (
            stores.users.set_user_disabled(username, false, now).await,
            "enabled",
            portico_proto::AuditAction::UserEnable,
        ),
        UserChange::Delete => (
            stores.users.delete_user(username, now).await,
            "deleted",
            portico_proto::AuditAction::UserDelete,
        ),
    };
    let audited = match &result {
        Ok(()) => cli_audit(&stores, now, action, user_detail(username, is_admin)).await,
        Err(_) => Ok(()),
    };
    store.close().await;
    match result {
        Ok(()) => {
            println!("{done} user {username}");
            audited
        }
        Err(store::StoreError::NotFound) => {
            Err(Error::Config(format!("no user named {username:?}")))
        }
        Err(e) => Err(e.into()),
    }
}

async fn rotate_keys(database_url: &str) -> Result<(), Error> {
    let store = Arc::new(store::connect(database_url).await?);
    let stores = Stores::from_one(store.clone());
    let now = SystemClock.now();
    let kids = portico::signing::rotate(store.as_ref(), now).await;
    let audited = match &kids {
        Ok(kids) => {
            let detail = format!("new signing keys {}", kids.join(", "));
            cli_audit(&stores, now, portico_proto::AuditAction::KeysRotate, detail).await
        }
        Err(_) => Ok(()),
    };
    store.close().await;
    println!(
        "new signing keys {} are active; running servers switch within a minute",
        kids?.join(", ")
    );
    audited
}

/// `portico admin-token`: an access token as the console would hold after the administrator
/// signed in (client `portico-console`, scope `openid admin`), signed with the server's
/// current key, for automation without a browser. The admin API checks it as any console
/// token: the user must still be an enabled administrator at each request, and the token
/// can be revoked at `/oauth2/revoke` like any other.
async fn admin_token(args: AdminTokenArgs) -> Result<(), Error> {
    let issuer = args.issuer.resolve()?;
    let store = Arc::new(store::connect(&args.db.database_url).await?);
    let result = issue_admin_token(&store, &issuer, &args.username, args.ttl).await;
    store.close().await;
    let (token, jti) = result?;
    // Only the token on stdout, so `TOKEN=$(portico admin-token)` works; the rest for people.
    println!("{token}");
    eprintln!(
        "admin token for {} (jti {jti}), valid for {}; recorded in the audit log",
        args.username,
        portico_proto::duration::format_duration(args.ttl)
    );
    Ok(())
}

async fn issue_admin_token(
    store: &Arc<store::SqlStore>,
    issuer: &str,
    username: &str,
    ttl: u64,
) -> Result<(String, String), Error> {
    let stores = Stores::from_one(store.clone());
    let now = SystemClock.now();
    let user = match stores.users.user_by_username(username).await? {
        Some(u) if u.disabled => {
            return Err(Error::Config(format!("user {username:?} is disabled")))
        }
        Some(u) if u.is_admin => u,
        Some(_) => {
            return Err(Error::Config(format!(
                "user {username:?} is not an administrator"
            )))
        }
        None => return Err(Error::Config(format!("no user named {username:?}"))),
    };
    // The keys the server signs with; on a database no server has started yet, they are
    // created here under the first-start lock, as a starting server would.
    let lock = store.startup_lock().await?;
    let tokens = portico::signing::TokenService::load(store.as_ref(), issuer, now).await;
    lock.release().await?;
    let grant = portico::signing::AccessGrant {
        subject: &user.id,
        client_id: portico::state::CONSOLE_CLIENT_ID,
        scope: "openid admin",
        lifetime: i64::try_from(ttl).unwrap_or(3_600),
        grant_id: None,
    };
    let (token, claims) = tokens?.issue_access_token(&grant, now)?;
    // Audited before the token is shown: a token nobody can account for is never printed.
    stores
        .audit
        .record_audit(&store::AuditRecord {
            at: now,
            actor: "cli".to_owned(),
            action: portico_proto::AuditAction::AdminTokenIssue,
            client_id: Some(portico::state::CONSOLE_CLIENT_ID.to_owned()),
            detail: format!(
                "admin token for {username}, valid for {} (jti {})",
                portico_proto::duration::format_duration(ttl),
                claims.jti
            ),
        })
        .await
        .map_err(|e| {
            Error::Config(format!(
                "the token could not be audited, so it is not shown: {e}"
            ))
        })?;
    Ok((token, claims.jti))
}

#[cfg(test)]
mod tests {
    use super::parse_net;

    #[test]
    fn trusted_proxies_take_cidrs_and_single_addresses() {
        assert_eq!(parse_net("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(
            parse_net(" 192.0.2.10 ").unwrap().to_string(),
            "192.0.2.10/32"
        );
        assert_eq!(parse_net("::1").unwrap().to_string(), "::1/128");
        assert!(parse_net("proxy.internal").is_err());
        assert!(parse_net("10.0.0.0/33").is_err());
    }
}
