//! The status-mix chart as inline SVG for the HTML report: stacked bars with a legend, the
//! counts written on the bars and in the accessible description, so colour is never the only
//! way to read it (the same numbers are in the table beside it).

use crate::document::{Chart, STATUS_ORDER, status_colours, status_label};
use std::fmt::Write;

const WIDTH: f64 = 640.0;
const BAR: f64 = 22.0;
const LABEL: f64 = 20.0;
const GAP: f64 = 12.0;

pub fn chart(chart: &Chart) -> String {
    let used: Vec<_> = STATUS_ORDER
        .iter()
        .copied()
        .filter(|s| {
            chart
                .bars
                .iter()
                .any(|b| b.segments.iter().any(|g| g.status == *s))
        })
        .collect();
    let legend_rows = used.len().div_ceil(3).max(1) as f64;
    let legend = legend_rows * 22.0 + 6.0;
    let height = legend + chart.bars.len() as f64 * (LABEL + BAR + GAP);
    let describe: Vec<String> = chart
        .bars
        .iter()
        .map(|b| {
            let parts: Vec<String> = b
                .segments
                .iter()
                .map(|s| format!("{} {}", s.count, s.label))
                .collect();
            format!(
                "{}: {}",
                b.label,
                if parts.is_empty() {
                    "none".into()
                } else {
                    parts.join(", ")
                }
            )
        })
        .collect();
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{}" focusable="false"><title>{}</title><desc>{}</desc>"#,
        escape(&chart.title),
        escape(&chart.title),
        escape(&describe.join(". "))
    );
    for (i, status) in used.iter().enumerate() {
        let x = (i % 3) as f64 * 210.0;
        let y = (i / 3) as f64 * 22.0 + 2.0;
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{y}" width="14" height="14" fill="{}"/><text x="{}" y="{}" font-size="14" fill="#0b0c0c">{}</text>"##,
            status_colours(*status).0,
            x + 20.0,
            y + 12.0,
            status_label(*status)
        );
    }
    let mut y = legend;
    for bar in &chart.bars {
        let _ = write!(
            svg,
            r##"<text x="0" y="{}" font-size="14" fill="#0b0c0c">{} ({})</text>"##,
            y + 15.0,
            escape(&bar.label),
            bar.total
        );
        let mut x = 0.0;
        for segment in &bar.segments {
            let w = if bar.total == 0 {
                0.0
            } else {
                WIDTH * segment.count as f64 / bar.total as f64
            };
            let (fill, ink) = status_colours(segment.status);
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="{BAR}" fill="{fill}"/>"#,
                y + LABEL
            );
            // The count on the bar where it fits.
            if w >= 18.0 {
                let _ = write!(
                    svg,
                    r#"<text x="{:.1}" y="{:.1}" font-size="13" fill="{ink}">{}</text>"#,
                    x + 4.0,
                    y + LABEL + 16.0,
                    segment.count
                );
            }
            x += w;
        }
        y += LABEL + BAR + GAP;
    }
    svg.push_str("</svg>");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
