//! Just enough TwiML reading for the simulated calls: the top-level verbs of a `<Response>`.

/// One verb with its attributes and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verb {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    /// Nested verbs (`<Dial><Conference>`, `<Start><Stream>`).
    pub children: Vec<Verb>,
}

impl Verb {
    pub fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

fn parse_attrs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(eq) = rest.find('=') {
        let name = rest[..eq].trim().to_owned();
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else { break };
        let Some(end) = after[1..].find(q) else { break };
        out.push((name, unescape(&after[1..1 + end])));
        rest = &after[end + 2..];
    }
    out
}

/// Parses the verbs inside `<Response>`. Returns `None` for something that is not TwiML.
pub(crate) fn parse(xml: &str) -> Option<Vec<Verb>> {
    let start = xml.find("<Response")?;
    let mut stack: Vec<Verb> =
        vec![Verb { name: "Response".into(), attrs: vec![], text: String::new(), children: vec![] }];
    let mut rest = &xml[start + xml[start..].find('>')? + 1..];
    loop {
        let lt = rest.find('<')?;
        let text = rest[..lt].trim();
        if !text.is_empty() {
            stack.last_mut()?.text.push_str(&unescape(text));
        }
        let gt = lt + rest[lt..].find('>')?;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let done = stack.pop()?;
            if name.trim() == "Response" {
                return Some(done.children);
            }
            stack.last_mut()?.children.push(done);
        } else {
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let (name, attrs) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
            let verb = Verb { name: name.to_owned(), attrs: parse_attrs(attrs), text: String::new(), children: vec![] };
            if self_closing {
                stack.last_mut()?.children.push(verb);
            } else {
                stack.push(verb);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telephony::twilio::twiml;

    #[test]
    fn reads_what_outdial_writes() {
        let verbs =
            parse(&twiml::bridge_to_agent("room &1", Some("Recorded."), Some("https://h/rec?a=1&b=2"))).unwrap();
        assert_eq!(verbs[0].name, "Say");
        assert_eq!(verbs[0].text, "Recorded.");
        assert_eq!(verbs[1].name, "Dial");
        assert_eq!(verbs[1].attr("record"), Some("record-from-answer-dual"));
        assert_eq!(verbs[1].attr("recordingStatusCallback"), Some("https://h/rec?a=1&b=2"));
        assert_eq!(verbs[1].children[0].text, "room &1");
        let verbs = parse(&twiml::voicemail_drop("https://x/a.mp3")).unwrap();
        assert_eq!((verbs[0].name.as_str(), verbs[1].name.as_str()), ("Play", "Hangup"));
        assert!(parse("not xml").is_none());
    }
}
