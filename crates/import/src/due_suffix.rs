//! Finding the end-date cell glued to the end of a plan row
//! (`…the support they needAdults’ Services & HealthJune 2023` → `June 2023`).

use waymark_domain::DueDate;

/// The byte index where a due date glued to the end of `line` begins, with the date read.
/// The longest suffix that reads as a due date wins ("Q4 2022 to 2023", not "2023").
/// The domain owns the due-date grammar; this is the importers' one door to it.
pub(crate) fn split_due_suffix(line: &str) -> Option<(usize, DueDate)> {
    waymark_domain::due_parse::split_due_suffix(line)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn split(line: &str) -> Option<(&str, &str)> {
        split_due_suffix(line).map(|(i, _)| (&line[..i], &line[i..]))
    }

    #[test]
    fn finds_glued_dates() {
        assert_eq!(
            split("…the support they needAdults’ Services & HealthJune 2023"),
            Some((
                "…the support they needAdults’ Services & Health",
                "June 2023"
            ))
        );
        assert_eq!(
            split(
                "Review of sales, fees and chargesDeputy Leader of the Council / ResourcesAnnual Q3"
            )
            .map(|p| p.1),
            Some("Annual Q3")
        );
        assert_eq!(
            split("xPlacesQ4 2022 to 2023").map(|p| p.1),
            Some("Q4 2022 to 2023")
        );
        assert_eq!(split("xGrowth15 years").map(|p| p.1), Some("15 years"));
        assert_eq!(
            split("xPlaces2022 to 2023").map(|p| p.1),
            Some("2022 to 2023")
        );
        assert_eq!(split("xResourcesOctober").map(|p| p.1), Some("October"));
        assert_eq!(split("xResourcesQ4 Annual").map(|p| p.1), Some("Q4 Annual"));
        assert_eq!(split("xResourcesTBC").map(|p| p.1), Some("TBC"));
        assert_eq!(split("2023 to 2024"), Some(("", "2023 to 2024")));
        assert_eq!(split("Deputy Leader of the Council / Resources"), None);
        assert_eq!(
            split(
                "Options for the youth hubChildren's ServicesNo longer progressing with this action."
            ),
            None
        );
    }
}
