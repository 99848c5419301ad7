//! `portico-precompress [DIR]`: writes the `.br` and `.gz` sibling of every compressible file
//! under DIR (see the library's documentation).
//!
//! Without DIR it is Trunk's `post_build` hook (`Trunk.toml`): it compresses Trunk's staging
//! directory (`TRUNK_STAGING_DIR`), which becomes `dist/` once the hook succeeds, for release
//! builds only (`TRUNK_PROFILE=release`). A debug build's wasm is many times larger and rebuilt
//! on every save under `trunk serve`, where brotli 11 would add seconds to each rebuild; the
//! server sends a file that has no sibling as it is.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = match std::env::args_os().nth(1) {
        Some(dir) => PathBuf::from(dir),
        None => match (
            std::env::var_os("TRUNK_STAGING_DIR"),
            std::env::var("TRUNK_PROFILE"),
        ) {
            (Some(dir), Ok(profile)) if profile == "release" => PathBuf::from(dir),
            (Some(_), _) => {
                println!("precompress: skipped (not a release build)");
                return ExitCode::SUCCESS;
            }
            (None, _) => {
                eprintln!(
                    "usage: portico-precompress DIR (or run by Trunk's post_build hook, which \
                     sets TRUNK_STAGING_DIR)"
                );
                return ExitCode::from(2);
            }
        },
    };
    match portico_precompress::precompress_dir(&dir) {
        Ok(files) => {
            let kb = |n: u64| format!("{:.1} KB", n as f64 / 1000.0);
            let or_none = |n: Option<u64>| n.map_or_else(|| "not smaller".to_owned(), kb);
            for f in &files {
                let name = f.path.strip_prefix(&dir).unwrap_or(&f.path);
                println!(
                    "precompress: {}: {} -> br {}, gzip {}",
                    name.display(),
                    kb(f.raw),
                    or_none(f.brotli),
                    or_none(f.gzip)
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("precompress: {e}");
            ExitCode::FAILURE
        }
    }
}
