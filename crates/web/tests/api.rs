//! The JSON API and the downloads against `openapi.json`: the document is well formed, every
//! path it lists is served and every response matches its schema (so the document and the
//! routes cannot drift apart), errors are problem+json, CSV is RFC 4180 and never starts a
//! spreadsheet formula. Every test runs on SQLite and PostgreSQL.

mod common;

use axum::http::{StatusCode, header};
use common::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use waymark_store::Backend;

// ---------------------------------------------------------------------------------------------
// The document itself

/// Every `$ref` in `value`, with where it was found.
fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref"
                    && let Some(r) = v.as_str()
                {
                    out.push((at.to_string(), r.to_string()));
                }
                refs(v, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                refs(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Every object schema that lists its properties must close itself, so validation is strict.
fn closed_objects(value: &Value, at: &str, open: &mut Vec<String>) {
    if let Value::Object(map) = value {
        if map.get("type") == Some(&json!("object")) && map.contains_key("properties") {
            // The OpenAPI document's own schema (for /api/openapi.json) is deliberately open.
            if map.get("additionalProperties") != Some(&json!(false))
                && !at.contains("openapi.json")
            {
                open.push(at.to_string());
            }
        }
        for (k, v) in map {
            closed_objects(v, &format!("{at}/{k}"), open);
        }
    } else if let Value::Array(list) = value {
        for (i, v) in list.iter().enumerate() {
            closed_objects(v, &format!("{at}/{i}"), open);
        }
    }
}

#[test]
fn the_openapi_document_is_well_formed() {
    let doc = openapi();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "Waymark open data API");
    assert_eq!(doc["info"]["version"], "1");
    let description = doc["info"]["description"].as_str().expect("description");
    for words in ["read-only", "No key", "problem+json", "/{council}"] {
        assert!(
            description.contains(words),
            "info.description mentions {words}"
        );
    }

    // Every reference resolves inside the document.
    let mut found = vec![];
    refs(&doc, "#", &mut found);
    assert!(found.len() > 20);
    for (at, r) in &found {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{at}: external reference {r}"));
        assert!(doc.pointer(pointer).is_some(), "{at}: {r} does not resolve");
    }

    // Every schema compiles as JSON Schema 2020-12 and is itself valid against the
    // meta-schema, and fully described objects are closed.
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for (name, s) in schemas {
        assert!(
            jsonschema::draft202012::meta::is_valid(s),
            "components.schemas.{name} is not a valid schema"
        );
        let _ = schema(name);
    }
    let mut open = vec![];
    closed_objects(&doc, "#", &mut open);
    assert!(
        open.is_empty(),
        "object schemas without additionalProperties: false: {open:?}"
    );

    // Status keys as the brief has them.
    assert_eq!(
        doc["components"]["schemas"]["Status"]["enum"],
        json!([
            "complete",
            "green",
            "amber",
            "red",
            "ceased",
            "not_started",
            "no_return"
        ])
    );
    // The period parameter.
    let period = &doc["components"]["parameters"]["Period"];
    assert_eq!(period["in"], "query");
    assert_eq!(period["required"], false);
    assert_eq!(period["schema"]["pattern"], "^[0-9]{4}-[0-9]{2}-q[1-4]$");

    // Each operation: an id, a 200, every parameter in the path declared, 4xx are
    // problem+json, CSV is text/csv.
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let op = &item["get"];
        assert!(op.is_object(), "{path}: GET");
        assert_eq!(
            item.as_object().map(|m| m.len()),
            Some(1 + usize::from(item.get("servers").is_some())),
            "{path}: only GET (and servers)"
        );
        assert!(ids.insert(op["operationId"].as_str().expect("operationId").to_string()));
        let responses = op["responses"].as_object().expect("responses");
        assert!(responses.contains_key("200"), "{path}: 200");
        for (code, response) in responses {
            let response = match response.get("$ref").and_then(Value::as_str) {
                Some(r) => doc.pointer(&r[1..]).expect("response ref").clone(),
                None => response.clone(),
            };
            let content = response["content"].as_object().expect("content");
            if code.starts_with('4') {
                assert_eq!(
                    content.keys().collect::<Vec<_>>(),
                    ["application/problem+json"],
                    "{path} {code}"
                );
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem"
                );
            } else if path.ends_with(".csv") {
                assert_eq!(content.keys().collect::<Vec<_>>(), ["text/csv"], "{path}");
            } else {
                assert_eq!(
                    content.keys().collect::<Vec<_>>(),
                    ["application/json"],
                    "{path}"
                );
            }
        }
        for name in path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            let declared = op["parameters"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true)
            });
            assert!(declared, "{path}: path parameter {name}");
        }
        // Council paths say how they look on a site with several councils.
        let global = [
            "/api/v1/councils",
            "/api/v1/comparison",
            "/api/openapi.json",
        ];
        if !global.contains(&path.as_str()) {
            let servers = item["servers"]
                .as_array()
                .expect("council paths list servers");
            assert!(
                servers.iter().any(|s| s["url"] == "/{council}"
                    && s["variables"]["council"]["default"].is_string())
            );
        }
    }
    // The schema Problem is strict.
    let problem = schema("Problem");
    assert!(
        problem
            .is_valid(&json!({"type": "about:blank", "title": "t", "status": 404, "detail": "d"}))
    );
    assert!(!problem.is_valid(&json!({"type": "about:blank", "title": "t", "status": 404})));
    assert!(!problem.is_valid(
        &json!({"type": "about:blank", "title": "t", "status": 404, "detail": "d", "x": 1})
    ));
}

#[test]
fn the_document_is_served_as_written() {
    run(async {
        let db = TestDb::new(Backend::Sqlite).await;
        let app = App::new(db);
        let r = app.get("/api/openapi.json").await;
        r.assert(200, "application/json");
        assert_security_headers(&r);
        assert_eq!(r.body, waymark_web::api::OPENAPI.as_bytes(), "served bytes");
        assert_matches_openapi("/api/openapi.json", &r);
        insta::assert_json_snapshot!("openapi", r.json());
    })
}

// ---------------------------------------------------------------------------------------------
// Every documented path, exercised

/// Records which documented paths have been checked.
struct Coverage {
    checked: BTreeSet<String>,
}

impl Coverage {
    fn new() -> Coverage {
        Coverage {
            checked: BTreeSet::new(),
        }
    }

    /// GET `uri`, expect `status`, validate against `documented` (the path as openapi.json
    /// writes it), record it; the response.
    async fn check(&mut self, app: &App, documented: &str, uri: &str, status: u16) -> Resp {
        let r = app.get(uri).await;
        assert_eq!(
            r.status.as_u16(),
            status,
            "{uri}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_security_headers(&r);
        let media = r.media_type().to_string();
        if media == "text/csv" {
            // Documented as text/csv: nothing to validate beyond the type here.
            let _ = response_schema(documented, status, "text/csv");
        } else {
            assert_matches_openapi(documented, &r);
            // The schema is not vacuous: a field the document does not describe is refused.
            if documented != "/api/openapi.json" {
                let validator = validator_for(&response_schema(documented, status, &media));
                let mut extra = r.json();
                extra["unexpected"] = json!(1);
                assert!(
                    !validator.is_valid(&extra),
                    "{uri}: the schema is not strict"
                );
            }
        }
        self.checked.insert(documented.to_string());
        r
    }

    fn assert_complete(&self) {
        let documented: BTreeSet<String> = documented_paths().into_iter().collect();
        let missed: Vec<_> = documented.difference(&self.checked).collect();
        assert!(
            missed.is_empty(),
            "documented but never requested: {missed:?}"
        );
    }
}

/// The council paths of a one-council site (prefix "") or of one council of several
/// (prefix "/slug"), checked against the document.
async fn check_council(cov: &mut Coverage, app: &App, prefix: &str, reference: &str) {
    let p = |tail: &str| format!("{prefix}{tail}");
    let list = cov
        .check(app, "/api/v1/activities", &p("/api/v1/activities"), 200)
        .await
        .json();
    let latest = list["period"]["id"]
        .as_str()
        .expect("a latest period")
        .to_string();
    let with_period = cov
        .check(
            app,
            "/api/v1/activities",
            &p(&format!("/api/v1/activities?period={latest}")),
            200,
        )
        .await
        .json();
    assert_eq!(list, with_period, "no period means the latest");
    assert_eq!(
        list["count"],
        list["activities"].as_array().map(Vec::len).unwrap_or(0)
    );
    // Every row's id opens the activity.
    for row in list["activities"].as_array().expect("rows").iter().take(40) {
        let id = row["id"].as_str().expect("id");
        let encoded = waymark_web::routes::encode(id);
        let one = cov
            .check(
                app,
                "/api/v1/activities/{reference}",
                &p(&format!("/api/v1/activities/{encoded}")),
                200,
            )
            .await
            .json();
        assert_eq!(one["id"], row["id"]);
        assert_eq!(one["url"], row["url"]);
        assert_eq!(one["title"], row["title"]);
    }
    let one = cov
        .check(
            app,
            "/api/v1/activities/{reference}",
            &p(&format!("/api/v1/activities/{reference}")),
            200,
        )
        .await
        .json();
    assert!(!one["history"].as_array().expect("history").is_empty());
    cov.check(
        app,
        "/api/v1/activities/{reference}",
        &p("/api/v1/activities/no-such-activity"),
        404,
    )
    .await;

    let stats = cov
        .check(app, "/api/v1/stats", &p("/api/v1/stats"), 200)
        .await
        .json();
    assert_eq!(stats["period"]["id"], latest.as_str());
    cov.check(
        app,
        "/api/v1/stats",
        &p(&format!("/api/v1/stats?period={latest}")),
        200,
    )
    .await;
    cov.check(
        app,
        "/api/v1/stats",
        &p("/api/v1/stats?period=2001-02-q1"),
        404,
    )
    .await;
    cov.check(
        app,
        "/api/v1/stats",
        &p("/api/v1/stats?period=2024/25"),
        400,
    )
    .await;
    cov.check(
        app,
        "/api/v1/activities",
        &p("/api/v1/activities?period=garbage"),
        400,
    )
    .await;
    cov.check(
        app,
        "/api/v1/activities",
        &p("/api/v1/activities?period=2001-02-q1"),
        404,
    )
    .await;
    cov.check(app, "/api/v1/indicators", &p("/api/v1/indicators"), 200)
        .await;

    // Downloads agree with the API.
    let activities = cov
        .check(
            app,
            "/data/activities.json",
            &p("/data/activities.json"),
            200,
        )
        .await
        .json();
    assert_eq!(
        activities, list,
        "activities.json is the latest period's list"
    );
    let statuses = cov
        .check(app, "/data/statuses.json", &p("/data/statuses.json"), 200)
        .await
        .json();
    assert!(
        !statuses["statuses"]
            .as_array()
            .expect("statuses")
            .is_empty()
    );
    let indicators = cov
        .check(
            app,
            "/data/indicators.json",
            &p("/data/indicators.json"),
            200,
        )
        .await
        .json();
    let api_indicators = app.get(&p("/api/v1/indicators")).await.json();
    assert_eq!(indicators, api_indicators);
    for csv in [
        "/data/activities.csv",
        "/data/statuses.csv",
        "/data/indicators.csv",
    ] {
        cov.check(app, csv, &p(csv), 200).await;
    }
}

#[test]
fn every_documented_path_is_served_as_documented() {
    run(async {
        let _hold = hold(&[Fixture::Bexley, Fixture::Synth, Fixture::Both]).await;
        for backend in backends() {
            let mut cov = Coverage::new();

            // One council: Bexley (no indicators), then the synthetic council (indicators,
            // eight periods).
            let bexley = shared(Fixture::Bexley, backend).await;
            check_council(&mut cov, &bexley, "", "1").await;
            let councils = cov
                .check(&bexley, "/api/v1/councils", "/api/v1/councils", 200)
                .await
                .json();
            assert_eq!(
                councils,
                json!({"councils": [{"slug": "bexley", "name": "London Borough of Bexley", "url": "/"}]})
            );
            cov.check(&bexley, "/api/openapi.json", "/api/openapi.json", 200)
                .await;
            drop(bexley);

            let synth = shared(Fixture::Synth, backend).await;
            check_council(&mut cov, &synth, "", "ASC-001").await;
            let indicators = synth.get("/api/v1/indicators").await.json();
            assert!(
                indicators["indicators"]
                    .as_array()
                    .is_some_and(|l| l.len() >= 10)
            );
            // Every period of the eight has statistics and a list.
            for period in ["2023-24-q1", "2023-24-q4", "2024-25-q2"] {
                let s = cov
                    .check(
                        &synth,
                        "/api/v1/stats",
                        &format!("/api/v1/stats?period={period}"),
                        200,
                    )
                    .await
                    .json();
                assert_eq!(s["period"]["id"], period);
                assert_eq!(s["total"], 30);
            }
            drop(synth);

            // Several councils: council paths under /{council}, and the comparison.
            let both = shared(Fixture::Both, backend).await;
            check_council(&mut cov, &both, "/bexley", "1").await;
            check_council(&mut cov, &both, "/council-001", "ASC-001").await;
            cov.check(&both, "/api/v1/councils", "/api/v1/councils", 200)
                .await;
            let comparison = cov
                .check(&both, "/api/v1/comparison", "/api/v1/comparison", 200)
                .await
                .json();
            assert_eq!(comparison["period"]["id"], "2024-25-q4");
            cov.check(
                &both,
                "/api/v1/comparison",
                "/api/v1/comparison?period=2023-24-q1",
                200,
            )
            .await;
            cov.check(
                &both,
                "/api/v1/comparison",
                "/api/v1/comparison?period=garbage",
                400,
            )
            .await;
            cov.check(&both, "/api/openapi.json", "/api/openapi.json", 200)
                .await;

            cov.assert_complete();
        }
    })
}

#[test]
fn bexley_statistics_match_the_snapshot() {
    run(async {
        let _hold = hold(&[Fixture::Bexley]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            let r = app.get("/api/v1/stats").await;
            assert_matches_openapi("/api/v1/stats", &r);
            let stats = r.json();
            assert_eq!(stats["headline"]["numerator"], 97);
            assert_eq!(stats["headline"]["denominator"], 116);
            assert_eq!(stats["headline"]["percent"], 83.6);
            assert_eq!(stats["duplicates_removed"], 12);
            assert_eq!(stats["rows"], 128);
            // Both backends give the same bytes: one snapshot.
            insta::assert_json_snapshot!("bexley_stats", stats);
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
fn api_errors_are_problem_json() {
    run(async {
        let _hold = hold(&[Fixture::Bexley]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            let cases = [
                (
                    "/api/v1/activities",
                    "/api/v1/activities?period=garbage",
                    400,
                ),
                (
                    "/api/v1/activities",
                    "/api/v1/activities?period=2024/25",
                    400,
                ),
                (
                    "/api/v1/activities",
                    "/api/v1/activities?period=2024-25-q5",
                    400,
                ),
                (
                    "/api/v1/activities",
                    "/api/v1/activities?period=2001-02-q1",
                    404,
                ),
                ("/api/v1/stats", "/api/v1/stats?period=garbage", 400),
                ("/api/v1/stats", "/api/v1/stats?period=%00", 400),
                ("/api/v1/stats", "/api/v1/stats?period=2030-31-q1", 404),
                (
                    "/api/v1/activities/{reference}",
                    "/api/v1/activities/99999",
                    404,
                ),
                (
                    "/api/v1/activities/{reference}",
                    "/api/v1/activities/%3Cscript%3E",
                    404,
                ),
            ];
            for (documented, uri, status) in cases {
                let r = app.get(uri).await;
                r.assert(status, "application/problem+json");
                assert_security_headers(&r);
                assert_matches_openapi(documented, &r);
                assert_valid(&schema("Problem"), &r.json(), uri);
                let problem = r.json();
                assert_eq!(problem["status"], status, "{uri}");
                assert!(
                    !problem["detail"].as_str().unwrap_or("").contains('<'),
                    "{uri}"
                );
            }
            // The 404 for a period names the periods that have data.
            let r = app.get("/api/v1/stats?period=2001-02-q1").await.json();
            assert!(r["detail"].as_str().unwrap_or("").contains("2024-25-q4"));
        }
    })
}

/// Anything under /api/ that is not an endpoint is an API error, not an HTML page: a client
/// asking the API gets an answer it can read.
#[test]
fn unknown_api_paths_are_problem_json() {
    run(async {
        let _hold = hold(&[Fixture::Bexley, Fixture::Both]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            for uri in [
                "/api/v1/nope",
                "/api/v2/stats",
                "/api/v1/activities/1/history",
                // Only a site with several councils compares them.
                "/api/v1/comparison",
            ] {
                let r = app.get(uri).await;
                r.assert(404, "application/problem+json");
                assert_valid(&schema("Problem"), &r.json(), uri);
            }
            let app = shared(Fixture::Both, backend).await;
            for uri in ["/nope/api/v1/stats", "/bexley/api/v1/nope", "/api/v1/stats"] {
                let r = app.get(uri).await;
                r.assert(404, "application/problem+json");
                assert_valid(&schema("Problem"), &r.json(), uri);
            }
        }
    })
}

// ---------------------------------------------------------------------------------------------
// CSV

/// Parse a CSV download strictly: UTF-8, CRLF line ends, a header row, equal-length records.
fn parse_csv(r: &Resp, header: &[&str]) -> Vec<csv::StringRecord> {
    assert_eq!(r.content_type(), "text/csv; charset=utf-8", "{}", r.request);
    let text = std::str::from_utf8(&r.body).unwrap_or_else(|_| panic!("{}: UTF-8", r.request));
    assert!(
        !text.starts_with('\u{feff}'),
        "{}: no byte order mark",
        r.request
    );
    assert!(text.ends_with("\r\n"), "{}: ends with CRLF", r.request);
    // Every line break outside quotes is CRLF: remove quoted fields and look.
    let mut outside = String::new();
    let mut quoted = false;
    for c in text.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            outside.push(c);
        }
    }
    assert!(!quoted, "{}: unbalanced quotes", r.request);
    assert_eq!(
        outside.matches('\n').count(),
        outside.matches("\r\n").count(),
        "{}: a bare LF outside quotes",
        r.request
    );
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(r.body.as_ref());
    let found: Vec<String> = reader
        .headers()
        .expect("header row")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(found, header, "{}: header", r.request);
    reader
        .records()
        .map(|rec| rec.unwrap_or_else(|e| panic!("{}: not RFC 4180: {e}", r.request)))
        .collect()
}

const ACTIVITY_COLUMNS: [&str; 18] = [
    "reference",
    "title",
    "former_titles",
    "directorate",
    "portfolios",
    "due",
    "due_date",
    "due_precision",
    "status_note",
    "status",
    "status_label",
    "commentary",
    "reported_directorate",
    "period",
    "in_plan",
    "outcomes",
    "outcome_link",
    "source",
];
const STATUS_COLUMNS: [&str; 9] = [
    "period",
    "reference",
    "title",
    "directorate",
    "status",
    "status_label",
    "commentary",
    "in_plan",
    "source",
];
const INDICATOR_COLUMNS: [&str; 11] = [
    "reference",
    "name",
    "frequency",
    "section",
    "year",
    "text",
    "value",
    "unit",
    "rag",
    "direction",
    "source",
];

async fn check_downloads(app: &App) {
    let json = app.get("/data/activities.json").await.json();
    let rows = parse_csv(&app.get("/data/activities.csv").await, &ACTIVITY_COLUMNS);
    let list = json["activities"].as_array().expect("activities");
    assert_eq!(
        rows.len(),
        list.len(),
        "activities.csv rows = activities.json rows"
    );
    for (row, value) in rows.iter().zip(list) {
        assert_eq!(row.get(0), Some(value["reference"].as_str().unwrap_or("")));
        assert_eq!(row.get(9), Some(value["status"].as_str().unwrap_or("")));
        assert_eq!(
            row.get(14),
            Some(if value["in_plan"] == true {
                "true"
            } else {
                "false"
            })
        );
    }

    let json = app.get("/data/statuses.json").await.json();
    let rows = parse_csv(&app.get("/data/statuses.csv").await, &STATUS_COLUMNS);
    let list = json["statuses"].as_array().expect("statuses");
    assert_eq!(
        rows.len(),
        list.len(),
        "statuses.csv rows = statuses.json rows"
    );
    for (row, value) in rows.iter().zip(list) {
        assert_eq!(row.get(0), value["period"].as_str());
        assert_eq!(row.get(1), value["reference"].as_str());
        assert_eq!(row.get(4), value["status"].as_str());
    }

    let json = app.get("/data/indicators.json").await.json();
    let rows = parse_csv(&app.get("/data/indicators.csv").await, &INDICATOR_COLUMNS);
    let values: usize = json["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .map(|i| i["values"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        rows.len(),
        values,
        "indicators.csv rows = values in indicators.json"
    );
}

#[test]
fn csv_downloads_are_rfc_4180_and_agree_with_the_json() {
    run(async {
        let _hold = hold(&[Fixture::Bexley, Fixture::Synth]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            check_downloads(&app).await;
            let rows = parse_csv(&app.get("/data/activities.csv").await, &ACTIVITY_COLUMNS);
            assert_eq!(rows.len(), 134);
            let statuses = parse_csv(&app.get("/data/statuses.csv").await, &STATUS_COLUMNS);
            assert_eq!(
                statuses.len(),
                116,
                "one status per activity: repeats counted once"
            );
            // Non-ASCII text survives (Bexley writes "Adults’ Services").
            let text = app.get("/data/activities.csv").await.text();
            assert!(text.contains("Adults’ Services & Health"));

            let app = shared(Fixture::Synth, backend).await;
            check_downloads(&app).await;
            let statuses = parse_csv(&app.get("/data/statuses.csv").await, &STATUS_COLUMNS);
            assert_eq!(statuses.len(), 30 * 8, "30 activities × 8 quarters");
            let indicators = parse_csv(&app.get("/data/indicators.csv").await, &INDICATOR_COLUMNS);
            assert!(indicators.len() >= 20);
        }
    })
}

/// A council whose documents hold text a spreadsheet would run, markup, and negative numbers.
const HOSTILE_REPORT: &str = "Our activity in 2024/25\n\nPlace directorate corporate plan action delivery plan\n\nReference\tActivity\tRAG Year End 24/25\n1\t=HYPERLINK(\"http://example.invalid\",\"x\")\tGreen\n2\t<script>alert(1)</script>\tComplete\n3\t+SUM(1,2)\tAmber\n4\t-2+3 is not a number\tRed\n5\t@SUM(A1:A2)\tGreen\n6\t-12.5\tGreen\n";
const HOSTILE_KPIS: &str = "Corporate performance indicators 2024/25\n\nPriority theme 1: Aspiration for our residents\n\nRef\tPerformance indicator\tFrequency\tDirection of travel\t2023/2024 Outturn\t2024/2025 Outturn\tRAG\nASC_01\t=cmd|' /C calc'!A0\tAnnual\tincrease\t-1.5\t-2.25\tGreen\n";

#[test]
fn csv_cells_never_start_a_formula() {
    run(async {
        for backend in backends() {
            let db = TestDb::new(backend).await;
            import_files(
                &db.store,
                "hostile",
                "Hostile Borough",
                &[
                    ("report.txt", HOSTILE_REPORT.as_bytes()),
                    ("kpis.txt", HOSTILE_KPIS.as_bytes()),
                ],
            )
            .await;
            let app = App::new(db);
            check_downloads(&app).await;

            let rows = parse_csv(&app.get("/data/activities.csv").await, &ACTIVITY_COLUMNS);
            let titles: Vec<&str> = rows.iter().filter_map(|r| r.get(1)).collect();
            assert_eq!(
                titles,
                [
                    "'=HYPERLINK(\"http://example.invalid\",\"x\")",
                    "<script>alert(1)</script>",
                    "'+SUM(1,2)",
                    "'-2+3 is not a number",
                    "'@SUM(A1:A2)",
                    "-12.5",
                ]
            );
            let statuses = parse_csv(&app.get("/data/statuses.csv").await, &STATUS_COLUMNS);
            assert_eq!(
                statuses[0].get(2),
                Some("'=HYPERLINK(\"http://example.invalid\",\"x\")")
            );
            assert_eq!(statuses[5].get(2), Some("-12.5"), "a plain number is data");
            let indicators = parse_csv(&app.get("/data/indicators.csv").await, &INDICATOR_COLUMNS);
            assert_eq!(indicators[0].get(1), Some("'=cmd|' /C calc'!A0"));
            assert_eq!(
                indicators[0].get(5),
                Some("-1.5"),
                "a negative outturn is data"
            );
            assert_eq!(indicators[0].get(6), Some("-1.5"));
            assert_eq!(indicators[1].get(6), Some("-2.25"));
            // No cell of any download starts a formula.
            for path in [
                "/data/activities.csv",
                "/data/statuses.csv",
                "/data/indicators.csv",
            ] {
                let r = app.get(path).await;
                let mut reader = csv::Reader::from_reader(r.body.as_ref());
                for record in reader.records() {
                    for cell in record.expect("record").iter() {
                        let risky = cell.starts_with(['=', '+', '@', '\t', '\r'])
                            || (cell.starts_with('-') && cell.parse::<f64>().is_err());
                        assert!(!risky, "{path}: cell {cell:?} starts a formula");
                    }
                }
            }

            // JSON keeps the text as published; HTML shows it as text.
            let json = app.get("/api/v1/activities").await.json();
            assert_eq!(
                json["activities"][0]["title"],
                "=HYPERLINK(\"http://example.invalid\",\"x\")"
            );
            assert_eq!(json["activities"][1]["title"], "<script>alert(1)</script>");
            assert_matches_openapi("/api/v1/activities", &app.get("/api/v1/activities").await);
            for page in [
                "/activities",
                "/reports/2024-25-q4",
                "/activities/2",
                "/indicators",
            ] {
                let html = app.get(page).await.text();
                assert!(!html.contains("<script>alert(1)"), "{page}: markup echoed");
                if page != "/indicators" {
                    assert!(
                        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                        "{page}"
                    );
                }
            }
            let r = app.get("/data/activities.csv").await;
            assert_eq!(
                r.header(header::CONTENT_DISPOSITION),
                Some("attachment; filename=\"hostile-activities.csv\"")
            );
            assert_eq!(r.status, StatusCode::OK);
        }
    })
}

/// A row known only from a report is not "in the plan", in either download.
#[test]
fn downloads_agree_on_what_is_in_the_plan() {
    run(async {
        let _hold = hold(&[Fixture::Bexley]).await;
        for backend in backends() {
            let app = shared(Fixture::Bexley, backend).await;
            let activities = app.get("/data/activities.json").await.json();
            let statuses = app.get("/data/statuses.json").await.json();
            let in_plan = |list: &Value, key: &str| -> BTreeSet<(String, bool)> {
                list[key]
                    .as_array()
                    .expect("list")
                    .iter()
                    .filter(|r| r["status_label"].is_string())
                    .map(|r| {
                        (
                            r["reference"].as_str().unwrap_or("").to_string(),
                            r["in_plan"] == true,
                        )
                    })
                    .collect()
            };
            let from_activities = in_plan(&activities, "activities");
            let from_statuses = in_plan(&statuses, "statuses");
            assert_eq!(from_activities, from_statuses);
            assert!(
                from_activities.iter().any(|(_, p)| !p),
                "Bexley has report-only rows"
            );
        }
    })
}
