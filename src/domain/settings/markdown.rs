//! The merchant's Markdown as safe HTML, in two layers. The parser is told that raw HTML is text
//! (a `<script>` typed into a legal page shows as the characters `<script>`), and the result goes
//! through `ammonia`, which keeps only harmless tags and attributes and only http(s), mailto and
//! tel links: a `javascript:` link loses its target. Images are dropped too: the pages must not
//! load anything from other sites.

use pulldown_cmark::{Event, Options, Parser};

pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .rm_tags(["img"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn markdown_becomes_html() {
        let html = to_safe_html("# Terms\n\nPay **within** 7 days. [Contact](/contact)");
        assert!(html.contains("<h1>Terms</h1>"), "{html}");
        assert!(html.contains("<strong>within</strong>"), "{html}");
        assert!(html.contains(r#"<a href="/contact""#), "{html}");
    }

    #[test]
    fn raw_html_and_scripts_stay_text() {
        for attack in [
            "<script>alert(1)</script>",
            "Hi <img src=x onerror=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<a href=\"javascript:alert(1)\">x</a>",
        ] {
            let html = to_safe_html(attack);
            assert!(!html.contains("<script"), "{attack} → {html}");
            assert!(!html.contains("<img"), "{attack} → {html}");
            assert!(!html.contains("<iframe"), "{attack} → {html}");
            assert!(!html.contains("<a "), "{attack} → {html}");
        }
    }

    #[test]
    fn dangerous_links_lose_their_target() {
        for link in [
            "[click](javascript:alert(1))",
            "[click](JAVASCRIPT:alert(1))",
            "[click](data:text/html;base64,PHNjcmlwdD4=)",
            "[click](vbscript:msgbox)",
            "![x](https://tracker.example/pixel.png)",
        ] {
            let html = to_safe_html(link);
            let lower = html.to_lowercase();
            assert!(
                !lower.contains("javascript:")
                    && !lower.contains("data:")
                    && !lower.contains("vbscript:")
                    && !lower.contains("<img"),
                "{link} → {html}"
            );
        }
        assert!(to_safe_html("[mail](mailto:ona@example.lt)").contains("href=\"mailto:"));
    }
}
