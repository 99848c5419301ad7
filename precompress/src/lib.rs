//! Precompressed copies of the console's built files, written once at build time.
//!
//! Next to every compressible file in `dist/` (`x.wasm`, `x.js`, `x.css`, `index.html`, `x.svg`,
//! …) go `x.wasm.br` (brotli, quality 11) and `x.wasm.gz` (gzip, level 9). The server hands them
//! out as they are, with `Content-Encoding: br` or `gzip` (RFC 9110 §8.4.1) as the request's
//! `Accept-Encoding` allows (§12.5.3), so it never spends CPU compressing per request and can
//! afford the slowest, smallest settings: brotli 11 is about 20 % smaller than gzip -9 on the
//! console's wasm.
//!
//! Trunk's `post_build` hook (`Trunk.toml`) runs the `portico-precompress` binary on the
//! staging directory before it becomes `dist/`. The server compresses its in-memory
//! `index.html` with [`brotli`] and [`gzip`] at start-up, and its tests write their fixtures
//! with [`precompress_dir`]: one code path for every compressed byte the console serves.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

/// What can go wrong: reading or writing one file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The file-name suffixes `tower_http::services::ServeDir` looks for, per content coding.
pub const BROTLI_SUFFIX: &str = ".br";
pub const GZIP_SUFFIX: &str = ".gz";

/// Extensions of formats that compress: text, and wasm. Images other than SVG, fonts (woff2 is
/// brotli inside) and archives are compressed already, so a second pass only costs CPU.
const COMPRESSIBLE: [&str; 13] = [
    "html",
    "htm",
    "css",
    "js",
    "mjs",
    "wasm",
    "svg",
    "json",
    "map",
    "txt",
    "xml",
    "ico",
    "webmanifest",
];

/// Whether `path` names a file worth compressing (by its extension, case-insensitively).
pub fn is_compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSIBLE.iter().any(|c| c.eq_ignore_ascii_case(e)))
}

/// `data` compressed with brotli at its best quality (11) and largest standard window (2^24,
/// RFC 7932 §9.1; what browsers decode), as `brotli -q 11` would.
pub fn brotli(data: &[u8]) -> io::Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        size_hint: data.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(data.len() / 3);
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    Ok(out)
}

/// `data` compressed with gzip at its best level (9), as `gzip -9` would. The header's mtime
/// is 0, so the same input always gives the same bytes.
pub fn gzip(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 2), Compression::best());
    encoder.write_all(data)?;
    encoder.finish()
}

/// One file that was considered, with its size and its siblings' (`None`: not written, because
/// that coding did not make it smaller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compressed {
    pub path: PathBuf,
    pub raw: u64,
    pub brotli: Option<u64>,
    pub gzip: Option<u64>,
}

/// Writes the `.br` and `.gz` sibling of every compressible file under `dir` (recursively), in
/// file-name order. A coding that would not make a file smaller is not written (and a sibling
/// left from an earlier run is removed), so the server then sends the file as it is.
pub fn precompress_dir(dir: &Path) -> Result<Vec<Compressed>, Error> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    files.iter().map(|path| precompress_file(path)).collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    let io_err = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    for entry in fs::read_dir(dir).map_err(io_err)? {
        let entry = entry.map_err(io_err)?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io_err)?;
        if kind.is_dir() {
            collect(&path, files)?;
        } else if kind.is_file() && is_compressible(&path) {
            files.push(path);
        }
    }
    Ok(())
}

fn precompress_file(path: &Path) -> Result<Compressed, Error> {
    let data = fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let raw = data.len();
    let write = |suffix: &str, compressed: io::Result<Vec<u8>>| -> Result<Option<u64>, Error> {
        let mut sibling = path.as_os_str().to_owned();
        sibling.push(suffix);
        let sibling = PathBuf::from(sibling);
        let io_err = |source| Error::Io {
            path: sibling.clone(),
            source,
        };
        let compressed = compressed.map_err(io_err)?;
        if compressed.len() < raw {
            fs::write(&sibling, &compressed).map_err(io_err)?;
            Ok(Some(compressed.len() as u64))
        } else {
            match fs::remove_file(&sibling) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err(e)),
                _ => Ok(None),
            }
        }
    };
    Ok(Compressed {
        path: path.to_owned(),
        raw: raw as u64,
        brotli: write(BROTLI_SUFFIX, brotli(&data))?,
        gzip: write(GZIP_SUFFIX, gzip(&data))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn unbrotli(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::Decompressor::new(data, 4096)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn ungzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn writes_smaller_siblings_that_decompress_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let js = "export function start() { return 'portico'; }\n".repeat(200);
        fs::create_dir(dir.path().join("snippets")).unwrap();
        fs::write(dir.path().join("app-0123456789abcdef.js"), &js).unwrap();
        fs::write(dir.path().join("snippets/inline0.js"), &js).unwrap();
        fs::write(dir.path().join("logo.png"), &js).unwrap();
        // One byte: no coding makes it smaller.
        fs::write(dir.path().join("tiny.css"), "a").unwrap();
        fs::write(dir.path().join("tiny.css.gz"), "left from an earlier run").unwrap();

        let done = precompress_dir(dir.path()).unwrap();

        let names: Vec<_> = done
            .iter()
            .map(|c| c.path.strip_prefix(dir.path()).unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                PathBuf::from("app-0123456789abcdef.js"),
                PathBuf::from("snippets/inline0.js"),
                PathBuf::from("tiny.css"),
            ]
        );
        for file in ["app-0123456789abcdef.js", "snippets/inline0.js"] {
            let path = dir.path().join(file);
            let br = fs::read(format!("{}.br", path.display())).unwrap();
            let gz = fs::read(format!("{}.gz", path.display())).unwrap();
            assert!(br.len() < gz.len() && gz.len() < js.len() / 10, "{file}");
            assert_eq!(unbrotli(&br), js.as_bytes(), "{file}");
            assert_eq!(ungzip(&gz), js.as_bytes(), "{file}");
        }
        assert_eq!(
            done[2],
            Compressed {
                path: dir.path().join("tiny.css"),
                raw: 1,
                brotli: None,
                gzip: None,
            }
        );
        for absent in ["logo.png.br", "logo.png.gz", "tiny.css.br", "tiny.css.gz"] {
            assert!(!dir.path().join(absent).exists(), "{absent}");
        }
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        let data = b"<!doctype html><title>Portico</title>".repeat(50);
        assert_eq!(gzip(&data).unwrap(), gzip(&data).unwrap());
        assert_eq!(brotli(&data).unwrap(), brotli(&data).unwrap());
    }

    #[test]
    fn compressible_by_extension() {
        for yes in ["a.wasm", "a.JS", "index.html", "s/b.css", "f.svg", "m.json"] {
            assert!(is_compressible(Path::new(yes)), "{yes}");
        }
        for no in ["a.png", "a.woff2", "a.wasm.br", "a.js.gz", "README"] {
            assert!(!is_compressible(Path::new(no)), "{no}");
        }
    }
}
