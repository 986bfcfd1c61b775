//! Checkout's pick-up points (`domain::pickup_points`): the list shown for the shopper's country,
//! narrowed by what they typed, and the point they picked, checked against the carrier's current
//! list. A point's value in the form is `carrier:id`, so a point of another carrier than the
//! chosen method's, or of another country, is told apart and refused.

use super::{CheckoutForm, PointGroup, PointPicker};
use crate::domain::orders::place::Pickup;
use crate::domain::pickup_points::{store, Carrier, Point, Search};
use crate::domain::settings::ShippingMethod;
use crate::error::AppError;
use crate::tr;

/// The points of the carriers `methods` deliver to in `country`, grouped by city and narrowed by
/// the form's search (the picked point is always kept); None if no method delivers to a point.
pub async fn picker(
    pool: &crate::db::Db,
    methods: &[ShippingMethod],
    form: &CheckoutForm,
) -> Result<Option<PointPicker>, AppError> {
    let mut carriers: Vec<Carrier> = vec![];
    for carrier in methods.iter().filter_map(ShippingMethod::carrier) {
        if !carriers.contains(&carrier) {
            carriers.push(carrier);
        }
    }
    if carriers.is_empty() {
        return Ok(None);
    }
    let search = Search::parse(&form.point_search);
    let mut picker = PointPicker {
        methods: methods
            .iter()
            .filter(|m| m.carrier.is_some())
            .map(|m| m.code.clone())
            .collect(),
        ..PointPicker::default()
    };
    for carrier in carriers {
        let points = store::in_country(pool, carrier, &form.country).await?;
        picker.total += points.len();
        for point in points {
            let value = value_of(carrier, &point);
            // Folding a thousand points' text for an empty search would be wasted on every render.
            if search.is_empty() || value == form.point || search.matches(&point.haystack()) {
                add(&mut picker.groups, value, &point);
            }
        }
    }
    Ok(Some(picker))
}

/// The form's value for `point`.
fn value_of(carrier: Carrier, point: &Point) -> String {
    format!("{}:{}", carrier.code(), point.id.0)
}

/// Adds `point` to its city's group (points come by city, so a city's group is the last one).
fn add(groups: &mut Vec<PointGroup>, value: String, point: &Point) {
    let kind = if point.locker {
        tr!(checkout.point.locker)
    } else {
        tr!(checkout.point.staffed)
    };
    let text = format!("{} · {} ({kind})", point.name, point.address);
    match groups.last_mut() {
        Some(group) if group.city == point.city => group.points.push((value, text)),
        _ => groups.push(PointGroup {
            city: point.city.clone(),
            points: vec![(value, text)],
        }),
    }
}

/// The point the form picked, as the carrier's current list has it in the form's country; None if
/// none was picked, or it is not (any more) in that list.
pub async fn picked(pool: &crate::db::Db, form: &CheckoutForm) -> Result<Option<Pickup>, AppError> {
    let Some((carrier, id)) = form.point.split_once(':') else {
        return Ok(None);
    };
    let Some(carrier) = Carrier::parse(carrier) else {
        return Ok(None);
    };
    let point = store::find(pool, carrier, &form.country, id).await?;
    Ok(point.map(|point| Pickup { carrier, point }))
}
