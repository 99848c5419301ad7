//! What one copy counts, for Prometheus to scrape from the management listener (`/metrics`).
//!
//! One registry per server (not a process-wide one), so every `AppState` — and every copy a
//! test starts in one process — counts for itself. Names follow Prometheus conventions:
//! `portico_` prefix, base units (seconds), `_total` added to counters by the encoder.
//! Label values are bounded: routes are the router's templates (`/api/v1/apps/{client_id}`),
//! never raw paths, so a flood of unknown URLs cannot grow the series without end.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct GrantLabels {
    pub grant_type: &'static str,
}

/// Which abuse limit refused a request (`client_auth`, `signin`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    pub limit: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    pub cache: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLookupLabels {
    pub cache: &'static str,
    /// `hit` or `miss`.
    pub result: &'static str,
}

/// Where an invalidation came from: `local` (a write through this copy), `notification`
/// (another copy's write, announced through the database), `reconnect` (everything dropped
/// after the listening connection was lost).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct InvalidationLabels {
    pub source: &'static str,
}

/// `in_use`, `idle` or `max`, per pool (`reader`, `writer`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    pub pool: &'static str,
    pub state: &'static str,
}

/// One connection pool (`reader`, `writer`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolNameLabels {
    pub pool: &'static str,
}

const KNOWN_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.25 ms … ~4 s: the token endpoint answers in a millisecond, argon2id in ~50 ms, a
    // change notification arrives in a few ms.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub request_duration: HistogramFamily<RouteLabels>,
    pub tokens_issued: Family<GrantLabels, Counter>,
    pub refresh_reuse_detected: Counter,
    pub signin_failures: Counter,
    pub signin_lockouts: Counter,
    pub rate_limited: Family<LimitLabels, Counter>,
    pub db_pool: Family<PoolLabels, Gauge>,
    pub db_pool_waiting: Family<PoolNameLabels, Gauge>,
    pub db_writer_jobs: Gauge,
    pub cache_lookups: Family<CacheLookupLabels, Counter>,
    pub cache_invalidations: Family<InvalidationLabels, Counter>,
    pub notification_lag: Histogram,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("portico");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let request_duration = HistogramFamily::<RouteLabels>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from the request's arrival to its answer's headers, by route template",
            request_duration.clone(),
        );
        let tokens_issued = Family::<GrantLabels, Counter>::default();
        registry.register(
            "tokens_issued",
            "Access tokens issued at the token endpoint, by grant type",
            tokens_issued.clone(),
        );
        let refresh_reuse_detected = Counter::default();
        registry.register(
            "refresh_reuse_detected",
            "Rotated refresh tokens presented again; each revoked its family (RFC 9700 4.14.2)",
            refresh_reuse_detected.clone(),
        );
        let signin_failures = Counter::default();
        registry.register(
            "signin_failures",
            "Sign-ins refused for a wrong username or password, or a disabled user",
            signin_failures.clone(),
        );
        let signin_lockouts = Counter::default();
        registry.register(
            "signin_lockouts",
            "Times a user's sign-in budget ran out (the user is locked out for a while)",
            signin_lockouts.clone(),
        );
        let rate_limited = Family::<LimitLabels, Counter>::default();
        registry.register(
            "rate_limited",
            "Requests refused with 429 by an abuse limit, by limit",
            rate_limited.clone(),
        );
        let db_pool = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database connections by pool and state (in_use, idle, max), read at scrape time",
            db_pool.clone(),
        );
        let db_pool_waiting = Family::<PoolNameLabels, Gauge>::default();
        registry.register(
            "db_pool_waiting",
            "Tasks waiting for a database connection, by pool, read at scrape time",
            db_pool_waiting.clone(),
        );
        let db_writer_jobs = Gauge::default();
        registry.register(
            "db_writer_jobs",
            "SQLite only: token-endpoint writes sent to the writer thread and not yet committed, read at scrape time",
            db_writer_jobs.clone(),
        );
        let cache_lookups = Family::<CacheLookupLabels, Counter>::default();
        registry.register(
            "cache_lookups",
            "Lookups in this copy's caches, by cache and result (hit, miss)",
            cache_lookups.clone(),
        );
        let cache_invalidations = Family::<InvalidationLabels, Counter>::default();
        registry.register(
            "cache_invalidations",
            "Cache entries dropped because something changed, by where the news came from",
            cache_invalidations.clone(),
        );
        let notification_lag = latency_histogram();
        registry.register(
            "notification_lag_seconds",
            "From another copy's commit to this copy dropping the affected cache entries",
            notification_lag.clone(),
        );
        // Known label values start at 0, so rates and ratios exist before the first event.
        for limit in ["signin", "client_auth"] {
            let _ = rate_limited.get_or_create(&LimitLabels { limit });
        }
        for cache in ["clients", "verified_tokens"] {
            for result in ["hit", "miss"] {
                let _ = cache_lookups.get_or_create(&CacheLookupLabels { cache, result });
            }
        }
        for source in ["local", "notification", "reconnect"] {
            let _ = cache_invalidations.get_or_create(&InvalidationLabels { source });
        }
        Self {
            registry,
            requests,
            request_duration,
            tokens_issued,
            refresh_reuse_detected,
            signin_failures,
            signin_lockouts,
            rate_limited,
            db_pool,
            db_pool_waiting,
            db_writer_jobs,
            cache_lookups,
            cache_invalidations,
            notification_lag,
        }
    }
}

impl Metrics {
    /// Counts one answered request.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                // Unknown methods would be unbounded label values.
                method: if KNOWN_METHODS.contains(&method) {
                    method.to_owned()
                } else {
                    "other".to_owned()
                },
                status,
            })
            .inc();
        self.request_duration
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// A request refused with 429 by the abuse limit `limit`.
    pub fn limited(&self, limit: &'static str) {
        self.rate_limited
            .get_or_create(&LimitLabels { limit })
            .inc();
    }

    pub fn cache_lookup(&self, cache: &'static str, hit: bool) {
        let result = if hit { "hit" } else { "miss" };
        self.cache_lookups
            .get_or_create(&CacheLookupLabels { cache, result })
            .inc();
    }

    pub fn invalidated(&self, source: &'static str, entries: u64) {
        self.cache_invalidations
            .get_or_create(&InvalidationLabels { source })
            .inc_by(entries);
    }

    pub fn set_pool(&self, pool: &'static str, state: &'static str, value: i64) {
        self.db_pool
            .get_or_create(&PoolLabels { pool, state })
            .set(value);
    }

    pub fn set_pool_waiting(&self, pool: &'static str, waiting: u32) {
        self.db_pool_waiting
            .get_or_create(&PoolNameLabels { pool })
            .set(i64::from(waiting));
    }

    pub fn set_writer_jobs(&self, jobs: usize) {
        self.db_writer_jobs
            .set(i64::try_from(jobs).unwrap_or(i64::MAX));
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail; an error here would be an encoder bug, and a
        // partial page is still better than none for a scraper.
        if let Err(e) =
            prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
        {
            tracing::warn!(error = %e, "could not encode the metrics");
        }
        out
    }
}

/// Middleware for the public router: counts every answer by route template and status.
/// Requests that matched no route (the console's files, unknown paths) count as `other`,
/// so their URLs never become label values.
pub async fn record_requests(
    axum::extract::State(metrics): axum::extract::State<std::sync::Arc<Metrics>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let watch = crate::clock::Stopwatch::start();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "other".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().clone();
    let res = next.run(req).await;
    metrics.observe_request(
        &route,
        method.as_str(),
        res.status().as_u16(),
        watch.elapsed_secs(),
    );
    res
}

/// The content type of `Metrics::encode`'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_appear_in_the_text_format() {
        let m = Metrics::default();
        m.observe_request("/oauth2/token", "POST", 200, 0.002);
        m.tokens_issued
            .get_or_create(&GrantLabels {
                grant_type: "client_credentials",
            })
            .inc();
        let text = m.encode();
        assert!(text.contains(
            "portico_http_requests_total{route=\"/oauth2/token\",method=\"POST\",status=\"200\"} 1"
        ));
        assert!(text.contains("portico_tokens_issued_total{grant_type=\"client_credentials\"} 1"));
        assert!(text.contains("# TYPE portico_http_request_duration_seconds histogram"));
        assert!(text.contains("portico_refresh_reuse_detected_total 0"));
    }
}
