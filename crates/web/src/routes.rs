//! The URL contract as a type: paths in, routes out. Routing is a pure function so it can be
//! tested for every path, and so the same site can switch between one council (short URLs) and
//! many (`/{council}/…`) when a council is added, without restarting.

use percent_encoding::percent_decode_str;
use waymark_domain::period::Period;

/// A page or document of one council's site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    Theme(u32),
    Outcome(u32),
    Directorate(String),
    Portfolio(String),
    Activities,
    Activity(String),
    Indicators,
    Indicator(String),
    Reports,
    Report(Period),
    /// A report as a file: the annual or exception report, or one portfolio's (by slug).
    ReportFile {
        period: Period,
        kind: waymark_report::Kind,
        portfolio: Option<String>,
        format: waymark_report::Format,
    },
    Search,
    Data,
    Download(Dataset, Format),
    ApiActivities,
    ApiActivity(String),
    ApiStats,
    ApiIndicators,
    Accessibility,
}

/// Open data sets offered for download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// Every activity with its latest status.
    Activities,
    /// Every return: one row per activity and period.
    Statuses,
    /// Every indicator value.
    Indicators,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// Paths that belong to the whole site rather than one council.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Global {
    Asset(String),
    OpenApi,
    /// Councils side by side (only when there are several).
    Compare,
    ApiComparison,
    ApiCouncils,
    Robots,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Global(Global),
    /// A council's page; `council` is the slug in the path (`None` for short URLs).
    Council {
        council: Option<String>,
        route: Route,
    },
    NotFound,
}

/// First path segments that can never be a council's slug (the last three are the
/// server's health, readiness and metrics endpoints).
pub const RESERVED: [&str; 7] = [
    "assets",
    "api",
    "compare",
    "robots.txt",
    "healthz",
    "readyz",
    "metrics",
];

impl Target {
    /// The route's name for logs and metrics: one of a few, whatever the path.
    pub fn name(&self) -> &'static str {
        match self {
            Target::Global(global) => match global {
                Global::Asset(_) => "asset",
                Global::OpenApi => "openapi",
                Global::Compare => "compare",
                Global::ApiComparison => "api_comparison",
                Global::ApiCouncils => "api_councils",
                Global::Robots => "robots",
            },
            Target::Council { route, .. } => route.name(),
            Target::NotFound => "not_found",
        }
    }
}

impl Route {
    /// The route's name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Route::Home => "home",
            Route::Theme(_) => "theme",
            Route::Outcome(_) => "outcome",
            Route::Directorate(_) => "directorate",
            Route::Portfolio(_) => "portfolio",
            Route::Activities => "activities",
            Route::Activity(_) => "activity",
            Route::Indicators => "indicators",
            Route::Indicator(_) => "indicator",
            Route::Reports => "reports",
            Route::Report(_) => "report",
            Route::ReportFile { .. } => "report_file",
            Route::Search => "search",
            Route::Data => "data",
            Route::Download(..) => "download",
            Route::ApiActivities => "api_activities",
            Route::ApiActivity(_) => "api_activity",
            Route::ApiStats => "api_stats",
            Route::ApiIndicators => "api_indicators",
            Route::Accessibility => "accessibility",
        }
    }
}

/// Resolve a path. `multi` says whether councils live under `/{council}/`.
pub fn resolve(path: &str, multi: bool) -> Target {
    let Some(segments) = segments(path) else {
        return Target::NotFound;
    };
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    match parts.as_slice() {
        ["assets", name] => return Target::Global(Global::Asset((*name).to_string())),
        ["api", "openapi.json"] => return Target::Global(Global::OpenApi),
        ["robots.txt"] => return Target::Global(Global::Robots),
        _ => {}
    }
    if multi {
        match parts.as_slice() {
            [] => {
                return Target::Global(Global::Compare);
            }
            ["compare"] => return Target::Global(Global::Compare),
            ["api", "v1", "comparison"] => return Target::Global(Global::ApiComparison),
            ["api", "v1", "councils"] => return Target::Global(Global::ApiCouncils),
            [council, rest @ ..] if !RESERVED.contains(council) => {
                return match council_route(rest) {
                    Some(route) => Target::Council {
                        council: Some((*council).to_string()),
                        route,
                    },
                    None => Target::NotFound,
                };
            }
            _ => return Target::NotFound,
        }
    }
    match parts.as_slice() {
        ["api", "v1", "councils"] => Target::Global(Global::ApiCouncils),
        _ => match council_route(&parts) {
            Some(route) => Target::Council {
                council: None,
                route,
            },
            None => Target::NotFound,
        },
    }
}

/// Decoded path segments; `None` for paths no page can have (bad encoding, control
/// characters, `..`, empty segments in the middle).
fn segments(path: &str) -> Option<Vec<String>> {
    let trimmed = path.strip_prefix('/')?;
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Some(vec![]);
    }
    trimmed
        .split('/')
        .map(|raw| {
            let decoded = percent_decode_str(raw).decode_utf8().ok()?;
            let bad = decoded.is_empty()
                || decoded == "."
                || decoded == ".."
                || decoded.contains('/')
                || decoded.chars().any(char::is_control);
            (!bad).then(|| decoded.into_owned())
        })
        .collect()
}

fn council_route(parts: &[&str]) -> Option<Route> {
    let route = match parts {
        [] => Route::Home,
        ["themes", n] => Route::Theme(number(n)?),
        ["outcomes", n] => Route::Outcome(number(n)?),
        ["directorates", slug] => Route::Directorate((*slug).to_string()),
        ["portfolios", slug] => Route::Portfolio((*slug).to_string()),
        ["activities"] => Route::Activities,
        ["activities", reference] => Route::Activity((*reference).to_string()),
        ["indicators"] => Route::Indicators,
        ["indicators", reference] => Route::Indicator((*reference).to_string()),
        ["reports"] => Route::Reports,
        ["reports", period] => Route::Report(period_slug(period)?),
        ["reports", period, file] => {
            let (name, extension) = file.rsplit_once('.')?;
            let kind = waymark_report::Kind::from_key(name)
                .filter(|k| *k != waymark_report::Kind::Portfolio)?;
            Route::ReportFile {
                period: period_slug(period)?,
                kind,
                portfolio: None,
                format: waymark_report::Format::from_key(extension)?,
            }
        }
        ["reports", period, "portfolios", file] => {
            let (slug, extension) = file.rsplit_once('.')?;
            Route::ReportFile {
                period: period_slug(period)?,
                kind: waymark_report::Kind::Portfolio,
                portfolio: Some(slug.to_string()),
                format: waymark_report::Format::from_key(extension)?,
            }
        }
        ["search"] => Route::Search,
        ["data"] => Route::Data,
        ["data", file] => {
            let (name, extension) = file.rsplit_once('.')?;
            let dataset = match name {
                "activities" => Dataset::Activities,
                "statuses" => Dataset::Statuses,
                "indicators" => Dataset::Indicators,
                _ => return None,
            };
            let format = match extension {
                "csv" => Format::Csv,
                "json" => Format::Json,
                _ => return None,
            };
            Route::Download(dataset, format)
        }
        ["api", "v1", "activities"] => Route::ApiActivities,
        ["api", "v1", "activities", reference] => Route::ApiActivity((*reference).to_string()),
        ["api", "v1", "stats"] => Route::ApiStats,
        ["api", "v1", "indicators"] => Route::ApiIndicators,
        ["accessibility"] => Route::Accessibility,
        _ => return None,
    };
    Some(route)
}

fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Only the URL form of a period (`2024-25-q4`): one spelling per page.
pub fn period_slug(text: &str) -> Option<Period> {
    let period: Period = text.parse().ok()?;
    (period.slug() == text).then_some(period)
}

/// The path of a route on a site whose council pages start at `prefix` ("" or "/slug").
pub fn path(prefix: &str, route: &Route) -> String {
    let tail = match route {
        Route::Home => String::new(),
        Route::Theme(n) => format!("/themes/{n}"),
        Route::Outcome(n) => format!("/outcomes/{n}"),
        Route::Directorate(slug) => format!("/directorates/{}", encode(slug)),
        Route::Portfolio(slug) => format!("/portfolios/{}", encode(slug)),
        Route::Activities => "/activities".into(),
        Route::Activity(reference) => format!("/activities/{}", encode(reference)),
        Route::Indicators => "/indicators".into(),
        Route::Indicator(reference) => format!("/indicators/{}", encode(reference)),
        Route::Reports => "/reports".into(),
        Route::Report(period) => format!("/reports/{}", period.slug()),
        Route::ReportFile {
            period,
            kind,
            portfolio,
            format,
        } => match portfolio {
            Some(slug) => format!(
                "/reports/{}/portfolios/{}.{}",
                period.slug(),
                encode(slug),
                format.key()
            ),
            None => format!("/reports/{}/{}.{}", period.slug(), kind.key(), format.key()),
        },
        Route::Search => "/search".into(),
        Route::Data => "/data".into(),
        Route::Download(dataset, format) => {
            let name = match dataset {
                Dataset::Activities => "activities",
                Dataset::Statuses => "statuses",
                Dataset::Indicators => "indicators",
            };
            let extension = match format {
                Format::Csv => "csv",
                Format::Json => "json",
            };
            format!("/data/{name}.{extension}")
        }
        Route::ApiActivities => "/api/v1/activities".into(),
        Route::ApiActivity(reference) => format!("/api/v1/activities/{}", encode(reference)),
        Route::ApiStats => "/api/v1/stats".into(),
        Route::ApiIndicators => "/api/v1/indicators".into(),
        Route::Accessibility => "/accessibility".into(),
    };
    if tail.is_empty() {
        format!("{prefix}/")
    } else {
        format!("{prefix}{tail}")
    }
}

/// Characters kept as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn encode(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string()
}

/// A name as a URL slug: lower case ASCII letters and digits joined by single hyphens.
pub fn slugify(name: &str) -> String {
    let folded = name.replace('&', " and ");
    let mut slug = String::new();
    for word in folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    if slug.is_empty() {
        "unnamed".into()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use waymark_domain::period::Quarter;

    fn council(route: Route) -> Target {
        Target::Council {
            council: None,
            route,
        }
    }

    #[test]
    fn the_url_contract_resolves() {
        let cases = [
            ("/", council(Route::Home)),
            ("/themes/2", council(Route::Theme(2))),
            ("/outcomes/7", council(Route::Outcome(7))),
            (
                "/directorates/childrens-services",
                council(Route::Directorate("childrens-services".into())),
            ),
            ("/activities", council(Route::Activities)),
            ("/activities/", council(Route::Activities)),
            ("/activities/5.1", council(Route::Activity("5.1".into()))),
            (
                "/indicators/BV%2012",
                council(Route::Indicator("BV 12".into())),
            ),
            (
                "/reports/2024-25-q4",
                council(Route::Report(Period::new(2024, Quarter::Q4))),
            ),
            (
                "/data/activities.csv",
                council(Route::Download(Dataset::Activities, Format::Csv)),
            ),
            ("/api/v1/stats", council(Route::ApiStats)),
            ("/api/openapi.json", Target::Global(Global::OpenApi)),
            (
                "/assets/waymark.css",
                Target::Global(Global::Asset("waymark.css".into())),
            ),
        ];
        for (path, expected) in cases {
            assert_eq!(resolve(path, false), expected, "{path}");
        }
    }

    #[test]
    fn only_the_url_spelling_of_a_period_is_a_page() {
        assert_eq!(resolve("/reports/2024-25-Q4", false), Target::NotFound);
        assert_eq!(resolve("/reports/2024%2F25%20Q4", false), Target::NotFound);
        assert_eq!(resolve("/themes/-1", false), Target::NotFound);
        assert_eq!(resolve("/themes/99999999999", false), Target::NotFound);
        assert_eq!(resolve("/data/activities.xml", false), Target::NotFound);
        assert_eq!(resolve("/activities/%2e%2e", false), Target::NotFound);
        assert_eq!(resolve("/activities//x", false), Target::NotFound);
    }

    #[test]
    fn many_councils_live_under_their_slug() {
        assert_eq!(
            resolve("/bexley/activities/12", true),
            Target::Council {
                council: Some("bexley".into()),
                route: Route::Activity("12".into())
            }
        );
        assert_eq!(resolve("/", true), Target::Global(Global::Compare));
        assert_eq!(
            resolve("/api/v1/comparison", true),
            Target::Global(Global::ApiComparison)
        );
        assert_eq!(resolve("/api/v1/stats", true), Target::NotFound);
    }

    #[test]
    fn slugs_are_plain() {
        assert_eq!(
            slugify("Children’s services & education"),
            "children-s-services-and-education"
        );
        assert_eq!(slugify("  "), "unnamed");
    }

    proptest! {
        #[test]
        fn any_path_resolves_without_panicking(path in "/[ -~]{0,60}", multi in any::<bool>()) {
            let _ = resolve(&path, multi);
        }

        #[test]
        fn paths_made_for_routes_resolve_back(reference in "[ -~]{1,20}") {
            prop_assume!(!reference.contains('/') && reference != "." && reference != "..");
            let route = Route::Activity(reference.clone());
            let target = resolve(&path("", &route), false);
            prop_assert_eq!(target, council(route));
        }
    }
}
