//! The discount codes' list (with their uses and the discount given, and the audit) and one
//! code's form.

use super::{
    admin_discount, admin_discounts, CodeView, DiscountsView, RemoveDiscountCode, SaveDiscount,
};
use crate::admin::pages::admin_page;
use crate::tr;
use crate::ui::{escape_on_server, short_time, ErrorNotice};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn AdminDiscountsPage() -> impl IntoView {
    let codes = Resource::new(|| (), |_| admin_discounts());
    view! {
        <Title text=tr!(admin.discounts.title) />
        {admin_page(codes, |view: DiscountsView| view! {
            <header class="listing-header">
                <h1>{tr!(admin.discounts.title)}</h1>
                <A href="/admin/discounts/new" attr:class="button">{tr!(admin.discounts.add_code)}</A>
            </header>
            <CodeTable codes=view.codes />
            <h2>{tr!(admin.discounts.changes)}</h2>
            <ul class="history">
                {view.changes.into_iter().map(|(at, who, code, what)| view! {
                    <li><span class="muted">{short_time(&at)}" · "{who}</span>" "<strong>{code}</strong>": "{what}</li>
                }).collect_view()}
            </ul>
        }.into_any())}
    }
}

#[component]
fn CodeTable(codes: Vec<CodeView>) -> impl IntoView {
    if codes.is_empty() {
        return view! { <p class="muted">{tr!(admin.discounts.none)}</p> }.into_any();
    }
    view! {
        <table class="admin-table" data-testid="discount-codes">
            <thead><tr>
                <th scope="col">{tr!(admin.discounts.code)}</th><th scope="col">{tr!(admin.discounts.what)}</th>
                <th scope="col">{tr!(admin.discounts.uses)}</th><th scope="col">{tr!(admin.discounts.paid_uses)}</th>
                <th scope="col">{tr!(admin.discounts.given)}</th>
            </tr></thead>
            <tbody>
                {codes.into_iter().map(|code| {
                    let state = if code.archived {
                        Some(tr!(admin.discounts.archived_badge))
                    } else if !code.form.active {
                        Some(tr!(admin.discounts.off))
                    } else {
                        None
                    };
                    let limit = if code.form.max_uses.is_empty() { String::new() } else { format!(" / {}", code.form.max_uses) };
                    let testid = format!("discount-{}", code.form.code);
                    view! {
                        <tr data-testid=testid>
                            <td><A href=format!("/admin/discounts/{}", code.id)>{code.form.code.clone()}</A>
                                {state.map(|s| view! { " " <span class="badge">{s}</span> })}</td>
                            <td>{code.summary}</td>
                            <td>{code.uses}{limit}</td>
                            <td>{code.paid_uses}</td>
                            <td>{code.given.map(|m| m.to_string()).unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn AdminDiscountPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let code = Resource::new(id, admin_discount);
    let save = ServerAction::<SaveDiscount>::new();
    let remove = ServerAction::<RemoveDiscountCode>::new();
    view! {
        <Title text=tr!(admin.discounts.title) />
        {admin_page(code, move |code: CodeView| {
            let errors = move || {
                [save.value().get().map(|r| r.map(|_| ())), remove.value().get()]
                    .into_iter()
                    .flatten()
                    .find_map(|r| r.err())
                    .map(|e| view! { <ErrorNotice error=e /> })
            };
            view! {
                <p class="breadcrumbs"><A href="/admin/discounts">{tr!(admin.discounts.title)}</A>" / "{code.form.code.clone()}</p>
                {errors}
                <CodeForm code=code.clone() save />
                {(code.id > 0 && !code.archived).then(|| view! {
                    <ActionForm action=remove>
                        <input type="hidden" name="id" value=code.id />
                        <button type="submit" class="button-link">{tr!(admin.discounts.remove)}</button>
                    </ActionForm>
                    <p class="muted">{tr!(admin.discounts.remove_note)}</p>
                })}
            }
            .into_any()
        })}
    }
}

/// A labelled input of the code's form.
#[component]
fn Input(
    name: &'static str,
    label: &'static str,
    value: String,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    let id = format!("discount-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id name=name type=kind value=value />
        </div>
    }
}

#[component]
fn CodeForm(code: CodeView, save: ServerAction<SaveDiscount>) -> impl IntoView {
    use crate::domain::discounts::{Kind, Scope};
    let kind_label = |kind: Kind| match kind {
        Kind::Percent => tr!(admin.discounts.kind_percent),
        Kind::Fixed => tr!(admin.discounts.kind_fixed),
        Kind::FreeShipping => tr!(admin.discounts.kind_free_shipping),
    };
    let scope_label = |scope: Scope| match scope {
        Scope::All => tr!(admin.discounts.scope_all),
        Scope::Categories => tr!(admin.discounts.scope_categories),
        Scope::Products => tr!(admin.discounts.scope_products),
    };
    let new = code.id == 0;
    view! {
        <h1>{if new { tr!(admin.discounts.add_code).to_owned() } else { code.form.code.clone() }}</h1>
        <ActionForm action=save attr:class="checkout-form">
            <input type="hidden" name="id" value=code.id />
            {if new {
                view! { <Input name="code" label=tr!(admin.discounts.code) value=code.form.code.clone() /> }.into_any()
            } else {
                view! { <input type="hidden" name="code" value=code.form.code.clone() /> }.into_any()
            }}
            <div class="field">
                <label for="discount-kind">{tr!(admin.discounts.kind)}</label>
                <select id="discount-kind" name="kind">
                    {Kind::ALL.map(|kind| view! { <option value=kind.key() selected=code.form.kind == kind.key()>{kind_label(kind)}</option> }).collect_view()}
                </select>
            </div>
            <Input name="value" label=tr!(admin.discounts.value) value=code.form.value.clone() />
            <Input name="min_goods" label=tr!(admin.discounts.min_goods) value=code.form.min_goods.clone() />
            <Input name="valid_from" label=tr!(admin.discounts.valid_from) value=code.form.valid_from.clone() kind="date" />
            <Input name="valid_until" label=tr!(admin.discounts.valid_until) value=code.form.valid_until.clone() kind="date" />
            <Input name="max_uses" label=tr!(admin.discounts.max_uses) value=code.form.max_uses.clone() kind="number" />
            <Input name="max_uses_per_email" label=tr!(admin.discounts.max_uses_per_email) value=code.form.max_uses_per_email.clone() kind="number" />
            <div class="field">
                <label for="discount-scope">{tr!(admin.discounts.scope)}</label>
                <select id="discount-scope" name="scope">
                    {Scope::ALL.map(|scope| view! { <option value=scope.key() selected=code.form.scope == scope.key()>{scope_label(scope)}</option> }).collect_view()}
                </select>
            </div>
            <Input name="scope_items" label=tr!(admin.discounts.scope_items) value=code.form.scope_items.clone() />
            <div class="field">
                <label for="discount-note">{tr!(admin.discounts.note)}</label>
                <textarea id="discount-note" name="note" rows="2" maxlength="500">{escape_on_server(code.form.note.clone())}</textarea>
            </div>
            <label class="checkbox"><input type="checkbox" name="active" checked=code.form.active />{tr!(admin.discounts.active)}</label>
            <p class="muted">{tr!(admin.discounts.form_note)}</p>
            <button type="submit" class="button-primary">{tr!(admin.discounts.save)}</button>
        </ActionForm>
        {(!new).then(|| view! {
            <p class="muted" data-testid="discount-uses">{tr!(admin.discounts.used, uses = code.uses, paid = code.paid_uses, given = code.given.map(|m| m.to_string()).unwrap_or_default())}</p>
        })}
    }
}
