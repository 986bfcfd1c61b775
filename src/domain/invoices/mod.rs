//! Invoices and credit notes, as the tax office sees them. A paid order gets its invoice in the
//! same transaction that marks it paid (`flows::payment_callback`), a refunded one its credit note
//! in the refund's (`flows::order_actions`), each numbered in its own gap-free series
//! ([`issue`]). What a document says is decided once, when it is issued ([`document`]), and
//! stored as it is: the database refuses to change or delete it (migration 0016), so a later
//! change of the seller's details, prices or rates never alters one. The PDF ([`pdf`]) and the
//! month's i.SAF register ([`isaf`]) are both written from the stored document.

pub mod document;
pub mod isaf;
pub mod issue;
pub mod pdf;
pub mod store;
