//! HTML pages (a proxy's, web server's or firewall's error page): what the page says.

/// What an HTML page says, in a few words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HtmlPage {
    pub title: Option<String>,
    /// The first `<h1>` or `<h2>`, when it adds to the title.
    pub heading: Option<String>,
    /// The web server or proxy software the page names (`nginx`, `Tengine`, `Apache Tomcat/8.5`).
    pub server: Option<String>,
    /// The visible text, white space collapsed, cut at 300 characters.
    pub text: String,
}

/// Server software that signs error pages, most specific first.
const SERVERS: &[&str] = &[
    "Tengine",
    "openresty",
    "nginx",
    "Apache Tomcat",
    "Jetty",
    "Microsoft-IIS",
    "Apache",
    "cloudflare",
    "Varnish",
    "Squid",
    "Envoy",
    "Caddy",
];

pub(crate) fn read(html: &str) -> HtmlPage {
    let mut limit = html.len().min(256 * 1024);
    while !html.is_char_boundary(limit) {
        limit -= 1;
    }
    let html = &html[..limit];
    let text = visible_text(html);
    let title = element(html, "title");
    let heading = element(html, "h1")
        .or_else(|| element(html, "h2"))
        .filter(|h| Some(h) != title.as_ref());
    let lower = text.to_ascii_lowercase();
    let server = SERVERS.iter().find_map(|s| {
        let at = lower.find(&s.to_ascii_lowercase())?;
        let tail = &text[at + s.len()..];
        let version: String = tail
            .chars()
            .take_while(|c| *c == '/' || *c == '.' || c.is_ascii_digit())
            .collect();
        let version = if version.len() > 1 {
            version
        } else {
            String::new()
        };
        Some(format!("{}{version}", &text[at..at + s.len()]))
    });
    HtmlPage {
        title,
        heading,
        server,
        text: shorten(&text, 300),
    }
}

/// The text of the first `<name ...>...</name>`, tags inside removed.
fn element(html: &str, name: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{name}");
    let mut from = 0;
    let start = loop {
        let at = from + lower[from..].find(&open)?;
        let after = lower.as_bytes().get(at + open.len()).copied();
        if matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')) {
            break at;
        }
        from = at + open.len();
    };
    let content = start + lower[start..].find('>')? + 1;
    let end = content + lower[content..].find(&format!("</{name}"))?;
    let text = visible_text(&html[content..end]);
    (!text.is_empty()).then_some(text)
}

/// Tags, `<style>` and `<script>` removed, a few entities decoded, white space collapsed.
fn visible_text(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() / 2);
    let mut i = 0;
    while i < html.len() {
        if html.as_bytes()[i] == b'<' {
            let skip_to = ["style", "script"].iter().find_map(|t| {
                lower[i..]
                    .starts_with(&format!("<{t}"))
                    .then(|| lower[i..].find(&format!("</{t}>")).map(|k| i + k))
                    .flatten()
            });
            let from = skip_to.unwrap_or(i);
            match lower[from..].find('>') {
                Some(k) => i = from + k + 1,
                None => break,
            }
            out.push(' ');
        } else {
            let next = html[i..].find('<').map_or(html.len(), |k| i + k);
            out.push_str(&html[i..next]);
            i = next;
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, with "…" when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_error_pages() {
        let p = read("<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>");
        assert_eq!(p.title.as_deref(), Some("404 Not Found"));
        assert_eq!(p.heading, None);
        assert_eq!(p.server.as_deref(), Some("nginx"));
        let p = read("<!doctype html><html><head><title>HTTP Status 500</title><style>h1 {color:red}</style></head><body><h1>Boom</h1><h3>Apache Tomcat/8.5.57</h3></body></html>");
        assert_eq!(p.heading.as_deref(), Some("Boom"));
        assert_eq!(p.server.as_deref(), Some("Apache Tomcat/8.5.57"));
        assert!(!p.text.contains("color"));
    }
}
