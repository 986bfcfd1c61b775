//! The order list and an order's page.

use super::{admin_order, admin_orders, ActionWords, OrderDetail, OrderFilter, OrderStage};
use crate::admin::pages::{admin_page, Listing, SearchFilter};
use crate::domain::orders::OrderAction;
use crate::money::Money;
use crate::ui::{short_time, ErrorNotice};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn AdminOrdersPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| OrderFilter::from_query(&query.read()));
    let orders = Resource::new(move || filter.get(), admin_orders);
    view! {
        <Title text="Orders" />
        {admin_page(orders, move |list| {
            let filter = filter.get_untracked();
            let export = format!("/admin/export/orders.csv?{}", filter.query_string(1));
            let page_filter = filter.clone();
            let href = move |page| format!("/admin/orders?{}", page_filter.query_string(page));
            let action = view! { <a href=export rel="external" download class="button">"Export CSV"</a> };
            let headings = view! {
                <th scope="col">"Order"</th><th scope="col">"Placed (UTC)"</th><th scope="col">"Customer"</th>
                <th scope="col">"Total"</th><th scope="col">"State"</th>
            };
            let rows = view! {
                {list.orders.into_iter().map(|order| view! {
                    <tr>
                        <td><A href=format!("/admin/orders/{}", order.number)>{order.number}</A></td>
                        <td>{short_time(&order.created_at)}</td>
                        <td>{order.customer}<br /><span class="muted">{order.email}</span></td>
                        <td>{order.total.to_string()}</td>
                        <td>
                            <StageBadge stage=order.state />
                            {order.needs_review.then(|| view! { <span class="badge badge-warn">"Needs review"</span> })}
                            {order.sandbox.then(SandboxBadge)}
                        </td>
                    </tr>
                }).collect_view()}
            };
            view! {
                <Listing title="Orders" action=action.into_any() filters=view! { <OrderFilterForm filter /> }.into_any()
                    count=format!("{} orders", list.total) headings=headings.into_any() rows=rows.into_any()
                    listing_page=list.page pages=list.pages href />
            }.into_any()
        })}
    }
}

#[component]
fn OrderFilterForm(filter: OrderFilter) -> impl IntoView {
    let selected_state = filter.state.clone();
    view! {
        <form class="admin-filters" method="get" action="/admin/orders">
            <SearchFilter label="Order number or e-mail" value=filter.q />
            <div class="field">
                <label for="filter-state">"State"</label>
                <select id="filter-state" name="state">
                    <option value="">"Any"</option>
                    {OrderStage::ALL.into_iter().map(|stage| view! {
                        <option value=stage.key() selected=selected_state == stage.key()>{stage.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-from">"Placed from"</label>
                <input id="filter-from" type="date" name="from" value=filter.from />
            </div>
            <div class="field">
                <label for="filter-to">"to"</label>
                <input id="filter-to" type="date" name="to" value=filter.to />
            </div>
            <label class="checkbox">
                <input type="checkbox" name="review" value="1" checked=filter.review == "1" />
                "Needs review only"
            </label>
            <button type="submit">"Filter"</button>
        </form>
    }
}

#[component]
fn StageBadge(stage: OrderStage) -> impl IntoView {
    view! { <span class=format!("badge stage-{}", stage.key())>{stage.label()}</span> }
}

#[component]
pub fn AdminOrderPage() -> impl IntoView {
    let params = use_params_map();
    let number = move || {
        params
            .read()
            .get("number")
            .and_then(|n| n.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let act = ServerAction::<super::ActOnOrder>::new();
    let order = Resource::new(
        move || (number(), act.version().get()),
        |(number, _)| admin_order(number),
    );
    view! {
        {admin_page(order, move |order| view! { <OrderView order act /> }.into_any())}
    }
}

/// Orders placed against the built-in sandbox were never paid with real money.
#[component]
fn SandboxBadge() -> impl IntoView {
    view! { <span class="badge" data-testid="sandbox-order" title="Placed in sandbox mode: no real money">"Sandbox"</span> }
}

/// An order's page. Its parts are separate components, each returning an erased view: one view
/// type for the whole page nests too deep for the compiler in release builds.
#[component]
fn OrderView(order: OrderDetail, act: ServerAction<super::ActOnOrder>) -> impl IntoView {
    let actions = order.actions();
    let number = order.number;
    let OrderDetail {
        state,
        needs_review,
        sandbox,
        lines,
        subtotal,
        shipping,
        shipping_method,
        total,
        history,
        payment_log,
        emails,
        ..
    } = order.clone();
    view! {
        <Title text=format!("Order {number}") />
        <p class="breadcrumbs"><A href="/admin/orders">"Orders"</A>" / "{number}</p>
        <header class="listing-header">
            <h1>"Order "{number}</h1>
            <p>
                <StageBadge stage=state />
                {needs_review.then(|| view! { <span class="badge badge-warn" data-testid="needs-review">"Needs review"</span> })}
                {sandbox.then(SandboxBadge)}
            </p>
        </header>
        <div class="admin-columns">
            <section>
                <OrderLines lines subtotal shipping shipping_method total />
                <OrderHistory history />
            </section>
            <aside>
                <CustomerCard order />
                {move || act.value().get().and_then(|r| r.err()).map(|e| view! {
                    <ErrorNotice error=e />
                })}
                {actions.into_iter().map(|action| view! { <ActionBox number action act /> }).collect_view()}
            </aside>
        </div>
        <PaymentLog log=payment_log />
        <section>
            <h2>"E-mails"</h2>
            <crate::admin::emails::EmailTable emails again=None />
        </section>
    }
}

#[component]
fn OrderLines(
    lines: Vec<super::OrderLine>,
    subtotal: Money,
    shipping: Money,
    shipping_method: String,
    total: Money,
) -> impl IntoView {
    view! {
        <h2>"Items"</h2>
        <table class="admin-table">
            <thead><tr><th scope="col">"Product"</th><th scope="col">"Price"</th><th scope="col">"Qty"</th><th scope="col">"Total"</th></tr></thead>
            <tbody>
                {lines.into_iter().map(|line| view! {
                    <tr>
                        <td>{match line.product_id {
                            Some(id) => view! { <A href=format!("/admin/products/{id}")>{line.name}</A> }.into_any(),
                            None => line.name.into_any(),
                        }}</td>
                        <td>{line.unit_price.to_string()}</td>
                        <td>{line.quantity}</td>
                        <td>{line.line_total.to_string()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr><th scope="row" colspan="3">"Subtotal"</th><td>{subtotal.to_string()}</td></tr>
                <tr><th scope="row" colspan="3">"Shipping ("{shipping_method}")"</th><td>{shipping.to_string()}</td></tr>
                <tr><th scope="row" colspan="3">"Total"</th><td data-testid="order-total"><strong>{total.to_string()}</strong></td></tr>
            </tfoot>
        </table>
    }
    .into_any()
}

#[component]
fn OrderHistory(history: Vec<super::HistoryEntry>) -> impl IntoView {
    view! {
        <h2>"History"</h2>
        <ol class="history">
            {history.into_iter().map(|event| view! {
                <li>
                    <time>{short_time(&event.at)}</time>" "
                    <strong>{event.to_status.replace('_', " ")}</strong>" — "{event.text}
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn CustomerCard(order: OrderDetail) -> impl IntoView {
    let when = |time: Option<String>| {
        time.as_deref()
            .map(short_time)
            .unwrap_or_else(|| "—".into())
    };
    view! {
        <div class="cart-summary">
            <h2>"Customer"</h2>
            <p>{order.name}<br /><a href=format!("mailto:{}", order.email)>{order.email.clone()}</a></p>
            <p>{order.address.into_iter().map(|line| view! { {line}<br /> }).collect_view()}</p>
            <dl>
                <dt>"Placed"</dt><dd>{short_time(&order.created_at)}</dd>
                <dt>"Paid"</dt><dd>{when(order.paid_at)}</dd>
                <dt>"Shipped"</dt><dd>{when(order.shipped_at)}</dd>
                <dt>"Refunded"</dt><dd>{when(order.refunded_at)}</dd>
                <dt>"Method"</dt><dd>{order.payment_method.unwrap_or_else(|| "chosen at Paysera".into())}</dd>
                <dt>"Language"</dt><dd data-testid="order-language">{order.language}</dd>
            </dl>
        </div>
    }
    .into_any()
}

/// Every callback Paysera sent about the order: when, the verdict, the decoded fields, the raw data.
#[component]
fn PaymentLog(log: Vec<super::LoggedCallback>) -> impl IntoView {
    view! {
        <section>
            <h2>"Payment log"</h2>
            {log.is_empty().then(|| view! { <p class="muted">"No callback from Paysera yet."</p> })}
            <ol class="payment-log">
                {log.into_iter().map(|callback| view! {
                    <li class="callback">
                        <p>
                            <time>{short_time(&callback.received_at)}</time>" "
                            <strong class="verdict">{callback.verdict.replace('_', " ")}</strong>
                            {callback.amount.map(|a| view! { " · "{a} })}
                            {callback.paysera_status.map(|s| view! { " · status "{s} })}
                            {callback.test.filter(|t| *t).map(|_| " · test payment")}
                            {callback.verified_by.map(|v| view! { " · verified by "{v} })}
                        </p>
                        <details>
                            <summary>"Fields and raw data"</summary>
                            <dl class="callback-fields">
                                {callback.fields.into_iter().map(|(key, value)| view! { <dt>{key}</dt><dd>{value}</dd> }).collect_view()}
                            </dl>
                            <pre class="raw">{callback.raw}</pre>
                        </details>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
    .into_any()
}

/// One action's form: a note and a confirmation box, both checked again by the server.
#[component]
fn ActionBox(
    number: i64,
    action: OrderAction,
    act: ServerAction<super::ActOnOrder>,
) -> impl IntoView {
    let id = format!("action-{}", action.key());
    let note_id = format!("{id}-note");
    let confirm_id = format!("{id}-confirm");
    let note_label = if action == OrderAction::Ship {
        "Note (e.g. tracking number)"
    } else {
        "Note"
    };
    let note_required = action.note_required();
    view! {
        <ActionForm action=act attr:class="action-box" attr:id=id>
            <input type="hidden" name="number" value=number />
            <input type="hidden" name="action" value=action.key() />
            <div class="field">
                <label for=note_id.clone()>{note_label}</label>
                <textarea id=note_id name="note" rows="2" maxlength="1000" required=note_required></textarea>
            </div>
            <label class="checkbox">
                <input id=confirm_id type="checkbox" name="confirm" value="yes" required />
                {action.confirmation()}
            </label>
            <button type="submit" class="button-primary">{action.button()}</button>
        </ActionForm>
    }
}
