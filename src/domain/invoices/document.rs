//! What an invoice or credit note says, frozen when it is issued: built here from the order as it
//! was sold (pure, no database), stored as JSON, and read back unchanged by the PDF, the pages and
//! the i.SAF register. It carries what PVM įstatymas art. 80 asks of a VAT invoice: series and
//! number, date, seller and buyer (names, addresses, company and VAT codes), each line's name,
//! quantity, unit price without VAT, rate and amounts, the VAT per rate, the totals and currency.

use crate::domain::vat::{self, Rate, RateTotal};
use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};

/// An invoice, or the credit note that cancels one (a refund of the whole order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Invoice,
    CreditNote,
}

impl Kind {
    /// As the database writes it.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Invoice => "invoice",
            Kind::CreditNote => "credit_note",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        [Kind::Invoice, Kind::CreditNote]
            .into_iter()
            .find(|kind| kind.key() == key)
    }
}

/// Where the shopper downloads the order's document of `kind`: behind the order's own token,
/// like its status page (the e-mail and the accept page link it).
pub fn shopper_path(token: &str, kind: Kind) -> String {
    match kind {
        Kind::Invoice => format!("/orders/{token}/invoice.pdf"),
        Kind::CreditNote => format!("/orders/{token}/credit-note.pdf"),
    }
}

/// The printed number: series, a dash, six digits (`TRG-000042`).
pub fn number_text(series: &str, number: i64) -> String {
    format!("{series}-{number:06}")
}

/// A seller or buyer as the document names them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub address: String,
    pub company_code: String,
    pub vat_code: String,
    /// ISO 3166 alpha-2.
    pub country: String,
}

impl Party {
    /// A company buyer (one that named a company code or VAT code), as opposed to a consumer.
    pub fn is_company(&self) -> bool {
        !self.company_code.is_empty() || !self.vat_code.is_empty()
    }
}

/// One line as sold: what the order froze.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoldLine {
    pub name: String,
    pub sku: String,
    pub quantity: u32,
    /// The line's total as charged, VAT included (after a discount code's share).
    pub gross: Money,
    /// `None`: sold without VAT (a seller not registered for it).
    pub rate: Option<Rate>,
    /// A discount code's share of this line, already off `gross`.
    pub discount: Option<Money>,
}

/// The order as the invoice is made from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoldOrder {
    pub number: i64,
    pub currency: Currency,
    pub locale: String,
    pub buyer: Party,
    /// Its goods, then its shipping when it cost anything.
    pub lines: Vec<SoldLine>,
}

/// One line of the document, with its share of its rate's VAT ([`vat::allocate`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub name: String,
    pub sku: String,
    pub quantity: u32,
    /// The net amount divided by the quantity, rounded half up to the cent: what the law asks to
    /// see. The line's net is exact; the unit price is for reading.
    pub unit_net: Money,
    pub net: Money,
    pub rate: Option<Rate>,
    pub vat: Money,
    pub gross: Money,
    /// What a discount code took off the line (already off its amounts), shown beside its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Money>,
}

/// The invoice or credit note, as issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: Kind,
    pub number: String,
    /// The Vilnius day it was issued (`YYYY-MM-DD`).
    pub issue_date: String,
    pub order_number: i64,
    /// A credit note's invoice: its number and day.
    pub corrects: Option<(String, String)>,
    /// The order's language, which the PDF is written in.
    pub locale: String,
    pub currency: Currency,
    /// Whether it is a VAT invoice (PVM sąskaita faktūra): the seller charged VAT on every line.
    pub vat_payer: bool,
    pub seller: Party,
    pub buyer: Party,
    pub lines: Vec<Line>,
    /// The VAT per rate, highest first (empty without VAT).
    pub vat: Vec<RateTotal>,
    pub net_total: Money,
    pub vat_total: Money,
    pub total: Money,
}

/// Where a document is numbered and dated.
pub struct Heading<'a> {
    pub number: String,
    pub issue_date: &'a str,
}

impl Document {
    /// The invoice of `order`, from `seller`. VAT is shown when every line was sold with a rate
    /// (a seller registered for VAT); then its lines, rates and totals add up, to the cent, to the
    /// order's total. `None` if an amount overflows (no real order can).
    pub fn invoice(order: &SoldOrder, seller: Party, heading: Heading<'_>) -> Option<Document> {
        let zero = Money::zero(order.currency);
        let rated: Option<Vec<(Rate, Money)>> = order
            .lines
            .iter()
            .map(|line| Some((line.rate?, line.gross)))
            .collect();
        let (shares, vat) = match &rated {
            Some(amounts) => (vat::allocate(amounts)?, vat::breakdown(amounts)?),
            None => (vec![zero; order.lines.len()], vec![]),
        };
        let lines = order
            .lines
            .iter()
            .zip(shares)
            .map(|(line, share)| document_line(line, share, rated.is_some()))
            .collect::<Option<Vec<Line>>>()?;
        let total = sum(lines.iter().map(|line| line.gross), zero)?;
        let vat_total = sum(vat.iter().map(|rate| rate.vat), zero)?;
        Some(Document {
            kind: Kind::Invoice,
            number: heading.number,
            issue_date: heading.issue_date.to_owned(),
            order_number: order.number,
            corrects: None,
            locale: order.locale.clone(),
            currency: order.currency,
            vat_payer: rated.is_some(),
            seller,
            buyer: order.buyer.clone(),
            lines,
            vat,
            net_total: Money::new(total.minor.checked_sub(vat_total.minor)?, total.currency),
            vat_total,
            total,
        })
    }

    /// The credit note that gives this invoice back in full: the same lines, rates and VAT with
    /// the amounts negative, the seller and buyer as the invoice named them.
    pub fn credit_note(&self, heading: Heading<'_>) -> Document {
        let negative = |money: Money| Money::new(-money.minor, money.currency);
        Document {
            kind: Kind::CreditNote,
            number: heading.number,
            issue_date: heading.issue_date.to_owned(),
            corrects: Some((self.number.clone(), self.issue_date.clone())),
            lines: self
                .lines
                .iter()
                .map(|line| Line {
                    unit_net: negative(line.unit_net),
                    net: negative(line.net),
                    vat: negative(line.vat),
                    gross: negative(line.gross),
                    discount: line.discount.map(negative),
                    ..line.clone()
                })
                .collect(),
            vat: self
                .vat
                .iter()
                .map(|rate| RateTotal {
                    rate: rate.rate,
                    gross: negative(rate.gross),
                    vat: negative(rate.vat),
                    net: negative(rate.net),
                })
                .collect(),
            net_total: negative(self.net_total),
            vat_total: negative(self.vat_total),
            total: negative(self.total),
            ..self.clone()
        }
    }
}

fn document_line(line: &SoldLine, vat: Money, with_vat: bool) -> Option<Line> {
    let net = Money::new(
        line.gross.minor.checked_sub(vat.minor)?,
        line.gross.currency,
    );
    let quantity = i64::from(line.quantity.max(1));
    // Half up: (2n + q) / 2q, on the magnitude.
    let unit = (2 * net.minor.abs() + quantity) / (2 * quantity) * net.minor.signum();
    Some(Line {
        name: line.name.clone(),
        sku: line.sku.clone(),
        quantity: line.quantity,
        unit_net: Money::new(unit, net.currency),
        net,
        rate: if with_vat { line.rate } else { None },
        vat,
        gross: line.gross,
        discount: line.discount,
    })
}

fn sum(mut amounts: impl Iterator<Item = Money>, zero: Money) -> Option<Money> {
    amounts.try_fold(zero, |total, amount| total.checked_add(amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::Eur)
    }

    fn line(name: &str, quantity: u32, gross: i64, rate: Option<u32>) -> SoldLine {
        SoldLine {
            name: name.into(),
            sku: String::new(),
            quantity,
            gross: eur(gross),
            rate: rate.map(Rate),
            discount: None,
        }
    }

    fn order(lines: Vec<SoldLine>) -> SoldOrder {
        SoldOrder {
            number: 7,
            currency: Currency::Eur,
            locale: "lt".into(),
            buyer: Party::default(),
            lines,
        }
    }

    fn heading(number: &str) -> Heading<'_> {
        Heading {
            number: number.into(),
            issue_date: "2026-12-03",
        }
    }

    #[test]
    fn an_invoices_lines_rates_and_totals_add_up_to_what_was_paid() {
        let sold = order(vec![
            line("Lininiai marškiniai — M", 3, 17700, Some(2100)),
            line("Knyga", 1, 1999, Some(500)),
            line("Saga", 100, 1, Some(2100)),
            line("Kurjeris", 1, 390, Some(2100)),
        ]);
        let invoice = Document::invoice(&sold, Party::default(), heading("TRG-000001")).unwrap();
        assert!(invoice.vat_payer);
        assert_eq!(invoice.total, eur(17700 + 1999 + 1 + 390));
        assert_eq!(
            invoice.net_total.minor + invoice.vat_total.minor,
            invoice.total.minor
        );
        let lines_vat: i64 = invoice.lines.iter().map(|l| l.vat.minor).sum();
        assert_eq!(lines_vat, invoice.vat_total.minor);
        for line in &invoice.lines {
            assert_eq!(line.net.minor + line.vat.minor, line.gross.minor);
        }
        // 177,00 € for three at 21 %: 146,28 € net, 48,76 € each.
        assert_eq!(invoice.lines[0].unit_net, eur(4876));
        let credit = invoice.credit_note(heading("TRGK-000001"));
        assert_eq!(credit.total, eur(-invoice.total.minor));
        assert_eq!(credit.vat_total, eur(-invoice.vat_total.minor));
        assert_eq!(
            credit.corrects,
            Some(("TRG-000001".into(), "2026-12-03".into()))
        );
        assert_eq!(credit.kind, Kind::CreditNote);
    }

    #[test]
    fn a_seller_without_vat_issues_an_invoice_without_it() {
        let sold = order(vec![line("Puodelis", 2, 2400, None)]);
        let invoice = Document::invoice(&sold, Party::default(), heading("TRG-000002")).unwrap();
        assert!(!invoice.vat_payer);
        assert!(invoice.vat.is_empty());
        assert_eq!(invoice.vat_total, eur(0));
        assert_eq!(invoice.lines[0].net, eur(2400));
        assert_eq!(invoice.lines[0].unit_net, eur(1200));
    }
}
