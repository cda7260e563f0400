//! Freshness: a write that finished before a request is in the answer to that request, with
//! no waiting and no restart. Every test runs on SQLite and PostgreSQL, with the server's
//! change signal off (every request asks the database) and on (it asks only when the signal
//! says something may have been written).

mod common;

use axum::http::{StatusCode, header};
use chrono::Utc;
use common::*;
use waymark_domain::{Period, Quarter, Status};
use waymark_store::NewReturn;

const YEAR_END: &str = "2024-25-q4";

/// Each backend, without and with the change signal.
fn modes() -> Vec<(waymark_store::Backend, bool)> {
    backends()
        .into_iter()
        .flat_map(|backend| [(backend, false), (backend, true)])
        .collect()
}

#[tokio::test]
async fn a_recorded_return_is_in_the_very_next_response() {
    for (backend, watch) in modes() {
        let app = App::bexley(backend).await;
        if watch {
            app.site.watch().await;
        }
        let before = app.get("/").await;
        before.assert(200, "text/html");
        assert!(before.text().contains("97 of 116 (83.6%)"));
        let etag = before.header(header::ETAG).expect("ETag").to_string();
        let stats = app.get("/api/v1/stats").await.json();
        assert_eq!(stats["counts"]["red"], 0);
        let activity_tag = app
            .get("/api/v1/activities/1")
            .await
            .header(header::ETAG)
            .expect("ETag")
            .to_string();
        assert_eq!(
            app.get_with("/", &[("if-none-match", etag.as_str())])
                .await
                .status,
            StatusCode::NOT_MODIFIED
        );

        // Activity 1 was Complete at the year end; a return now says it is Red.
        let org = app
            .store()
            .organisation(Some("bexley"), None)
            .await
            .expect("bexley");
        app.store()
            .record_return(
                &org,
                &NewReturn {
                    reference: "1".into(),
                    period: Period::new(2024, Quarter::Q4),
                    status: Status::Red,
                    status_label: "Red".into(),
                    note: Some("Slipped: the provider withdrew.".into()),
                },
                Utc::now(),
            )
            .await
            .expect("record a return");

        // No sleeping: the next request sees it.
        let after = app.get_with("/", &[("if-none-match", etag.as_str())]).await;
        assert_eq!(
            after.status,
            StatusCode::OK,
            "the old ETag no longer matches"
        );
        assert_ne!(after.header(header::ETAG), Some(etag.as_str()));
        assert_ne!(after.body, before.body);
        assert!(after.text().contains("96 of 116 (82.8%)"), "new headline");

        let stats = app.get("/api/v1/stats").await;
        assert_matches_openapi("/api/v1/stats", &stats);
        let stats = stats.json();
        assert_eq!(stats["counts"]["red"], 1);
        assert_eq!(stats["headline"]["numerator"], 96);
        let one = app
            .get_with(
                "/api/v1/activities/1",
                &[("if-none-match", activity_tag.as_str())],
            )
            .await;
        assert_eq!(one.status, StatusCode::OK);
        let history = one.json()["history"].clone();
        let last = history.as_array().and_then(|h| h.last()).expect("history");
        assert_eq!(last["status"], "red");
        assert_eq!(last["commentary"], "Slipped: the provider withdrew.");
        let csv = app.get("/data/statuses.csv").await.text();
        assert!(csv.contains("Slipped: the provider withdrew."));
        let page = app.get("/activities?status=red").await.text();
        assert!(
            page.contains("href=\"/activities/1\""),
            "the list filters on the new status"
        );
        let report = app.get(&format!("/reports/{YEAR_END}")).await.text();
        assert!(report.contains("96 of 116") || report.contains("82.8%"));
    }
}

/// A correction: a later report for the same period stands for it.
const CORRECTION: &str = "Our activity in 2024/25\n\nAdult Social Care & Health directorate corporate plan action delivery plan\n\nReference\tActivity\tRAG Year End 24/25\n1\tAdult Social Care Pathways - Trusted Providers completing care act assessments and reviews for people with readily understood care and support needs and their carers\tComplete\n2\tAs a member of Bexley's Local Care Partnership, contribute to development of a draft local plan for Primary Care\tAmber\n";

#[tokio::test]
async fn an_imported_document_is_in_the_very_next_response() {
    for (backend, watch) in modes() {
        let app = App::bexley(backend).await;
        if watch {
            app.site.watch().await;
        }
        let before = app.get("/api/v1/stats").await;
        let stats_tag = before.header(header::ETAG).expect("ETag").to_string();
        let home = app.get("/").await;
        assert_eq!(before.json()["total"], 116);

        import_files(
            app.store(),
            "bexley",
            "London Borough of Bexley",
            &[("bexley/correction-2024-25.txt", CORRECTION.as_bytes())],
        )
        .await;

        let after = app
            .get_with("/api/v1/stats", &[("if-none-match", stats_tag.as_str())])
            .await;
        after.assert(200, "application/json");
        assert_matches_openapi("/api/v1/stats", &after);
        let stats = after.json();
        assert_eq!(stats["total"], 2, "the correction stands for the period");
        assert_eq!(stats["headline"]["numerator"], 1);
        let page = app.get("/").await;
        assert_ne!(page.body, home.body);
        assert!(page.text().contains("1 of 2 (50.0%)"));
        let csv = app.get("/data/statuses.csv").await.text();
        assert_eq!(
            csv.lines().count(),
            1 + 2,
            "header and the two corrected rows"
        );
    }
}

#[tokio::test]
async fn concurrent_requests_after_a_write_all_see_it() {
    for (backend, watch) in modes() {
        let app = App::bexley(backend).await;
        if watch {
            app.site.watch().await;
        }
        assert_eq!(app.get("/api/v1/stats").await.json()["counts"]["red"], 0);
        let org = app
            .store()
            .organisation(Some("bexley"), None)
            .await
            .expect("bexley");
        app.store()
            .record_return(
                &org,
                &NewReturn {
                    reference: "2".into(),
                    period: Period::new(2024, Quarter::Q4),
                    status: Status::Red,
                    status_label: "Red".into(),
                    note: None,
                },
                Utc::now(),
            )
            .await
            .expect("record a return");
        let mut handles = vec![];
        for i in 0..16 {
            let router = app.router.clone();
            let uri = if i % 2 == 0 { "/api/v1/stats" } else { "/" };
            handles.push(tokio::spawn(async move {
                use http_body_util::BodyExt;
                use tower::ServiceExt;
                let response = router
                    .oneshot(request(axum::http::Method::GET, uri, &[]))
                    .await
                    .unwrap_or_else(|e| match e {});
                let status = response.status();
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .expect("body")
                    .to_bytes();
                (uri, status, String::from_utf8_lossy(&body).into_owned())
            }));
        }
        for handle in handles {
            let (uri, status, body) = handle.await.expect("request task");
            assert_eq!(status, StatusCode::OK, "{uri}");
            if uri == "/" {
                assert!(body.contains("96 of 116"), "{uri} is fresh");
            } else {
                let stats: serde_json::Value = serde_json::from_str(&body).expect("JSON");
                assert_eq!(stats["counts"]["red"], 1, "{uri} is fresh");
            }
        }
    }
}

#[tokio::test]
async fn a_second_council_turns_the_site_into_a_comparison_without_a_restart() {
    for (backend, watch) in modes() {
        let app = App::bexley(backend).await;
        if watch {
            app.site.watch().await;
        }
        app.get("/activities").await.assert(200, "text/html");
        app.get("/api/v1/stats")
            .await
            .assert(200, "application/json");
        app.get("/bexley/activities").await.assert(404, "text/html");
        let councils = app.get("/api/v1/councils").await.json();
        assert_eq!(councils["councils"][0]["url"], "/");

        load_synth(app.store()).await;

        app.get("/activities").await.assert(404, "text/html");
        assert_eq!(app.get("/api/v1/stats").await.status, StatusCode::NOT_FOUND);
        let stats = app.get("/bexley/api/v1/stats").await;
        stats.assert(200, "application/json");
        assert_eq!(stats.json()["headline"]["numerator"], 97);
        app.get("/council-001/activities")
            .await
            .assert(200, "text/html");
        let home = app.get("/").await;
        home.assert(200, "text/html");
        let home = home.text();
        assert!(home.contains("London Borough of Bexley") && home.contains("Bramley Weald"));
        // Pages rendered for one council now link under its slug.
        let page = app.get("/bexley/activities").await.text();
        assert!(page.contains("href=\"/bexley/activities/1\""));
        let councils = app.get("/api/v1/councils").await.json();
        assert_eq!(councils["councils"][0]["url"], "/bexley/");
        assert_eq!(councils["councils"].as_array().map(Vec::len), Some(2));
    }
}
