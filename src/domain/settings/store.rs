//! Reading and saving the shop's settings. Every save names the admin and what changed in
//! `settings_events`, in the same transaction as the change.

use super::{Editor, LegalPage, LegalText, Seller, SettingsChange, ShippingMethod};
use crate::error::AppError;
use crate::locale::Locale;
use crate::money::{Currency, Money};
use leptos_i18n::td_string;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Everything in admin → Settings except the shipping methods and legal texts.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ShopSettings {
    #[sqlx(flatten)]
    pub seller: Seller,
    pub smsbank: bool,
    pub test_payments: bool,
    /// Registered for VAT: its orders carry VAT at the rates of `seller_country`.
    pub vat_payer: bool,
    pub seller_country: String,
    /// Registered for the EU's One-Stop Shop: consumers abroad are charged their country's rates.
    pub oss_registered: bool,
    /// The invoices' and credit notes' series (`TRG` numbers `TRG-000001`). Empty in a save:
    /// kept as they are.
    pub invoice_series: String,
    pub credit_note_series: String,
}

const SETTINGS: &str = "SELECT shop_name, legal_name, company_code, vat_code, address,
                               contact_email, contact_phone, smsbank, test_payments, vat_payer,
                               seller_country, oss_registered, invoice_series, credit_note_series
                        FROM shop_settings WHERE id = 1";

pub async fn load(pool: &crate::db::Db) -> Result<ShopSettings, AppError> {
    Ok(crate::on_db!(pool, conn => sqlx::query_as(SETTINGS).fetch_one(conn).await)?)
}

/// The settings, read inside a saving transaction and locked until it ends: two admins saving at
/// once on PostgreSQL each compare with what the other saved.
async fn load_for_change(tx: &mut crate::db::Tx) -> Result<ShopSettings, AppError> {
    let select = format!("{SETTINGS}{}", tx.for_update());
    Ok(crate::on_tx!(tx, conn => sqlx::query_as(&select).fetch_one(&mut *conn).await)?)
}

/// The seller's details, read inside a transaction (e-mails written with an order change). Not
/// locked: paying callbacks for different orders must not queue on the settings' row.
pub async fn load_seller(tx: &mut crate::db::Tx) -> Result<Seller, AppError> {
    let settings: ShopSettings =
        crate::on_tx!(tx, conn => sqlx::query_as(SETTINGS).fetch_one(&mut *conn).await)?;
    Ok(settings.seller)
}

/// The settings every page reads (the shop's name is in each title, its seller in each footer),
/// kept in memory so that rendering a page waits for nothing. A save on this instance replaces
/// them at once; another instance's save is read within a few seconds: a page that finds the copy
/// older than the TTL starts a reread in the background and renders with what is there.
pub struct SettingsCache {
    pool: crate::db::Db,
    current: RwLock<(Instant, Arc<ShopSettings>)>,
    rereading: AtomicBool,
}

const SETTINGS_TTL: Duration = Duration::from_secs(5);

impl SettingsCache {
    pub async fn load(pool: &crate::db::Db) -> Result<SettingsCache, AppError> {
        Ok(SettingsCache {
            pool: pool.clone(),
            current: RwLock::new((Instant::now(), Arc::new(load(pool).await?))),
            rereading: AtomicBool::new(false),
        })
    }

    /// The settings as last read, without waiting (pages render synchronously from them).
    pub fn snapshot(self: &Arc<Self>) -> Arc<ShopSettings> {
        let (at, settings) = self
            .current
            .read()
            .map(|current| current.clone())
            .unwrap_or_else(|_| (Instant::now(), Arc::default()));
        if at.elapsed() >= SETTINGS_TTL && !self.rereading.swap(true, Ordering::AcqRel) {
            let cache = self.clone();
            tokio::spawn(async move {
                match load(&cache.pool).await {
                    Ok(fresh) => cache.set(Arc::new(fresh)),
                    Err(_) => tracing::warn!("could not reread the shop's settings"),
                }
                cache.rereading.store(false, Ordering::Release);
            });
        }
        settings
    }

    /// The settings, read again first if the copy is older than the TTL: for decisions (what
    /// checkout offers), not for display.
    pub async fn get(&self) -> Result<Arc<ShopSettings>, AppError> {
        let cached = self.current.read().ok().map(|c| c.clone());
        if let Some((_, settings)) = cached.filter(|(at, _)| at.elapsed() < SETTINGS_TTL) {
            return Ok(settings);
        }
        let fresh = Arc::new(load(&self.pool).await?);
        self.set(fresh.clone());
        Ok(fresh)
    }

    /// Reads the settings again now: another instance changed them, and pages about to be kept
    /// (the page cache) must not carry the old ones.
    pub async fn reread(&self) -> Result<(), AppError> {
        self.set(Arc::new(load(&self.pool).await?));
        Ok(())
    }

    fn set(&self, settings: Arc<ShopSettings>) {
        if let Ok(mut current) = self.current.write() {
            *current = (Instant::now(), settings);
        }
    }
}

/// Starts a settings change: the transaction, and the e-mail of the admin making it (the audit
/// names people, not ids).
pub(crate) async fn begin_change(
    writer: &crate::db::Db,
    editor: Editor,
) -> Result<(crate::db::Tx, String), AppError> {
    let mut tx = writer.begin().await?;
    let email: String =
        crate::on_tx!(&mut tx, conn => sqlx::query_scalar("SELECT email FROM admins WHERE id = $1")
        .bind(editor.admin_id)
        .fetch_optional(&mut *conn)
        .await)?
        .ok_or_else(|| {
            AppError::Unauthorized(td_string!(editor.language, admin.login.please).into())
        })?;
    Ok((tx, email))
}

/// Records a change in the shop's audit (the settings page's "Recent changes"), naming who made it.
pub(crate) async fn audit(
    tx: &mut crate::db::Tx,
    admin_email: &str,
    change: &str,
) -> Result<(), AppError> {
    crate::on_tx!(tx, conn => sqlx::query("INSERT INTO settings_events (admin_email, change) VALUES ($1, $2)")
        .bind(admin_email)
        .bind(change)
        .execute(&mut *conn)
        .await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// One of the seller's text settings: what it is called (in the audit and in messages), its
/// limit, and whether it may have several lines. Only the address may: the others reach e-mail
/// headers and page titles.
struct TextField<'a> {
    what: &'static str,
    value: &'a String,
    max: usize,
    multiline: bool,
}

fn text_fields(s: &Seller, locale: Locale) -> [TextField<'_>; 7] {
    let field = |what, value, max, multiline| TextField {
        what,
        value,
        max,
        multiline,
    };
    let names = [
        td_string!(locale, admin.settings.field.shop_name),
        td_string!(locale, admin.settings.field.legal_name),
        td_string!(locale, admin.settings.field.company_code),
        td_string!(locale, admin.settings.field.vat_code),
        td_string!(locale, admin.settings.field.address),
        td_string!(locale, admin.settings.field.contact_email),
        td_string!(locale, admin.settings.field.contact_phone),
    ];
    let [shop, legal, company, vat, address, email, phone] = names;
    [
        field(shop, &s.shop_name, 80, false),
        field(legal, &s.legal_name, 200, false),
        field(company, &s.company_code, 40, false),
        field(vat, &s.vat_code, 40, false),
        field(address, &s.address, 400, true),
        field(email, &s.contact_email, 254, false),
        field(phone, &s.contact_phone, 40, false),
    ]
}

/// What changed between two versions of the settings, for the audit: `shop name: “A” → “B”`,
/// in the words of the admin who changed them.
fn differences(old: &ShopSettings, new: &ShopSettings, locale: Locale) -> Vec<String> {
    let on_off = |on: bool| {
        if on {
            td_string!(locale, admin.settings.on)
        } else {
            td_string!(locale, admin.settings.off)
        }
    };
    let switches = [
        (
            td_string!(locale, admin.settings.field.smsbank),
            old.smsbank,
            new.smsbank,
        ),
        (
            td_string!(locale, admin.settings.field.test_payments),
            old.test_payments,
            new.test_payments,
        ),
        (
            td_string!(locale, admin.settings.field.vat_payer),
            old.vat_payer,
            new.vat_payer,
        ),
        (
            td_string!(locale, admin.settings.field.oss_registered),
            old.oss_registered,
            new.oss_registered,
        ),
    ];
    text_fields(&old.seller, locale)
        .into_iter()
        .zip(text_fields(&new.seller, locale))
        .filter(|(a, b)| a.value != b.value)
        .map(|(a, b)| format!("{}: “{}” → “{}”", a.what, a.value, b.value))
        .chain(
            switches
                .into_iter()
                .filter(|(_, a, b)| a != b)
                .map(|(what, a, b)| format!("{what}: {} → {}", on_off(a), on_off(b))),
        )
        .chain((old.seller_country != new.seller_country).then(|| {
            let what = td_string!(locale, admin.settings.field.seller_country);
            format!("{what}: {} → {}", old.seller_country, new.seller_country)
        }))
        .chain(series_changes(old, new, locale))
        .collect()
}

/// The series that changed, as the audit words them.
fn series_changes(old: &ShopSettings, new: &ShopSettings, locale: Locale) -> Vec<String> {
    [
        (
            td_string!(locale, admin.settings.field.invoice_series),
            &old.invoice_series,
            &new.invoice_series,
        ),
        (
            td_string!(locale, admin.settings.field.credit_note_series),
            &old.credit_note_series,
            &new.credit_note_series,
        ),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b)
    .map(|(what, a, b)| format!("{what}: {a} → {b}"))
    .collect()
}

/// Checks settings as typed in the admin: lengths the database also enforces, with messages in
/// `locale`.
pub fn validate(settings: &ShopSettings, locale: Locale) -> Result<(), AppError> {
    if !super::SELLER_COUNTRIES.contains(&settings.seller_country.as_str()) {
        return Err(AppError::BadRequest(
            td_string!(locale, admin.settings.seller_country_unknown).into(),
        ));
    }
    let series = [&settings.invoice_series, &settings.credit_note_series];
    let plain = |series: &&String| {
        (1..=10).contains(&series.len())
            && series
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    if !series.iter().all(plain) || series[0] == series[1] {
        return Err(AppError::BadRequest(
            td_string!(locale, admin.settings.bad_series).into(),
        ));
    }
    let s = &settings.seller;
    for field in text_fields(s, locale) {
        let what = field.what;
        if field.value.chars().count() > field.max {
            let max = field.max;
            return Err(AppError::BadRequest(td_string!(
                locale,
                admin.settings.too_long,
                what,
                max
            )));
        }
        let line_break_ok = |c: char| field.multiline && c == '\n';
        if field
            .value
            .chars()
            .any(|c| c.is_control() && !line_break_ok(c))
        {
            return Err(AppError::BadRequest(td_string!(
                locale,
                admin.settings.one_line,
                what
            )));
        }
    }
    if s.shop_name.trim().is_empty() {
        return Err(AppError::BadRequest(
            td_string!(locale, admin.settings.needs_name).into(),
        ));
    }
    if !s.contact_email.is_empty() && crate::email::Email::parse(&s.contact_email).is_none() {
        return Err(AppError::BadRequest(
            td_string!(locale, admin.settings.bad_contact).into(),
        ));
    }
    Ok(())
}

/// Saves the settings and records what changed.
pub async fn save(
    writer: &crate::db::Db,
    cache: &SettingsCache,
    editor: Editor,
    new: ShopSettings,
) -> Result<(), AppError> {
    let (mut tx, admin_email) = begin_change(writer, editor).await?;
    let old = load_for_change(&mut tx).await?;
    let new = ShopSettings {
        invoice_series: Some(new.invoice_series)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| old.invoice_series.clone()),
        credit_note_series: Some(new.credit_note_series)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| old.credit_note_series.clone()),
        ..new
    };
    validate(&new, editor.language)?;
    // Compared inside the transaction: two admins saving at once each record what they changed.
    let changes = differences(&old, &new, editor.language);
    if changes.is_empty() {
        return Ok(());
    }
    let s = &new.seller;
    crate::on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE shop_settings SET shop_name = $1, legal_name = $2, company_code = $3, vat_code = $4,
                address = $5, contact_email = $6, contact_phone = $7, smsbank = $8, test_payments = $9,
                vat_payer = $10, seller_country = $11, invoice_series = $12, credit_note_series = $13,
                oss_registered = $14
         WHERE id = 1",
    )
    .bind(&s.shop_name)
    .bind(&s.legal_name)
    .bind(&s.company_code)
    .bind(&s.vat_code)
    .bind(&s.address)
    .bind(&s.contact_email)
    .bind(&s.contact_phone)
    .bind(new.smsbank)
    .bind(new.test_payments)
    .bind(new.vat_payer)
    .bind(&new.seller_country)
    .bind(&new.invoice_series)
    .bind(&new.credit_note_series)
    .bind(new.oss_registered)
    .execute(&mut *conn)
    .await.map(|done| done.rows_affected()))?;
    audit(&mut tx, &admin_email, &changes.join("; ")).await?;
    tx.commit().await?;
    cache.set(Arc::new(new));
    Ok(())
}

fn method_gone(locale: Locale) -> AppError {
    AppError::NotFound(td_string!(locale, admin.settings.method_gone).into())
}

/// The latest settings changes, newest first.
pub async fn recent_changes(pool: &crate::db::Db) -> Result<Vec<SettingsChange>, AppError> {
    Ok(crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT at, admin_email, change FROM settings_events ORDER BY id DESC LIMIT 20",
    )
    .fetch_all(conn)
    .await)?)
}

/// Every shipping method as the merchant wrote it, in the merchant's order.
pub async fn shipping_methods(pool: &crate::db::Db) -> Result<Vec<ShippingMethod>, AppError> {
    Ok(crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT id, code, name, description, price_minor, countries, free_above_minor, active,
                position, tax_class, carrier
         FROM shipping_methods ORDER BY position, id",
    )
    .fetch_all(conn)
    .await)?)
}

/// The codes of the carriers whose points the active methods deliver to.
pub async fn carriers_in_use(pool: &crate::db::Db) -> Result<Vec<String>, AppError> {
    Ok(crate::on_db!(pool, conn => sqlx::query_scalar(
        "SELECT DISTINCT carrier FROM shipping_methods WHERE active AND carrier IS NOT NULL",
    )
    .fetch_all(conn)
    .await)?)
}

/// The shipping methods checkout may offer (the active ones, less those whose carrier has no
/// list of points yet), read once per page or order, named in the shopper's language where the
/// merchant named them in it.
pub struct ActiveMethods(Vec<ShippingMethod>);

impl ActiveMethods {
    pub async fn load(pool: &crate::db::Db, language: Locale) -> Result<ActiveMethods, AppError> {
        let methods = crate::on_db!(pool, conn => sqlx::query_as(
            "SELECT m.id, m.code, COALESCE(t.name, m.name) AS name,
                    COALESCE(t.description, m.description) AS description, m.price_minor,
                    m.countries, m.free_above_minor, m.active, m.position, m.tax_class, m.carrier
             FROM shipping_methods m
             LEFT JOIN shipping_method_texts t ON t.method_id = m.id AND t.locale = $1
             WHERE m.active
               AND (m.carrier IS NULL OR EXISTS (SELECT 1 FROM pickup_feeds f
                                                 WHERE f.carrier = m.carrier AND f.points > 0))
             ORDER BY m.position, m.id",
        )
        .bind(crate::locale::code(language))
        .fetch_all(conn)
        .await)?;
        Ok(ActiveMethods(methods))
    }

    /// The methods a shopper in `country` may choose.
    pub fn for_country(&self, country: &str) -> Vec<ShippingMethod> {
        self.0
            .iter()
            .filter(|m| m.serves(country))
            .cloned()
            .collect()
    }

    /// The countries at least one method ships to, as (code, name in `locale`), in the shop's
    /// list order.
    pub fn countries(&self, locale: Locale) -> Vec<(String, String)> {
        crate::countries::named_countries(
            locale,
            crate::countries::COUNTRIES
                .iter()
                .copied()
                .filter(|code| self.0.iter().any(|m| m.serves(code))),
        )
    }
}

/// A shipping method as typed in the admin, checked.
pub struct MethodInput {
    pub code: String,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub countries: Vec<String>,
    pub free_above: Option<Money>,
    pub active: bool,
    pub position: i64,
    /// A VAT class's key.
    pub tax_class: String,
    /// Delivered to this carrier's pick-up points (its code); none: to an address.
    pub carrier: Option<String>,
}

/// The typed form of a shipping method, as strings.
#[derive(Clone, Debug, Default)]
pub struct MethodDraft {
    pub code: String,
    pub name: String,
    pub description: String,
    pub price: String,
    pub countries: Vec<String>,
    pub free_above: String,
    pub active: bool,
    pub position: String,
    /// A VAT class's key; empty is standard.
    pub tax_class: String,
    /// A carrier's code; empty: delivered to an address.
    pub carrier: String,
}

/// A shipping method's name and description, as checkout shows them: one line each, the name 1 to
/// 80 characters, the description at most 300. Returned trimmed.
fn method_text(
    name: &str,
    description: &str,
    locale: Locale,
) -> Result<(String, String), AppError> {
    let bad = |message: &str| Err(AppError::BadRequest(message.into()));
    let (name, description) = (name.trim(), description.trim());
    if name.is_empty() || name.chars().count() > 80 {
        return bad(td_string!(locale, admin.settings.method_name_length));
    }
    if description.chars().count() > 300 {
        return bad(td_string!(locale, admin.settings.method_description_length));
    }
    if [name, description]
        .iter()
        .any(|text| text.chars().any(char::is_control))
    {
        return bad(td_string!(locale, admin.settings.method_one_line));
    }
    Ok((name.to_owned(), description.to_owned()))
}

impl MethodInput {
    /// The method as typed in the admin, checked; refusals in `locale`.
    pub fn parse(
        draft: &MethodDraft,
        currency: Currency,
        locale: Locale,
    ) -> Result<MethodInput, AppError> {
        let bad = |message: &str| AppError::BadRequest(message.into());
        let (name, description) = method_text(&draft.name, &draft.description, locale)?;
        let code = crate::text::slug_or_refusal(&draft.code, &name, 40, locale)?;
        let amount = |typed: &str| {
            Money::parse_decimal(typed, currency).map_err(|error| error.refusal(locale, typed))
        };
        let price = amount(&draft.price)?;
        let free_above = match draft.free_above.trim() {
            "" => None,
            typed => Some(amount(typed)?).filter(|m| m.minor > 0),
        };
        let known = |c: &String| crate::countries::COUNTRIES.contains(&c.as_str());
        if draft.countries.is_empty() || !draft.countries.iter().all(known) {
            return Err(bad(td_string!(locale, admin.settings.method_countries)));
        }
        let position = match draft.position.trim() {
            "" => 0,
            typed => typed
                .parse::<i64>()
                .ok()
                .filter(|p| (0..=10_000).contains(p))
                .ok_or_else(|| bad(td_string!(locale, admin.settings.method_position)))?,
        };
        let tax_class = match draft.tax_class.trim() {
            "" => "standard",
            key if ShippingMethod::is_tax_class(key) => key,
            _ => return Err(bad(td_string!(locale, admin.settings.method_tax_class))),
        };
        let carrier = match draft.carrier.trim() {
            "" => None,
            code if ShippingMethod::is_carrier(code) => Some(code.to_owned()),
            _ => return Err(bad(td_string!(locale, admin.settings.method_carrier))),
        };
        Ok(MethodInput {
            carrier,
            code,
            name,
            description,
            price,
            countries: draft.countries.clone(),
            free_above,
            active: draft.active,
            position,
            tax_class: tax_class.to_owned(),
        })
    }

    /// The method in one line, for the audit.
    fn summary(&self, locale: Locale) -> String {
        let free = self
            .free_above
            .map(|amount| td_string!(locale, admin.audit.free_from, amount))
            .unwrap_or_default();
        let inactive = if self.active {
            ""
        } else {
            td_string!(locale, admin.audit.inactive)
        };
        let (name, code, price) = (&self.name, &self.code, self.price);
        let countries = self.countries.join(",");
        let class = &self.tax_class;
        let method = td_string!(
            locale,
            admin.audit.method,
            name,
            code,
            price,
            countries,
            free,
            inactive,
            class
        );
        match self
            .carrier
            .as_deref()
            .and_then(ShippingMethod::carrier_name)
        {
            Some(carrier) => td_string!(locale, admin.audit.method_carrier, method, carrier),
            None => method,
        }
    }
}

/// A method's save, as the merchant is told: gone meanwhile, or its code taken by another.
fn method_saved(
    result: Result<u64, sqlx::Error>,
    code: &str,
    locale: Locale,
) -> Result<(), AppError> {
    match result {
        Ok(1) => Ok(()),
        Ok(_) => Err(method_gone(locale)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(AppError::Conflict(
            td_string!(locale, admin.settings.method_code_taken, code),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Creates (`id` None) or updates a shipping method. Orders keep their frozen copy either way.
pub async fn save_method(
    writer: &crate::db::Db,
    editor: Editor,
    id: Option<i64>,
    input: &MethodInput,
) -> Result<(), AppError> {
    let locale = editor.language;
    let (mut tx, admin_email) = begin_change(writer, editor).await?;
    let sql = match id {
        None => {
            "INSERT INTO shipping_methods (code, name, description, price_minor, countries,
                                           free_above_minor, active, position, tax_class, carrier)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        }
        Some(_) => {
            "UPDATE shipping_methods SET code = $1, name = $2, description = $3, price_minor = $4,
                    countries = $5, free_above_minor = $6, active = $7, position = $8,
                    tax_class = $9, carrier = $10
             WHERE id = $11"
        }
    };
    let result = crate::on_tx!(&mut tx, conn => {
        let query = sqlx::query(sql)
            .bind(&input.code)
            .bind(&input.name)
            .bind(&input.description)
            .bind(input.price.minor)
            .bind(input.countries.join(","))
            .bind(input.free_above.map(|m| m.minor))
            .bind(input.active)
            .bind(input.position)
            .bind(&input.tax_class)
            .bind(&input.carrier);
        // PostgreSQL refuses a parameter the statement does not use.
        let query = match id {
            Some(id) => query.bind(id),
            None => query,
        };
        query.execute(&mut *conn).await.map(|done| done.rows_affected())
    });
    method_saved(result, &input.code, locale)?;
    let summary = input.summary(locale);
    let change = if id.is_some() {
        td_string!(locale, admin.audit.method_changed, summary)
    } else {
        td_string!(locale, admin.audit.method_added, summary)
    };
    audit(&mut tx, &admin_email, &change).await?;
    tx.commit().await?;
    Ok(())
}

/// A shipping method's name and description in one language.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MethodText {
    pub method_id: i64,
    pub locale: String,
    pub name: String,
    pub description: String,
}

/// Every method's names in other languages.
pub async fn method_texts(pool: &crate::db::Db) -> Result<Vec<MethodText>, AppError> {
    Ok(crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT method_id, locale, name, description FROM shipping_method_texts
         ORDER BY method_id, locale",
    )
    .fetch_all(conn)
    .await)?)
}

/// Names method `id` in `language` (an empty name takes the method's own back for that
/// language), recorded in the audit like every other change.
pub async fn save_method_text(
    writer: &crate::db::Db,
    editor: Editor,
    id: i64,
    language: Locale,
    (name, description): (&str, &str),
) -> Result<(), AppError> {
    let locale = editor.language;
    let text = match name.trim() {
        "" => None,
        _ => Some(method_text(name, description, locale)?),
    };
    let code = crate::locale::code(language);
    let (mut tx, admin_email) = begin_change(writer, editor).await?;
    let method: Option<String> = crate::on_tx!(&mut tx, conn => sqlx::query_scalar("SELECT name FROM shipping_methods WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await)?;
    let method = method.ok_or_else(|| method_gone(locale))?;
    let change = match &text {
        Some((name, description)) => {
            crate::on_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO shipping_method_texts (method_id, locale, name, description)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (method_id, locale) DO UPDATE SET name = excluded.name,
                                                              description = excluded.description",
            )
            .bind(id)
            .bind(code)
            .bind(name)
            .bind(description)
            .execute(&mut *conn)
            .await.map(|done| done.rows_affected()))?;
            td_string!(locale, admin.audit.method_text, method, code, name)
        }
        None => {
            crate::on_tx!(&mut tx, conn => sqlx::query("DELETE FROM shipping_method_texts WHERE method_id = $1 AND locale = $2")
                .bind(id)
                .bind(code)
                .execute(&mut *conn)
                .await.map(|done| done.rows_affected()))?;
            td_string!(locale, admin.audit.method_own_name, method, code)
        }
    };
    audit(&mut tx, &admin_email, &change).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_method(
    writer: &crate::db::Db,
    editor: Editor,
    id: i64,
) -> Result<(), AppError> {
    let locale = editor.language;
    let (mut tx, admin_email) = begin_change(writer, editor).await?;
    let name: Option<String> = crate::on_tx!(&mut tx, conn => sqlx::query_scalar("DELETE FROM shipping_methods WHERE id = $1 RETURNING name")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await)?;
    let name = name.ok_or_else(|| method_gone(locale))?;
    let change = td_string!(locale, admin.audit.method_deleted, name);
    audit(&mut tx, &admin_email, &change).await?;
    tx.commit().await?;
    Ok(())
}

/// A legal page as stored: empty if never written.
#[derive(Debug, Default, sqlx::FromRow)]
pub struct LegalRow {
    pub markdown: String,
    /// Still the demo's text.
    pub placeholder: bool,
    pub updated_at: String,
}

pub async fn legal_markdown(pool: &crate::db::Db, page: LegalPage) -> Result<LegalRow, AppError> {
    let row: Option<LegalRow> = crate::on_db!(pool, conn => sqlx::query_as("SELECT markdown, placeholder, updated_at FROM legal_pages WHERE slug = $1")
            .bind(page.slug())
            .fetch_optional(conn)
            .await)?;
    Ok(row.unwrap_or_default())
}

/// The legal pages that still hold the demo's placeholder text (one query, no texts read).
pub async fn legal_placeholders(pool: &crate::db::Db) -> Result<Vec<LegalPage>, AppError> {
    let slugs: Vec<String> = crate::on_db!(pool, conn => sqlx::query_scalar("SELECT slug FROM legal_pages WHERE placeholder = TRUE")
            .fetch_all(conn)
            .await)?;
    Ok(slugs.iter().filter_map(|s| LegalPage::parse(s)).collect())
}

/// A legal page ready to show; a page the merchant left empty says so in `locale`.
pub async fn legal_text(
    pool: &crate::db::Db,
    page: LegalPage,
    locale: Locale,
) -> Result<LegalText, AppError> {
    let LegalRow {
        markdown,
        placeholder,
        updated_at,
    } = legal_markdown(pool, page).await?;
    let markdown = if markdown.trim().is_empty() {
        td_string!(locale, legal.unpublished).to_owned()
    } else {
        markdown
    };
    Ok(LegalText {
        html: super::markdown::to_safe_html(&markdown),
        placeholder,
        updated_at,
    })
}

/// The most a legal page may hold (the table's CHECK says the same).
pub const LEGAL_MAX_CHARS: usize = 100_000;

pub async fn save_legal(
    writer: &crate::db::Db,
    editor: Editor,
    page: LegalPage,
    markdown: &str,
) -> Result<(), AppError> {
    let locale = editor.language;
    let markdown = markdown.replace("\r\n", "\n");
    if markdown.chars().count() > LEGAL_MAX_CHARS {
        return Err(AppError::BadRequest(td_string!(
            locale,
            admin.settings.legal_too_long,
            max = LEGAL_MAX_CHARS
        )));
    }
    let (mut tx, admin_email) = begin_change(writer, editor).await?;
    crate::on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO legal_pages (slug, markdown, placeholder) VALUES ($1, $2, FALSE)
         ON CONFLICT (slug) DO UPDATE SET markdown = excluded.markdown, placeholder = FALSE,
             updated_at = excluded.updated_at",
    )
    .bind(page.slug())
    .bind(&markdown)
    .execute(&mut *conn)
    .await.map(|done| done.rows_affected()))?;
    let change = td_string!(
        locale,
        admin.audit.legal,
        page = page.title(locale),
        count = markdown.chars().count()
    );
    audit(&mut tx, &admin_email, &change).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives a shop that has no legal texts the demo's placeholders, marked as such. A page the
/// merchant wrote is never touched.
pub async fn seed_placeholders(writer: &crate::db::Db) -> Result<(), sqlx::Error> {
    let placeholders = [
        (LegalPage::Terms, include_str!("placeholders/terms.md")),
        (LegalPage::Privacy, include_str!("placeholders/privacy.md")),
        (LegalPage::Returns, include_str!("placeholders/returns.md")),
    ];
    for (page, markdown) in placeholders {
        crate::on_db!(writer, conn => sqlx::query(
            "INSERT INTO legal_pages (slug, markdown, placeholder) VALUES ($1, $2, TRUE)
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(page.slug())
        .bind(markdown)
        .execute(conn)
        .await.map(|done| done.rows_affected()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_names_each_change() {
        let old = ShopSettings {
            seller: Seller {
                shop_name: "Turgus".into(),
                ..Seller::default()
            },
            smsbank: true,
            test_payments: false,
            vat_payer: true,
            seller_country: "LT".into(),
            oss_registered: false,
            invoice_series: "TRG".into(),
            credit_note_series: "TRGK".into(),
        };
        let mut new = old.clone();
        new.seller.shop_name = "Lino namai".into();
        new.smsbank = false;
        new.seller_country = "LV".into();
        new.oss_registered = true;
        assert_eq!(
            differences(&old, &new, Locale::en),
            [
                "shop name: “Turgus” → “Lino namai”",
                "SMS bank: on → off",
                "Registered for OSS (consumers abroad pay their country's VAT): off → on",
                "Seller's country (its VAT rates apply): LT → LV"
            ]
        );
        assert!(differences(&old, &old, Locale::en).is_empty());
    }
}
