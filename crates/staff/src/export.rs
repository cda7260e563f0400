//! The audit trail as CSV and JSON, for admins to take away (from the staff site or
//! `waymark audit export`). CSV cells that a spreadsheet would run as formulas are defused.

use waymark_store::AuditEvent;
use waymark_web::opendata::CsvRecord;

/// One audit event as a CSV row.
pub struct AuditRow<'a>(pub &'a AuditEvent);

fn json_text(value: &Option<serde_json::Value>) -> String {
    value.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

impl CsvRecord for AuditRow<'_> {
    fn header() -> Vec<&'static str> {
        vec![
            "seq",
            "at",
            "actor",
            "action",
            "subject",
            "before",
            "after",
            "prev_hash",
            "hash",
            "row",
            "row_hash",
            "seal",
        ]
    }

    fn cells(&self) -> Vec<String> {
        let e = self.0;
        vec![
            e.seq.to_string(),
            e.at.clone(),
            e.actor.clone(),
            e.action.clone(),
            e.subject.clone(),
            json_text(&e.before),
            json_text(&e.after),
            e.prev_hash.clone(),
            e.hash.clone(),
            e.row_ref.clone().unwrap_or_default(),
            e.row_hash.clone().unwrap_or_default(),
            e.mac.clone().unwrap_or_default(),
        ]
    }
}

/// The events as CSV bytes (RFC 4180, CRLF, header row).
pub fn audit_csv(events: &[AuditEvent]) -> Result<Vec<u8>, csv::Error> {
    let rows: Vec<AuditRow<'_>> = events.iter().map(AuditRow).collect();
    waymark_web::opendata::csv_bytes(&rows)
}

/// The events as a JSON array.
pub fn audit_json(events: &[AuditEvent]) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec_pretty(events)
}
