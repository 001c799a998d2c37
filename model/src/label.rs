//! A text the apps show, as a catalogue key with its placeholders filled. The English (and
//! any later language) lives in the core's catalogue, `core/strings/en.json`; crates that
//! word things for people (the insights, the screens) return labels, never sentences, so a
//! shell can show them in the person's language and the wording is kept in one file.

use serde::{Deserialize, Serialize};

/// A catalogue key with its placeholders' values (`{days}` -> `3`). The shells look the key
/// up in their generated strings and replace each `{name}` with its value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Label {
    pub key: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<LabelArg>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LabelArg {
    pub name: String,
    pub value: String,
}

impl Label {
    pub fn new(key: &str) -> Label {
        Label { key: key.to_string(), args: vec![] }
    }

    pub fn arg(mut self, name: &str, value: impl Into<String>) -> Label {
        self.args.push(LabelArg { name: name.to_string(), value: value.into() });
        self
    }

    /// `template` (the key's text in some language) with every `{name}` replaced by its value.
    /// Values are inserted once, left to right, so a value that itself contains `{x}` is
    /// never expanded again.
    pub fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}').map(|close| (&after[..close], close)) {
                Some((name, close)) if self.args.iter().any(|a| a.name == name) => {
                    if let Some(a) = self.args.iter().find(|a| a.name == name) {
                        out.push_str(&a.value);
                    }
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_each_placeholder_once_and_leaves_unknown_ones() {
        let l = Label::new("k").arg("n", "3").arg("who", "{n}");
        assert_eq!(l.fill("{n} of {n} by {who}, {other}"), "3 of 3 by {n}, {other}");
        assert_eq!(l.fill("no braces"), "no braces");
        assert_eq!(l.fill("open { only"), "open { only");
    }
}
