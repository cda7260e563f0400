//! From a route to bytes: every page a council's data implies is rendered up front when the
//! data changes; pages that depend on a query (filters, periods) are rendered on first request
//! and kept.

use crate::api;
use crate::data::{CouncilData, activity_key};
use crate::filters::Filters;
use crate::opendata::{ActivityRow, CsvRecord, csv_bytes};
use crate::page::{CSV, HTML, JSON, PROBLEM, Page};
use crate::render::{self, Group, PageContext, Renderer};
use crate::routes::{Dataset, Format, Route, path, period_slug};
use crate::site::Council;
use axum::http::StatusCode;
use std::collections::HashMap;
use std::sync::Arc;
use waymark_domain::Period;

/// Every page and download that needs no query, keyed by its path without the council prefix.
pub fn render_all(
    r: &Renderer,
    data: &CouncilData,
    prefix: &str,
    multi: bool,
) -> HashMap<String, Arc<Page>> {
    let site = PageContext {
        data,
        prefix: prefix.to_string(),
        multi,
    };
    let mut routes = vec![
        Route::Home,
        Route::Activities,
        Route::Indicators,
        Route::Reports,
        Route::Data,
        Route::Accessibility,
        Route::ApiIndicators,
    ];
    for t in &data.overview.themes {
        routes.push(Route::Theme(t.number as u32));
        for o in &t.outcomes {
            routes.push(Route::Outcome(o.number as u32));
        }
    }
    routes.extend(
        data.directorates
            .iter()
            .map(|d| Route::Directorate(d.slug.clone())),
    );
    routes.extend(
        data.portfolios
            .iter()
            .map(|p| Route::Portfolio(p.slug.clone())),
    );
    routes.extend(
        data.activities
            .iter()
            .map(|a| Route::Activity(activity_key(a))),
    );
    routes.extend(
        data.activities
            .iter()
            .map(|a| Route::ApiActivity(activity_key(a))),
    );
    routes.extend(
        data.indicators
            .iter()
            .map(|i| Route::Indicator(i.reference.clone())),
    );
    routes.extend(data.periods.iter().map(|p| Route::Report(*p)));
    for dataset in [Dataset::Activities, Dataset::Statuses, Dataset::Indicators] {
        for format in [Format::Csv, Format::Json] {
            routes.push(Route::Download(dataset, format));
        }
    }
    let mut pages = HashMap::new();
    for route in routes {
        if let Some(page) = render_route(r, &site, &route, "") {
            pages.insert(path("", &route), Arc::new(page));
        }
    }
    pages.insert(NOT_FOUND.into(), Arc::new(not_found(r, &site)));
    pages
}

/// The key the council's 404 page is kept under (never a real path).
const NOT_FOUND: &str = "!404";

/// The response for a council route. `query` is the raw query string.
pub fn respond(r: &Renderer, council: &Council, route: &Route, query: &str) -> Arc<Page> {
    let site = PageContext {
        data: &council.data,
        prefix: council.prefix.clone(),
        multi: council.multi,
    };
    let plain = path("", route);
    let key = match route {
        Route::Activities => {
            let (filters, problems) = Filters::parse(query, &council.data);
            if !problems.is_empty() {
                // Shown once with the problems; not worth keeping.
                return Arc::new(html(render::activities(r, &site, &filters, &problems)));
            }
            let q = filters.query(filters.page);
            if q.is_empty() {
                plain
            } else {
                format!("{plain}?{q}")
            }
        }
        Route::ApiActivities | Route::ApiStats => match period_query(query, &council.data) {
            Ok(Some(p)) => format!("{plain}?period={}", p.slug()),
            Ok(None) => plain,
            Err(page) => return Arc::new(*page),
        },
        _ => plain,
    };
    if let Some(page) = council.page(&key) {
        return page;
    }
    let query = key.split_once('?').map_or("", |(_, q)| q);
    match render_route(r, &site, route, query) {
        Some(page) => {
            let page = Arc::new(page);
            let report = matches!(route, Route::ReportFile { .. });
            council.keep(key, page.clone(), report);
            page
        }
        None => match route {
            Route::ApiActivity(_) => Arc::new(problem(
                StatusCode::NOT_FOUND,
                "Not found",
                "No activity has this reference.",
            )),
            _ => council
                .page(NOT_FOUND)
                .unwrap_or_else(|| Arc::new(not_found(r, &site))),
        },
    }
}

/// The council's own 404 page, for paths that are no page of the site.
pub fn not_found_page(r: &Renderer, council: &Council) -> Arc<Page> {
    council.page(NOT_FOUND).unwrap_or_else(|| {
        let site = PageContext {
            data: &council.data,
            prefix: council.prefix.clone(),
            multi: council.multi,
        };
        Arc::new(not_found(r, &site))
    })
}

/// `?period=` for the API: absent means the latest period; a period with no data is a 404.
fn period_query(query: &str, data: &CouncilData) -> Result<Option<Period>, Box<Page>> {
    let value = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "period")
        .map(|(_, v)| v.into_owned());
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(data.latest());
    };
    let Ok(period) = value.parse::<Period>() else {
        return Err(Box::new(problem(
            StatusCode::BAD_REQUEST,
            "Bad period",
            "The period parameter must be a reporting period such as 2024-25-q4.",
        )));
    };
    if !data.periods.contains(&period) {
        return Err(Box::new(problem(
            StatusCode::NOT_FOUND,
            "No data for this period",
            &format!(
                "Nothing has been reported for {}. Periods with data: {}.",
                period.slug(),
                data.periods
                    .iter()
                    .map(|p| p.slug())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )));
    }
    Ok(Some(period))
}

fn render_route(r: &Renderer, site: &PageContext, route: &Route, query: &str) -> Option<Page> {
    let data = site.data;
    let page = match route {
        Route::Home => html(render::home(r, site)),
        Route::Theme(n) => {
            let theme = data
                .overview
                .themes
                .iter()
                .find(|t| t.number == i64::from(*n))?;
            let linked: Vec<(&ActivityRow, bool)> = data
                .current_rows()
                .iter()
                .filter_map(|row| {
                    let a = data.activity_of_row(row)?;
                    let here: Vec<_> = a.outcomes.iter().filter(|o| o.theme_number == *n).collect();
                    (!here.is_empty()).then(|| (row, here.iter().all(|o| o.suggested)))
                })
                .collect();
            let (rows, suggested) = linked.into_iter().unzip();
            html(render::group(
                r,
                site,
                Group {
                    caption: format!("Priority {}", theme.number),
                    title: theme.title.clone(),
                    paragraphs: vec![theme.summary.clone()]
                        .into_iter()
                        .filter(|p| !p.is_empty())
                        .collect(),
                    outcomes: theme
                        .outcomes
                        .iter()
                        .map(|o| (o.number, o.title.clone()))
                        .collect(),
                    rows,
                    suggested,
                    breadcrumb: None,
                },
            ))
        }
        Route::Outcome(n) => {
            let (theme, outcome) = data.overview.themes.iter().find_map(|t| {
                t.outcomes
                    .iter()
                    .find(|o| o.number == i64::from(*n))
                    .map(|o| (t, o))
            })?;
            let linked: Vec<(&ActivityRow, bool)> = data
                .current_rows()
                .iter()
                .filter_map(|row| {
                    let a = data.activity_of_row(row)?;
                    let o = a.outcomes.iter().find(|o| o.number == *n)?;
                    Some((row, o.suggested))
                })
                .collect();
            let (rows, suggested) = linked.into_iter().unzip();
            html(render::group(
                r,
                site,
                Group {
                    caption: format!("Outcome {} · Priority {}", outcome.number, theme.number),
                    title: outcome.title.clone(),
                    paragraphs: outcome.narrative.clone(),
                    outcomes: vec![],
                    rows,
                    suggested,
                    breadcrumb: Some((
                        theme.title.clone(),
                        path(&site.prefix, &Route::Theme(theme.number as u32)),
                    )),
                },
            ))
        }
        Route::Directorate(slug) => {
            let named = data.directorate(slug)?;
            let rows = data
                .current_rows()
                .iter()
                .filter(|row| crate::routes::slugify(&row.directorate) == named.slug)
                .collect();
            html(render::group(
                r,
                site,
                Group {
                    caption: "Directorate".into(),
                    title: named.name.clone(),
                    paragraphs: vec![],
                    outcomes: vec![],
                    rows,
                    suggested: vec![],
                    breadcrumb: None,
                },
            ))
        }
        Route::Portfolio(slug) => {
            let named = data.portfolio(slug)?;
            let rows = data
                .current_rows()
                .iter()
                .filter(|row| {
                    row.portfolios
                        .iter()
                        .any(|p| crate::routes::slugify(p) == named.slug)
                })
                .collect();
            html(render::group(
                r,
                site,
                Group {
                    caption: "Cabinet portfolio".into(),
                    title: named.name.clone(),
                    paragraphs: vec![],
                    outcomes: vec![],
                    rows,
                    suggested: vec![],
                    breadcrumb: None,
                },
            ))
        }
        Route::Activities => {
            let (filters, problems) = Filters::parse(query, data);
            html(render::activities(r, site, &filters, &problems))
        }
        Route::Activity(key) => html(render::activity(r, site, key)?),
        Route::Indicators => html(render::indicators(r, site)),
        Route::Indicator(reference) => html(render::indicator(r, site, reference)?),
        Route::Reports => html(render::reports(r, site)),
        Route::Report(period) => html(render::report(r, site, *period)?),
        Route::ReportFile {
            period,
            kind,
            portfolio,
            format,
        } => report_file(r, data, *period, *kind, portfolio.as_deref(), *format)?,
        Route::Data => html(render::data_page(r, site)),
        Route::Accessibility => html(render::accessibility(r, site)),
        Route::Search => return None,
        Route::Download(dataset, format) => download(data, &site.prefix, *dataset, *format),
        Route::ApiActivities => {
            let period = query
                .strip_prefix("period=")
                .and_then(period_slug)
                .or(data.latest());
            json(&api::activities(data, &site.prefix, period))
        }
        Route::ApiActivity(key) => json(&api::activity(data, &site.prefix, key)?),
        Route::ApiStats => {
            let period = query
                .strip_prefix("period=")
                .and_then(period_slug)
                .or(data.latest());
            match period.and_then(|p| data.stats.get(&p)) {
                Some(s) => json(&api::stats(data, s)),
                None => problem(
                    StatusCode::NOT_FOUND,
                    "No data yet",
                    "Nothing has been reported yet, so there are no statistics.",
                ),
            }
        }
        Route::ApiIndicators => json(&api::indicators(data)),
    };
    Some(page)
}

/// The reports each period offers for download: the annual and exception reports, and one per
/// cabinet portfolio, in every format the site can write.
pub fn report_routes(r: &Renderer, data: &CouncilData, period: Period) -> Vec<Route> {
    let formats = r.reporter.formats();
    let mut routes = vec![];
    let mut add = |kind, portfolio: Option<String>| {
        for format in &formats {
            routes.push(Route::ReportFile {
                period,
                kind,
                portfolio: portfolio.clone(),
                format: *format,
            });
        }
    };
    add(waymark_report::Kind::Annual, None);
    add(waymark_report::Kind::Exceptions, None);
    for p in &data.portfolios {
        add(waymark_report::Kind::Portfolio, Some(p.slug.clone()));
    }
    routes
}

/// A report built from the published record (never anything unpublished) as a download.
fn report_file(
    r: &Renderer,
    data: &CouncilData,
    period: Period,
    kind: waymark_report::Kind,
    portfolio: Option<&str>,
    format: waymark_report::Format,
) -> Option<Page> {
    if !data.periods.contains(&period) || !r.reporter.formats().contains(&format) {
        return None;
    }
    let portfolio = match portfolio {
        Some(slug) => Some(data.portfolio(slug)?.name.clone()),
        None => None,
    };
    let sources = waymark_report::Sources {
        org: &data.org,
        overview: &data.overview,
        activities: &data.activities,
        returns: &data.returns,
        stats: &data.stats,
        indicators: &data.indicator_values,
        rule: &data.rule,
        draft: false,
        scope: None,
        today: chrono::Utc::now().date_naive(),
    };
    let request = waymark_report::Request {
        kind,
        period,
        portfolio,
    };
    let made = waymark_report::build(&sources, &request)
        .and_then(|doc| Ok((r.reporter.render(&doc, format)?, doc)));
    match made {
        Ok((bytes, doc)) => {
            let mut page = Page::new(StatusCode::OK, format.media_type(), bytes);
            page.download = Some(format!(
                "{}; filename=\"{}\"",
                if format == waymark_report::Format::Html {
                    "inline"
                } else {
                    "attachment"
                },
                doc.file_name(&data.org.slug, &period.slug(), format.key())
            ));
            if format == waymark_report::Format::Html {
                page.csp = Some(waymark_report::html_csp(&String::from_utf8_lossy(
                    &page.body,
                )));
            }
            Some(page)
        }
        Err(e) => {
            tracing::error!("report {} for {period} could not be made: {e}", kind.key());
            Some(error_page())
        }
    }
}

fn download(data: &CouncilData, prefix: &str, dataset: Dataset, format: Format) -> Page {
    let slug = &data.org.slug;
    let (name, page) = match (dataset, format) {
        (Dataset::Activities, Format::Csv) => ("activities", csv(data.current_rows())),
        (Dataset::Activities, Format::Json) => (
            "activities",
            json(&api::activities(data, prefix, data.latest())),
        ),
        (Dataset::Statuses, Format::Csv) => ("statuses", csv(&api::statuses(data))),
        (Dataset::Statuses, Format::Json) => (
            "statuses",
            json(&serde_json::json!({
                "council": { "slug": data.org.slug, "name": data.org.name },
                "statuses": api::statuses(data),
            })),
        ),
        (Dataset::Indicators, Format::Csv) => {
            let values: Vec<_> = data
                .indicators
                .iter()
                .flat_map(|i| i.values.iter().cloned())
                .collect();
            ("indicators", csv(&values))
        }
        (Dataset::Indicators, Format::Json) => ("indicators", json(&api::indicators(data))),
    };
    let extension = match format {
        Format::Csv => "csv",
        Format::Json => "json",
    };
    page.download(&format!("{slug}-{name}.{extension}"))
}

fn html(rendered: Result<String, render::RenderError>) -> Page {
    match rendered {
        Ok(body) => Page::html(body),
        Err(e) => {
            // The cause goes to the log; the reader gets a plain apology.
            tracing::error!("{e}");
            error_page()
        }
    }
}

pub fn error_page() -> Page {
    Page::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        HTML,
        b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sorry, there is a problem with this page</title></head><body><main><h1>Sorry, there is a problem with this page</h1><p>Try again later.</p></main></body></html>".to_vec(),
    )
}

fn json(value: &serde_json::Value) -> Page {
    match serde_json::to_vec_pretty(value) {
        Ok(body) => Page::new(StatusCode::OK, JSON, body),
        Err(e) => {
            tracing::error!("JSON could not be written: {e}");
            problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error",
                "The response could not be produced.",
            )
        }
    }
}

fn csv<T: CsvRecord>(rows: &[T]) -> Page {
    match csv_bytes(rows) {
        Ok(body) => Page::new(StatusCode::OK, CSV, body),
        Err(e) => {
            tracing::error!("CSV could not be written: {e}");
            error_page()
        }
    }
}

pub fn problem(status: StatusCode, title: &str, detail: &str) -> Page {
    let body = api::problem(status.as_u16(), title, detail);
    Page::new(
        status,
        PROBLEM,
        serde_json::to_vec_pretty(&body).unwrap_or_default(),
    )
}

fn not_found(r: &Renderer, site: &PageContext) -> Page {
    let mut page = html(render::not_found(r, site));
    if page.status == StatusCode::OK {
        page.status = StatusCode::NOT_FOUND;
    }
    page
}
