//! The carriers' lists of pick-up points, each with its state and its two actions.

use super::{carrier_lists, CarrierList, RefreshPoints};
use crate::admin::pages::admin_page;
use crate::tr;
use crate::ui::short_time;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminShippingPage() -> impl IntoView {
    let lists = Resource::new(|| (), |_| carrier_lists());
    let refresh = ServerAction::<RefreshPoints>::new();
    view! {
        <Title text=tr!(admin.shipping.title) />
        {admin_page(lists, move |lists: Vec<CarrierList>| view! {
            <h1>{tr!(admin.shipping.title)}</h1>
            <p class="muted">{tr!(admin.shipping.intro)}</p>
            <table class="admin-table" data-testid="carrier-lists">
                <thead><tr>
                    <th scope="col">{tr!(admin.shipping.carrier)}</th><th scope="col">{tr!(admin.shipping.points)}</th>
                    <th scope="col">{tr!(admin.shipping.last_good)}</th><th scope="col">{tr!(admin.shipping.last_error)}</th>
                    <th scope="col"></th>
                </tr></thead>
                <tbody>
                    {lists.into_iter().map(|list| view! { <CarrierRow list refresh /> }).collect_view()}
                </tbody>
            </table>
        }.into_any())}
    }
}

#[component]
fn CarrierRow(list: CarrierList, refresh: ServerAction<RefreshPoints>) -> impl IntoView {
    let when = |at: Option<String>| at.as_deref().map(short_time).unwrap_or_else(|| "—".into());
    let used = list
        .used
        .then(|| view! { " "<span class="badge">{tr!(admin.shipping.used)}</span> });
    let testid = format!("carrier-{}", list.code);
    let code = list.code.clone();
    let error = (!list.error.is_empty()).then(|| {
        view! { <span class="field-error">{when(list.error_at.clone())}": "{list.error.clone()}</span> }
    });
    view! {
        <tr data-testid=testid>
            <th scope="row">{list.name.clone()}{used}</th>
            <td>{list.points}" "<small class="muted">{list.source.clone()}</small></td>
            <td>{when(list.refreshed_at.clone())}</td>
            <td>{error}</td>
            <td>
                <ActionForm action=refresh>
                    <input type="hidden" name="carrier" value=code />
                    <button type="submit">{tr!(admin.shipping.refresh_now)}</button>
                </ActionForm>
                <form method="post" enctype="multipart/form-data" action="/admin/shipping/points-file">
                    <input type="hidden" name="carrier" value=list.code />
                    <label>{tr!(admin.shipping.load_file)}" "<input type="file" name="file" accept=".json,application/json" required /></label>
                    <button type="submit">{tr!(admin.shipping.load)}</button>
                </form>
            </td>
        </tr>
    }
}
