//! FHIR XML -> the FHIR JSON model the importer maps, streamed with quick-xml.
//!
//! The rules are those of the FHIR XML and JSON representations (R4 §2.6, §2.7):
//! primitive values are `value` attributes and become JSON strings, numbers or booleans
//! by their R4 type; elements that can repeat become arrays; a primitive's `id` and
//! extensions go to `_name`; resources inside `resource`/`contained` are wrapped in an
//! element named after their type (that name becomes `resourceType`); the narrative
//! `div` is kept as its XHTML text. What repeats and what is a number is not in the XML:
//! it comes from the R4 StructureDefinitions (`xml_schema.rs`, generated). A Bundle's
//! entries are handed to the walker one at a time, so a huge bundle never sits in memory.

use super::xml_schema::ELEMENTS;
use super::{Walker, R4_RESOURCE_TYPES};
use crate::{Error, Result};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::{Map, Number, Value};
use std::io::{BufRead, Read};

pub const FHIR_NS: &str = "http://hl7.org/fhir";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
/// Deeper than any real resource; a bound so hostile nesting cannot exhaust the stack.
const MAX_DEPTH: usize = 128;

/// What JSON value an element becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    String,
    Number,
    Boolean,
    Xhtml,
    Object,
    Resource,
}

/// How an element is represented: repeats?, kind, and for objects the type (or backbone
/// path) that its own children are looked up under.
#[derive(Clone, Copy, Debug)]
struct Shape {
    repeats: bool,
    kind: Kind,
    child: &'static str,
}

fn shape(ctx: &str, ctx_is_resource: bool, name: &str) -> Option<Shape> {
    match name {
        "extension" | "modifierExtension" => {
            return Some(Shape { repeats: true, kind: Kind::Object, child: "Extension" })
        }
        "id" => return None,
        _ => {}
    }
    let find = |parent: &str| {
        ELEMENTS.binary_search_by(|(p, n, ..)| (*p, *n).cmp(&(parent, name))).ok().map(|i| {
            let (_, _, repeats, kind, child) = ELEMENTS[i];
            Shape { repeats, kind, child }
        })
    };
    find(ctx).or_else(|| {
        if ctx_is_resource {
            find("DomainResource").or_else(|| find("Resource"))
        } else {
            None
        }
    })
}

/// A `BufRead` that counts lines and columns of what the XML reader consumed, so errors
/// can say where they are without keeping the document.
struct Counting<R> {
    inner: R,
    line: u64,
    col: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let have = self.fill_buf()?;
            let n = have.len().min(buf.len());
            buf[..n].copy_from_slice(&have[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            for &b in &buf[..amt.min(buf.len())] {
                if b == b'\n' {
                    self.line += 1;
                    self.col = 0;
                } else {
                    self.col += 1;
                }
            }
        }
        self.inner.consume(amt)
    }
}

struct Parser<R: BufRead> {
    reader: Reader<Counting<R>>,
    buf: Vec<u8>,
    /// Element names from the root down, for error messages (names only, never values).
    path: Vec<String>,
}

enum Next {
    Start(BytesStart<'static>, bool),
    End,
    Eof,
}

impl<R: BufRead> Parser<R> {
    fn new(inner: R) -> Self {
        // Text is not trimmed: white space matters in the narrative, and elsewhere
        // `next` skips it.
        let reader = Reader::from_reader(Counting { inner, line: 1, col: 0 });
        Parser { reader, buf: Vec::new(), path: Vec::new() }
    }

    fn error(&self, reason: impl std::fmt::Display) -> Error {
        let c = self.reader.get_ref();
        let at = if self.path.is_empty() { String::new() } else { format!(" (in {})", self.path.join("/")) };
        Error::Invalid {
            field: "FHIR XML",
            reason: format!("{reason} at line {}, column {}{at}", c.line, c.col + 1),
        }
    }

    /// The next element start (with whether it is empty, `<x/>`) or end at this level;
    /// text outside the narrative is refused, comments and declarations skipped.
    fn next(&mut self) -> Result<Next> {
        loop {
            self.buf.clear();
            let ev = match self.reader.read_event_into(&mut self.buf) {
                Ok(ev) => ev.into_owned(),
                Err(e) => return Err(self.error(xml_reason(&e))),
            };
            return Ok(match ev {
                Event::Start(s) => Next::Start(s, false),
                Event::Empty(s) => Next::Start(s, true),
                Event::End(_) => Next::End,
                Event::Eof => Next::Eof,
                Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => continue,
                Event::Text(_) | Event::CData(_) => {
                    return Err(self.error(
                        "text is only allowed in the narrative (FHIR puts values in value attributes)",
                    ))
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => continue,
            });
        }
    }

    fn attrs(&self, s: &BytesStart) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for a in s.attributes() {
            let a = a.map_err(|e| self.error(format!("a broken attribute ({})", attr_reason(&e))))?;
            let v = a.unescape_value().map_err(|e| self.error(xml_reason(&e)))?.into_owned();
            out.push((String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned(), v));
        }
        Ok(out)
    }

    /// The root: a resource in the FHIR namespace. Bundle entries go to `walker` one by
    /// one; what is returned is the rest (the resource itself, or the bundle without them).
    fn root(&mut self, walker: Option<&mut Walker>) -> Result<(Value, bool)> {
        let (start, empty) = match self.next()? {
            Next::Start(s, e) => (s, e),
            Next::End => return Err(self.error("an end tag without a start")),
            Next::Eof => return Err(self.error("no FHIR resource in the file")),
        };
        let name = local(&start);
        let attrs = self.attrs(&start)?;
        if !attrs.iter().any(|(k, v)| k == "xmlns" && v == FHIR_NS) {
            return Err(self.error(format!("the root element is not in the FHIR namespace ({FHIR_NS})")));
        }
        if !R4_RESOURCE_TYPES.contains(&name.as_str()) {
            return Err(Error::invalid("FHIR file", "its root element is not a FHIR R4 resource type"));
        }
        let walker = walker.filter(|_| name == "Bundle");
        let streamed = walker.is_some();
        let v = self.resource_body(name, empty, attrs, walker)?;
        match self.next()? {
            Next::Eof => Ok((v, streamed)),
            _ => Err(self.error("more than one root element")),
        }
    }

    /// The element named after the resource type: its children, plus `resourceType`.
    fn resource_body(
        &mut self,
        rt: String,
        empty: bool,
        attrs: Vec<(String, String)>,
        walker: Option<&mut Walker>,
    ) -> Result<Value> {
        if attrs.iter().any(|(k, _)| k != "xmlns" && !k.starts_with("xmlns")) {
            return Err(self.error("a resource element carries no attributes"));
        }
        let mut obj = Map::new();
        obj.insert("resourceType".into(), Value::String(rt.clone()));
        self.path.push(rt.clone());
        if !empty {
            self.children(&rt, true, &mut obj, walker)?;
        }
        self.path.pop();
        Ok(Value::Object(obj))
    }

    /// Children of a complex element until its end tag, into `obj`. With `walker`, each
    /// `entry` child (of a Bundle) is handed over instead of kept.
    fn children(
        &mut self,
        ctx: &str,
        ctx_is_resource: bool,
        obj: &mut Map<String, Value>,
        mut walker: Option<&mut Walker>,
    ) -> Result<()> {
        if self.path.len() > MAX_DEPTH {
            return Err(self.error("elements nested too deeply"));
        }
        loop {
            let (start, empty) = match self.next()? {
                Next::Start(s, e) => (s, e),
                Next::End => break,
                Next::Eof => return Err(self.error("the file ends inside an element")),
            };
            let name = local(&start);
            let attrs = self.attrs(&start)?;
            let sh = shape(ctx, ctx_is_resource, &name);
            self.path.push(name.clone());
            let kind = match sh {
                Some(s) => s.kind,
                // Not in R4 (or a single string): a primitive if it has a value, else an object.
                None if attrs.iter().any(|(k, _)| k == "value") || (name == "id" && ctx_is_resource) => {
                    Kind::String
                }
                None if name == "div" => Kind::Xhtml,
                None => Kind::Object,
            };
            let repeats = sh.is_some_and(|s| s.repeats);
            match kind {
                Kind::String | Kind::Number | Kind::Boolean => {
                    let value = match attrs.iter().find(|(k, _)| k == "value") {
                        Some((_, v)) => Some(self.primitive(kind, v)?),
                        None => None,
                    };
                    let mut meta = Map::new();
                    if let Some((_, id)) = attrs.iter().find(|(k, _)| k == "id") {
                        meta.insert("id".into(), Value::String(id.clone()));
                    }
                    if !empty {
                        self.children("Element", false, &mut meta, None)?;
                        if meta.keys().any(|k| k != "id" && k != "extension") {
                            return Err(self.error("a primitive element has only extensions inside"));
                        }
                    }
                    if value.is_none() && meta.is_empty() {
                        return Err(self.error("a primitive element without a value or extension"));
                    }
                    let meta = (!meta.is_empty()).then_some(Value::Object(meta));
                    if repeats {
                        push(obj, &name, value.unwrap_or(Value::Null));
                        push(obj, &format!("_{name}"), meta.unwrap_or(Value::Null));
                    } else {
                        if obj.contains_key(&name) || obj.contains_key(&format!("_{name}")) {
                            return Err(self.error("an element that cannot repeat appears twice"));
                        }
                        if let Some(v) = value {
                            obj.insert(name.clone(), v);
                        }
                        if let Some(m) = meta {
                            obj.insert(format!("_{name}"), m);
                        }
                    }
                }
                Kind::Xhtml => {
                    let html = self.xhtml(&start, empty)?;
                    self.set(obj, &name, repeats, Value::String(html))?;
                }
                Kind::Resource => {
                    if empty {
                        return Err(self.error("an empty resource container"));
                    }
                    let (inner, inner_empty) = match self.next()? {
                        Next::Start(s, e) => (s, e),
                        _ => return Err(self.error("a resource container without a resource")),
                    };
                    let rt = local(&inner);
                    let inner_attrs = self.attrs(&inner)?;
                    let v = self.resource_body(rt, inner_empty, inner_attrs, None)?;
                    if !matches!(self.next()?, Next::End) {
                        return Err(self.error("a resource container holds one resource"));
                    }
                    self.set(obj, &name, repeats, v)?;
                }
                Kind::Object => {
                    let mut child = Map::new();
                    for (k, v) in attrs {
                        match k.as_str() {
                            "id" | "url" => {
                                child.insert(k, Value::String(v));
                            }
                            k if k.starts_with("xmlns") => {}
                            _ => return Err(self.error("an attribute FHIR does not define here")),
                        }
                    }
                    let child_ctx = sh.map(|s| s.child).unwrap_or("");
                    if !empty {
                        self.children(child_ctx, false, &mut child, None)?;
                    }
                    let v = Value::Object(child);
                    match walker.as_deref_mut() {
                        Some(w) if name == "entry" => {
                            let path = std::mem::take(&mut self.path);
                            w.bundle_entry(v);
                            self.path = path;
                        }
                        _ => self.set(obj, &name, repeats, v)?,
                    }
                }
            }
            self.path.pop();
        }
        // A repeating primitive without any id/extension needs no `_name` array.
        let underscored: Vec<String> = obj.keys().filter(|k| k.starts_with('_')).cloned().collect();
        for k in underscored {
            if obj.get(&k).and_then(Value::as_array).is_some_and(|a| a.iter().all(Value::is_null)) {
                obj.remove(&k);
            }
        }
        Ok(())
    }

    fn set(&self, obj: &mut Map<String, Value>, name: &str, repeats: bool, v: Value) -> Result<()> {
        if repeats {
            push(obj, name, v);
        } else if obj.insert(name.to_string(), v).is_some() {
            return Err(self.error("an element that cannot repeat appears twice"));
        }
        Ok(())
    }

    fn primitive(&self, kind: Kind, v: &str) -> Result<Value> {
        Ok(match kind {
            Kind::Number => {
                let t = v.trim();
                let n = t
                    .parse::<i64>()
                    .ok()
                    .map(Number::from)
                    .or_else(|| t.parse::<f64>().ok().and_then(Number::from_f64));
                Value::Number(n.ok_or_else(|| self.error("a number value that is not a number"))?)
            }
            Kind::Boolean => match v.trim() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(self.error("a boolean value that is not true or false")),
            },
            _ => Value::String(v.to_string()),
        })
    }

    /// The narrative `div`, re-serialised as XHTML text (as FHIR JSON carries it).
    fn xhtml(&mut self, start: &BytesStart, empty: bool) -> Result<String> {
        let mut w = quick_xml::Writer::new(Vec::new());
        let mut start = start.to_owned();
        if !start.attributes().flatten().any(|a| a.key.as_ref() == b"xmlns") {
            start.push_attribute(("xmlns", XHTML_NS));
        }
        let ok = if empty {
            w.write_event(Event::Empty(start)).is_ok()
        } else {
            let mut ok = w.write_event(Event::Start(start)).is_ok();
            let mut depth = 1usize;
            while depth > 0 {
                self.buf.clear();
                let ev = match self.reader.read_event_into(&mut self.buf) {
                    Ok(ev) => ev.into_owned(),
                    Err(e) => return Err(self.error(xml_reason(&e))),
                };
                match &ev {
                    Event::Start(_) => depth += 1,
                    Event::End(_) => depth -= 1,
                    Event::Eof => return Err(self.error("the file ends inside the narrative")),
                    _ => {}
                }
                if depth > MAX_DEPTH {
                    return Err(self.error("the narrative is nested too deeply"));
                }
                ok &= w.write_event(ev).is_ok();
            }
            ok
        };
        if !ok {
            return Err(self.error("the narrative could not be copied"));
        }
        String::from_utf8(w.into_inner()).map_err(|_| self.error("the narrative is not UTF-8"))
    }
}

fn push(obj: &mut Map<String, Value>, name: &str, v: Value) {
    match obj.entry(name.to_string()).or_insert_with(|| Value::Array(Vec::new())) {
        Value::Array(a) => a.push(v),
        // Cannot happen: only `push` writes the keys of repeating elements.
        other => *other = Value::Array(vec![other.take(), v]),
    }
}

fn local(s: &BytesStart) -> String {
    String::from_utf8_lossy(s.local_name().as_ref()).into_owned()
}

/// quick-xml's error, by category: its messages can quote the document.
fn xml_reason(e: &quick_xml::Error) -> String {
    use quick_xml::Error as E;
    match e {
        E::Io(_) => "the file could not be read".into(),
        E::Syntax(s) => format!("not well-formed XML ({s})"),
        E::IllFormed(_) => "not well-formed XML (tags do not match)".into(),
        E::InvalidAttr(e) => format!("a broken attribute ({})", attr_reason(e)),
        E::Encoding(_) => "text that is not UTF-8".into(),
        E::Escape(_) => "a broken character or entity reference".into(),
        E::Namespace(_) => "an unknown namespace prefix".into(),
    }
}

fn attr_reason(e: &quick_xml::events::attributes::AttrError) -> &'static str {
    use quick_xml::events::attributes::AttrError as A;
    match e {
        A::ExpectedEq(_) => "no `=` after its name",
        A::ExpectedValue(_) => "no value",
        A::UnquotedValue(_) => "an unquoted value",
        A::ExpectedQuote(..) => "an unclosed quote",
        A::Duplicated(..) => "given twice",
    }
}

/// Whether a file's first bytes are FHIR XML.
pub fn looks_like_fhir_xml(head: &[u8]) -> bool {
    let h = String::from_utf8_lossy(&head[..head.len().min(8192)]);
    let t = h.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('<') && h.contains(FHIR_NS)
}

/// Streams a FHIR XML document into `walker`; returns the bundle's `meta.source`.
pub(super) fn walk(reader: impl BufRead, walker: &mut Walker) -> Result<Option<String>> {
    let mut p = Parser::new(reader);
    let (v, streamed) = p.root(Some(walker))?;
    Ok(walker.top_level(v, streamed))
}

/// A whole FHIR XML document as FHIR JSON (in memory; the importer streams instead).
pub fn to_json(reader: impl BufRead) -> Result<Value> {
    Ok(Parser::new(reader).root(None)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_of(xml: &str) -> Value {
        to_json(xml.as_bytes()).unwrap()
    }

    #[test]
    fn the_schema_table_is_sorted_for_binary_search() {
        assert!(ELEMENTS.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)));
    }

    #[test]
    fn values_repeats_numbers_extensions_and_narrative_follow_the_json_rules() {
        let v = json_of(
            r#"<?xml version="1.0"?><Observation xmlns="http://hl7.org/fhir"><id value="o1"/>
            <text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi &amp; <b>bye</b></p></div></text>
            <contained><Medication><id value="m"/></Medication></contained>
            <status value="final"><extension url="http://x/e"><valueBoolean value="true"/></extension></status>
            <code><coding><system value="http://loinc.org"/><code value="29463-7"/></coding></code>
            <valueQuantity><value value="80.5"/><unit value="kg"/></valueQuantity>
            <component><code><text value="a"/></code><valueInteger value="3"/></component></Observation>"#,
        );
        assert_eq!(v["resourceType"], "Observation");
        assert_eq!(v["id"], "o1");
        assert_eq!(
            v["text"]["div"],
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>Hi &amp; <b>bye</b></p></div>"#
        );
        assert_eq!(v["contained"][0]["resourceType"], "Medication");
        assert_eq!(v["status"], "final");
        assert_eq!(v["_status"]["extension"][0]["url"], "http://x/e");
        assert_eq!(v["_status"]["extension"][0]["valueBoolean"], true);
        assert_eq!(v["code"]["coding"][0]["code"], "29463-7", "coding repeats even when there is one");
        assert_eq!(v["valueQuantity"]["value"], 80.5);
        assert_eq!(v["component"][0]["valueInteger"], 3);
    }

    #[test]
    fn repeating_primitives_keep_their_extensions_aligned() {
        let v = json_of(
            r#"<Patient xmlns="http://hl7.org/fhir"><name><given value="A"/><given><extension url="u"><valueString value="x"/></extension></given><given value="C"/></name></Patient>"#,
        );
        assert_eq!(v["name"][0]["given"], serde_json::json!(["A", null, "C"]));
        assert_eq!(v["name"][0]["_given"][1]["extension"][0]["url"], "u");
        assert!(v["name"][0]["_given"][0].is_null());
    }

    #[test]
    fn bad_documents_are_refused_with_a_position() {
        for (xml, want) in [
            ("<Patient xmlns=\"http://hl7.org/fhir\">\n<gender value=\"male\"/>\n<gender value=\"female\"/></Patient>", "line 3"),
            ("<Patient xmlns=\"http://hl7.org/fhir\">\n<active value=\"yes\"/></Patient>", "not true or false"),
            ("<Patient xmlns=\"http://hl7.org/fhir\"><name>oops</name></Patient>", "text is only allowed"),
            ("<Patient xmlns=\"http://example.org\"/>", "namespace"),
            ("<Patient xmlns=\"http://hl7.org/fhir\"><name></Patient>", "not well-formed"),
            ("<Patient xmlns=\"http://hl7.org/fhir\"><name>", "ends inside"),
        ] {
            let mut w = Walker::default();
            let e = walk(xml.as_bytes(), &mut w).unwrap_err().to_string();
            assert!(e.contains(want) && e.contains("line "), "{xml}: {e}");
        }
        let deep = format!(
            "<Basic xmlns=\"http://hl7.org/fhir\">{}{}</Basic>",
            "<x>".repeat(10_000),
            "</x>".repeat(10_000)
        );
        let e = walk(deep.as_bytes(), &mut Walker::default()).unwrap_err().to_string();
        assert!(e.contains("nested too deeply"), "{e}");
    }
}
