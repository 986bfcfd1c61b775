//! The month's invoices and credit notes, with a month picker and the i.SAF download.

use super::{admin_invoices, InvoicesView};
use crate::admin::pages::admin_page;
use crate::tr;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminInvoicesPage() -> impl IntoView {
    let query = use_query_map();
    let month = Memo::new(move |_| query.read().get("month").unwrap_or_default());
    let invoices = Resource::new(move || month.get(), admin_invoices);
    view! {
        <Title text=tr!(admin.invoices.title) />
        {admin_page(invoices, move |view: InvoicesView| {
            let isaf = format!("/admin/invoices/isaf.xml?month={}", view.month);
            view! {
                <h1>{tr!(admin.invoices.title)}</h1>
                <form class="admin-filters" method="get" action="/admin/invoices">
                    <label>{tr!(admin.invoices.month)}
                        <input type="month" name="month" value=view.month.clone() required />
                    </label>
                    <button type="submit">{tr!(admin.invoices.show)}</button>
                    <a href=isaf rel="external" download class="button" data-testid="isaf">{tr!(admin.invoices.isaf)}</a>
                </form>
                <InvoiceTable view />
            }
            .into_any()
        })}
    }
}

#[component]
fn InvoiceTable(view: InvoicesView) -> impl IntoView {
    if view.invoices.is_empty() {
        return view! { <p class="muted">{tr!(admin.invoices.none)}</p> }.into_any();
    }
    view! {
        <table class="admin-table" data-testid="invoices">
            <thead><tr>
                <th scope="col">{tr!(admin.invoices.number)}</th><th scope="col">{tr!(admin.invoices.kind)}</th>
                <th scope="col">{tr!(admin.invoices.date)}</th><th scope="col">{tr!(admin.invoices.order)}</th>
                <th scope="col">{tr!(admin.invoices.total)}</th><th scope="col">{tr!(admin.invoices.vat)}</th>
            </tr></thead>
            <tbody>
                {view.invoices.into_iter().map(|invoice| view! {
                    <tr>
                        <td><a href=format!("/admin/invoices/{}.pdf", invoice.id) rel="external">{invoice.number.clone()}</a></td>
                        <td>
                            {if invoice.credit_note { tr!(admin.invoices.credit_note) } else { tr!(admin.invoices.invoice) }}
                            {invoice.sandbox.then(|| view! { <span class="badge">{tr!(admin.orders.sandbox)}</span> })}
                        </td>
                        <td>{invoice.issue_date.clone()}</td>
                        <td><A href=format!("/admin/orders/{}", invoice.order_number)>{invoice.order_number}</A></td>
                        <td>{invoice.total.to_string()}</td>
                        <td>{invoice.vat.to_string()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
