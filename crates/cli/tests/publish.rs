//! `waymark publish`: the demo site written out as files, checked as a static web server would
//! serve them (every link names a file of the export), against the live server (the same
//! bytes, links aside), against hostile activity references, and for refusing to overwrite.

mod common;

use common::Db;
use std::path::{Component, Path};
use std::process::Output;
use std::sync::Arc;

fn publish(db: &Db, out: &Path, force: bool) -> Output {
    let mut args = vec!["publish".into(), "--out".into(), out.as_os_str().to_owned()];
    if force {
        args.push("--force".into());
    }
    db.run(args)
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "waymark publish failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn demo_db() -> Db {
    let db = Db::new();
    db.ok(["demo", "--load-only"]);
    db
}

/// Every file under `root`, as `/`-separated paths relative to it.
fn files_under(root: &Path) -> Vec<String> {
    let mut out = vec![];
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).expect("under root");
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    out.sort();
    out
}

/// The values of `href`, `src` and `action` attributes, unescaped.
fn links_in(html: &str) -> Vec<String> {
    let mut out = vec![];
    for attribute in [" href=\"", " src=\"", " action=\""] {
        for (at, _) in html.match_indices(attribute) {
            let start = at + attribute.len();
            let end = start + html[start..].find('"').expect("closing quote");
            out.push(html[start..end].replace("&amp;", "&"));
        }
    }
    out
}

fn percent_decode(segment: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = segment.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match escaped {
            Some(b) => {
                out.push(b as u8);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("utf-8 path")
}

/// The file a relative link in `file` names, as a static server or a browser opening files
/// would find it; `Err` when the link leaves the export or is root-relative.
fn target_of(file: &str, link: &str) -> Result<Option<String>, String> {
    let link = link.split('#').next().unwrap_or("");
    let link = link.split('?').next().unwrap_or("");
    if link.is_empty() || link.contains("://") || link.starts_with("mailto:") {
        return Ok(None);
    }
    if link.starts_with('/') {
        return Err(format!("{file}: root-relative link {link}"));
    }
    let mut parts: Vec<String> = file.split('/').map(String::from).collect();
    parts.pop();
    for segment in link.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("{file}: {link} leaves the export"));
                }
            }
            s => parts.push(percent_decode(s)),
        }
    }
    Ok(Some(parts.join("/")))
}

/// Checks that every link of every HTML page, and every `url` in every JSON document but the
/// API description, names a file of the export. Returns how many links were followed.
fn check_links(root: &Path) -> usize {
    let files = files_under(root);
    let existing: std::collections::HashSet<&str> = files.iter().map(String::as_str).collect();
    let mut checked = 0;
    let mut broken = vec![];
    for file in &files {
        let links: Vec<String> = if file.ends_with(".html") {
            links_in(&std::fs::read_to_string(root.join(file)).expect("read page"))
        } else if file.ends_with(".json") && file != "api/openapi.json" && !file.starts_with('.') {
            let text = std::fs::read_to_string(root.join(file)).expect("read json");
            let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            let mut urls = vec![];
            collect_urls(&value, &mut urls);
            urls
        } else {
            continue;
        };
        for link in links {
            match target_of(file, &link) {
                Ok(Some(target)) => {
                    checked += 1;
                    // Where the export sends links it could not resolve.
                    if target == "404.html" {
                        broken.push(format!("{file}: {link} names a page the export lacks"));
                    } else if !existing.contains(target.as_str()) {
                        broken.push(format!("{file}: {link} names no file ({target})"));
                    }
                }
                Ok(None) => {}
                Err(e) => broken.push(e),
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    checked
}

fn collect_urls(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match v {
                    serde_json::Value::String(s) if k == "url" => out.push(s.clone()),
                    _ => collect_urls(v, out),
                }
            }
        }
        serde_json::Value::Array(list) => list.iter().for_each(|v| collect_urls(v, out)),
        _ => {}
    }
}

fn manifest(root: &Path) -> Vec<(String, String)> {
    let bytes = std::fs::read(root.join(waymark_web::export::MANIFEST)).expect("manifest");
    waymark_web::export::manifest_files(&bytes).expect("manifest lists files")
}

/// A GET over a plain socket: status, content type and body bytes.
fn get(addr: &str, path: &str) -> (u16, String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = vec![];
    stream.read_to_end(&mut response).expect("read");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let content_type = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_default();
    assert!(
        !head.to_ascii_lowercase().contains("transfer-encoding"),
        "{path}: a whole body was expected"
    );
    (status, content_type, response[split + 4..].to_vec())
}

/// The live site over HTTP, in this process, rendering as the export does (the only difference
/// between `Renderer::for_export` and the server's renderer is in the templates).
struct LiveSite {
    _runtime: tokio::runtime::Runtime,
    addr: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl LiveSite {
    fn start(db: &Db) -> LiveSite {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let url = db.url.to_str().expect("database URL").to_string();
        let (addr, stop) = runtime.block_on(async move {
            let store = waymark_store::Store::open_existing(&url)
                .await
                .expect("open the database");
            let mut site = waymark_web::Site::new(store);
            site.renderer = waymark_web::render::Renderer::for_export().expect("templates");
            // As `waymark publish` and `serve` have it: every format, PDF included.
            site.renderer.reporter = Arc::new(waymark_report::Reporter::new(
                waymark_report::Templates::builtin(),
                Some(waymark_report_pdf::render),
            ));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("listen");
            let addr = listener.local_addr().expect("address").to_string();
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(waymark_web::serve(listener, Arc::new(site), async move {
                let _ = stopped.await;
            }));
            (addr, stop)
        });
        LiveSite {
            _runtime: runtime,
            addr,
            stop: Some(stop),
        }
    }
}

impl Drop for LiveSite {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[test]
fn the_demo_publishes_as_files_whose_links_all_work_and_whose_bytes_are_the_servers() {
    let db = demo_db();
    let parent = tempfile::tempdir().expect("temp dir");
    let root = parent.path().join("site");
    let run = publish(&db, &root, false);
    let warned = String::from_utf8_lossy(&run.stderr).into_owned();
    let said = ok(run);
    assert!(said.contains("Published 1 council"), "{said}");
    assert!(warned.is_empty(), "waymark publish warned: {warned}");

    // Nothing left beside the export: the temporary directory was renamed into place.
    let beside: Vec<_> = std::fs::read_dir(parent.path())
        .expect("read parent")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(beside, vec![std::ffi::OsString::from("site")]);

    let files = files_under(&root);
    for expected in [
        "index.html",
        "404.html",
        "robots.txt",
        "activities/index.html",
        "activities/page/2/index.html",
        "activities/5.1/index.html",
        "data/activities.csv",
        "data/statuses.json",
        "api/openapi.json",
        "api/v1/stats.json",
        "api/v1/activities.json",
        "api/v1/activities/5.1.json",
        "api/v1/councils.json",
        "reports/2024-25-q4/index.html",
        "assets/waymark.css",
    ] {
        assert!(files.iter().any(|f| f == expected), "{expected} is missing");
    }
    let checked = check_links(&root);
    assert!(checked > 3_000, "only {checked} links followed");

    // The list cannot be filtered on a static server: the exported copy says so instead.
    let list = std::fs::read_to_string(root.join("activities/index.html")).expect("list");
    assert!(!list.contains("<form"), "the filter form is left out");
    assert!(list.contains("download the activities as CSV"));
    assert!(
        list.contains(r#"href="page/2/index.html""#),
        "paging links to files"
    );

    // Every file is what the live site answers at its address, its links made relative.
    let pairs = manifest(&root);
    assert_eq!(
        pairs.len() + 2,
        files.len(),
        "the manifest lists every file but itself and 404.html"
    );
    let links = waymark_web::export::Links::new(pairs.clone());
    let live = LiveSite::start(&db);
    let mut compared = 0;
    for (address, file) in &pairs {
        let (status, content_type, body) = get(&live.addr, address);
        assert_eq!(status, 200, "{address}");
        let written = std::fs::read(root.join(file)).expect("read file");
        // Binary downloads (a report as PDF, DOCX, XLSX) may carry the moment they were made.
        let text = content_type.starts_with("text/") || content_type.contains("json");
        if !text {
            assert!(!written.is_empty(), "{file} is empty");
            continue;
        }
        let (expected, _) = links.rewrite(file, &content_type, &body);
        if written != expected.as_ref() {
            let at = written
                .iter()
                .zip(expected.iter())
                .position(|(a, b)| a != b)
                .unwrap_or(written.len().min(expected.len()));
            let around = |bytes: &[u8]| {
                String::from_utf8_lossy(&bytes[at.saturating_sub(80)..(at + 80).min(bytes.len())])
                    .into_owned()
            };
            panic!(
                "{file} differs from the live {address} at byte {at}:\nwritten: {}\nlive:    {}",
                around(&written),
                around(expected.as_ref())
            );
        }
        compared += 1;
    }
    let (status, content_type, body) = get(&live.addr, "/no-such-page");
    assert_eq!(status, 404);
    let (expected, _) = links.rewrite("404.html", &content_type, &body);
    assert!(std::fs::read(root.join("404.html")).expect("404") == expected.as_ref());
    assert!(compared > 300, "only {compared} files compared");
}

#[test]
fn hostile_references_stay_inside_the_export() {
    let db = Db::new();
    let work = tempfile::tempdir().expect("temp dir");
    let report = work.path().join("report.txt");
    std::fs::write(
        &report,
        "Quarterly performance report\nQuarter 3 2024/25\n\nPlace directorate\n\
         Reference\tActivity\tStatus\tCommentary\n\
         ../../escaped\tUpwards\tComplete\tx\n\
         ..\tThe parent\tGreen\tx\n\
         .\tThe same\tGreen\tx\n\
         index.html\tThe index\tAmber\tx\n\
         a/b\tA slash\tRed\tx\n\
         %2e%2e\tEncoded dots\tGreen\tx\n\
         ..\\..\\escaped\tBackslashes\tGreen\tx\n",
    )
    .expect("write report");
    db.ok([
        "import".as_ref(),
        "--council".as_ref(),
        "hostile".as_ref(),
        report.as_os_str(),
    ]);
    let parent = work.path().join("out");
    std::fs::create_dir(&parent).expect("mkdir");
    let root = parent.join("site");
    ok(publish(&db, &root, false));

    let beside: Vec<_> = std::fs::read_dir(&parent)
        .expect("read parent")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(beside, vec![std::ffi::OsString::from("site")]);
    assert!(!work.path().join("escaped").exists());
    let files = files_under(&root);
    for file in &files {
        assert!(
            Path::new(file)
                .components()
                .all(|c| matches!(c, Component::Normal(_))),
            "{file}"
        );
    }
    // Each activity has its page (and the list's own index is not overwritten).
    let titles = [
        "Upwards",
        "The parent",
        "The same",
        "The index",
        "A slash",
        "Encoded dots",
        "Backslashes",
    ];
    let pages: Vec<String> = files
        .iter()
        .filter(|f| f.starts_with("activities/") && f.ends_with("/index.html"))
        .map(|f| std::fs::read_to_string(root.join(f)).expect("page"))
        .collect();
    for title in titles {
        assert!(
            pages
                .iter()
                .any(|p| p.contains(&format!("<h1 class=\"govuk-heading-xl\">{title}"))),
            "no page for {title}"
        );
    }
    let list = std::fs::read_to_string(root.join("activities/index.html")).expect("list");
    assert!(list.contains("<h1 class=\"govuk-heading-xl\">Activities</h1>"));
    check_links(&root);
}

#[test]
fn an_existing_directory_is_replaced_only_when_it_holds_an_earlier_export() {
    let db = demo_db();
    let parent = tempfile::tempdir().expect("temp dir");
    let root = parent.path().join("site");
    ok(publish(&db, &root, false));

    let again = publish(&db, &root, false);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("--force"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    // With --force an earlier export is replaced whole, not merged into.
    std::fs::write(root.join("stale.html"), "old").expect("write");
    ok(publish(&db, &root, true));
    assert!(!root.join("stale.html").exists());
    assert!(root.join("index.html").is_file());

    // A directory of other files is never replaced, --force or not.
    let other = parent.path().join("other");
    std::fs::create_dir(&other).expect("mkdir");
    std::fs::write(other.join("keep.txt"), "mine").expect("write");
    for force in [false, true] {
        let refused = publish(&db, &other, force);
        assert_eq!(refused.status.code(), Some(2));
    }
    assert_eq!(
        std::fs::read_to_string(other.join("keep.txt")).expect("kept"),
        "mine"
    );

    // An empty directory is fine; a file is not a directory.
    let empty = parent.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    ok(publish(&db, &empty, false));
    let file = parent.path().join("file");
    std::fs::write(&file, "x").expect("write");
    assert_eq!(publish(&db, &file, true).status.code(), Some(2));

    let mut left: Vec<String> = std::fs::read_dir(parent.path())
        .expect("read parent")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["empty", "file", "other", "site"]);
}

#[test]
fn publishing_never_creates_a_database() {
    let db = Db::new();
    let parent = tempfile::tempdir().expect("temp dir");
    let out = publish(&db, &parent.path().join("site"), false);
    assert_eq!(out.status.code(), Some(2));
    assert!(!db.exists());
    assert!(!parent.path().join("site").exists());
}

#[test]
fn with_a_base_path_the_404_page_links_from_any_depth() {
    let db = demo_db();
    let parent = tempfile::tempdir().expect("temp dir");
    let root = parent.path().join("site");
    let mut args: Vec<std::ffi::OsString> = vec!["publish".into(), "--out".into()];
    args.push(root.as_os_str().to_owned());
    args.extend(["--base-path".into(), "/performance".into()]);
    let said = ok(db.run(args));
    assert!(said.contains("start with /performance/"), "{said}");

    let files = files_under(&root);
    let not_found = std::fs::read_to_string(root.join("404.html")).expect("404 page");
    let mut followed = 0;
    for link in links_in(&not_found) {
        if link.contains("://") || link.starts_with('#') {
            continue;
        }
        let path = link.split('#').next().unwrap_or("");
        let file = path
            .strip_prefix("/performance/")
            .unwrap_or_else(|| panic!("404.html: {link} does not start with the base path"));
        let file: Vec<String> = file.split('/').map(percent_decode).collect();
        let file = file.join("/");
        assert!(files.contains(&file), "404.html: {link} names no file");
        followed += 1;
    }
    assert!(followed >= 5, "only {followed} links on the 404 page");
    // Every other page keeps relative links.
    let checked = check_links_except_404(&root);
    assert!(checked > 3_000, "only {checked} links followed");
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root.join(waymark_web::export::MANIFEST)).expect("manifest"),
    )
    .expect("manifest JSON");
    assert_eq!(manifest["base_path"], "/performance/");

    // A path that is not one is refused before anything is written.
    for bad in [
        "performance",
        "//example.org/",
        "/a/../b/",
        "/a//b/",
        "/a b/",
        "/\"><script>alert(1)</script>/",
    ] {
        let out = parent.path().join("refused");
        let mut args: Vec<std::ffi::OsString> = vec!["publish".into(), "--out".into()];
        args.push(out.as_os_str().to_owned());
        args.extend(["--base-path".into(), bad.into()]);
        let refused = db.run(args);
        assert_eq!(refused.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("--base-path"), "{bad}: {stderr}");
        assert!(!out.exists(), "{bad}: something was written");
    }
}

/// `check_links` on a copy of the export without its 404 page (whose links are not relative
/// when a base path is given).
fn check_links_except_404(root: &Path) -> usize {
    let copy = tempfile::tempdir().expect("temp dir");
    for file in files_under(root) {
        if file == "404.html" {
            continue;
        }
        let to = copy.path().join(&file);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(root.join(&file), &to).expect("copy");
    }
    check_links(copy.path())
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn what_a_killed_export_left_is_cleared_and_an_earlier_export_put_back() {
    let db = demo_db();
    let parent = tempfile::tempdir().expect("temp dir");
    let root = parent.path().join("site");

    // Killed while writing: its lock file (no longer locked) and half an export.
    std::fs::write(parent.path().join(".site.lock-4000001"), "").expect("lock");
    let half = parent.path().join(".site.publishing-4000001");
    std::fs::create_dir_all(half.join("activities")).expect("mkdir");
    std::fs::write(half.join("index.html"), "half").expect("write");
    ok(publish(&db, &root, false));
    assert_eq!(entries(parent.path()), ["site"]);

    // Killed between moving the earlier export aside and the new one into place.
    let aside = parent.path().join(".site.replaced-4000002");
    std::fs::rename(&root, &aside).expect("move aside");
    std::fs::write(parent.path().join(".site.lock-4000002"), "").expect("lock");
    let refused = publish(&db, &root, false);
    assert_eq!(refused.status.code(), Some(2), "the earlier export is back");
    assert_eq!(entries(parent.path()), ["site"]);
    assert!(root.join("index.html").is_file());
    assert!(root.join(waymark_web::export::MANIFEST).is_file());
    ok(publish(&db, &root, true));
    assert_eq!(entries(parent.path()), ["site"]);

    // An earlier export that could not be removed after a swap (no lock of its own left),
    // and a lock file killed before it was locked: both cleared.
    let orphan = parent.path().join(".site.replaced-4000004");
    std::fs::create_dir(&orphan).expect("mkdir");
    std::fs::write(orphan.join("index.html"), "old").expect("write");
    std::fs::write(parent.path().join(".site.locking-4000005"), "").expect("write");
    ok(publish(&db, &root, true));
    assert_eq!(entries(parent.path()), ["site"]);
    assert!(std::fs::read_to_string(root.join("index.html")).expect("page") != "old");

    // Killed mid-swap, and the directory made again (empty) since: the earlier export, the
    // newer of two copies left, goes back rather than being lost.
    let older = parent.path().join(".site.replaced-4000006");
    std::fs::create_dir(&older).expect("mkdir");
    std::fs::write(older.join("index.html"), "older").expect("write");
    let newer = parent.path().join(".site.replaced-4000007");
    std::fs::rename(&root, &newer).expect("move aside");
    std::fs::create_dir(&root).expect("made again");
    let refused = publish(&db, &root, false);
    assert_eq!(refused.status.code(), Some(2), "the earlier export is back");
    assert_eq!(entries(parent.path()), ["site"]);
    assert!(root.join(waymark_web::export::MANIFEST).is_file());

    // Things an export never makes are left alone: a directory named like a lock, a link.
    std::fs::create_dir(parent.path().join(".site.lock-4000008")).expect("mkdir");
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/hostname", parent.path().join(".site.locking-4000009"))
        .expect("link");
    ok(publish(&db, &root, true));
    let mut expected = vec![".site.lock-4000008", "site"];
    if cfg!(unix) {
        expected.insert(1, ".site.locking-4000009");
    }
    assert_eq!(entries(parent.path()), expected);
}

#[test]
fn a_second_export_of_the_same_directory_waits_for_the_first() {
    let db = demo_db();
    let parent = tempfile::tempdir().expect("temp dir");
    let root = parent.path().join("site");
    // Another export running: its lock file is locked.
    let running = parent.path().join(".site.lock-4000003");
    let held = std::fs::File::create(&running).expect("lock file");
    held.lock().expect("lock");
    let refused = publish(&db, &root, false);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("another waymark publish is writing")
            && stderr.contains(".site.lock-4000003"),
        "{stderr}"
    );
    assert!(!root.exists());
    assert_eq!(entries(parent.path()), [".site.lock-4000003"]);

    // Once it has gone, its lock is cleared and the export runs.
    drop(held);
    ok(publish(&db, &root, false));
    assert_eq!(entries(parent.path()), ["site"]);
}
