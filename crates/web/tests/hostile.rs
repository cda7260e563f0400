//! Hostile requests: query strings and paths made to break parsers, overflow numbers, escape
//! the site or echo markup. None may give a 5xx, and no page may carry a script the site did
//! not write. Every test runs on SQLite and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode, header};
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// The only `<script` a page may hold is the site's own module from /assets/.
fn scripts_are_the_sites_own(html: &str) -> Result<(), String> {
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("<script") {
        rest = &rest[i..];
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        if tag != "<script type=\"module\" src=\"/assets/waymark.js\""
            && !tag.starts_with("<script src=\"/assets/")
        {
            return Err(format!("a script the site did not write: {tag}"));
        }
        rest = &rest[tag_end..];
    }
    Ok(())
}

/// Check one response to a hostile request.
fn check(r: &Resp, raw: &str) -> Result<(), String> {
    if r.status.is_server_error() {
        return Err(format!("{}: {}", r.request, r.status));
    }
    if r.headers.get(header::CONTENT_SECURITY_POLICY).is_none() {
        return Err(format!("{}: no CSP", r.request));
    }
    let media = r.media_type();
    if media == "text/html" {
        let html = String::from_utf8(r.body.to_vec())
            .map_err(|_| format!("{}: HTML is not UTF-8", r.request))?;
        scripts_are_the_sites_own(&html).map_err(|e| format!("{}: {e}", r.request))?;
        // Decoded input with markup never appears as markup.
        for decoded in decoded_values(raw) {
            if decoded.contains('<') && decoded.len() > 2 && html.contains(&decoded) {
                return Err(format!("{}: echoed {decoded:?} unescaped", r.request));
            }
        }
    } else if media.ends_with("json") {
        serde_json::from_slice::<serde_json::Value>(&r.body)
            .map_err(|e| format!("{}: JSON does not parse: {e}", r.request))?;
    }
    if r.status == StatusCode::SEE_OTHER {
        let location = r.header(header::LOCATION).unwrap_or("");
        if !location.starts_with('/') || location.starts_with("//") {
            return Err(format!(
                "{}: redirect off the site to {location:?}",
                r.request
            ));
        }
    }
    Ok(())
}

/// The values of a query string as the server decodes them.
fn decoded_values(query: &str) -> Vec<String> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(_, v)| v.into_owned())
        .collect()
}

const HOSTILE_QUERIES: &[&str] = &[
    "q=<script>alert(1)</script>",
    "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    "q=%27%3E%3Csvg%2Fonload%3Dalert(1)%3E",
    "q=%00",
    "q=%FF%FE",
    "q=%C0%AF",
    "q=%ED%A0%80",
    "q=%E2%80%AE%E2%80%8B",
    "q=%F0%9F%92%A9",
    "q=%",
    "q=%%",
    "q=%zz",
    "q=%0D%0ALocation:%20http://evil.example",
    "q=+++",
    "q=library&q=<b>hub</b>",
    "status=",
    "status=purple",
    "status=GREEN",
    "status=green&status=red",
    "status=<script>",
    "page=-1",
    "page=0",
    "page=1.5",
    "page=99999999999999999999",
    "page=18446744073709551615",
    "page=9223372036854775807",
    "page=%EF%BC%91",
    "page=2&page=3",
    "directorate=../../etc/passwd",
    "directorate=%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "directorate=<script>",
    "portfolio=%00",
    "outcome=theme-x",
    "outcome=theme-",
    "outcome=theme-99999999999",
    "outcome=-1",
    "outcome=4294967296",
    "period=",
    "period=2024/25",
    "period=2024-25-Q4",
    "period=2024-25-q4&period=garbage",
    "period=garbage",
    "period=%00",
    "period=9999-00-q4",
    "period=0000-01-q1",
    "period=2024-25-q4%00",
    "period=<script>alert(1)</script>",
    "=&&&==&",
    "&",
    "a[]=1&a[b]=2",
    "q",
    "%71=x",
];

#[test]
fn hostile_query_strings_never_break_a_page() {
    run(async {
        let _hold = hold(&[Fixture::Bexley]).await;
        let long_value = format!("q={}", "<b>".repeat(600));
        let long_status = format!("status={}", "x".repeat(2000));
        let mut queries: Vec<&str> = HOSTILE_QUERIES.to_vec();
        queries.push(&long_value);
        queries.push(&long_status);
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            let paths = [
                "/",
                "/activities",
                "/search",
                "/reports/2024-25-q4",
                "/api/v1/activities",
                "/api/v1/activities/1",
                "/api/v1/stats",
                "/api/v1/indicators",
                "/api/v1/councils",
                "/data/activities.csv",
                "/nope",
            ];
            let mut failures = vec![];
            let mut sent = 0;
            for path in paths {
                for query in &queries {
                    let uri = format!("{path}?{query}");
                    // Only what a client could send: the URI parser refuses the rest.
                    if uri.parse::<axum::http::Uri>().is_err() {
                        continue;
                    }
                    sent += 1;
                    let r = app.get(&uri).await;
                    if let Err(e) = check(&r, query) {
                        failures.push(e);
                    }
                }
            }
            assert!(failures.is_empty(), "{}", failures.join("\n"));
            assert!(
                sent > paths.len() * queries.len() * 3 / 4,
                "most inputs sent: {sent}"
            );

            // The API: period spellings.
            for (query, status) in [
                ("period=", 200),
                ("period=2024-25-q4", 200),
                ("period=2024/25", 400),
                ("period=garbage", 400),
                ("period=%00", 400),
                ("period=2024-26-q4", 400),
                ("period=2024-25-q0", 400),
                ("period=2030-31-q1", 404),
            ] {
                for path in ["/api/v1/activities", "/api/v1/stats"] {
                    let r = app.get(&format!("{path}?{query}")).await;
                    assert_eq!(r.status.as_u16(), status, "{path}?{query}");
                    if status != 200 {
                        r.assert(status, "application/problem+json");
                        assert_valid(&schema("Problem"), &r.json(), &r.request);
                    }
                }
            }

            // Filters that name nothing are shown as problems on the page, not errors.
            for query in [
                "status=purple",
                "directorate=../../etc/passwd",
                "outcome=theme-x",
                "page=-1",
                "page=99999999999999999999",
                "page=0",
            ] {
                let r = app.get(&format!("/activities?{query}")).await;
                r.assert(200, "text/html");
                assert!(
                    r.text().contains("Some filters were not understood"),
                    "/activities?{query}: the problem is shown"
                );
            }
            // A page past the end shows the last page.
            let r = app.get("/activities?page=500").await;
            r.assert(200, "text/html");
            assert!(r.text().contains("of 134 activities"));

            // Search redirects keep markup encoded and stay on the site.
            let r = app.get("/search?q=%3Cscript%3E%20x").await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            assert_eq!(
                r.header(header::LOCATION),
                Some("/activities?q=%3Cscript%3E+x")
            );
            let r = app.get("/search?q=//evil.example").await;
            assert_eq!(
                r.header(header::LOCATION),
                Some("/activities?q=%2F%2Fevil.example")
            );
            let r = app
                .get("/activities?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
                .await;
            let html = r.text();
            assert!(
                html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "query shown as text"
            );
        }
    })
}

#[test]
fn hostile_paths_are_not_found_never_errors() {
    run(async {
        let _hold = hold(&[Fixture::Bexley]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            let paths = [
                "/reports/%2e%2e",
                "/reports/..",
                "/reports/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                "/activities/%2F",
                "/activities/a%2Fb",
                "/activities/%2e%2e",
                "/activities/%00",
                "/activities/%FF%FE",
                "/activities/%E2%9C%93",
                "/activities/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                "/activities//1",
                "/activities/1/",
                "/activities/1/extra",
                "/%E2%9C%93",
                "/%C0%AE%C0%AE/",
                "/%2F%2F",
                "///",
                "/themes/-1",
                "/themes/99999999999",
                "/themes/%31",
                "/outcomes/0",
                "/directorates/..%2F..%2Fetc%2Fpasswd",
                "/portfolios/%00",
                "/data/activities.csv%00",
                "/data/..%2Factivities.csv",
                "/data/activities.CSV",
                "/api/v1/activities/%2e%2e",
                "/api/v1/activities/..%2F..%2Fstats",
                "/api/v1/../v1/stats",
                "/api//v1/stats",
                "/.env",
                "/.git/config",
                "/index.php",
                "/wp-login.php",
                "/assets/",
                "/assets/%2e%2e%2fCargo.toml",
            ];
            let mut failures = vec![];
            for path in paths {
                let r = app.get(path).await;
                if let Err(e) = check(&r, "") {
                    failures.push(e);
                }
                if r.status.is_success() && path != "/activities/1/" && path != "/themes/%31" {
                    failures.push(format!("{path}: {} (expected not found)", r.status));
                }
            }
            assert!(failures.is_empty(), "{}", failures.join("\n"));
            // Raw paths the URI parser accepts but that are no page.
            for path in ["//", "//activities", "/activities/%"] {
                let Ok(uri) = path.parse::<axum::http::Uri>() else {
                    continue;
                };
                let req = axum::http::Request::builder()
                    .method(Method::GET)
                    .uri(uri)
                    .body(axum::body::Body::empty())
                    .expect("request");
                let r = app.send(req).await;
                assert!(!r.status.is_server_error(), "{path}: {}", r.status);
                assert_security_headers(&r);
            }
            // Unicode in a path that exists on no page is a 404 with the site's own look.
            let r = app.get("/activities/%E2%9C%93").await;
            r.assert(404, "text/html");
            assert!(r.text().contains("London Borough of Bexley"));
        }
    })
}

/// Characters a query string may hold, weighted towards the ones parsers trip on.
fn query_strategy() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("q".to_string()),
        Just("status".to_string()),
        Just("page".to_string()),
        Just("period".to_string()),
        Just("directorate".to_string()),
        Just("portfolio".to_string()),
        Just("outcome".to_string()),
        "[a-z]{0,6}",
    ];
    let value = prop_oneof![
        "[ -~]{0,40}",
        "(%[0-9A-Fa-f]{2}){0,12}",
        "[<>\"'&%=+;/\\\\]{0,12}",
        Just("<script>alert(1)</script>".to_string()),
        Just("%3Cscript%3Ealert(1)%3C/script%3E".to_string()),
        "-?[0-9]{0,25}",
        "(19|20)[0-9]{2}-[0-9]{2}-[qQ][0-9]",
        "\\PC{0,10}",
    ];
    proptest::collection::vec((key, value), 0..5).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| {
                // Keep what a URI may carry: escape spaces, '#' and non-ASCII, leave the rest
                // (including stray '%' and markup) for the server to cope with.
                let v: String = v
                    .chars()
                    .map(|c| match c {
                        ' ' => "+".to_string(),
                        '#' => "%23".to_string(),
                        c if c.is_ascii_graphic() => c.to_string(),
                        c => {
                            let mut buf = [0u8; 4];
                            c.encode_utf8(&mut buf)
                                .bytes()
                                .map(|b| format!("%{b:02X}"))
                                .collect()
                        }
                    })
                    .collect();
                format!("{k}={v}")
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

#[test]
fn random_query_strings_never_give_a_server_error() {
    let _hold = run(hold(&[Fixture::Bexley]));
    for backend in backends() {
        let app = run(shared(Fixture::Bexley, backend));
        let mut runner = TestRunner::new(Config {
            cases: 96,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&query_strategy(), |query| {
            for path in [
                "/activities",
                "/api/v1/activities",
                "/api/v1/stats",
                "/search",
            ] {
                let uri = format!("{path}?{query}");
                // Only what a client could send: the URI parser refuses the rest.
                if uri.parse::<axum::http::Uri>().is_err() {
                    continue;
                }
                let r = run(app.get(&uri));
                check(&r, &query).map_err(TestCaseError::fail)?;
                if path.starts_with("/api/") {
                    prop_assert!(
                        matches!(r.status.as_u16(), 200 | 400 | 404 | 414),
                        "{uri}: {}",
                        r.status
                    );
                    prop_assert!(
                        r.media_type().ends_with("json"),
                        "{uri}: {}",
                        r.content_type()
                    );
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{backend:?}: {e}");
        }
        drop(app);
    }
}
