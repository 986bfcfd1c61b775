//! Reading a product CSV as WooCommerce's exporter writes it (or a spreadsheet program saves it
//! again): UTF-8 with or without a byte order mark, `,` or `;` between fields, quoted fields with
//! commas and line breaks, columns found by their header names in any order. Bounded before
//! anything is parsed: [`MAX_BYTES`] and [`MAX_ROWS`].

use super::Problem;
use std::collections::HashMap;

/// The largest file read, and the most rows.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
pub const MAX_ROWS: usize = 20_000;

/// A file's rows, each with its line number, and where each named column is.
pub struct Table {
    columns: HashMap<String, usize>,
    pub rows: Vec<Row>,
}

/// One row: the line it starts on (1 is the header) and its fields.
pub struct Row {
    pub line: u64,
    fields: csv::StringRecord,
}

impl Table {
    /// Row `row`'s value in the column named `column` (WooCommerce's header, any capitals),
    /// trimmed, as text (a formula its exporter escaped with `'` read back, never run); empty
    /// when the file has no such column.
    pub fn get<'a>(&self, row: &'a Row, column: &str) -> &'a str {
        self.columns
            .get(&column.to_lowercase())
            .and_then(|&at| row.fields.get(at))
            .map_or("", |field| crate::text::from_spreadsheet(field.trim()))
    }

    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(&column.to_lowercase())
    }
}

/// The delimiter the header line uses: `;` when it has more of them than commas (outside quotes),
/// as Lithuanian spreadsheet programs save CSV, else `,`.
fn delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// Reads `bytes` as a product CSV. Refuses a file past the limits, one that is not UTF-8, or one
/// without the columns every row needs (`Type` and `Name`), naming the problem.
pub fn read(bytes: &[u8]) -> Result<Table, Problem> {
    if bytes.len() > MAX_BYTES {
        return Err(Problem::file(format!(
            "the file is larger than {} MB",
            MAX_BYTES / 1024 / 1024
        )));
    }
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|error| {
        Problem::file(format!(
            "the file is not UTF-8 text (byte {}): save it as \"CSV UTF-8\"",
            error.valid_up_to() + 1
        ))
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|error| Problem::file(format!("the header line cannot be read: {error}")))?;
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(at, name)| (name.trim().to_lowercase(), at))
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let fields = record.map_err(|error| {
            let line = error.position().map_or(0, |p| p.line());
            Problem::at(line, "", format!("the line cannot be read: {error}"))
        })?;
        if rows.len() == MAX_ROWS {
            return Err(Problem::file(format!(
                "the file has more than {MAX_ROWS} rows"
            )));
        }
        let line = fields.position().map_or(0, |p| p.line());
        if fields.iter().any(|field| !field.trim().is_empty()) {
            rows.push(Row { line, fields });
        }
    }
    let table = Table { columns, rows };
    for needed in ["Type", "Name"] {
        if !table.has(needed) {
            return Err(Problem::file(format!(
                "the file has no \"{needed}\" column"
            )));
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lithuanian_spreadsheets_file_reads_like_woocommerces() {
        let file =
            "\u{feff}Type;SKU;Name;\"Regular price\"\nsimple;a-1;\"Puodelis; didelis\";12,50\n\n";
        let table = read(file.as_bytes()).unwrap();
        assert_eq!(table.rows.len(), 1);
        let row = &table.rows[0];
        assert_eq!(table.get(row, "name"), "Puodelis; didelis");
        assert_eq!(table.get(row, "Regular price"), "12,50");
        assert_eq!(table.get(row, "Stock"), "", "a column the file lacks");
        assert_eq!(row.line, 2);
    }

    #[test]
    fn quoted_fields_keep_commas_and_line_breaks() {
        let file =
            "ID,Type,Name,Description\n1,simple,\"Cup, blue\",\"one\ntwo\"\n2,simple,Plate,x\n";
        let table = read(file.as_bytes()).unwrap();
        assert_eq!(table.get(&table.rows[0], "Name"), "Cup, blue");
        assert_eq!(table.get(&table.rows[0], "Description"), "one\ntwo");
        assert_eq!(
            table.rows[1].line, 4,
            "the second row starts after the line break"
        );
    }

    #[test]
    fn files_past_the_limits_or_not_utf8_or_without_names_are_refused() {
        assert!(read(&[b'T', 0xff, b'\n']).is_err());
        assert!(read(b"SKU,Price\na,1\n").is_err());
        let many = format!("Type,Name\n{}", "simple,x\n".repeat(MAX_ROWS + 1));
        assert!(read(many.as_bytes()).is_err());
    }
}
