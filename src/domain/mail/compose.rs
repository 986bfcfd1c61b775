//! What each order e-mail says. An e-mail is written once as a list of blocks, and the blocks are
//! rendered twice: as plain text and as simple HTML (inline styles, no images, nothing loaded from
//! anywhere). Everything from shoppers and merchants is escaped in the HTML.
//!
//! The shopper's e-mails are written in the language the order was placed in (`locales/`); the
//! merchant's in the shop's default language (`TURGUS_DEFAULT_LOCALE`), since a notice goes to the
//! shop's contact address, not to one admin.

use super::MailKind;
use crate::domain::orders::place::Customer;
use crate::domain::settings::Seller;
use crate::locale::{self, Locale};
use crate::money::{Currency, Money};
use crate::text::escape_html;
use leptos_i18n::td_string;

/// An order as its e-mails describe it, read in the transaction that sends them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrderFacts {
    pub number: i64,
    pub public_token: String,
    /// Who ordered and where it goes.
    #[sqlx(flatten)]
    pub customer: Customer,
    pub shipping_name: String,
    pub currency: String,
    pub shipping_minor: i64,
    pub total_minor: i64,
    /// Its discount code (empty: none), what it took off the goods and off the shipping.
    pub discount_code: String,
    pub discount_minor: i64,
    pub shipping_discount_minor: i64,
    /// When it was placed (UTC, as stored).
    pub created_at: String,
    /// The language it was placed in (a code from `locales/`).
    pub locale: String,
    /// The shipping's VAT rate (none before VAT was kept).
    pub shipping_vat_rate_bp: Option<i64>,
    /// It has its invoice (issued in the transaction that paid it, before its e-mails).
    pub invoiced: bool,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LineFacts {
    pub name: String,
    pub quantity: i64,
    pub line_total_minor: i64,
    /// Its share of the discount: it was charged `line_total_minor - discount_minor`.
    pub discount_minor: i64,
    pub vat_rate_bp: Option<i64>,
}

/// Why an e-mail is written, with what only that event knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailEvent {
    /// Paid: the shopper's confirmation.
    Confirmation,
    /// Paid: the merchant's notice.
    NewOrder,
    /// Shipped, with the merchant's note (a tracking number, say).
    Shipped { note: String },
    /// Cancelled in the admin, by whom and why.
    Cancelled { by: String, note: String },
    /// A payment a person must look at: the verdict, in words.
    Review { verdict: String, request_id: String },
}

impl MailEvent {
    pub fn kind(&self) -> MailKind {
        match self {
            MailEvent::Confirmation => MailKind::OrderConfirmation,
            MailEvent::NewOrder => MailKind::NewOrder,
            MailEvent::Shipped { .. } => MailKind::OrderShipped,
            MailEvent::Cancelled { .. } => MailKind::OrderCancelled,
            MailEvent::Review { .. } => MailKind::PaymentReview,
        }
    }

    /// The key that makes an event send once: a repeat of the same event finds it taken.
    pub fn key(&self, order_id: i64) -> String {
        let kind = self.kind().as_str();
        match self {
            MailEvent::Review {
                verdict,
                request_id,
            } => format!("{kind}:{order_id}:{verdict}:{request_id}"),
            _ => format!("{kind}:{order_id}"),
        }
    }

    /// Whether it goes to the shopper (else to the merchant).
    pub fn to_shopper(&self) -> bool {
        matches!(self, MailEvent::Confirmation | MailEvent::Shipped { .. })
    }
}

/// An e-mail ready for the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub subject: String,
    pub text: String,
    pub html: String,
}

enum Block {
    Heading(String),
    Para(String),
    /// Label and amount rows; the last one is the total, in bold.
    Figures(Vec<(String, String)>),
    /// Lines kept together (an address).
    Lines(Vec<String>),
    Link {
        label: String,
        url: String,
    },
    /// The seller's details at the foot.
    Small(Vec<String>),
}

pub fn compose(
    event: &MailEvent,
    order: &OrderFacts,
    lines: &[LineFacts],
    seller: &Seller,
    context: &super::MailContext<'_>,
) -> Draft {
    let language = if event.to_shopper() {
        locale::parse(&order.locale).unwrap_or_default()
    } else {
        context.merchant_language
    };
    let public_url = context.public_url;
    let letter = Letter {
        order,
        lines,
        shop: &seller.shop_name,
        public_url,
        currency: Currency::from_code(&order.currency).unwrap_or(Currency::Eur),
        language,
    };
    let (subject, mut blocks) = match event {
        MailEvent::Confirmation => letter.confirmation(),
        MailEvent::NewOrder => letter.new_order(),
        MailEvent::Shipped { note } => letter.shipped(note),
        MailEvent::Cancelled { by, note } => letter.cancelled(by, note),
        MailEvent::Review { verdict, .. } => letter.review(verdict),
    };
    blocks.push(Block::Small(seller_lines(seller, language)));
    Draft {
        subject,
        text: render_text(&blocks),
        html: render_html(&blocks),
    }
}

/// What every e-mail about one order draws on.
struct Letter<'a> {
    order: &'a OrderFacts,
    lines: &'a [LineFacts],
    shop: &'a str,
    public_url: &'a str,
    currency: Currency,
    /// What it is written in.
    language: Locale,
}

impl Letter<'_> {
    fn money(&self, minor: i64) -> String {
        Money::new(minor, self.currency).to_string()
    }

    /// The lines, the shipping and the total.
    fn figures(&self) -> Block {
        let mut rows: Vec<(String, String)> = self
            .lines
            .iter()
            .map(|l| {
                (
                    format!("{} × {}", l.quantity, l.name),
                    self.money(l.line_total_minor),
                )
            })
            .collect();
        let language = self.language;
        rows.extend(self.discount());
        rows.push((
            td_string!(language, mail.shipping, method = &self.order.shipping_name),
            self.money(self.order.shipping_minor),
        ));
        rows.push((
            td_string!(language, mail.total).into(),
            self.money(self.order.total_minor),
        ));
        rows.extend(self.vat().into_iter().map(|share| {
            let rate = share.rate.percent();
            (td_string!(language, vat.line, rate), share.vat.to_string())
        }));
        Block::Figures(rows)
    }

    /// The discount code's row, if the order had one.
    fn discount(&self) -> Option<(String, String)> {
        let (order, language) = (self.order, self.language);
        let code = &order.discount_code;
        match (order.discount_minor, order.shipping_discount_minor) {
            _ if code.is_empty() => None,
            (0, _) => Some((
                td_string!(language, discount.free_shipping, code),
                String::new(),
            )),
            (off, _) => Some((
                td_string!(language, discount.line, code),
                format!("−{}", self.money(off)),
            )),
        }
    }

    /// The VAT per rate the total includes.
    fn vat(&self) -> Vec<crate::domain::vat::RateTotal> {
        use crate::domain::vat::{order_vat, stored_rate};
        let money = |minor| Money::new(minor, self.currency);
        let shipping = (
            stored_rate(self.order.shipping_vat_rate_bp),
            money(self.order.shipping_minor),
        );
        order_vat(
            self.lines
                .iter()
                .map(|l| {
                    (
                        stored_rate(l.vat_rate_bp),
                        money(l.line_total_minor - l.discount_minor),
                    )
                })
                .chain([shipping]),
        )
    }

    fn address(&self) -> Block {
        let c = &self.order.customer;
        let name = format!("{} {}", c.first_name, c.last_name);
        let country = crate::countries::country_name(self.language, &c.country);
        Block::Lines(
            [name]
                .into_iter()
                .chain(c.delivery())
                .chain([country])
                .collect(),
        )
    }

    fn status_link(&self) -> Block {
        let path = format!("/checkout/accept?order={}", self.order.public_token);
        Block::Link {
            label: td_string!(self.language, mail.see_order).into(),
            url: format!(
                "{}{}",
                self.public_url,
                locale::localized(self.language, &path)
            ),
        }
    }

    fn admin_link(&self) -> Block {
        let n = self.order.number;
        Block::Link {
            label: td_string!(self.language, mail.merchant.in_admin, number = n),
            url: format!("{}/admin/orders/{n}", self.public_url),
        }
    }

    fn greeting(&self) -> Block {
        let name = &self.order.customer.first_name;
        Block::Para(td_string!(self.language, mail.hello, name))
    }

    fn confirmation(&self) -> (String, Vec<Block>) {
        let (shop, number, language) = (self.shop, self.order.number, self.language);
        let date = locale::date(language, &self.order.created_at);
        (
            td_string!(language, mail.confirmation.subject, shop, number),
            vec![
                self.greeting(),
                Block::Para(td_string!(language, mail.confirmation.thanks, shop)),
                Block::Heading(td_string!(language, mail.order_of, number, date)),
                self.figures(),
                Block::Heading(td_string!(language, mail.shipping_to).into()),
                self.address(),
                self.status_link(),
            ]
            .into_iter()
            .chain(self.invoice_link())
            .collect(),
        )
    }

    /// The shopper's link to the order's invoice, once it has one.
    fn invoice_link(&self) -> Option<Block> {
        use crate::domain::invoices::document::{shopper_path, Kind};
        let path = shopper_path(&self.order.public_token, Kind::Invoice);
        self.order.invoiced.then(|| Block::Link {
            label: td_string!(self.language, mail.invoice).into(),
            url: format!("{}{path}", self.public_url),
        })
    }

    fn new_order(&self) -> (String, Vec<Block>) {
        let (c, number, language) = (&self.order.customer, self.order.number, self.language);
        let name = format!("{} {}", c.first_name, c.last_name);
        let who = td_string!(
            language,
            mail.merchant.paid_by,
            name,
            email = &c.email,
            number
        );
        let total = self.money(self.order.total_minor);
        (
            td_string!(language, mail.merchant.new_order_subject, number, total),
            vec![
                Block::Para(who),
                self.figures(),
                Block::Heading(td_string!(language, mail.merchant.ship_to).into()),
                self.address(),
                self.admin_link(),
            ],
        )
    }

    fn shipped(&self, note: &str) -> (String, Vec<Block>) {
        let (shop, number, language) = (self.shop, self.order.number, self.language);
        let method = &self.order.shipping_name;
        let mut blocks = vec![
            self.greeting(),
            Block::Para(td_string!(
                language,
                mail.shipped.text,
                number,
                shop,
                method
            )),
        ];
        if !note.is_empty() {
            blocks.push(Block::Heading(
                td_string!(language, mail.shipped.tracking).into(),
            ));
            blocks.push(Block::Para(note.to_owned()));
        }
        blocks.extend([self.address(), self.status_link()]);
        (
            td_string!(language, mail.shipped.subject, shop, number),
            blocks,
        )
    }

    fn cancelled(&self, by: &str, note: &str) -> (String, Vec<Block>) {
        let (number, language) = (self.order.number, self.language);
        let (email, total) = (
            &self.order.customer.email,
            self.money(self.order.total_minor),
        );
        let mut what = vec![Block::Para(td_string!(
            language,
            mail.merchant.cancelled,
            number,
            email,
            total,
            by
        ))];
        if !note.is_empty() {
            what.push(Block::Para(td_string!(language, mail.merchant.note, note)));
        }
        what.push(self.admin_link());
        (
            td_string!(language, mail.merchant.cancelled_subject, number),
            what,
        )
    }

    fn review(&self, verdict: &str) -> (String, Vec<Block>) {
        let (number, language) = (self.order.number, self.language);
        let total = self.money(self.order.total_minor);
        let why = super::verdict_in_words(verdict, language);
        let what = td_string!(language, mail.merchant.review, number, total, why);
        (
            td_string!(language, mail.merchant.review_subject, number),
            vec![Block::Para(what), self.admin_link()],
        )
    }
}

/// Who sells, as the foot of every e-mail says it.
fn seller_lines(seller: &Seller, language: Locale) -> Vec<String> {
    let name = if seller.legal_name.is_empty() {
        &seller.shop_name
    } else {
        &seller.legal_name
    };
    let labelled = [
        (
            td_string!(language, seller.company_code),
            &seller.company_code,
        ),
        (td_string!(language, seller.vat_code), &seller.vat_code),
        ("", &seller.address),
        (td_string!(language, seller.email), &seller.contact_email),
        (td_string!(language, seller.phone), &seller.contact_phone),
    ];
    std::iter::once(name.clone())
        .chain(
            labelled
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(label, v)| match label {
                    "" => v.replace('\n', ", "),
                    label => format!("{label}: {v}"),
                }),
        )
        .collect()
}

fn render_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(text) => out.push_str(&format!("{text}\n")),
            Block::Para(text) => out.push_str(&format!("{text}\n\n")),
            Block::Figures(rows) => {
                for (label, amount) in rows {
                    out.push_str(&format!("  {label}: {amount}\n"));
                }
                out.push('\n');
            }
            Block::Lines(lines) => out.push_str(&format!("  {}\n\n", lines.join("\n  "))),
            Block::Link { label, url } => out.push_str(&format!("{label}: {url}\n\n")),
            Block::Small(lines) => out.push_str(&format!("--\n{}\n", lines.join("\n"))),
        }
    }
    out
}

fn render_html(blocks: &[Block]) -> String {
    let mut body = String::new();
    for block in blocks {
        match block {
            Block::Heading(text) => body.push_str(&format!(
                "<h2 style=\"font-size:16px;margin:20px 0 8px\">{}</h2>",
                escape_html(text)
            )),
            Block::Para(text) => body.push_str(&format!("<p>{}</p>", escape_html(text))),
            Block::Figures(rows) => {
                body.push_str("<table style=\"border-collapse:collapse;width:100%\">");
                for (i, (label, amount)) in rows.iter().enumerate() {
                    let weight = if i + 1 == rows.len() {
                        "font-weight:bold;"
                    } else {
                        ""
                    };
                    body.push_str(&format!(
                        "<tr><td style=\"{weight}padding:4px 0;border-top:1px solid #ddd\">{}</td>\
                         <td style=\"{weight}padding:4px 0;border-top:1px solid #ddd;text-align:right\">{}</td></tr>",
                        escape_html(label),
                        escape_html(amount)
                    ));
                }
                body.push_str("</table>");
            }
            Block::Lines(lines) => {
                let joined: Vec<String> = lines.iter().map(|l| escape_html(l)).collect();
                body.push_str(&format!("<p>{}</p>", joined.join("<br>")));
            }
            Block::Link { label, url } => body.push_str(&format!(
                "<p><a href=\"{}\" style=\"color:#1d4ed8\">{}</a></p>",
                escape_html(url),
                escape_html(label)
            )),
            Block::Small(lines) => {
                let joined: Vec<String> = lines.iter().map(|l| escape_html(l)).collect();
                body.push_str(&format!(
                    "<p style=\"color:#666;font-size:12px;margin-top:24px\">{}</p>",
                    joined.join("<br>")
                ));
            }
        }
    }
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family:sans-serif;font-size:14px;color:#222;max-width:560px\">{body}</body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(merchant_language: Locale) -> crate::domain::mail::MailContext<'static> {
        crate::domain::mail::MailContext {
            public_url: "https://shop.lt",
            fallback_to: None,
            merchant_language,
        }
    }

    fn order() -> OrderFacts {
        OrderFacts {
            number: 1001,
            public_token: "t0ken".into(),
            customer: Customer {
                email: crate::email::Email::parse("ona@example.lt").unwrap(),
                first_name: "Ona".into(),
                last_name: "Žemaitė <b>".into(),
                street: "Gedimino pr. 1".into(),
                city: "Vilnius".into(),
                postcode: "01103".into(),
                country: "LT".into(),
                phone: String::new(),
                pickup_point: String::new(),
            },
            shipping_name: "Courier".into(),
            currency: "EUR".into(),
            shipping_minor: 390,
            shipping_vat_rate_bp: Some(2100),
            invoiced: false,
            total_minor: 4890,
            discount_code: String::new(),
            discount_minor: 0,
            shipping_discount_minor: 0,
            created_at: "2026-11-23T10:15:42.123Z".into(),
            locale: "en".into(),
        }
    }

    #[test]
    fn the_confirmation_lists_lines_shipping_total_address_and_seller() {
        let seller = Seller {
            shop_name: "Lino namai".into(),
            legal_name: "UAB Lino namai".into(),
            vat_code: "LT100001".into(),
            ..Seller::default()
        };
        let lines = [LineFacts {
            name: "Linen apron".into(),
            quantity: 2,
            line_total_minor: 4500,
            discount_minor: 0,
            vat_rate_bp: Some(2100),
        }];
        let mail = compose(
            &MailEvent::Confirmation,
            &order(),
            &lines,
            &seller,
            &context(Locale::en),
        );
        assert_eq!(mail.subject, "Lino namai: order nr. 1001 is paid");
        for part in [&mail.text, &mail.html] {
            for expected in [
                "2 × Linen apron",
                "45,00",
                "Courier",
                "48,90",
                "Gedimino pr. 1",
                "Lithuania",
                "UAB Lino namai",
                "LT100001",
                "https://shop.lt/en/checkout/accept?order=t0ken",
                // 48,90 at 21 % holds 8,4868…: 8,49 €.
                "VAT 21 %",
                "8,49",
            ] {
                assert!(part.contains(expected), "{expected} in {part}");
            }
        }
        assert!(
            mail.html.contains("Žemaitė &lt;b&gt;"),
            "escaped: {}",
            mail.html
        );
        assert!(!mail.html.contains("<img"), "no images");
    }

    #[test]
    fn an_order_to_a_pick_up_point_names_the_point_and_the_phone_instead_of_a_street() {
        let mut order = order();
        order.customer.street = String::new();
        order.customer.city = String::new();
        order.customer.postcode = String::new();
        order.customer.phone = "+37061234567".into();
        order.customer.pickup_point = "Kauno IKI Taikos paštomatas, Taikos pr. 81, Kauno m.".into();
        let mail = compose(
            &MailEvent::Confirmation,
            &order,
            &[],
            &Seller::default(),
            &context(Locale::en),
        );
        for part in [&mail.text, &mail.html] {
            assert!(
                part.contains("Kauno IKI Taikos paštomatas, Taikos pr. 81"),
                "{part}"
            );
            assert!(part.contains("+37061234567"), "{part}");
        }
    }

    #[test]
    fn the_shopper_reads_it_in_the_language_of_the_order_and_the_merchant_in_the_shops() {
        let order = OrderFacts {
            locale: "lt".into(),
            ..order()
        };
        let lines = [LineFacts {
            name: "Lininė prijuostė".into(),
            quantity: 2,
            line_total_minor: 4500,
            discount_minor: 0,
            vat_rate_bp: Some(2100),
        }];
        let seller = Seller {
            shop_name: "Lino namai".into(),
            company_code: "300000001".into(),
            ..Seller::default()
        };
        let write = |event| compose(&event, &order, &lines, &seller, &context(Locale::en));
        let mail = write(MailEvent::Confirmation);
        assert_eq!(mail.subject, "Lino namai: užsakymas nr. 1001 apmokėtas");
        for expected in [
            "Sveiki, Ona,",
            "2026 m. lapkričio 23 d.",
            "Iš viso",
            "Lietuva",
            "Įmonės kodas: 300000001",
            "https://shop.lt/lt/checkout/accept?order=t0ken",
        ] {
            assert!(mail.text.contains(expected), "{expected} in {}", mail.text);
        }
        let shipped = write(MailEvent::Shipped {
            note: "LP123".into(),
        });
        assert!(shipped.subject.contains("išsiųstas"), "{}", shipped.subject);
        let merchant = write(MailEvent::NewOrder);
        assert!(merchant.text.contains("Total") && merchant.text.contains("Lithuania"));
        // A Lithuanian shop's notices are in Lithuanian, whatever the order's language.
        let english_order = OrderFacts {
            locale: "en".into(),
            ..order.clone()
        };
        let notice = compose(
            &MailEvent::NewOrder,
            &english_order,
            &lines,
            &seller,
            &context(Locale::lt),
        );
        assert!(notice
            .subject
            .starts_with("Naujas apmokėtas užsakymas nr. 1001"));
        assert!(notice.text.contains("Siųsti") && notice.text.contains("Lietuva"));
    }

    #[test]
    fn each_event_sends_once_per_order_and_reviews_once_per_payment() {
        assert_eq!(MailEvent::Confirmation.key(7), "order_confirmation:7");
        let review = |request_id: &str| MailEvent::Review {
            verdict: "paid_twice".into(),
            request_id: request_id.into(),
        };
        assert_ne!(review("a").key(7), review("b").key(7));
        assert_eq!(review("a").key(7), review("a").key(7));
    }
}
