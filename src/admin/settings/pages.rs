//! The settings pages: one for the shop, its payments and shipping, one editor per legal page.

use super::vat_rates::{SetVatRate, VatRates, WithdrawVatRate};
use super::{
    admin_legal, admin_settings, DeleteShippingMethod, LegalEditor, MethodRow, MethodTranslation,
    SaveLegal, SaveSettings, SaveShippingMethod, SaveShippingMethodText, SettingsView, Switch,
};
use crate::admin::pages::admin_page;
use crate::domain::settings::{Seller, SettingsChange};
use crate::tr;
use crate::ui::{escape_on_server, short_time, ErrorNotice};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

/// "Saved." after a save (the form posts and the browser comes back with `?saved=1`).
#[component]
fn SavedNotice() -> impl IntoView {
    let query = use_query_map();
    move || {
        (query.read().get("saved").as_deref() == Some("1"))
            .then(|| view! { <div class="notice" role="status">{tr!(admin.settings.saved)}</div> })
    }
}

#[component]
pub fn AdminSettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveSettings>::new();
    let save_method = ServerAction::<SaveShippingMethod>::new();
    let save_text = ServerAction::<SaveShippingMethodText>::new();
    let delete_method = ServerAction::<DeleteShippingMethod>::new();
    let set_rate = ServerAction::<SetVatRate>::new();
    let withdraw_rate = ServerAction::<WithdrawVatRate>::new();
    let settings = Resource::new(|| (), |_| admin_settings());
    view! {
        <Title text=tr!(admin.settings.title) />
        {admin_page(settings, move |view: SettingsView| {
            let errors = move || {
                [
                    save.value().get(),
                    save_method.value().get(),
                    save_text.value().get(),
                    delete_method.value().get(),
                    set_rate.value().get(),
                    withdraw_rate.value().get(),
                ]
                    .into_iter()
                    .flatten()
                    .find_map(|r| r.err())
                    .map(|e| view! { <ErrorNotice error=e /> })
            };
            view! {
                <h1>{tr!(admin.settings.title)}</h1>
                {errors}
                <SavedNotice />
                <ShopForm seller=view.seller smsbank=view.smsbank test_payments=view.test_payments
                    vat=(view.vat_payer, view.oss_registered, view.seller_country) series=view.series sandbox=view.sandbox save />
                <VatRates rates=view.vat_rates countries=view.countries.clone() set=set_rate withdraw=withdraw_rate />
                <ShippingMethods methods=view.methods currency=view.currency countries=view.countries save=save_method save_text delete=delete_method />
                <section>
                    <h2 id="legal">{tr!(admin.settings.legal_pages)}</h2>
                    <ul>
                        {view.legal.into_iter().map(|(page, placeholder)| view! {
                            <li>
                                <A href=format!("/admin/legal/{}", page.slug())>{page.title(crate::locale::current())}</A>
                                {placeholder.then(|| view! { " " <span class="badge badge-warn">{tr!(admin.settings.placeholder)}</span> })}
                                " · " <a href=page.path()>{tr!(admin.settings.view)}</a>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
                <ChangeLog changes=view.changes />
            }
            .into_any()
        })}
    }
}

#[component]
fn TextField(
    name: &'static str,
    label: &'static str,
    value: String,
    maxlength: &'static str,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <input id=name name=name type=kind value=value maxlength=maxlength />
        </div>
    }
}

/// A payment switch's checkbox; read-only, saying why, when the environment sets it.
#[component]
fn SwitchField(name: &'static str, label: &'static str, switch: Switch) -> impl IntoView {
    let (checked, note) = match &switch.fixed_by {
        Some((variable, on)) => (
            *on,
            Some(tr!(
                admin.settings.fixed,
                value = if *on {
                    tr!(admin.settings.on)
                } else {
                    tr!(admin.settings.off)
                },
                variable
            )),
        ),
        None => (switch.on, None),
    };
    let fixed = switch.fixed_by.is_some();
    view! {
        <label class="checkbox">
            <input type="checkbox" name=name checked=checked disabled=fixed />
            {label}
        </label>
        // A disabled box is not sent: the stored value goes along unchanged.
        {(fixed && switch.on).then(|| view! { <input type="hidden" name=name value="on" /> })}
        {note.map(|note| view! { <p class="muted" data-testid=format!("{name}-fixed")>{note}</p> })}
    }
}

#[component]
fn ShopForm(
    seller: Seller,
    smsbank: Switch,
    test_payments: Switch,
    vat: (bool, bool, String),
    series: (String, String),
    sandbox: bool,
    save: ServerAction<SaveSettings>,
) -> impl IntoView {
    let (vat_payer, oss_registered, seller_country) = vat;
    let countries = crate::domain::settings::SELLER_COUNTRIES.map(|code| {
        let name = crate::countries::country_name(crate::locale::current(), code);
        view! { <option value=code selected=seller_country == code>{name}</option> }
    });
    view! {
        <section>
            <h2>{tr!(admin.settings.shop_and_seller)}</h2>
            <p class="muted">{tr!(admin.settings.shop_intro)}</p>
            <ActionForm action=save attr:class="checkout-form">
                <TextField name="shop_name" label=tr!(admin.settings.shop_name) value=seller.shop_name maxlength="80" />
                <TextField name="legal_name" label=tr!(admin.settings.legal_name) value=seller.legal_name maxlength="200" />
                <TextField name="company_code" label=tr!(admin.settings.company_code) value=seller.company_code maxlength="40" />
                <TextField name="vat_code" label=tr!(admin.settings.vat_code) value=seller.vat_code maxlength="40" />
                <div class="field">
                    <label for="address">{tr!(admin.settings.address)}</label>
                    <textarea id="address" name="address" rows="3" maxlength="400">{escape_on_server(seller.address)}</textarea>
                </div>
                <TextField name="contact_email" label=tr!(admin.settings.contact_email) value=seller.contact_email maxlength="254" kind="email" />
                <TextField name="contact_phone" label=tr!(admin.settings.contact_phone) value=seller.contact_phone maxlength="40" kind="tel" />
                <h3>{tr!(admin.settings.vat)}</h3>
                <label class="checkbox"><input type="checkbox" name="vat_payer" checked=vat_payer />{tr!(admin.settings.vat_payer)}</label>
                <div class="field">
                    <label for="seller_country">{tr!(admin.settings.field.seller_country)}</label>
                    <select id="seller_country" name="seller_country">{countries.collect_view()}</select>
                </div>
                <label class="checkbox"><input type="checkbox" name="oss_registered" checked=oss_registered />{tr!(admin.settings.oss_registered)}</label>
                <p class="muted">{tr!(admin.settings.oss_note)}</p>
                <TextField name="invoice_series" label=tr!(admin.settings.field.invoice_series) value=series.0 maxlength="10" />
                <TextField name="credit_note_series" label=tr!(admin.settings.field.credit_note_series) value=series.1 maxlength="10" />
                <p class="muted">{tr!(admin.settings.series_note)}</p>
                <h3>{tr!(admin.settings.payments)}</h3>
                <SwitchField name="smsbank" label=tr!(admin.settings.smsbank) switch=smsbank />
                <SwitchField name="test_payments" label=tr!(admin.settings.test_payments) switch=test_payments />
                {sandbox.then(|| view! { <p class="muted">{tr!(admin.settings.sandbox_note)}</p> })}
                <button type="submit" class="button-primary">{tr!(admin.settings.save)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ShippingMethods(
    methods: Vec<MethodRow>,
    currency: String,
    countries: Vec<(String, String)>,
    save: ServerAction<SaveShippingMethod>,
    save_text: ServerAction<SaveShippingMethodText>,
    delete: ServerAction<DeleteShippingMethod>,
) -> impl IntoView {
    let known = countries
        .iter()
        .map(|(code, name)| format!("{code} ({name})"))
        .collect::<Vec<_>>()
        .join(", ");
    let blank = MethodRow {
        id: 0,
        code: String::new(),
        name: String::new(),
        description: String::new(),
        price: String::new(),
        countries: "LT".into(),
        free_above: String::new(),
        active: true,
        position: 0,
        tax_class: "standard".into(),
        carrier: String::new(),
        texts: vec![],
    };
    view! {
        <section>
            <h2 id="shipping">{tr!(admin.settings.shipping)}</h2>
            <p class="muted">{tr!(admin.settings.shipping_intro, currency, known)}</p>
            <p class="muted">{tr!(admin.settings.shipping_languages)}</p>
            <p class="muted">{tr!(admin.settings.points_lists)}" "<a href="/admin/shipping">{tr!(admin.shipping.title)}</a></p>
            {methods.into_iter().map(|method| view! { <MethodForm method save save_text delete=Some(delete) /> }).collect_view()}
            <h3>{tr!(admin.settings.new_method)}</h3>
            <MethodForm method=blank save save_text delete=None />
        </section>
    }
}

/// Where a method delivers: to the shopper's address, or to a carrier's pick-up points.
#[component]
fn CarrierField(id: String, chosen: String) -> impl IntoView {
    view! {
        <div class="field"><label for=id.clone()>{tr!(admin.settings.method_delivery)}</label>
            <select id=id name="carrier">
                <option value="" selected=chosen.is_empty()>{tr!(admin.settings.to_address)}</option>
                {crate::domain::pickup_points::Carrier::ALL.map(|carrier| view! {
                    <option value=carrier.code() selected=chosen == carrier.code()>{tr!(admin.settings.to_points, carrier = carrier.name())}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// One shipping method's fields, saved (or deleted) on their own.
#[component]
fn MethodForm(
    method: MethodRow,
    save: ServerAction<SaveShippingMethod>,
    save_text: ServerAction<SaveShippingMethodText>,
    delete: Option<ServerAction<DeleteShippingMethod>>,
) -> impl IntoView {
    let texts = method
        .texts
        .iter()
        .cloned()
        .map(|text| {
            let fallback = method.name.clone();
            view! { <MethodTextForm id=method.id text fallback save=save_text /> }
        })
        .collect_view();
    let id = method.id;
    let field = move |name: &str| format!("method-{id}-{name}");
    let label = move |text: &'static str, name: &str| {
        let target = field(name);
        view! { <label for=target>{text}</label> }
    };
    let testid = format!("shipping-method-{}", method.code);
    view! {
        <div class="shipping-method" data-testid=testid>
            <ActionForm action=save attr:class="admin-filters">
                <input type="hidden" name="id" value=id />
                <div class="field">{label(tr!(admin.settings.name), "name")}<input id=field("name") name="name" value=method.name required maxlength="80" /></div>
                <div class="field">{label(tr!(admin.settings.code), "code")}<input id=field("code") name="code" value=method.code maxlength="40" pattern="[a-z0-9-]*" /></div>
                <div class="field">{label(tr!(admin.settings.price), "price")}<input id=field("price") name="price" value=method.price required inputmode="decimal" /></div>
                <div class="field">{label(tr!(admin.settings.free_from), "free_above")}<input id=field("free_above") name="free_above" value=method.free_above inputmode="decimal" /></div>
                <div class="field">{label(tr!(admin.settings.countries), "countries")}<input id=field("countries") name="countries" value=method.countries required maxlength="200" /></div>
                <div class="field">{label(tr!(admin.settings.description), "description")}<input id=field("description") name="description" value=method.description maxlength="300" /></div>
                <div class="field">{label(tr!(admin.settings.order), "position")}<input id=field("position") name="position" type="number" min="0" max="10000" value=method.position /></div>
                <div class="field">{label(tr!(admin.settings.method_vat_class), "tax_class")}
                    <select id=field("tax_class") name="tax_class">
                        {crate::domain::vat::TaxClass::ALL.map(|class| view! {
                            <option value=class.key() selected=method.tax_class == class.key()>{class.label(crate::locale::current())}</option>
                        }).collect_view()}
                    </select>
                </div>
                <CarrierField id=field("carrier") chosen=method.carrier.clone() />
                <label class="checkbox"><input type="checkbox" name="active" checked=method.active />{tr!(admin.settings.offered)}</label>
                <button type="submit">{if id == 0 { tr!(admin.settings.add_method) } else { tr!(admin.settings.save_method) }}</button>
            </ActionForm>
            {texts}
            {delete.map(|delete| view! {
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=id />
                    <button type="submit" class="button-link">{tr!(admin.settings.delete)}</button>
                </ActionForm>
            })}
        </div>
    }
}

/// A shipping method's name and description in one language, saved on their own. Left empty,
/// the method's own name (`fallback`, shown greyed) is what that language shows.
#[component]
fn MethodTextForm(
    id: i64,
    text: MethodTranslation,
    fallback: String,
    save: ServerAction<SaveShippingMethodText>,
) -> impl IntoView {
    let field = |name: &str| format!("method-{id}-{}-{name}", text.locale);
    let (name_id, description_id) = (field("name"), field("description"));
    let language = text.language.clone();
    let testid = format!("method-text-{}", text.locale);
    view! {
        <ActionForm action=save attr:class="admin-filters method-text" attr:data-testid=testid>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="locale" value=text.locale.clone() />
            <div class="field">
                <label for=name_id.clone()>{tr!(admin.settings.name_in, language = &language)}</label>
                <input id=name_id name="name" value=text.name maxlength="80" lang=text.locale.clone()
                    placeholder=fallback />
            </div>
            <div class="field">
                <label for=description_id.clone()>{tr!(admin.settings.description_in, language = &language)}</label>
                <input id=description_id name="description" value=text.description maxlength="300" lang=text.locale />
            </div>
            <button type="submit">{tr!(admin.settings.save_in, language = &language)}</button>
        </ActionForm>
    }
}

#[component]
fn ChangeLog(changes: Vec<SettingsChange>) -> impl IntoView {
    view! {
        <section>
            <h2>{tr!(admin.settings.recent)}</h2>
            {changes.is_empty().then(|| view! { <p class="muted">{tr!(admin.settings.no_changes)}</p> })}
            <ul class="history">
                {changes.into_iter().map(|c| view! {
                    <li><time>{short_time(&c.at)}</time>" "{c.admin_email}": "{c.change}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub fn AdminLegalPage() -> impl IntoView {
    let params = use_params_map();
    let save = ServerAction::<SaveLegal>::new();
    let editor = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        admin_legal,
    );
    view! {
        <Title text=tr!(admin.legal.title) />
        {admin_page(editor, move |editor: LegalEditor| {
            let page = editor.page;
            view! {
                <h1>{page.title(crate::locale::current())}</h1>
                {move || save.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e /> })}
                <SavedNotice />
                {editor.placeholder.then(|| view! {
                    <p class="notice" role="note">{tr!(admin.legal.placeholder)}</p>
                })}
                <p class="muted">{tr!(admin.legal.markdown)}</p>
                <ActionForm action=save attr:class="checkout-form">
                    <input type="hidden" name="slug" value=page.slug() />
                    <div class="field">
                        <label for="markdown">{tr!(admin.legal.text)}</label>
                        <textarea id="markdown" name="markdown" rows="24" maxlength="100000">{escape_on_server(editor.markdown)}</textarea>
                    </div>
                    <button type="submit" class="button-primary">{tr!(admin.legal.publish)}</button>
                </ActionForm>
                <p><A href="/admin/settings#legal">{tr!(admin.legal.back)}</A>" · "<a href=page.path()>{tr!(admin.legal.view)}</a></p>
            }
            .into_any()
        })}
    }
}
