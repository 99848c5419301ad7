//! The console as a browser downloads it: compressed as the request's `Accept-Encoding` allows
//! (the build's precompressed `.br` / `.gz` copies, written here by the same
//! `portico_precompress::precompress_dir` Trunk's hook runs), Trunk's content-hashed files
//! cached for a year as immutable, and `index.html` revalidated every time, at the cost of a
//! `304` once the browser holds it.

use std::io::Read;
use std::path::Path;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::common::{Backend, Options, TestServer};
use crate::flows::fresh_connection_client;
use crate::on_both_databases;

on_both_databases!(
    console_files_go_out_precompressed_and_hashed_ones_immutable,
    console_index_is_compressed_and_revalidated_by_etag,
);

const WASM: &str = "portico-console-e4e5c3de2b59c52_bg.wasm"; // a 15-digit hash, as Trunk writes
const JS: &str = "portico-console-e4e5c3de2b59c52.js";
const CSS: &str = "main-b40670e7f3e27537.css";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// What Chromium sends.
const CHROMIUM: &str = "gzip, deflate, br, zstd";

fn index_html() -> String {
    format!(
        "<!doctype html><html><head><title>Portico</title>\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\" />\
         <link rel=\"stylesheet\" href=\"/{CSS}\"/>\
         <script type=\"module\">\nimport init from '/{JS}';\n\
         await init({{ module_or_path: '/{WASM}' }});\n</script>\
         <link rel=\"modulepreload\" href=\"/{JS}\"></head>\
         <body><noscript>The Portico console needs JavaScript and WebAssembly.</noscript>\
         </body></html>"
    )
}

/// Bytes that compress the way a wasm module does (a header, then repeated but varied code).
fn wasm() -> Vec<u8> {
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    for i in 0u32..40_000 {
        bytes.extend_from_slice(&[0x20, (i % 7) as u8, 0x41, (i % 251) as u8, 0x6a, 0x21]);
    }
    bytes
}

/// A `dist/` as `trunk build --release` leaves it, precompressed by the build's own code.
fn dist(dir: &Path) {
    std::fs::write(dir.join("index.html"), index_html()).unwrap();
    std::fs::write(dir.join(WASM), wasm()).unwrap();
    std::fs::write(
        dir.join(JS),
        "export default async function init(m) { return m; }\n".repeat(100),
    )
    .unwrap();
    std::fs::write(dir.join(CSS), "body { margin: 0; }\n".repeat(100)).unwrap();
    std::fs::write(
        dir.join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\">\
         <rect width=\"16\" height=\"16\" fill=\"#2b6cb0\"/></svg>",
    )
    .unwrap();
    portico_precompress::precompress_dir(dir).unwrap();
    for file in [WASM, JS, CSS] {
        for suffix in [".br", ".gz"] {
            assert!(
                dir.join(format!("{file}{suffix}")).exists(),
                "{file}{suffix}"
            );
        }
    }
}

async fn start(b: Backend, dir: &Path) -> TestServer {
    TestServer::start_with(
        b,
        Options {
            console_dir: Some(dir.to_owned()),
            ..Options::default()
        },
    )
    .await
}

fn unbrotli(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(body, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn ungzip(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// GET `path` with these request headers; the status, the headers and the body as sent.
async fn get(
    s: &TestServer,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = fresh_connection_client().get(s.url(path));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let h = res.headers().clone();
    (status, h, res.bytes().await.unwrap().to_vec())
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_else(|| panic!("no {name} in {h:?}"))
}

fn varies_by_encoding(h: &HeaderMap) -> bool {
    h.get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept-encoding"))
}

async fn console_files_go_out_precompressed_and_hashed_ones_immutable(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    dist(dir.path());
    let s = start(b, dir.path()).await;
    let raw = wasm();
    let wasm_path = format!("/{WASM}");

    // Brotli for a browser, as Chromium asks; gzip for a client that only takes gzip.
    for (accept, coding) in [("br", "br"), (CHROMIUM, "br"), ("gzip", "gzip")] {
        let (status, h, body) = get(&s, &wasm_path, &[("accept-encoding", accept)]).await;
        assert_eq!(status, StatusCode::OK, "{accept}");
        assert_eq!(header(&h, "content-encoding"), coding, "{accept}");
        assert_eq!(header(&h, "content-type"), "application/wasm", "{accept}");
        assert_eq!(header(&h, "cache-control"), IMMUTABLE, "{accept}");
        assert!(varies_by_encoding(&h), "{accept}: {h:?}");
        assert_eq!(header(&h, "content-length"), body.len().to_string());
        assert!(
            body.len() < raw.len() / 10,
            "{accept}: {} bytes sent",
            body.len()
        );
        let decoded = if coding == "br" {
            unbrotli(&body)
        } else {
            ungzip(&body)
        };
        assert_eq!(decoded, raw, "{accept}");
        // The console's headers stay on compressed answers.
        assert!(h.contains_key("content-security-policy"), "{accept}");
        assert_eq!(header(&h, "x-content-type-options"), "nosniff");
    }

    // No Accept-Encoding, or one the server has no copy for: the file as it is.
    for accept in [
        None,
        Some("identity"),
        Some("zstd"),
        Some("br;q=0, gzip;q=0"),
    ] {
        let headers: Vec<_> = accept.map(|a| ("accept-encoding", a)).into_iter().collect();
        let (status, h, body) = get(&s, &wasm_path, &headers).await;
        assert_eq!(status, StatusCode::OK, "{accept:?}");
        assert!(!h.contains_key("content-encoding"), "{accept:?}: {h:?}");
        assert_eq!(header(&h, "content-type"), "application/wasm");
        assert_eq!(header(&h, "cache-control"), IMMUTABLE, "{accept:?}");
        assert!(varies_by_encoding(&h), "{accept:?}");
        assert_eq!(body, raw, "{accept:?}");
    }

    // The other hashed files too, with their own types.
    for (file, content_type) in [(JS, "text/javascript"), (CSS, "text/css")] {
        let original = std::fs::read(dir.path().join(file)).unwrap();
        let (status, h, body) =
            get(&s, &format!("/{file}"), &[("accept-encoding", CHROMIUM)]).await;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert_eq!(header(&h, "content-encoding"), "br", "{file}");
        assert!(
            header(&h, "content-type").starts_with(content_type),
            "{file}: {h:?}"
        );
        assert_eq!(header(&h, "cache-control"), IMMUTABLE, "{file}");
        assert_eq!(unbrotli(&body), original, "{file}");
    }

    // The favicon keeps its name from build to build: revalidated, and a 304 when unchanged.
    let (status, h, body) = get(&s, "/favicon.svg", &[("accept-encoding", CHROMIUM)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, "cache-control"), "no-cache");
    assert_eq!(header(&h, "content-type"), "image/svg+xml");
    assert_eq!(
        unbrotli(&body),
        std::fs::read(dir.path().join("favicon.svg")).unwrap()
    );
    let since = header(&h, "last-modified").to_owned();
    let (status, h, body) = get(
        &s,
        "/favicon.svg",
        &[("accept-encoding", CHROMIUM), ("if-modified-since", &since)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(header(&h, "cache-control"), "no-cache");

    // A hashed file revalidated anyway (a forced reload) keeps its year in the 304.
    let (_, h, _) = get(&s, &wasm_path, &[]).await;
    let since = header(&h, "last-modified").to_owned();
    let (status, h, body) = get(&s, &wasm_path, &[("if-modified-since", &since)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(header(&h, "cache-control"), IMMUTABLE);
    assert!(varies_by_encoding(&h));

    // An old build's file that is gone gets the console page, which must not be kept a year
    // under the hashed name.
    let (status, h, body) = get(&s, "/portico-console-0123456789abcdef_bg.wasm", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, "cache-control"), "no-cache");
    assert_eq!(body, index_html().as_bytes());
}

async fn console_index_is_compressed_and_revalidated_by_etag(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    dist(dir.path());
    let s = start(b, dir.path()).await;
    let index = index_html();
    // The page served is the one read at start-up, compressed then, not the file's copies.
    std::fs::write(dir.path().join("index.html"), "<p>rebuilt</p>").unwrap();
    portico_precompress::precompress_dir(dir.path()).unwrap();

    let mut etag = None;
    for path in ["/", "/index.html", "/apps/abc", "/consent?interaction=abc"] {
        for (accept, coding) in [
            (Some(CHROMIUM), Some("br")),
            (Some("gzip"), Some("gzip")),
            (None, None),
        ] {
            let headers: Vec<_> = accept.map(|a| ("accept-encoding", a)).into_iter().collect();
            let (status, h, body) = get(&s, path, &headers).await;
            assert_eq!(status, StatusCode::OK, "{path} {accept:?}");
            assert_eq!(header(&h, "content-type"), "text/html; charset=utf-8");
            assert_eq!(header(&h, "cache-control"), "no-cache", "{path} {accept:?}");
            assert!(varies_by_encoding(&h), "{path} {accept:?}");
            let csp = header(&h, "content-security-policy");
            assert!(csp.contains("'sha256-"), "{path}: {csp}");
            let decoded = match coding {
                Some("br") => unbrotli(&body),
                Some(_) => ungzip(&body),
                None => body.clone(),
            };
            assert_eq!(
                h.get("content-encoding").map(|v| v.to_str().unwrap()),
                coding,
                "{path} {accept:?}"
            );
            if coding.is_some() {
                assert!(body.len() < index.len(), "{path} {accept:?}");
            }
            assert_eq!(decoded, index.as_bytes(), "{path} {accept:?}");
            // One validator for the page, whatever the coding or route.
            let tag = header(&h, "etag").to_owned();
            assert_eq!(etag.get_or_insert_with(|| tag.clone()), &tag, "{path}");
        }
    }
    let etag = etag.unwrap();

    // A repeat visit: the browser revalidates its copy and gets a 304 with no body.
    for path in ["/", "/apps/abc"] {
        let (status, h, body) = get(
            &s,
            path,
            &[("accept-encoding", CHROMIUM), ("if-none-match", &etag)],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(body.is_empty(), "{path}");
        assert_eq!(header(&h, "etag"), etag, "{path}");
        assert_eq!(header(&h, "cache-control"), "no-cache", "{path}");
        assert!(h.contains_key("content-security-policy"), "{path}");
    }
    // A copy of another build's page is sent the current one.
    let (status, h, body) = get(&s, "/", &[("if-none-match", "W/\"an-older-build\"")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, "etag"), etag);
    assert_eq!(body, index.as_bytes());
}
