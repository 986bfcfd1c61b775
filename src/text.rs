//! Text the shop makes from text: web addresses (slugs), HTML written by hand, and patterns for
//! SQL's `LIKE`. Nothing here knows the shop's features.

/// The URL name: the one typed, or one made from the name (`Linen apron` → `linen-apron`);
/// `None` when neither has a letter or digit to make one of.
pub fn slug_for(typed: &str, name: &str, max: usize) -> Option<String> {
    let source = if typed.trim().is_empty() { name } else { typed };
    let mut slug = String::new();
    for c in source.trim().to_lowercase().chars() {
        let c = match c {
            'a'..='z' | '0'..='9' => c,
            'ą' | 'ä' | 'á' | 'à' | 'â' | 'ā' | 'å' => 'a',
            'č' | 'ç' | 'ć' => 'c',
            'ę' | 'ė' | 'é' | 'è' | 'ê' | 'ë' | 'ē' => 'e',
            'į' | 'í' | 'ì' | 'î' | 'ï' | 'ī' => 'i',
            'š' | 'ś' => 's',
            'ų' | 'ū' | 'ü' | 'ú' | 'ù' | 'û' => 'u',
            'ž' | 'ź' | 'ż' => 'z',
            'ö' | 'ó' | 'ò' | 'ô' | 'õ' | 'ō' => 'o',
            'ł' => 'l',
            'ń' | 'ñ' => 'n',
            _ => '-',
        };
        if c != '-' || !slug.ends_with('-') && !slug.is_empty() {
            slug.push(c);
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(max).collect();
    let slug = slug.trim_end_matches('-').to_owned();
    (!slug.is_empty()).then_some(slug)
}

/// [`slug_for`], or a form's refusal in `locale` when there is nothing to make one of.
pub fn slug_or_refusal(
    typed: &str,
    name: &str,
    max: usize,
    locale: crate::locale::Locale,
) -> Result<String, crate::error::AppError> {
    slug_for(typed, name, max).ok_or_else(|| {
        crate::error::AppError::BadRequest(
            leptos_i18n::td_string!(locale, admin.form.no_slug).into(),
        )
    })
}

/// Text for HTML the shop writes by hand (the sandbox's page, the e-mails): markup characters and
/// both quotes escaped, so it is safe in an element and in an attribute.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// What starts a formula in a spreadsheet program.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A field for a CSV file a person opens in a spreadsheet: one that would run as a formula
/// (`=HYPERLINK(…)`, `+370…`, `-3`, `@SUM`, a tab or carriage return first) gets a leading `'`,
/// which spreadsheet programs show as text. WooCommerce's exporter does the same.
pub fn spreadsheet_safe(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(FORMULA_STARTS) {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

/// The field [`spreadsheet_safe`] (or WooCommerce's exporter) wrote, read back.
pub fn from_spreadsheet(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => field,
    }
}

/// `%typed%` for `LIKE … ESCAPE '\'`: what the person typed, found anywhere, with `LIKE`'s own
/// characters (`%`, `_` and the escape itself) taken literally. At most 200 characters are used.
pub fn like_pattern(typed: &str) -> String {
    let typed: String = typed.chars().take(200).collect();
    format!(
        "%{}%",
        typed
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_made_from_names() {
        assert_eq!(slug_for("", "Linen apron", 120).unwrap(), "linen-apron");
        assert_eq!(
            slug_for("", "  Ąžuolinė lentelė — 30 cm! ", 120).unwrap(),
            "azuoline-lentele-30-cm"
        );
        assert_eq!(slug_for("My-Slug", "ignored", 120).unwrap(), "my-slug");
        assert_eq!(slug_for("", "abc def", 4).unwrap(), "abc");
        assert_eq!(slug_for("", "<script>", 120).as_deref(), Some("script"));
        assert_eq!(slug_for("", "***", 120), None);
    }

    #[test]
    fn like_patterns_take_likes_own_characters_literally() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(like_pattern(&"x".repeat(300)).len(), 202);
    }

    #[test]
    fn hand_written_html_is_escaped() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom's & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s&lt;/a&gt;"
        );
    }
}
