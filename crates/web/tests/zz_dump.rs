mod common;
use common::*;
use waymark_store::Backend;

#[tokio::test]
async fn dump() {
    let db = TestDb::new(Backend::Sqlite).await;
    let report = "Our activity in 2024/25\n\nPlace directorate corporate plan action delivery plan\n\nReference\tActivity\tRAG Year End 24/25\n1\t=HYPERLINK(\"http://example.invalid\",\"x\")\tGreen\n2\t<script>alert(1)</script>\tComplete\n3\t+SUM(1,2)\tAmber\n4\t-2+3 is not a number\tRed\n5\t@SUM(A1:A2)\tGreen\n6\t-12.5\tGreen\n";
    let kpi = "Corporate performance indicators 2024/25\n\nPriority theme 1: Aspiration for our residents\n\nRef\tPerformance indicator\tFrequency\tDirection of travel\t2023/2024 Outturn\t2024/2025 Outturn\tRAG\nASC_01\t=cmd|' /C calc'!A0\tAnnual\tincrease\t-1.5\t-2.25\tGreen\n";
    import_files(&db.store, "hostile", "Hostile Borough", &[("report.txt", report.as_bytes()), ("kpi.txt", kpi.as_bytes())]).await;
    let app = App::new(db);
    let paths = ["/data/activities.csv","/data/statuses.csv","/data/indicators.csv","/activities", "/api/v1/comparison", "/api/v1/stats?period=2019-20-q1", "/api/v1/activities?period=2024/25%20Q4", "/api/v1/activities?period=Q4%202024/25", "/reports/2024-25-q4"];
    for p in paths {
        let r = app.get(p).await;
        let name = p.replace('/', "_").replace('?', "_");
        std::fs::write(format!("/tmp/dump/h{name}"), &r.body).unwrap();
        eprintln!("{p} {} {} {:?}", r.status, r.content_type(), r.body.len());
    }
    let app = App::both(Backend::Sqlite).await;
    for p in ["/api/v1/comparison?period=2019-20-q1", "/compare?period=2019-20-q1", "/compare?period=garbage", "/nope/api/v1/stats", "/bexley/search?q=x", "/search?q=x", "/bexley/reports/2024-25-q4", "/council-001/reports/2024-25-q4", "/bexley/data", "/"] {
        let r = app.get(p).await;
        let name = p.replace('/', "_").replace('?', "_");
        std::fs::write(format!("/tmp/dump/m{name}"), &r.body).unwrap();
        eprintln!("{p} {} {} {:?} {:?}", r.status, r.content_type(), r.body.len(), r.header("location"));
    }
}
