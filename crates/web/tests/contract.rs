//! The URL contract over HTTP, in-process: every route answers with the right status and
//! content type, every response carries the security headers, every link a page offers
//! resolves, conditional requests, compression and HEAD work, and a site with several
//! councils serves them under their slugs. Every test runs on SQLite and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode, header};
use common::*;
use std::collections::{BTreeSet, VecDeque};
use std::io::Read;

/// GET `path`, check status and media type and the security headers; the response.
async fn expect(app: &App, path: &str, status: u16, media_type: &str) -> Resp {
    let r = app.get(path).await;
    r.assert(status, media_type);
    assert_security_headers(&r);
    r
}

const HTML: &str = "text/html";
const JSON: &str = "application/json";
const PROBLEM: &str = "application/problem+json";
const CSV: &str = "text/csv";
const TEXT: &str = "text/plain";

#[test]
fn every_route_of_a_one_council_site_answers() {
    run(async {
        let _hold = hold(&[Fixture::Bexley]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            let cases: &[(&str, u16, &str)] = &[
                ("/", 200, HTML),
                ("/themes/1", 200, HTML),
                ("/themes/3", 200, HTML),
                ("/directorates/place", 200, HTML),
                ("/directorates/children-s-services", 200, HTML),
                ("/portfolios/growth", 200, HTML),
                ("/activities", 200, HTML),
                ("/activities/", 200, HTML),
                ("/activities?status=green&page=2", 200, HTML),
                ("/activities/1", 200, HTML),
                ("/indicators", 200, HTML),
                ("/reports", 200, HTML),
                ("/reports/2024-25-q4", 200, HTML),
                ("/data", 200, HTML),
                ("/data/activities.csv", 200, CSV),
                ("/data/statuses.csv", 200, CSV),
                ("/data/indicators.csv", 200, CSV),
                ("/data/activities.json", 200, JSON),
                ("/data/statuses.json", 200, JSON),
                ("/data/indicators.json", 200, JSON),
                ("/api/v1/activities", 200, JSON),
                ("/api/v1/activities?period=2024-25-q4", 200, JSON),
                ("/api/v1/activities/1", 200, JSON),
                ("/api/v1/stats", 200, JSON),
                ("/api/v1/stats?period=2024-25-q4", 200, JSON),
                ("/api/v1/indicators", 200, JSON),
                ("/api/v1/councils", 200, JSON),
                ("/api/openapi.json", 200, JSON),
                ("/accessibility", 200, HTML),
                // Not found: unknown paths and things, and periods in any spelling but the URL's.
                ("/nope", 404, HTML),
                ("/themes/99", 404, HTML),
                ("/themes/x", 404, HTML),
                ("/outcomes/999", 404, HTML),
                ("/directorates/nope", 404, HTML),
                ("/portfolios/nope", 404, HTML),
                ("/activities/99999", 404, HTML),
                ("/indicators/NOPE-1", 404, HTML),
                ("/reports/2019-20-q1", 404, HTML),
                ("/reports/2024-25-Q4", 404, HTML),
                ("/reports/2024-25-q5", 404, HTML),
                ("/reports/2024%2F25%20Q4", 404, HTML),
                ("/data/activities.xml", 404, HTML),
                ("/data/nope.csv", 404, HTML),
                ("/api/v1/activities/99999", 404, PROBLEM),
                ("/api/v1/stats?period=2019-20-q1", 404, PROBLEM),
                ("/api/v1/stats?period=garbage", 400, PROBLEM),
                ("/api/v1/activities?period=2019-20-q1", 404, PROBLEM),
                ("/api/v1/activities?period=garbage", 400, PROBLEM),
                // Paths of a site with several councils are not pages of a one-council site.
                ("/bexley/activities", 404, HTML),
                ("/compare", 404, HTML),
                ("/robots.txt", 200, TEXT),
            ];
            for (path, status, media) in cases {
                expect(&app, path, *status, media).await;
            }

            // Outcomes hang off the themes: every outcome a theme page links to is a page.
            let theme = app.get("/themes/1").await.text();
            let outcomes: Vec<String> = links(&theme)
                .into_iter()
                .filter(|l| l.starts_with("/outcomes/"))
                .collect();
            assert!(!outcomes.is_empty(), "Bexley's first priority has outcomes");
            for outcome in &outcomes {
                expect(&app, outcome, 200, HTML).await;
            }

            // Search is the activity list's search, with a shareable URL.
            let r = app.get("/search?q=library%20hub").await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.request);
            assert_eq!(
                r.header(header::LOCATION),
                Some("/activities?q=library+hub")
            );
            assert_security_headers(&r);
            let r = app.get("/search?q=").await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            assert_eq!(r.header(header::LOCATION), Some("/activities"));
            let r = app.get("/search").await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            assert_eq!(r.header(header::LOCATION), Some("/activities"));

            // Assets are served when built; either way never a 5xx, and traversal goes nowhere.
            let css = app.get("/assets/waymark.css").await;
            assert_security_headers(&css);
            if waymark_web::server::assets_built() {
                css.assert(200, "text/css");
                assert!(
                    css.header(header::CACHE_CONTROL)
                        .is_some_and(|c| c.contains("max-age")),
                    "assets are cacheable"
                );
            } else {
                css.assert(404, TEXT);
            }
            for path in [
                "/assets/nope.css",
                "/assets/..%2F..%2FCargo.toml",
                "/assets/%2e%2e",
                "/assets/../Cargo.toml",
            ] {
                let r = app.get(path).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
                assert_security_headers(&r);
            }
        }
    })
}

#[test]
fn bexley_pages_show_the_published_figures() {
    run(async {
        let _hold = hold(&[Fixture::Bexley]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            let home = expect(&app, "/", 200, HTML).await.text();
            assert!(home.contains("97 of 116 (83.6%)"), "home page headline");
            assert!(home.contains("2024/25 Q4"), "home page period");
            assert!(home.contains("London Borough of Bexley"));
            assert!(
                home.contains("(Complete + Green) ÷ all activities reported in the period"),
                "the rule is shown with the figure"
            );

            let report = expect(&app, "/reports/2024-25-q4", 200, HTML).await.text();
            assert!(report.contains("97 of 116") || report.contains("83.6%"));
            assert!(
                report.contains("128 rows were published") && report.contains("12 repeated rows"),
                "the report says how many repeated rows it removed"
            );
            // Each reported activity is listed once: 128 rows published, 116 after repeats.
            let listed: Vec<String> = links(&report)
                .into_iter()
                .filter(|l| l.starts_with("/activities/"))
                .collect();
            let distinct: BTreeSet<&String> = listed.iter().collect();
            assert_eq!(listed.len(), 116, "rows on the report page");
            assert_eq!(distinct.len(), 116, "no activity is listed twice");

            let reports = expect(&app, "/reports", 200, HTML).await.text();
            assert!(reports.contains("/reports/2024-25-q4"));

            // The activity list pages through every activity of the year end (134 = 116
            // reported + 18 plan activities with no return).
            let list = expect(&app, "/activities", 200, HTML).await.text();
            assert!(list.contains("of 134 activities"), "activity count");
            let last = expect(&app, "/activities?page=7", 200, HTML).await.text();
            assert!(last.contains("Showing 121 to 134 of 134"), "last page");
            let green = expect(&app, "/activities?status=green", 200, HTML)
                .await
                .text();
            assert!(green.contains("of 58 activities matching"), "green filter");

            // Bexley publishes no indicators: the pages say so rather than fail.
            expect(&app, "/indicators", 200, HTML).await;
            let api = app.get("/api/v1/indicators").await.json();
            assert_eq!(api["indicators"], serde_json::json!([]));
        }
    })
}

#[test]
fn a_synthetic_council_shows_indicators_and_changes_between_periods() {
    run(async {
        let _hold = hold(&[Fixture::Synth]).await;
        for backend in backends() {
            let app = shared(Fixture::Synth, backend).await;
            let indicators = app.get("/api/v1/indicators").await.json();
            let list = indicators["indicators"].as_array().expect("indicators");
            assert!(list.len() >= 10, "the KPI table's indicators");
            let reference = list[0]["reference"].as_str().expect("reference");
            let html = expect(&app, "/indicators", 200, HTML).await.text();
            let href = format!("/indicators/{}", waymark_web::routes::encode(reference));
            assert!(html.contains(&href), "the indicator list links {href}");
            let page = expect(&app, &href, 200, HTML).await.text();
            assert!(page.contains("2024/25"));
            expect(&app, "/indicators/KPI%2099", 404, HTML).await;

            // Eight quarters of returns: each report after the first says what changed.
            let periods = [
                "2023-24-q1",
                "2023-24-q2",
                "2023-24-q3",
                "2023-24-q4",
                "2024-25-q1",
                "2024-25-q2",
                "2024-25-q3",
                "2024-25-q4",
            ];
            for (i, period) in periods.iter().enumerate() {
                let page = expect(&app, &format!("/reports/{period}"), 200, HTML)
                    .await
                    .text();
                assert_eq!(
                    page.contains("Compared with 20"),
                    i > 0,
                    "{period}: what changed since the previous period"
                );
                expect(&app, &format!("/api/v1/stats?period={period}"), 200, JSON).await;
            }
            let q4 = app.get("/reports/2024-25-q4").await.text();
            assert!(q4.contains("Compared with 2024/25 Q3"));
            let home = expect(&app, "/", 200, HTML).await.text();
            assert!(home.contains("2024/25 Q4"), "home shows the latest period");

            let reports = expect(&app, "/reports", 200, HTML).await.text();
            for period in periods {
                assert!(reports.contains(&format!("/reports/{period}")), "{period}");
            }
        }
    })
}

/// Internal links (`href` and `src`) in an HTML page, `&amp;` and friends decoded.
fn links(html: &str) -> Vec<String> {
    let mut out = vec![];
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let Some(end) = rest.find('"') else { break };
            let link = rest[..end]
                .replace("&amp;", "&")
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">");
            if link.starts_with('/') && !link.starts_with("//") {
                out.push(link.split('#').next().unwrap_or("").to_string());
            }
            rest = &rest[end..];
        }
    }
    out
}

/// Follow every internal link from `start`; every one must answer 200 (assets: 200 when
/// built, else 404) with the security headers. How many pages, and the broken links.
async fn crawl(app: &App, start: &str, limit: usize) -> (usize, Vec<String>) {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([(start.to_string(), String::new())]);
    seen.insert(start.to_string());
    let mut broken = vec![];
    while let Some((path, from)) = queue.pop_front() {
        assert!(
            seen.len() <= limit,
            "more than {limit} pages: is a link looping?"
        );
        let r = app.get(&path).await;
        assert_security_headers(&r);
        if path.starts_with("/assets/") {
            let expected = if waymark_web::server::assets_built() {
                200
            } else {
                404
            };
            assert_eq!(r.status.as_u16(), expected, "{path}");
            continue;
        }
        if r.status != StatusCode::OK {
            broken.push(format!("{path} is {} (linked from {from})", r.status));
            continue;
        }
        if r.media_type() == HTML {
            for link in links(&r.text()) {
                if !link.is_empty() && seen.insert(link.clone()) {
                    queue.push_back((link, path.clone()));
                }
            }
        }
    }
    (seen.len(), broken)
}

#[test]
fn every_link_on_the_site_resolves() {
    run(async {
        let _hold = hold(&[Fixture::Bexley, Fixture::Both]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            let (pages, mut broken) = crawl(&app, "/", 1000).await;
            assert!(pages > 150, "crawled {pages} pages");

            let app = shared(Fixture::Both, backend).await;
            let (pages, more) = crawl(&app, "/", 2000).await;
            assert!(pages > 250, "crawled {pages} pages of two councils");
            broken.extend(more);
            assert!(
                broken.is_empty(),
                "{backend:?}: broken links:\n{}",
                broken.join("\n")
            );
        }
    })
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzip body");
    out
}

#[test]
fn conditional_requests_compression_and_head() {
    run(async {
        let _hold = hold(&[Fixture::Bexley]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            for path in [
                "/",
                "/activities",
                "/activities/1",
                "/api/v1/stats",
                "/data/activities.csv",
                "/api/openapi.json",
            ] {
                let plain = app.get(path).await;
                plain.assert(200, plain.media_type());
                let etag = plain.header(header::ETAG).expect("ETag").to_string();
                assert!(
                    etag.starts_with('"') && etag.ends_with('"'),
                    "{path}: strong ETag {etag}"
                );
                assert_eq!(plain.header(header::CONTENT_ENCODING), None, "{path}");

                // The same ETag again: 304 with no body, and still the security headers.
                let again = app
                    .get_with(path, &[("if-none-match", etag.as_str())])
                    .await;
                assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
                assert!(again.body.is_empty(), "{path}: 304 has no body");
                assert_eq!(again.header(header::ETAG), Some(etag.as_str()));
                assert_security_headers(&again);
                let other = app
                    .get_with(path, &[("if-none-match", "\"something-else\"")])
                    .await;
                assert_eq!(other.status, StatusCode::OK, "{path}: another tag");
                let weak = format!("W/{etag}");
                let weak = app
                    .get_with(path, &[("if-none-match", weak.as_str())])
                    .await;
                assert_eq!(weak.status, StatusCode::NOT_MODIFIED, "{path}: weak match");

                // gzip when asked: the same bytes once decompressed, under its own tag.
                let gz = app.get_with(path, &[("accept-encoding", "gzip, br")]).await;
                assert_eq!(gz.status, StatusCode::OK);
                assert_eq!(gz.header(header::CONTENT_ENCODING), Some("gzip"), "{path}");
                assert!(
                    gz.header(header::VARY)
                        .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
                    "{path}: Vary"
                );
                assert_eq!(gunzip(&gz.body), plain.body.to_vec(), "{path}: gzip body");
                let gz_tag = gz.header(header::ETAG).expect("ETag").to_string();
                assert_ne!(gz_tag, etag, "{path}: the gzip form has a tag of its own");
                // Either tag revalidates either form.
                let r = app
                    .get_with(
                        path,
                        &[
                            ("accept-encoding", "gzip"),
                            ("if-none-match", gz_tag.as_str()),
                        ],
                    )
                    .await;
                assert_eq!(
                    r.status,
                    StatusCode::NOT_MODIFIED,
                    "{path}: gzip revalidation"
                );
                let r = app
                    .get_with(
                        path,
                        &[
                            ("accept-encoding", "gzip"),
                            ("if-none-match", etag.as_str()),
                        ],
                    )
                    .await;
                assert_eq!(
                    r.status,
                    StatusCode::NOT_MODIFIED,
                    "{path}: cross revalidation"
                );
                // q=0 refuses gzip.
                let refused = app.get_with(path, &[("accept-encoding", "gzip;q=0")]).await;
                assert_eq!(refused.header(header::CONTENT_ENCODING), None, "{path}");
                assert_eq!(refused.body, plain.body);

                // HEAD: the headers of GET, no body.
                let head = app.send(request(Method::HEAD, path, &[])).await;
                assert_eq!(head.status, StatusCode::OK, "HEAD {path}");
                assert!(head.body.is_empty(), "HEAD {path} has no body");
                assert_eq!(head.content_type(), plain.content_type());
                assert_eq!(head.header(header::ETAG), Some(etag.as_str()));
                assert_eq!(
                    head.header(header::CONTENT_LENGTH),
                    Some(plain.body.len().to_string().as_str()),
                    "HEAD {path}: Content-Length"
                );
                assert_security_headers(&head);
            }

            // Downloads are attachments named after the council.
            let csv = app.get("/data/activities.csv").await;
            assert_eq!(
                csv.header(header::CONTENT_DISPOSITION),
                Some("attachment; filename=\"bexley-activities.csv\"")
            );
            let json = app.get("/data/statuses.json").await;
            assert_eq!(
                json.header(header::CONTENT_DISPOSITION),
                Some("attachment; filename=\"bexley-statuses.json\"")
            );

            // HEAD of a missing page: 404 with no body.
            let head = app.send(request(Method::HEAD, "/nope", &[])).await;
            assert_eq!(head.status, StatusCode::NOT_FOUND);
            assert!(head.body.is_empty(), "HEAD /nope has no body");
            assert_security_headers(&head);
            // A 404 is never "not modified".
            let missing = app.get("/nope").await;
            if let Some(tag) = missing.header(header::ETAG) {
                let r = app.get_with("/nope", &[("if-none-match", tag)]).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND);
            }
        }
    })
}

#[test]
fn only_get_and_head_are_allowed_and_long_addresses_are_refused() {
    run(async {
        let _hold = hold(&[Fixture::Bexley]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            for method in [
                Method::POST,
                Method::PUT,
                Method::DELETE,
                Method::PATCH,
                Method::OPTIONS,
            ] {
                for path in [
                    "/",
                    "/activities",
                    "/api/v1/stats",
                    "/nope",
                    "/api/openapi.json",
                ] {
                    let r = app.send(request(method.clone(), path, &[])).await;
                    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                    assert_eq!(
                        r.header(header::ALLOW),
                        Some("GET, HEAD"),
                        "{method} {path}"
                    );
                    assert_security_headers(&r);
                }
            }
            // A body on a GET is refused before any work.
            let r = app
                .send(request(Method::GET, "/", &[("content-length", "1000000")]))
                .await;
            assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
            assert_security_headers(&r);

            // Over-long query and path: 414.
            let long = "x".repeat(3000);
            for path in [
                format!("/activities?q={long}"),
                format!("/api/v1/activities?period={long}"),
                format!("/{long}"),
                format!("/activities/{long}"),
            ] {
                let r = app.get(&path).await;
                assert_eq!(r.status, StatusCode::URI_TOO_LONG, "{}", &path[..30]);
                assert_security_headers(&r);
            }
            // Just under the limit is a page (the search text is cut and the reader told).
            let q = "a".repeat(2000);
            let r = expect(&app, &format!("/activities?q={q}"), 200, HTML).await;
            assert!(r.text().contains("Search text was cut"));
        }
    })
}

#[test]
fn security_headers_are_on_every_kind_of_response() {
    run(async {
        let _hold = hold(&[Fixture::Bexley]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            let paths = [
                "/",
                "/activities?q=%3Cscript%3E",
                "/api/v1/activities",
                "/api/v1/activities/99999",
                "/api/v1/stats?period=garbage",
                "/api/openapi.json",
                "/data/activities.csv",
                "/nope",
                "/search?q=x",
                "/robots.txt",
                "/assets/waymark.css",
            ];
            for path in paths {
                let r = app.get(path).await;
                assert_security_headers(&r);
                let csp = r.header(header::CONTENT_SECURITY_POLICY).unwrap_or("");
                assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
                assert!(csp.contains("object-src") || csp.contains("default-src 'none'"));
                assert!(csp.contains("base-uri"), "{path}: base-uri");
                assert!(csp.contains("form-action"), "{path}: form-action");
            }
            // Pages keep the CSP's promise: no inline scripts, styles or handlers.
            for path in [
                "/",
                "/activities",
                "/reports/2024-25-q4",
                "/activities/1",
                "/data",
            ] {
                let html = app.get(path).await.text();
                assert_no_inline_code(path, &html);
            }
        }
    })
}

/// What `script-src 'self'; style-src 'self'` would block: inline `<script>` bodies,
/// `style` elements and attributes, `on…=` handlers and `javascript:` URLs.
#[track_caller]
pub fn assert_no_inline_code(path: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("<script") {
        rest = &rest[i..];
        let end = rest.find('>').unwrap_or(rest.len());
        assert!(
            rest[..end].contains(" src=\"/assets/"),
            "{path}: an inline script: {}",
            &rest[..end.min(200)]
        );
        rest = &rest[end..];
        assert!(rest.starts_with("></script>"), "{path}: script with a body");
    }
    assert!(!lower.contains("<style"), "{path}: a <style> element");
    assert!(!lower.contains(" style=\""), "{path}: a style attribute");
    assert!(!lower.contains("javascript:"), "{path}: a javascript: URL");
    for handler in [
        " onclick=",
        " onload=",
        " onerror=",
        " onchange=",
        " onsubmit=",
    ] {
        assert!(
            !lower.contains(handler),
            "{path}: an inline {handler} handler"
        );
    }
}

#[test]
fn a_site_with_several_councils_serves_them_under_their_slugs() {
    run(async {
        let _hold = hold(&[Fixture::Both]).await;
        for backend in backends() {
            let app = shared(Fixture::Both, backend).await;
            // The home page compares the councils, each under its own rule.
            let home = expect(&app, "/", 200, HTML).await.text();
            assert!(home.contains("London Borough of Bexley"));
            assert!(home.contains("London Borough of Bramley Weald"));
            assert!(home.contains("97 of 116 (83.6%)"), "Bexley's headline");
            assert!(home.contains("(Complete + Green) ÷ all activities reported in the period"));
            assert!(home.contains("href=\"/bexley/\"") && home.contains("href=\"/council-001/\""));
            assert_no_inline_code("/", &home);

            let compare = expect(&app, "/compare?period=2024-25-q4", 200, HTML)
                .await
                .text();
            assert!(compare.contains("97 of 116 (83.6%)"));
            // A period only the synthetic council reported: Bexley has nothing to show.
            let earlier = expect(&app, "/compare?period=2023-24-q1", 200, HTML)
                .await
                .text();
            assert!(!earlier.contains("97 of 116"));
            assert!(earlier.contains("2023/24 Q1"));
            expect(&app, "/compare?period=garbage", 200, HTML).await;

            let api = expect(&app, "/api/v1/comparison?period=2024-25-q4", 200, JSON)
                .await
                .json();
            assert_eq!(api["period"]["id"], "2024-25-q4");
            let slugs: Vec<&str> = api["councils"]
                .as_array()
                .expect("councils")
                .iter()
                .filter_map(|c| c["slug"].as_str())
                .collect();
            assert_eq!(slugs, ["bexley", "council-001"]);
            assert_eq!(api["councils"][0]["headline"]["numerator"], 97);
            assert_eq!(api["councils"][0]["headline"]["denominator"], 116);
            expect(&app, "/api/v1/comparison", 200, JSON).await;
            expect(&app, "/api/v1/comparison?period=garbage", 400, PROBLEM).await;

            let councils = expect(&app, "/api/v1/councils", 200, JSON).await.json();
            assert_eq!(
                councils["councils"][0],
                serde_json::json!({"slug": "bexley", "name": "London Borough of Bexley", "url": "/bexley/"})
            );
            assert_eq!(councils["councils"][1]["url"], "/council-001/");

            for council in ["bexley", "council-001"] {
                for (tail, status, media) in [
                    ("/", 200, HTML),
                    ("/activities", 200, HTML),
                    ("/activities/nope-404", 404, HTML),
                    ("/reports/2024-25-q4", 200, HTML),
                    ("/indicators", 200, HTML),
                    ("/data", 200, HTML),
                    ("/data/activities.csv", 200, CSV),
                    ("/api/v1/activities", 200, JSON),
                    ("/api/v1/stats?period=2024-25-q4", 200, JSON),
                    ("/api/v1/indicators", 200, JSON),
                    ("/accessibility", 200, HTML),
                    ("/nope", 404, HTML),
                ] {
                    expect(&app, &format!("/{council}{tail}"), status, media).await;
                }
                // Search stays within the council.
                let r = app.get(&format!("/{council}/search?q=plan")).await;
                assert_eq!(r.status, StatusCode::SEE_OTHER);
                assert_eq!(
                    r.header(header::LOCATION),
                    Some(format!("/{council}/activities?q=plan").as_str())
                );
            }
            // Links inside a council's pages carry its prefix.
            let bexley = app.get("/bexley/activities").await.text();
            assert!(bexley.contains("href=\"/bexley/activities/1\""));
            assert!(
                !bexley.contains("href=\"/activities/"),
                "an unprefixed link"
            );
            let stats = app.get("/council-001/api/v1/stats").await.json();
            assert_eq!(stats["council"]["slug"], "council-001");
            let bexley_stats = app.get("/bexley/api/v1/stats").await.json();
            assert_eq!(bexley_stats["headline"]["numerator"], 97);

            // Short URLs are a one-council site's: here they are not pages.
            for path in [
                "/activities",
                "/activities/1",
                "/reports/2024-25-q4",
                "/data/activities.csv",
                "/api/v1/stats",
                "/api/v1/activities",
                "/themes/1",
                "/search?q=x",
                "/nope",
                "/nope/activities",
            ] {
                let r = app.get(path).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
                assert_security_headers(&r);
            }
            // Whole-site paths are never a council's.
            expect(&app, "/api/openapi.json", 200, JSON).await;
        }
    })
}

/// The report page offers each report in every format the site writes; files are made from the
/// published record, HTML ones with a policy naming their own styles only.
#[test]
fn report_files_download_from_the_report_page() {
    run(async {
        let _hold = hold(&[Fixture::Bexley]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            let page = expect(&app, "/reports/2024-25-q4", 200, HTML).await.text();
            for href in [
                "/reports/2024-25-q4/annual.html",
                "/reports/2024-25-q4/exceptions.xlsx",
                "/reports/2024-25-q4/annual.docx",
            ] {
                assert!(page.contains(href), "{href} not offered");
            }
            let csv = expect(&app, "/reports/2024-25-q4/exceptions.csv", 200, "text/csv").await;
            assert!(
                csv.header(header::CONTENT_DISPOSITION)
                    .is_some_and(|d| d.starts_with("attachment")
                        && d.contains("bexley-exceptions-2024-25-q4.csv")),
                "{:?}",
                csv.header(header::CONTENT_DISPOSITION)
            );
            assert!(csv.text().starts_with("Table,"));
            let html = expect(&app, "/reports/2024-25-q4/annual.html", 200, HTML).await;
            let csp = html.header(header::CONTENT_SECURITY_POLICY).expect("csp");
            assert!(csp.contains("style-src 'sha256-"), "{csp}");
            assert!(html.text().contains("Annual performance report 2024/25"));
            // No PDF writer in this build of the site: no PDF offered, none served.
            assert!(!page.contains("annual.pdf"));
            app.get("/reports/2024-25-q4/annual.pdf")
                .await
                .assert(404, HTML);
            app.get("/reports/2024-25-q4/portfolios/nobody.md")
                .await
                .assert(404, HTML);
            app.get("/reports/2019-20-q4/annual.md")
                .await
                .assert(404, HTML);
            app.get("/reports/2024-25-q4/portfolio.md")
                .await
                .assert(404, HTML);
        }
    });
}

#[test]
fn suggested_outcome_links_are_labelled_as_suggested() {
    run(async {
        let _hold = hold(&[Fixture::Bexley]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            // Bexley's action plan names no outcomes: the plan's words suggest them, and the
            // priority and outcome pages list those activities, each labelled in words.
            let mut labelled = 0;
            for n in 1..=15 {
                let page = expect(&app, &format!("/outcomes/{n}"), 200, HTML)
                    .await
                    .text();
                if page.contains("No activities are linked to this yet.") {
                    continue;
                }
                assert!(
                    page.contains("Suggested link"),
                    "/outcomes/{n} ({backend:?})"
                );
                assert!(page.contains("not yet confirmed the link"), "/outcomes/{n}");
                labelled += 1;
            }
            assert!(
                labelled >= 10,
                "{labelled} outcome pages list activities ({backend:?})"
            );
            let theme = expect(&app, "/themes/1", 200, HTML).await.text();
            assert!(theme.contains("Suggested link"), "{backend:?}");
            assert!(!theme.contains("No activities are linked to this yet."));

            // The API and the open data say which links are suggested.
            let list = expect(&app, "/api/v1/activities", 200, JSON).await.json();
            let rows = list["activities"].as_array().expect("activities");
            let suggested: Vec<&serde_json::Value> = rows
                .iter()
                .filter(|r| r["outcome_link"] == "suggested")
                .collect();
            assert!(!suggested.is_empty(), "{backend:?}");
            assert!(rows.iter().all(|r| r["outcome_link"] != "confirmed"));
            let id = suggested[0]["id"].as_str().expect("id");
            let one = expect(&app, &format!("/api/v1/activities/{id}"), 200, JSON)
                .await
                .json();
            let outcomes = one["outcomes"].as_array().expect("outcomes");
            assert!(!outcomes.is_empty());
            assert!(outcomes.iter().all(|o| o["link"] == "suggested"), "{one}");
            let page = expect(&app, &format!("/activities/{id}"), 200, HTML)
                .await
                .text();
            assert!(page.contains("Suggested link"), "{backend:?}");
            let csv = expect(&app, "/data/activities.csv", 200, CSV).await.text();
            assert!(
                csv.lines()
                    .next()
                    .is_some_and(|h| h.contains(",outcomes,outcome_link,"))
            );
            assert!(csv.contains(",suggested,"));
        }
    });
}
