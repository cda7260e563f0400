//! The status-mix chart: one stacked bar per group, as inline SVG. The chart is a picture of a
//! table printed beside it, so it carries a text summary and never relies on colour alone:
//! every bar says its counts in words in its accessible name and in a legend.

use crate::html::{STATUS_ORDER, StatusView, escape_html};
use std::fmt::Write;
use waymark_domain::Status;
use waymark_domain::stats::StatusCounts;

const WIDTH: f64 = 640.0;
const LABEL_HEIGHT: f64 = 22.0;
const BAR_HEIGHT: f64 = 22.0;
const GAP: f64 = 14.0;

/// Fill colours with at least 3:1 contrast against white (WCAG 1.4.11).
fn fill(status: Status) -> &'static str {
    match status {
        Status::Complete => "#1d70b8",
        Status::Green => "#00703c",
        Status::Amber => "#b45309",
        Status::Red => "#d4351c",
        Status::Ceased => "#505a5f",
        Status::NotStarted => "#4c2c92",
        Status::NoReturn => "#0b0c0c",
    }
}

/// Words for one group: "Children's Services: 10 Complete, 3 Green, 5 Amber".
fn describe(name: &str, counts: &StatusCounts) -> String {
    let parts: Vec<String> = STATUS_ORDER
        .iter()
        .filter(|s| counts.get(**s) > 0)
        .map(|s| format!("{} {}", counts.get(*s), StatusView::of(*s).short))
        .collect();
    if parts.is_empty() {
        format!("{name}: nothing reported")
    } else {
        format!("{name}: {}", parts.join(", "))
    }
}

pub fn status_mix(title: &str, groups: &[(String, StatusCounts)]) -> String {
    let used: Vec<Status> = STATUS_ORDER
        .iter()
        .copied()
        .filter(|s| groups.iter().any(|(_, c)| c.get(*s) > 0))
        .collect();
    let legend_rows = used.len().div_ceil(3).max(1) as f64;
    let legend_height = legend_rows * 24.0 + 8.0;
    let height = legend_height + groups.len() as f64 * (LABEL_HEIGHT + BAR_HEIGHT + GAP);
    let mut svg = String::new();
    let summary: Vec<String> = groups.iter().map(|(n, c)| describe(n, c)).collect();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-labelledby="chart-title chart-desc" focusable="false">"#
    );
    let _ = write!(
        svg,
        r#"<title id="chart-title">{}</title><desc id="chart-desc">{}</desc>"#,
        escape_html(title),
        escape_html(&summary.join(". "))
    );
    // Legend: a swatch and a word for each status shown.
    for (i, status) in used.iter().enumerate() {
        let x = (i % 3) as f64 * 210.0;
        let y = (i / 3) as f64 * 24.0 + 4.0;
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{y}" width="16" height="16" fill="{}"/><text x="{}" y="{}" font-size="15" fill="#0b0c0c">{}</text>"##,
            fill(*status),
            x + 22.0,
            y + 13.0,
            escape_html(StatusView::of(*status).short)
        );
    }
    let mut y = legend_height;
    for (name, counts) in groups {
        let total = counts.total();
        let _ = write!(
            svg,
            r##"<text x="0" y="{}" font-size="16" fill="#0b0c0c">{} ({} reported)</text>"##,
            y + 16.0,
            escape_html(name),
            total
        );
        y += LABEL_HEIGHT;
        let mut x = 0.0;
        for status in STATUS_ORDER {
            let n = counts.get(status);
            if n == 0 || total == 0 {
                continue;
            }
            let w = WIDTH * n as f64 / total as f64;
            let _ = write!(
                svg,
                r#"<rect x="{x:.2}" y="{y}" width="{w:.2}" height="{BAR_HEIGHT}" fill="{}"><title>{}: {n}</title></rect>"#,
                fill(status),
                escape_html(StatusView::of(status).short)
            );
            if w >= 28.0 {
                let _ = write!(
                    svg,
                    r##"<text x="{:.2}" y="{}" font-size="14" fill="#ffffff" text-anchor="middle">{n}</text>"##,
                    x + w / 2.0,
                    y + 16.0
                );
            }
            x += w;
        }
        y += BAR_HEIGHT + GAP;
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_add_up_and_names_are_escaped() {
        let mut counts = StatusCounts::default();
        for s in [Status::Complete, Status::Complete, Status::Amber] {
            counts.add(s);
        }
        let svg = status_mix("Mix <&>", &[("A & B".into(), counts)]);
        assert!(svg.contains("Mix &lt;&amp;&gt;"));
        assert!(svg.contains("A &amp; B: 2 Complete, 1 Amber"));
        assert!(svg.contains(r#"width="426.67""#));
        assert!(svg.contains(r#"width="213.33""#));
        assert!(!svg.contains("style="), "the CSP forbids inline styles");
    }
}
