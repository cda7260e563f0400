//! On both backends: a spreadsheet uploaded through the staff site shows how its columns were
//! read, takes a corrected role, imports as corrected and is remembered for the next file of
//! its shape; the settle page lists links to review, report rows that match nothing and the
//! checks' findings, and settles each with one click, audited; the admin's home counts them.

mod common;

use axum::http::StatusCode;
use common::{World, backends, hidden, location};
use waymark_domain::reconcile::Decision;
use waymark_domain::workflow::Role;

const RETURN_XLSX: &[u8] = include_bytes!("../../../fixtures/examples/quarterly-return.xlsx");

/// The value of the option selected in a `<select name=…>`.
fn selected(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("name=\"{name}\""))?;
    let select = &html[start..start + html[start..].find("</select>")?];
    let at = select.find(" selected")?;
    let before = &select[..at];
    let value = before.rfind("value=\"")?;
    let rest = &before[value + 7..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The `field` number the preview gave the column with this header.
fn column_field(html: &str, header: &str) -> Option<String> {
    let at = html.find(&format!("value=\"{header}\""))?;
    let before = &html[..at];
    let name = before.rfind("name=\"header-")?;
    let rest = &before[name + 13..];
    Some(rest[..rest.find('"')?].to_string())
}

#[tokio::test]
async fn a_spreadsheet_is_read_corrected_imported_and_its_mapping_remembered() {
    for backend in backends() {
        let world = World::new(backend).await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        let mut admin = world.signed_in("perf@bexley.example").await;
        let (_, _, html) = admin.get("/staff/plan").await;
        let csrf = hidden(&html, "csrf").expect("token");

        let before = world.store().row_counts().await.expect("counts");
        let (status, _, html) = admin
            .post_multipart(
                "/staff/plan/upload",
                &[("csrf", &csrf)],
                Some(("quarterly-return.xlsx", RETURN_XLSX)),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {html}");
        assert!(html.contains("How Waymark read the columns"), "{html}");
        assert!(
            html.contains("activity-report"),
            "{backend:?}: read as a report"
        );
        let field = column_field(&html, "What happened").expect("the column is listed");
        assert_eq!(
            selected(&html, &format!("role-{field}")).as_deref(),
            Some("kept as written")
        );
        assert_eq!(
            world.store().row_counts().await.expect("counts"),
            before,
            "{backend:?}: a preview writes nothing"
        );
        let token = hidden(&html, "upload").expect("upload token");

        // The admin says the column is the commentary; the file is read again.
        let header = format!("header-{field}");
        let role = format!("role-{field}");
        let was = format!("was-{field}");
        let (status, _, html) = admin
            .post_raw(
                "/staff/plan/mapping",
                &[
                    ("csrf", &csrf),
                    ("upload", &token),
                    ("kind", ""),
                    (&header, "What happened"),
                    (&role, "commentary"),
                    (&was, "kept as written"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {html}");
        assert_eq!(
            selected(&html, &format!("role-{field}")).as_deref(),
            Some("commentary")
        );
        assert!(html.contains("What happened as commentary"), "{html}");
        // A forged role changes nothing and breaks nothing.
        let (status, _, html) = admin
            .post_raw(
                "/staff/plan/mapping",
                &[
                    ("csrf", &csrf),
                    ("upload", &token),
                    (&header, "What happened"),
                    (&role, "<script>"),
                    (&was, "commentary"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            selected(&html, &format!("role-{field}")).as_deref(),
            Some("commentary"),
            "{backend:?}: a role no mapping knows is ignored"
        );
        assert!(!html.contains("<script>"));

        let (status, headers, _) = admin
            .post_raw(
                "/staff/plan/confirm",
                &[("csrf", &csrf), ("upload", &token)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        assert_eq!(location(&headers), "/staff/plan?done=imported");
        let period = "2025/26 Q1".parse().expect("a period");
        let returns = world
            .store()
            .returns(&world.org, Some(period), None)
            .await
            .expect("returns");
        assert!(
            returns.iter().any(|r| r.note.as_deref()
                == Some("Launch moved to September while providers are added.")),
            "{backend:?}: the corrected column became the commentary: {returns:?}"
        );
        let audit = world
            .store()
            .audit_events(&world.org, None, 500)
            .await
            .expect("audit");
        assert!(
            audit
                .iter()
                .any(|e| e.action == "import.mapping-remembered"),
            "{backend:?}: remembering the mapping is audited"
        );

        // The next file of the same shape is read with the mapping from the start.
        let (_, _, html) = admin
            .post_multipart(
                "/staff/plan/upload",
                &[("csrf", &csrf)],
                Some(("quarterly-return-again.xlsx", RETURN_XLSX)),
            )
            .await;
        assert!(
            html.contains("columns your team chose for an earlier file"),
            "{backend:?}: {html}"
        );
        let field = column_field(&html, "What happened").expect("the column");
        assert_eq!(
            selected(&html, &format!("role-{field}")).as_deref(),
            Some("commentary")
        );

        // The council's returns as a template spreadsheet read back as they are.
        for file in ["returns.xlsx", "returns.csv", "plan.xlsx", "indicators.csv"] {
            let (status, headers, _) = admin.get(&format!("/staff/plan/template/{file}")).await;
            assert_eq!(status, StatusCode::OK, "{backend:?}: {file}");
            assert!(
                headers
                    .get("content-disposition")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains(file)),
                "{backend:?}: {file} is a download"
            );
        }
        let (status, _, _) = admin.get("/staff/plan/template/secrets.txt").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn links_unmatched_rows_and_findings_are_settled_on_the_staff_site() {
    for backend in backends() {
        let world = World::new(backend).await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        world
            .person("officer@bexley.example", Role::Owner, None)
            .await;
        let mut admin = world.signed_in("perf@bexley.example").await;

        // Everyone but the performance team is refused.
        let mut officer = world.signed_in("officer@bexley.example").await;
        let (status, _, _) = officer.get("/staff/settle").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");

        let (status, _, html) = admin.get("/staff/settle").await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        let csrf = hidden(&html, "csrf").expect("token");
        let period = *world
            .store()
            .periods(&world.org, None)
            .await
            .expect("periods")
            .last()
            .expect("a period");
        let slug = period.slug();
        let links = world
            .store()
            .links(&world.org, period, None)
            .await
            .expect("links");
        let reviews: Vec<_> = links
            .iter()
            .filter(|l| l.decision == Decision::Review)
            .filter_map(|l| l.reference.clone())
            .collect();
        assert!(
            reviews.len() >= 2,
            "{backend:?}: Bexley's report has links to review"
        );
        for reference in &reviews {
            assert!(
                html.contains(&format!("Report row {reference}")),
                "{backend:?}"
            );
        }
        // The admin's home says how many wait.
        let before = waymark_staff::settle_pages::Waiting::load(world.store(), &world.org, None)
            .await
            .expect("waiting");
        let waiting = before.count();
        assert!(
            html.contains(&format!("{waiting} items wait for a person")),
            "{html}"
        );
        let (_, _, home) = admin.get("/staff").await;
        assert!(
            home.contains(&format!("{waiting} items from imports wait")),
            "{backend:?}: {home}"
        );

        // Accept one suggestion.
        let (status, headers, _) = admin
            .post_raw(
                "/staff/settle/links",
                &[
                    ("csrf", &csrf),
                    ("period", &slug),
                    ("reference", &reviews[0]),
                    ("decision", "accept"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        assert_eq!(
            location(&headers),
            format!("/staff/settle?period={slug}&done=link")
        );
        // Link the other to a plan activity a person picks instead.
        let suggested = |reference: &str| {
            links
                .iter()
                .find(|l| {
                    l.reference.as_deref() == Some(reference) && l.decision == Decision::Review
                })
                .and_then(|l| l.activity_id)
        };
        let (first_suggestion, second_suggestion) =
            (suggested(&reviews[0]), suggested(&reviews[1]));
        assert!(second_suggestion.is_some() && second_suggestion != first_suggestion);
        let stands_unmatched = |links: &[waymark_domain::records::LinkRecord], id: i64| {
            links.iter().any(|l| {
                l.activity_id == Some(id)
                    && l.reference.is_none()
                    && l.decision == Decision::Unmatched
            })
        };
        // Neither row's suggestion, and one the report left unmatched.
        let chosen = world
            .store()
            .activities(&world.org, None)
            .await
            .expect("activities")
            .into_iter()
            .find(|a| {
                a.in_plan
                    && a.reference.is_none()
                    && Some(a.id) != first_suggestion
                    && Some(a.id) != second_suggestion
                    && stands_unmatched(&links, a.id)
            })
            .expect("an unmatched plan activity");
        let (status, _, _) = admin
            .post_raw(
                "/staff/settle/links",
                &[
                    ("csrf", &csrf),
                    ("period", &slug),
                    ("reference", &reviews[1]),
                    ("decision", "choose"),
                    ("activity", &chosen.id.to_string()),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let links = world
            .store()
            .links(&world.org, period, None)
            .await
            .expect("links");
        let linked = |reference: &str| {
            links
                .iter()
                .find(|l| l.reference.as_deref() == Some(reference))
                .map(|l| (l.decision, l.activity_id))
        };
        assert_eq!(linked(&reviews[0]).map(|l| l.0), Some(Decision::Linked));
        assert_eq!(
            linked(&reviews[1]),
            Some((Decision::Linked, Some(chosen.id))),
            "{backend:?}: the chosen activity is linked"
        );
        assert!(
            !stands_unmatched(&links, chosen.id),
            "{backend:?}: the chosen activity no longer stands unmatched"
        );
        assert!(
            second_suggestion.is_some_and(|id| stands_unmatched(&links, id)),
            "{backend:?}: the suggestion not taken stands unmatched on its own line"
        );
        // An activity already linked to a row cannot be chosen for another.
        if let Some(third) = reviews.get(2) {
            let (status, _, html) = admin
                .post_raw(
                    "/staff/settle/links",
                    &[
                        ("csrf", &csrf),
                        ("period", &slug),
                        ("reference", third),
                        ("decision", "choose"),
                        ("activity", &chosen.id.to_string()),
                    ],
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}");
            assert!(html.contains("Nothing was changed"), "{html}");
        }
        // A period with no report is not found, and nothing is settled under it.
        let (status, _, _) = admin.get("/staff/settle?period=1999-00-q1").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // A decided link cannot be decided again.
        let (status, _, html) = admin
            .post_raw(
                "/staff/settle/links",
                &[
                    ("csrf", &csrf),
                    ("period", &slug),
                    ("reference", &reviews[0]),
                    ("decision", "reject"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}");
        assert!(html.contains("no link awaiting review"), "{html}");

        // Settle a finding with a note; it leaves the list and shows as settled.
        let finding = world
            .store()
            .findings(&world.org, Some(period))
            .await
            .expect("findings")
            .into_iter()
            .find(|f| f.code == "unreported-activity")
            .expect("an unreported activity");
        let (status, _, _) = admin
            .post_raw(
                "/staff/settle/findings",
                &[
                    ("csrf", &csrf),
                    ("period", &slug),
                    ("code", &finding.code),
                    ("subject", &finding.subject),
                    ("note", "Reported in the directorate's own return"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let settled = world
            .store()
            .settled_findings(&world.org, Some(period))
            .await
            .expect("settled");
        assert_eq!(settled.len(), 1);
        assert_eq!(settled[0].settled_by, "perf@bexley.example");
        // Settling it again, or a finding nobody made, changes nothing.
        for subject in [finding.subject.as_str(), "activity 999: made up"] {
            let (status, _, _) = admin
                .post_raw(
                    "/staff/settle/findings",
                    &[
                        ("csrf", &csrf),
                        ("period", &slug),
                        ("code", &finding.code),
                        ("subject", subject),
                    ],
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}");
        }
        let (_, _, html) = admin.get(&format!("/staff/settle?period={slug}")).await;
        assert!(html.contains("Reported in the directorate"), "{backend:?}");
        let after = waymark_staff::settle_pages::Waiting::load(world.store(), &world.org, None)
            .await
            .expect("waiting");
        let now_waiting = after.count();
        // (Linking can raise new findings, such as an activity reported under another
        // directorate, so only the links and the settled finding are counted off.)
        assert_eq!(after.links.len(), before.links.len() - 2, "{backend:?}");
        assert!(
            !after
                .findings
                .iter()
                .any(|f| f.code == finding.code && f.subject == finding.subject),
            "{backend:?}: the settled finding is off the list"
        );
        let (_, _, home) = admin.get("/staff").await;
        assert!(
            home.contains(&format!("{now_waiting} items from imports wait")),
            "{backend:?}: {home}"
        );
        // Each decision is in the audit trail under the person's name.
        let audit = world
            .store()
            .audit_events(&world.org, None, 500)
            .await
            .expect("audit");
        for action in ["link.accepted", "link.chosen", "finding.settled"] {
            assert!(
                audit
                    .iter()
                    .any(|e| e.action == action && e.actor == "perf@bexley.example"),
                "{backend:?}: {action} is audited"
            );
        }
        // A forged form is refused.
        let (status, _, _) = admin
            .post_raw(
                "/staff/settle/links",
                &[
                    ("csrf", "forged"),
                    ("period", &slug),
                    ("reference", &reviews[0]),
                    ("decision", "accept"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}
