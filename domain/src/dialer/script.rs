//! Call scripts: templates with merge fields (`{FirstName}`, `{State}`, `{LastCallRelative}`,
//! any custom field) and simple branches, rendered for one lead.
//!
//! A branch is `{?Field}text{/Field}` (shown when the field has a value) or
//! `{!Field}text{/Field}` (shown when it has none). Unknown fields render empty, never as raw
//! braces, so an agent never reads template syntax to a prospect.

/// Renders `template` with `field` giving each merge field's value.
pub fn render(template: &str, field: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let tag = &after[..close];
        rest = &after[close + 1..];
        if let Some(name) = tag.strip_prefix('?').or_else(|| tag.strip_prefix('!')) {
            let end = format!("{{/{name}}}");
            let (inner, tail) = match rest.find(&end) {
                Some(i) => (&rest[..i], &rest[i + end.len()..]),
                None => (rest, ""),
            };
            let present = field(name).is_some_and(|v| !v.trim().is_empty());
            if present == tag.starts_with('?') {
                out.push_str(&render(inner, field));
            }
            rest = tail;
        } else if is_name(tag) {
            out.push_str(&field(tag).unwrap_or_default());
        } else {
            out.push('{');
            out.push_str(tag);
            out.push('}');
        }
    }
    out.push_str(rest);
    out
}

fn is_name(tag: &str) -> bool {
    !tag.is_empty() && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// "today", "yesterday", "3 days ago": how `{LastCallRelative}` reads.
pub fn relative_days(days: i64) -> String {
    match days {
        i64::MIN..=0 => "today".into(),
        1 => "yesterday".into(),
        n => format!("{n} days ago"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(name: &str) -> Option<String> {
        match name {
            "FirstName" => Some("Dana".into()),
            "State" => Some("OH".into()),
            "plan" => Some("Gold".into()),
            "Company" => Some("  ".into()),
            _ => None,
        }
    }

    #[test]
    fn merge_fields_and_branches_render_for_the_lead() {
        let t = "Hi {FirstName}, calling about your {plan} plan in {State}.{?Company} At {Company}?{/Company}{!Balance} No balance on file.{/Balance} {Unknown}!";
        assert_eq!(render(t, &lead), "Hi Dana, calling about your Gold plan in OH. No balance on file. !");
        assert_eq!(render("{ not a field }", &lead), "{ not a field }");
        assert_eq!(render("unclosed {FirstName", &lead), "unclosed {FirstName");
        assert_eq!(relative_days(1), "yesterday");
        assert_eq!(relative_days(4), "4 days ago");
    }
}
