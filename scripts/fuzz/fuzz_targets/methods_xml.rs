//! The payment-methods XML parser on arbitrary documents: an error or a list, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|xml: &str| {
    if let Ok(list) = turgus::paysera::methods::parse(xml) {
        for (_, _, method) in list.methods(Some((100, "EUR"))) {
            let _ = method.title("en", "lt");
        }
    }
});
