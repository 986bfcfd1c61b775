//! The month's i.SAF register of sales invoices (VMI's `isaf_1.2.xsd`, DataType `S`): every VAT
//! invoice (`SF`) and credit note (`KS`, referring to its invoice) issued on the month's Vilnius
//! days, one `DocumentTotal` per rate. A buyer without a VAT code is `ND`, as the schema says for
//! a person who is not a VAT payer. Documents issued without VAT (the seller was not registered)
//! are no VAT invoices and are left out; so are the sandbox's.
//!
//! Tax codes follow VMI's classifier by rate: 21 % is `PVM1` (art. 19(1)), 12 % and the former 9 %
//! `PVM2` (art. 19(3)), 5 % `PVM3` (art. 19(4)), 0 % `PVM5` (not taxed). The README asks the
//! accountant to check this against what they file.

use super::document::{Document, Kind, Party};
use super::store::Month;
use crate::domain::vat::Rate;
use crate::money::Money;
use quick_xml::escape::escape;
use std::fmt::Write;

/// Why a register cannot be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsafError {
    /// The header needs the seller's company code: digits, at most 11 (Settings → Seller).
    NoCompanyCode,
}

/// Who files, and when the file is made (`2026-12-03T10:00:00`, local time without zone).
pub struct Filer<'a> {
    pub company_code: &'a str,
    pub created: &'a str,
}

/// The register of `documents` for `month`.
pub fn register(
    filer: &Filer<'_>,
    month: &Month,
    documents: &[Document],
) -> Result<String, IsafError> {
    let code = filer.company_code.trim();
    if code.is_empty() || code.len() > 11 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IsafError::NoCompanyCode);
    }
    let mut xml = String::with_capacity(1024 + documents.len() * 900);
    xml.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    xml.push('\n');
    xml.push_str(r#"<iSAFFile xmlns="http://www.vmi.lt/cms/imas/isaf" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#);
    let _ = write!(
        xml,
        "<Header><FileDescription><FileVersion>iSAF1.2</FileVersion>\
         <FileDateCreated>{created}</FileDateCreated><DataType>S</DataType>\
         <SoftwareCompanyName>Turgus</SoftwareCompanyName><SoftwareName>Turgus</SoftwareName>\
         <SoftwareVersion>{version}</SoftwareVersion><RegistrationNumber>{code}</RegistrationNumber>\
         <NumberOfParts>1</NumberOfParts><PartNumber>1</PartNumber>\
         <SelectionCriteria><SelectionStartDate>{first}</SelectionStartDate>\
         <SelectionEndDate>{last}</SelectionEndDate></SelectionCriteria></FileDescription></Header>",
        created = escape(filer.created),
        version = env!("CARGO_PKG_VERSION"),
        first = month.first_day(),
        last = month.last_day(),
    );
    // The schema wants at least one invoice inside `SalesInvoices`: a month without any has none.
    let invoices: Vec<&Document> = documents.iter().filter(|d| d.vat_payer).collect();
    if !invoices.is_empty() {
        xml.push_str("<SourceDocuments><SalesInvoices>");
        for document in invoices {
            invoice(&mut xml, document);
        }
        xml.push_str("</SalesInvoices></SourceDocuments>");
    }
    xml.push_str("</iSAFFile>\n");
    Ok(xml)
}

fn invoice(xml: &mut String, document: &Document) {
    let kind = match document.kind {
        Kind::Invoice => "SF",
        Kind::CreditNote => "KS",
    };
    let _ = write!(
        xml,
        "<Invoice><InvoiceNo>{number}</InvoiceNo>",
        number = escape(cut(&document.number, 70))
    );
    customer(xml, &document.buyer);
    let _ = write!(
        xml,
        "<InvoiceDate>{date}</InvoiceDate><InvoiceType>{kind}</InvoiceType>\
         <SpecialTaxation></SpecialTaxation><References>",
        date = document.issue_date
    );
    if let Some((number, date)) = &document.corrects {
        let _ = write!(
            xml,
            "<Reference><ReferenceNo>{number}</ReferenceNo><ReferenceDate>{date}</ReferenceDate></Reference>",
            number = escape(cut(number, 70))
        );
    }
    xml.push_str(r#"</References><VATPointDate xsi:nil="true"/><DocumentTotals>"#);
    for rate in document.vat.iter().take(100) {
        let _ = write!(
            xml,
            "<DocumentTotal><TaxableValue>{net}</TaxableValue><TaxCode>{code}</TaxCode>\
             <TaxPercentage>{percent}</TaxPercentage><Amount>{vat}</Amount>\
             <VATPointDate2 xsi:nil=\"true\"/></DocumentTotal>",
            net = amount(rate.net),
            code = tax_code(rate.rate),
            percent = percentage(rate.rate),
            vat = amount(rate.vat),
        );
    }
    xml.push_str("</DocumentTotals></Invoice>");
}

fn customer(xml: &mut String, buyer: &Party) {
    let or_nd = |text: &str| {
        if text.trim().is_empty() {
            "ND".to_owned()
        } else {
            escape(cut(text.trim(), 35)).into_owned()
        }
    };
    let country = if buyer.country.len() == 2 {
        format!("<Country>{}</Country>", escape(&buyer.country))
    } else {
        r#"<Country xsi:nil="true"/>"#.to_owned()
    };
    let _ = write!(
        xml,
        "<CustomerInfo><VATRegistrationNumber>{vat}</VATRegistrationNumber>\
         <RegistrationNumber>{code}</RegistrationNumber>{country}<Name>{name}</Name></CustomerInfo>",
        vat = or_nd(&buyer.vat_code),
        code = or_nd(&buyer.company_code),
        name = escape(cut(&buyer.name, 256)),
    );
}

/// At most `chars` characters: the schema's lengths are in characters.
fn cut(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

/// `-12.34`: a dot, two decimals, as `xs:decimal` is written.
fn amount(money: Money) -> String {
    let sign = if money.minor < 0 { "-" } else { "" };
    let magnitude = money.minor.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

fn percentage(rate: Rate) -> String {
    format!("{}.{:02}", rate.0 / 100, rate.0 % 100)
}

fn tax_code(rate: Rate) -> &'static str {
    match rate.0 {
        0 => "PVM5",
        500 => "PVM3",
        900 | 1200 => "PVM2",
        _ => "PVM1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    #[test]
    fn amounts_and_rates_are_written_as_xml_decimals() {
        assert_eq!(amount(Money::new(12345, Currency::Eur)), "123.45");
        assert_eq!(amount(Money::new(-5, Currency::Eur)), "-0.05");
        assert_eq!(percentage(Rate(2100)), "21.00");
        assert_eq!(percentage(Rate(550)), "5.50");
        assert_eq!(tax_code(Rate(2100)), "PVM1");
        assert_eq!(tax_code(Rate(0)), "PVM5");
    }

    #[test]
    fn a_register_needs_the_sellers_company_code() {
        let month = Month::parse("2026-12").unwrap();
        for code in ["", "LT123", "123456789012"] {
            let filer = Filer {
                company_code: code,
                created: "2026-12-03T10:00:00",
            };
            assert_eq!(register(&filer, &month, &[]), Err(IsafError::NoCompanyCode));
        }
    }
}
