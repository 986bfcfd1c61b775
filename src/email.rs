//! An e-mail address, parsed once at the edge (checkout, the admin's forms) and kept as an
//! [`Email`] from there on: in an order's customer, and in the outbox.

/// An e-mail address, checked at the edge: one `@`, something before it, a dotted domain after,
/// and an address lettre (which sends it) accepts too, so that an address the shop took is never
/// one its e-mails cannot go to (`ona+"q"@example.lt` was taken, then failed at sending).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Option<Email> {
        let email = raw.trim();
        let (local, domain) = email.split_once('@')?;
        let valid = !local.is_empty()
            && email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && email.parse::<lettre::Address>().is_ok();
        valid.then(|| Email(email.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn emails_are_checked_at_the_edge() {
        assert!(Email::parse(" ona@example.lt ").is_some());
        assert!(Email::parse("ona.petraitiene+shop@pastas.example.lt").is_some());
        for bad in [
            "",
            "ona",
            "ona@",
            "@example.com",
            "ona@example",
            "o na@example.com",
            "a@b@c.lt",
            "ona@.lt",
            "ona@lt.",
            "victim+\"q\"@example.com",
            "shop\"x@example.lt",
            "ona@exa mple.lt",
            "ona@exa_mple..lt",
        ] {
            assert!(Email::parse(bad).is_none(), "{bad}");
        }
    }
}
