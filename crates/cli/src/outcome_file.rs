//! Reading a file that links activity references to plan outcomes.

use crate::Failure;

/// Parse `reference,outcomes` rows. Outcomes are numbers separated by `;`, `,` or spaces and
/// may be written "Outcome 5". Every problem names the file, line and column.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Vec<(String, Vec<u32>)>, Failure> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Failure::Input(format!("{file}:{line}: the file is not UTF-8 text"))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Failure::Input(format!("{file}:1: cannot read the header row: {e}")))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(reference_col), Some(outcomes_col)) = (column("reference"), column("outcomes"))
    else {
        return Err(Failure::Input(format!(
            "{file}:1: the header row must name the columns `reference` and `outcomes`"
        )));
    };
    let mut out = vec![];
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            Failure::Input(format!("{file}:{line}: cannot read the row: {e}"))
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let reference = record.get(reference_col).unwrap_or("").trim();
        if reference.is_empty() {
            return Err(Failure::Input(format!(
                "{file}:{line}: reference: the reference is empty"
            )));
        }
        let cell = record.get(outcomes_col).unwrap_or("");
        let mut numbers = vec![];
        for word in cell
            .split([';', ',', ' '])
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            if word.eq_ignore_ascii_case("outcome") {
                continue;
            }
            let n: u32 = word.parse().map_err(|_| {
                Failure::Input(format!(
                    "{file}:{line}: outcomes: '{word}' is not an outcome number (write e.g. 4;7)"
                ))
            })?;
            numbers.push(n);
        }
        if numbers.is_empty() {
            return Err(Failure::Input(format!(
                "{file}:{line}: outcomes: no outcome numbers given"
            )));
        }
        out.push((reference.to_string(), numbers));
    }
    if out.is_empty() {
        return Err(Failure::Input(format!("{file}: no rows after the header")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: Result<Vec<(String, Vec<u32>)>, Failure>) -> String {
        match r {
            Err(Failure::Input(m)) => m,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn reads_numbers_in_several_spellings() {
        let rows = parse(
            "map.csv",
            b"reference,outcomes\n4,5\n12,\"4;7\"\n5.1,Outcome 5\n",
        )
        .expect("parse");
        assert_eq!(
            rows,
            vec![
                ("4".into(), vec![5]),
                ("12".into(), vec![4, 7]),
                ("5.1".into(), vec![5])
            ]
        );
    }

    #[test]
    fn problems_name_the_line_and_column() {
        assert!(message(parse("m.csv", b"ref,outcome\n4,5\n")).starts_with("m.csv:1:"));
        assert!(
            message(parse("m.csv", b"reference,outcomes\n4,5\n7,five\n"))
                .starts_with("m.csv:3: outcomes:")
        );
        assert!(message(parse("m.csv", b"reference,outcomes\n,5\n")).contains("reference"));
        assert!(message(parse("m.csv", b"reference,outcomes\n")).contains("no rows"));
        assert!(
            message(parse("m.csv", b"reference,outcomes\n4,5\n\xff,1\n")).starts_with("m.csv:3:")
        );
    }
}
