//! How long an invoice's PDF takes to write (laid out, the font subset and embedded): a typical
//! order of three lines, and a long one of 200 lines over several pages.
//! `cargo bench --features ssr --bench invoices`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use turgus::domain::invoices::document::{Document, Heading, Party, SoldLine, SoldOrder};
use turgus::domain::invoices::pdf::render;
use turgus::domain::vat::Rate;
use turgus::money::{Currency, Money};

fn invoice(lines: usize) -> Document {
    let line = |n: usize| SoldLine {
        name: format!("Lininiai marškiniai — M, Žalia {n}"),
        sku: format!("linen-shirt-m-green-{n}"),
        quantity: 2,
        gross: Money::new(5900 + n as i64, Currency::Eur),
        rate: Some(if n.is_multiple_of(3) {
            Rate(1200)
        } else {
            Rate(2100)
        }),
        discount: None,
    };
    let party = |name: &str| Party {
        name: name.into(),
        address: "Gedimino pr. 1, 01103 Vilnius".into(),
        company_code: "305000001".into(),
        vat_code: "LT100012345".into(),
        country: "LT".into(),
    };
    let order = SoldOrder {
        number: 92_217_244,
        currency: Currency::Eur,
        locale: "lt".into(),
        buyer: party("UAB „Pirkėjas“"),
        lines: (0..lines).map(line).collect(),
    };
    let heading = Heading {
        number: "TRG-000001".into(),
        issue_date: "2026-12-03",
    };
    Document::invoice(&order, party("UAB „Ąžuolas“"), heading).unwrap()
}

fn pdfs(c: &mut Criterion) {
    for lines in [3, 200] {
        let document = invoice(lines);
        c.bench_function(&format!("invoice PDF, {lines} lines"), |b| {
            b.iter(|| render(black_box(&document)).unwrap())
        });
    }
}

criterion_group!(benches, pdfs);
criterion_main!(benches);
