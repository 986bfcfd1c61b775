//! The invoice as a PDF: A4, in the order's language, with DejaVu Sans embedded (subset to the
//! letters used, so ąčęėįšųūž print in any reader and `pdftotext` reads them back). The font files
//! are shipped beside this module (`fonts/`, with their licence) and compiled into the binary, so
//! a self-hosted shop needs no font installed.
//!
//! Written in two steps: [`layout`] places every piece of text and rule on numbered pages (pure,
//! measured with the font's own advance widths, so amounts align right and long names wrap), and
//! [`render`] draws them with krilla, Typst's PDF writer.

use super::document::{Document, Kind, Line, Party};
use crate::error::AppError;
use crate::locale::Locale;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use leptos_i18n::td_string;
use std::sync::LazyLock;

static REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");

/// A4 in points, and the margin on every side.
const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
const MARGIN: f32 = 50.0;
const SIZE: f32 = 8.5;
const LEADING: f32 = 12.0;

/// One thing drawn: text with its baseline's left end, or a thin rule across the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rule {
        y: f32,
    },
}

/// The two faces, read once, for measuring.
struct Faces {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

static FACES: LazyLock<Option<Faces>> = LazyLock::new(|| {
    Some(Faces {
        regular: ttf_parser::Face::parse(REGULAR, 0).ok()?,
        bold: ttf_parser::Face::parse(BOLD, 0).ok()?,
    })
});

/// How wide `text` is at `size`, in points.
fn width(text: &str, size: f32, bold: bool) -> f32 {
    let Some(faces) = FACES.as_ref() else {
        return 0.0;
    };
    let face = if bold { &faces.bold } else { &faces.regular };
    let units: u32 = text
        .chars()
        .map(|c| {
            face.glyph_index(c)
                .and_then(|glyph| face.glyph_hor_advance(glyph))
                .map_or(0, u32::from)
        })
        .sum();
    units as f32 * size / f32::from(face.units_per_em())
}

/// `text` broken at spaces into lines no wider than `room` (a word wider than that stands alone).
fn wrap(text: &str, room: f32, size: f32, bold: bool) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if width(&format!("{line} {word}"), size, bold) <= room => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Pages of marks, filled from the top; a new page starts when the next block does not fit.
struct Pages {
    pages: Vec<Vec<Mark>>,
    y: f32,
}

impl Pages {
    fn new() -> Pages {
        Pages {
            pages: vec![vec![]],
            y: MARGIN,
        }
    }

    /// Room for `height` more points, or a new page.
    fn need(&mut self, height: f32) {
        if self.y + height > HEIGHT - MARGIN - LEADING {
            self.pages.push(vec![]);
            self.y = MARGIN;
        }
    }

    fn text(&mut self, x: f32, text: impl Into<String>, size: f32, bold: bool) {
        let mark = Mark::Text {
            x,
            y: self.y + size,
            size,
            bold,
            text: text.into(),
        };
        if let Some(page) = self.pages.last_mut() {
            page.push(mark);
        }
    }

    /// Text whose right end is at `right`.
    fn right(&mut self, right: f32, text: impl Into<String>, size: f32, bold: bool) {
        let text = text.into();
        let x = right - width(&text, size, bold);
        self.text(x, text, size, bold);
    }

    fn rule(&mut self) {
        let y = self.y;
        if let Some(page) = self.pages.last_mut() {
            page.push(Mark::Rule { y });
        }
        self.y += 4.0;
    }

    fn down(&mut self, by: f32) {
        self.y += by;
    }
}

/// The table's columns: each one's right edge (the name's left edge is the margin).
struct Columns {
    name_room: f32,
    rights: Vec<f32>,
}

impl Columns {
    fn of(document: &Document) -> Columns {
        let rights: Vec<f32> = if document.vat_payer {
            vec![270.0, 335.0, 380.0, 435.0, 485.0, WIDTH - MARGIN]
        } else {
            vec![380.0, 460.0, WIDTH - MARGIN]
        };
        Columns {
            name_room: if document.vat_payer { 170.0 } else { 270.0 },
            rights,
        }
    }
}

/// Every mark of `document`, page by page, with each page's number at its foot.
pub fn layout(document: &Document) -> Vec<Vec<Mark>> {
    let locale = crate::locale::parse(&document.locale).unwrap_or_default();
    let mut pages = Pages::new();
    heading(&mut pages, document, locale);
    parties(&mut pages, document, locale);
    let columns = Columns::of(document);
    table_head(&mut pages, document, &columns, locale);
    for line in &document.lines {
        table_line(&mut pages, document, &columns, line);
    }
    totals(&mut pages, document, locale);
    let count = pages.pages.len();
    for (index, page) in pages.pages.iter_mut().enumerate() {
        let (page_number, pages) = (index + 1, count);
        let text = td_string!(locale, invoice.page, page = page_number, pages).to_string();
        let x = WIDTH - MARGIN - width(&text, 7.0, false);
        page.push(Mark::Text {
            x,
            y: HEIGHT - MARGIN + 10.0,
            size: 7.0,
            bold: false,
            text,
        });
    }
    pages.pages
}

fn title(document: &Document, locale: Locale) -> &'static str {
    match (document.kind, document.vat_payer) {
        (Kind::Invoice, true) => td_string!(locale, invoice.title.vat_invoice),
        (Kind::Invoice, false) => td_string!(locale, invoice.title.invoice),
        (Kind::CreditNote, true) => td_string!(locale, invoice.title.vat_credit_note),
        (Kind::CreditNote, false) => td_string!(locale, invoice.title.credit_note),
    }
}

fn heading(pages: &mut Pages, document: &Document, locale: Locale) {
    pages.text(MARGIN, title(document, locale), 16.0, true);
    pages.down(26.0);
    let number = &document.number;
    let date = &document.issue_date;
    let order = document.order_number;
    let mut facts = vec![
        td_string!(locale, invoice.number, number).to_string(),
        td_string!(locale, invoice.date, date).to_string(),
        td_string!(locale, invoice.order, number = order).to_string(),
    ];
    if let Some((number, date)) = &document.corrects {
        facts.push(td_string!(locale, invoice.corrects, number, date).to_string());
    }
    for fact in facts {
        pages.text(MARGIN, fact, 9.5, false);
        pages.down(LEADING + 1.0);
    }
    pages.down(LEADING);
}

/// Seller on the left, buyer on the right.
fn parties(pages: &mut Pages, document: &Document, locale: Locale) {
    let top = pages.y;
    let left = party(&document.seller, td_string!(locale, invoice.seller), locale);
    let right = party(&document.buyer, td_string!(locale, invoice.buyer), locale);
    let mut lowest = top;
    for (x, lines) in [(MARGIN, left), (WIDTH / 2.0 + 10.0, right)] {
        pages.y = top;
        for (index, line) in lines.iter().enumerate() {
            for part in wrap(line, WIDTH / 2.0 - MARGIN - 20.0, 9.0, index == 0) {
                pages.text(x, part, 9.0, index == 0);
                pages.down(LEADING);
            }
        }
        lowest = lowest.max(pages.y);
    }
    pages.y = lowest + LEADING;
}

fn party(party: &Party, role: &str, locale: Locale) -> Vec<String> {
    let mut lines = vec![role.to_owned(), party.name.clone(), party.address.clone()];
    let (company, vat) = (&party.company_code, &party.vat_code);
    if !company.is_empty() {
        lines.push(td_string!(locale, invoice.company_code, code = company).to_string());
    }
    if !vat.is_empty() {
        lines.push(td_string!(locale, invoice.vat_code, code = vat).to_string());
    }
    lines.retain(|line| !line.is_empty());
    lines
}

fn table_head(pages: &mut Pages, document: &Document, columns: &Columns, locale: Locale) {
    let labels: Vec<&str> = if document.vat_payer {
        vec![
            td_string!(locale, invoice.col.quantity),
            td_string!(locale, invoice.col.unit_net),
            td_string!(locale, invoice.col.rate),
            td_string!(locale, invoice.col.net),
            td_string!(locale, invoice.col.vat),
            td_string!(locale, invoice.col.gross),
        ]
    } else {
        vec![
            td_string!(locale, invoice.col.quantity),
            td_string!(locale, invoice.col.unit),
            td_string!(locale, invoice.col.gross),
        ]
    };
    pages.need(3.0 * LEADING);
    pages.rule();
    let top = pages.y;
    pages.text(MARGIN, td_string!(locale, invoice.col.name), 8.0, true);
    let mut lowest = top + LEADING;
    for (index, (label, right)) in labels.iter().zip(&columns.rights).enumerate() {
        let left = if index == 0 {
            MARGIN + columns.name_room
        } else {
            columns.rights[index - 1]
        };
        pages.y = top;
        for part in wrap(label, right - left - 6.0, 8.0, true) {
            pages.right(*right, part, 8.0, true);
            pages.down(LEADING - 2.0);
        }
        lowest = lowest.max(pages.y);
    }
    pages.y = lowest + 2.0;
    pages.rule();
}

fn table_line(pages: &mut Pages, document: &Document, columns: &Columns, line: &Line) {
    let mut name = line.name.clone();
    if !line.sku.is_empty() {
        name = format!("{name} [{}]", line.sku);
    }
    if let Some(discount) = line.discount {
        let locale = crate::locale::parse(&document.locale).unwrap_or_default();
        let discount = discount.to_string();
        name = format!(
            "{name} ({})",
            td_string!(locale, invoice.discount, amount = discount)
        );
    }
    let name = wrap(&name, columns.name_room - 6.0, SIZE, false);
    pages.need(LEADING * name.len() as f32 + 2.0);
    let cells: Vec<String> = if document.vat_payer {
        vec![
            line.quantity.to_string(),
            line.unit_net.to_string(),
            line.rate.map(|rate| rate.percent()).unwrap_or_default(),
            line.net.to_string(),
            line.vat.to_string(),
            line.gross.to_string(),
        ]
    } else {
        vec![
            line.quantity.to_string(),
            line.unit_net.to_string(),
            line.gross.to_string(),
        ]
    };
    let top = pages.y;
    for (cell, right) in cells.into_iter().zip(&columns.rights) {
        pages.right(*right, cell, SIZE, false);
    }
    for part in name {
        pages.text(MARGIN, part, SIZE, false);
        pages.down(LEADING);
    }
    pages.y = pages.y.max(top + LEADING) + 2.0;
}

fn totals(pages: &mut Pages, document: &Document, locale: Locale) {
    let right = WIDTH - MARGIN;
    pages.need((document.vat.len() + 5) as f32 * LEADING);
    pages.rule();
    pages.down(4.0);
    for rate in &document.vat {
        let (rate_text, net, vat) = (
            rate.rate.percent(),
            rate.net.to_string(),
            rate.vat.to_string(),
        );
        let text = td_string!(locale, invoice.per_rate, rate = rate_text, net, vat).to_string();
        pages.right(right, text, 9.0, false);
        pages.down(LEADING);
    }
    let currency = document.currency.code();
    let mut sums = vec![];
    if document.vat_payer {
        sums.push((
            td_string!(locale, invoice.net_total).to_string(),
            document.net_total,
        ));
        sums.push((
            td_string!(locale, invoice.vat_total).to_string(),
            document.vat_total,
        ));
    }
    sums.push((
        td_string!(locale, invoice.total, currency).to_string(),
        document.total,
    ));
    for (label, amount) in sums {
        pages.down(2.0);
        pages.right(right, format!("{label}: {amount}"), 10.0, true);
        pages.down(LEADING + 2.0);
    }
    if !document.vat_payer {
        pages.down(LEADING);
        pages.text(
            MARGIN,
            td_string!(locale, invoice.not_vat_payer),
            9.0,
            false,
        );
    }
}

/// The PDF of `document`.
pub fn render(document: &Document) -> Result<Vec<u8>, AppError> {
    let fonts = Font::new(REGULAR.into(), 0).zip(Font::new(BOLD.into(), 0));
    let (regular, bold) = fonts.ok_or(AppError::Internal)?;
    let mut pdf = krilla::Document::new();
    pdf.set_metadata(
        krilla::metadata::Metadata::new()
            .title(format!("{} {}", document.number, document.seller.name))
            .language(document.locale.clone()),
    );
    for marks in layout(document) {
        let settings = PageSettings::from_wh(WIDTH, HEIGHT).ok_or(AppError::Internal)?;
        let mut page = pdf.start_page_with(settings);
        let mut surface = page.surface();
        for mark in marks {
            match mark {
                Mark::Text {
                    x,
                    y,
                    size,
                    bold: heavy,
                    text,
                } => {
                    let font = if heavy { bold.clone() } else { regular.clone() };
                    let at = Point::from_xy(x, y);
                    surface.draw_text(at, font, size, &text, false, TextDirection::Auto);
                }
                Mark::Rule { y } => {
                    let mut path = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(MARGIN, y, WIDTH - 2.0 * MARGIN, 0.6) {
                        path.push_rect(rect);
                    }
                    if let Some(path) = path.finish() {
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    pdf.finish().map_err(|error| {
        tracing::error!(?error, number = %document.number, "the invoice's PDF could not be written");
        AppError::Internal
    })
}
