//! The order list and an order's page.

use super::{admin_order, admin_orders, ActionWords, OrderDetail, OrderFilter, OrderStage};
use crate::admin::pages::{admin_page, Listing, SearchFilter};
use crate::domain::orders::OrderAction;
use crate::money::Money;
use crate::tr;
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
        <Title text=tr!(admin.orders.title) />
        {admin_page(orders, move |list| {
            let filter = filter.get_untracked();
            let export = format!("/admin/export/orders.csv?{}", filter.query_string(1));
            let page_filter = filter.clone();
            let href = move |page| format!("/admin/orders?{}", page_filter.query_string(page));
            let action = view! { <a href=export rel="external" download class="button">{tr!(admin.orders.export)}</a> };
            let headings = view! {
                <th scope="col">{tr!(admin.orders.col_order)}</th><th scope="col">{tr!(admin.orders.col_placed)}</th>
                <th scope="col">{tr!(admin.orders.col_customer)}</th><th scope="col">{tr!(admin.orders.col_total)}</th>
                <th scope="col">{tr!(admin.orders.col_state)}</th>
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
                            {order.needs_review.then(|| view! { <span class="badge badge-warn">{tr!(admin.orders.needs_review)}</span> })}
                            {order.sandbox.then(SandboxBadge)}
                        </td>
                    </tr>
                }).collect_view()}
            };
            view! {
                <Listing title=tr!(admin.orders.title) action=action.into_any() filters=view! { <OrderFilterForm filter /> }.into_any()
                    count=tr!(admin.orders.count, count = list.total) headings=headings.into_any() rows=rows.into_any()
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
            <SearchFilter label=tr!(admin.orders.filter_q) value=filter.q />
            <div class="field">
                <label for="filter-state">{tr!(admin.orders.filter_state)}</label>
                <select id="filter-state" name="state">
                    <option value="">{tr!(admin.orders.any)}</option>
                    {OrderStage::ALL.into_iter().map(|stage| view! {
                        <option value=stage.key() selected=selected_state == stage.key()>{stage.label(crate::locale::current())}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-from">{tr!(admin.orders.filter_from)}</label>
                <input id="filter-from" type="date" name="from" value=filter.from />
            </div>
            <div class="field">
                <label for="filter-to">{tr!(admin.orders.filter_to)}</label>
                <input id="filter-to" type="date" name="to" value=filter.to />
            </div>
            <label class="checkbox">
                <input type="checkbox" name="review" value="1" checked=filter.review == "1" />
                {tr!(admin.orders.review_only)}
            </label>
            <button type="submit">{tr!(admin.orders.filter)}</button>
        </form>
    }
}

#[component]
fn StageBadge(stage: OrderStage) -> impl IntoView {
    view! { <span class=format!("badge stage-{}", stage.key())>{stage.label(crate::locale::current())}</span> }
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
    view! { <span class="badge" data-testid="sandbox-order" title=tr!(admin.orders.sandbox_title)>{tr!(admin.orders.sandbox)}</span> }
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
        discount,
        shipping,
        shipping_method,
        total,
        vat,
        history,
        payment_log,
        emails,
        ..
    } = order.clone();
    view! {
        <Title text=tr!(admin.order.title, number) />
        <p class="breadcrumbs"><A href="/admin/orders">{tr!(admin.orders.title)}</A>" / "{number}</p>
        <header class="listing-header">
            <h1>{tr!(admin.order.title, number)}</h1>
            <p>
                <StageBadge stage=state />
                {needs_review.then(|| view! { <span class="badge badge-warn" data-testid="needs-review">{tr!(admin.orders.needs_review)}</span> })}
                {sandbox.then(SandboxBadge)}
            </p>
        </header>
        <div class="admin-columns">
            <section>
                <OrderLines lines subtotal discount shipping shipping_method total vat />
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
            <h2>{tr!(admin.order.emails)}</h2>
            <crate::admin::emails::EmailTable emails again=None />
        </section>
    }
}

#[component]
fn OrderLines(
    lines: Vec<super::OrderLine>,
    subtotal: Money,
    discount: Option<(String, Money)>,
    shipping: Money,
    shipping_method: String,
    total: Money,
    vat: Vec<crate::domain::vat::RateTotal>,
) -> impl IntoView {
    let vat = vat.into_iter().map(|share| view! {
        <tr data-testid="order-vat">
            <th scope="row" colspan="3">{tr!(vat.line, rate = share.rate.percent())}</th>
            <td>{share.vat.to_string()}" ("{tr!(vat.net, net = share.net.to_string())}")"</td>
        </tr>
    }).collect_view();
    view! {
        <h2>{tr!(admin.order.items)}</h2>
        <table class="admin-table">
            <thead><tr>
                <th scope="col">{tr!(admin.order.product)}</th><th scope="col">{tr!(admin.order.price)}</th>
                <th scope="col">{tr!(admin.order.qty)}</th><th scope="col">{tr!(admin.order.total)}</th>
            </tr></thead>
            <tbody>
                {lines.into_iter().map(|line| view! {
                    <tr>
                        <td>{match line.product_id {
                            Some(id) => view! { <A href=format!("/admin/products/{id}")>{line.name}</A> }.into_any(),
                            None => line.name.into_any(),
                        }}
                        {(!line.sku.is_empty()).then(|| view! {
                            <br /><small class="muted">{tr!(admin.variants.sku)}": "{line.sku}</small>
                        })}</td>
                        <td>{line.unit_price.to_string()}</td>
                        <td>{line.quantity}</td>
                        <td>{line.line_total.to_string()}
                            {(line.discount.minor > 0).then(|| view! { <br /><small class="muted">"−"{line.discount.to_string()}</small> })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr><th scope="row" colspan="3">{tr!(admin.order.subtotal)}</th><td>{subtotal.to_string()}</td></tr>
                {discount.map(|(code, off)| {
                    let (what, amount) = if off.minor == 0 {
                        (tr!(discount.free_shipping, code), String::new())
                    } else {
                        (tr!(discount.line, code), format!("−{off}"))
                    };
                    view! { <tr data-testid="order-discount"><th scope="row" colspan="3">{what}</th><td>{amount}</td></tr> }
                })}
                <tr><th scope="row" colspan="3">{tr!(admin.order.shipping, method = shipping_method)}</th><td>{shipping.to_string()}</td></tr>
                <tr><th scope="row" colspan="3">{tr!(admin.order.total)}</th><td data-testid="order-total"><strong>{total.to_string()}</strong></td></tr>
                {vat}
            </tfoot>
        </table>
    }
    .into_any()
}

#[component]
fn OrderHistory(history: Vec<super::HistoryEntry>) -> impl IntoView {
    view! {
        <h2>{tr!(admin.order.history)}</h2>
        <ol class="history">
            {history.into_iter().map(|event| view! {
                <li>
                    <time>{short_time(&event.at)}</time>" "
                    <strong>{super::status_label(&event.to_status)}</strong>" — "{event.text}
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
            <h2>{tr!(admin.order.customer)}</h2>
            <p>{order.name}<br /><a href=format!("mailto:{}", order.email)>{order.email.clone()}</a></p>
            <p>{order.address.into_iter().map(|line| view! { {line}<br /> }).collect_view()}</p>
            {order.point_gone.then(|| view! { <p class="notice notice-error" data-testid="point-gone">{tr!(admin.order.point_gone)}</p> })}
            {(!order.company.is_empty()).then(|| view! {
                <h3>{tr!(admin.order.company)}</h3>
                <p data-testid="order-company">{order.company.into_iter().map(|line| view! { {line}<br /> }).collect_view()}</p>
            })}
            <dl>
                <dt>{tr!(admin.order.placed)}</dt><dd>{short_time(&order.created_at)}</dd>
                <dt>{tr!(admin.order.paid)}</dt><dd>{when(order.paid_at)}</dd>
                <dt>{tr!(admin.order.shipped)}</dt><dd>{when(order.shipped_at)}</dd>
                <dt>{tr!(admin.order.refunded)}</dt><dd>{when(order.refunded_at)}</dd>
                <dt>{tr!(admin.order.method)}</dt><dd>{order.payment_method.unwrap_or_else(|| tr!(admin.order.chosen_at_paysera).into())}</dd>
                <dt>{tr!(admin.order.language)}</dt><dd data-testid="order-language">{order.language}</dd>
            </dl>
            {(!order.documents.is_empty()).then(|| view! {
                <ul class="order-documents" data-testid="order-documents">
                    {order.documents.into_iter().map(|document| {
                        let kind = if document.credit_note { tr!(admin.invoices.credit_note) } else { tr!(admin.invoices.invoice) };
                        view! { <li><a href=format!("/admin/invoices/{}.pdf", document.id) rel="external">{format!("{kind} {}", document.number)}</a></li> }
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
    .into_any()
}

/// Every callback Paysera sent about the order: when, the verdict, the decoded fields, the raw data.
#[component]
fn PaymentLog(log: Vec<super::LoggedCallback>) -> impl IntoView {
    view! {
        <section>
            <h2>{tr!(admin.order.payment_log)}</h2>
            {log.is_empty().then(|| view! { <p class="muted">{tr!(admin.order.no_callback)}</p> })}
            <ol class="payment-log">
                {log.into_iter().map(|callback| view! {
                    <li class="callback">
                        <p>
                            <time>{short_time(&callback.received_at)}</time>" "
                            <strong class="verdict">{super::verdict_label(&callback.verdict)}</strong>
                            {callback.amount.map(|a| view! { " · "{a} })}
                            {callback.paysera_status.map(|status| view! { " · "{tr!(admin.order.status, status)} })}
                            {callback.test.filter(|t| *t).map(|_| view! { " · "{tr!(admin.order.test_payment)} })}
                            {callback.verified_by.map(|how| view! { " · "{tr!(admin.order.verified_by, how)} })}
                        </p>
                        <details>
                            <summary>{tr!(admin.order.fields)}</summary>
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
        tr!(admin.order.ship_note)
    } else {
        tr!(admin.order.note)
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
