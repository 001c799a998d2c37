//! FHIR R4 / UK Core: import into the record, IPS and plain-Bundle export, and the
//! SMART-on-FHIR client that pulls from a GP or hospital server.
//!
//! * Import ([`import_reader`], [`import_bytes`], [`import_path`]): FHIR JSON or XML
//!   ([`xml`]), a resource or a
//!   Bundle (collection, searchset, document, transaction, batch; nested bundles and
//!   contained resources too) is streamed entry by entry (a 100,000-entry bundle never
//!   sits in memory as one tree), mapped by [`map`] and handed to the store's reconciler
//!   ([`crate::store::SourceBatch`]) as one transaction: it lands whole or not at all.
//! * Export ([`export`]): the International Patient Summary document and plain Bundles.
//! * [`smart`]: discovery, authorization code + PKCE, refresh, `$everything` or per-type
//!   searches with paging. The only module here that touches the network, and only when
//!   called.

pub mod export;
pub mod map;
pub mod smart;
pub mod xml;
mod xml_schema;

use crate::record::{Code, EntryValue, Sample};
use crate::store::{same_person, ReconcileOutcome, SourceBatch, SourceItem};
use crate::{Error, Record, Result};
use map::{str_at, Mapped};
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct FhirImportOptions {
    /// The source system (a FHIR base URL). Default: the bundle's `meta.source`, else the
    /// base of its entries' full URLs, else `fhir-file`.
    pub system: Option<String>,
    /// Import even if the data is about a different person than the record's owner.
    pub force: bool,
    /// This is the source's whole record: retire entries it no longer lists.
    pub retire_missing: bool,
}

/// What an import saw and did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FhirImportReport {
    pub system: String,
    pub bundle_type: Option<String>,
    /// Every resource seen, by type: top level, bundle entries (nested too) and contained.
    pub resources: BTreeMap<String, u64>,
    /// Resources that became entries / samples / were kept raw only / were skipped.
    pub entries: u64,
    pub sample_resources: u64,
    pub kept_raw: u64,
    pub skipped: u64,
    /// Problems that did not stop the import (broken references, bad NHS numbers...).
    pub notes: Vec<String>,
    pub outcome: ReconcileOutcome,
}

/// FHIR R4 (4.0.1) resource types.
pub const R4_RESOURCE_TYPES: &[&str] = &[
    "Account", "ActivityDefinition", "AdverseEvent", "AllergyIntolerance", "Appointment", "AppointmentResponse", "AuditEvent", "Basic", "Binary", "BiologicallyDerivedProduct",
    "BodyStructure", "Bundle", "CapabilityStatement", "CarePlan", "CareTeam", "CatalogEntry", "ChargeItem", "ChargeItemDefinition", "Claim", "ClaimResponse", "ClinicalImpression",
    "CodeSystem", "Communication", "CommunicationRequest", "CompartmentDefinition", "Composition", "ConceptMap", "Condition", "Consent", "Contract", "Coverage",
    "CoverageEligibilityRequest", "CoverageEligibilityResponse", "DetectedIssue", "Device", "DeviceDefinition", "DeviceMetric", "DeviceRequest", "DeviceUseStatement",
    "DiagnosticReport", "DocumentManifest", "DocumentReference", "EffectEvidenceSynthesis", "Encounter", "Endpoint", "EnrollmentRequest", "EnrollmentResponse", "EpisodeOfCare",
    "EventDefinition", "Evidence", "EvidenceVariable", "ExampleScenario", "ExplanationOfBenefit", "FamilyMemberHistory", "Flag", "Goal", "GraphDefinition", "Group",
    "GuidanceResponse", "HealthcareService", "ImagingStudy", "Immunization", "ImmunizationEvaluation", "ImmunizationRecommendation", "ImplementationGuide", "InsurancePlan",
    "Invoice", "Library", "Linkage", "List", "Location", "Measure", "MeasureReport", "Media", "Medication", "MedicationAdministration", "MedicationDispense",
    "MedicationKnowledge", "MedicationRequest", "MedicationStatement", "MedicinalProduct", "MedicinalProductAuthorization", "MedicinalProductContraindication",
    "MedicinalProductIndication", "MedicinalProductIngredient", "MedicinalProductInteraction", "MedicinalProductManufactured", "MedicinalProductPackaged",
    "MedicinalProductPharmaceutical", "MedicinalProductUndesirableEffect", "MessageDefinition", "MessageHeader", "MolecularSequence", "NamingSystem", "NutritionOrder",
    "Observation", "ObservationDefinition", "OperationDefinition", "OperationOutcome", "Organization", "OrganizationAffiliation", "Parameters", "Patient", "PaymentNotice",
    "PaymentReconciliation", "Person", "PlanDefinition", "Practitioner", "PractitionerRole", "Procedure", "Provenance", "Questionnaire", "QuestionnaireResponse",
    "RelatedPerson", "RequestGroup", "ResearchDefinition", "ResearchElementDefinition", "ResearchStudy", "ResearchSubject", "RiskAssessment", "RiskEvidenceSynthesis",
    "Schedule", "SearchParameter", "ServiceRequest", "Slot", "Specimen", "SpecimenDefinition", "StructureDefinition", "StructureMap", "Subscription", "Substance",
    "SubstanceNucleicAcid", "SubstancePolymer", "SubstanceProtein", "SubstanceReferenceInformation", "SubstanceSourceMaterial", "SubstanceSpecification", "SupplyDelivery",
    "SupplyRequest", "Task", "TerminologyCapabilities", "TestReport", "TestScript", "ValueSet", "VerificationResult", "VisionPrescription",
];

/// A JSON syntax error with its position, and a category but never the content.
pub fn json_error(e: &serde_json::Error) -> Error {
    let what = match e.classify() {
        serde_json::error::Category::Eof => "the file ends too early",
        serde_json::error::Category::Syntax => "it is not valid JSON",
        serde_json::error::Category::Data => "it has the wrong shape",
        serde_json::error::Category::Io => "it could not be read",
    };
    Error::Invalid { field: "FHIR file", reason: format!("{what} at line {}, column {}", e.line(), e.column()) }
}

/// Whether the first bytes look like FHIR JSON (for `phr import` routing).
pub fn looks_like_fhir(name: &str, head: &[u8]) -> bool {
    let h = String::from_utf8_lossy(&head[..head.len().min(8192)]);
    let t = h.trim_start_matches('\u{feff}').trim_start();
    xml::looks_like_fhir_xml(head) || t.starts_with('{') && (h.contains("\"resourceType\"") || h.contains("\"fhirBundle\"")) || (name.to_ascii_lowercase().ends_with(".json") && h.contains("\"resourceType\""))
}

#[derive(Default)]
struct Walker {
    report: FhirImportReport,
    items: Vec<SourceItem>,
    samples: Vec<Sample>,
    raw: Vec<(String, String)>,
    identity: Option<(EntryValue, String)>,
    /// Medication resources by every name they can be referenced by.
    meds: HashMap<String, (String, Option<Code>)>,
    /// Statements/requests whose Medication may come later in the bundle.
    pending: Vec<(Value, String)>,
    base_guess: Option<String>,
    force: bool,
    notes: Vec<String>,
    entries_seen: u64,
}

fn has_extension(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.contains_key("extension") || o.contains_key("modifierExtension") || o.values().any(has_extension),
        Value::Array(a) => a.iter().any(has_extension),
        _ => false,
    }
}

fn content_id(v: &Value) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, v.to_string().as_bytes());
    format!("sha256-{}", data_encoding::HEXLOWER.encode(&d.as_ref()[..12]))
}

impl Walker {
    fn count(&mut self, v: &Value) {
        if let Some(t) = str_at(v, "resourceType") {
            *self.report.resources.entry(t.to_string()).or_default() += 1;
        }
        for c in v.get("contained").and_then(Value::as_array).into_iter().flatten() {
            self.count(c);
        }
    }

    /// One bundle entry (or the top-level resource).
    fn resource(&mut self, v: Value, full_url: Option<&str>) {
        self.entries_seen += 1;
        let Some(rt) = str_at(&v, "resourceType").map(str::to_string) else {
            self.notes.push(format!("entry {} has no resourceType; skipped", self.entries_seen));
            self.report.skipped += 1;
            return;
        };
        if rt == "Bundle" {
            self.bundle(v);
            return;
        }
        self.count(&v);
        if !R4_RESOURCE_TYPES.contains(&rt.as_str()) {
            self.notes.push(format!("entry {}: {rt:?} is not a FHIR R4 resource type; skipped", self.entries_seen));
            self.report.skipped += 1;
            return;
        }
        let rid = match str_at(&v, "id") {
            Some(id) => format!("{rt}/{id}"),
            None => match full_url {
                Some(u) => format!("{rt}/{}", u.rsplit('/').next().unwrap_or(u).trim_start_matches("urn:uuid:")),
                None => format!("{rt}/{}", content_id(&v)),
            },
        };
        if let Some(u) = full_url.filter(|u| u.starts_with("http")) {
            if self.base_guess.is_none() {
                let suffix = format!("/{rid}");
                if let Some(base) = u.strip_suffix(&suffix) {
                    self.base_guess = Some(base.to_string());
                }
            }
        }
        let mut notes = Vec::new();
        let mapped = match rt.as_str() {
            "Patient" => map::patient(&v, &mut notes),
            "RelatedPerson" => map::related_person(&v),
            "Condition" => map::condition(&v),
            "AllergyIntolerance" => map::allergy(&v),
            "Procedure" => map::procedure(&v),
            "Immunization" => map::immunization(&v),
            "Encounter" => map::encounter(&v),
            "Consent" => map::consent(&v),
            "DiagnosticReport" => map::diagnostic_report(&v),
            "Observation" => map::observation(&v, &rid, "medical record"),
            "Medication" => {
                if let Some(cc) = v.get("code") {
                    if let Some(name) = map::cc_text(cc) {
                        let entry = (name, map::cc_code(cc));
                        self.meds.insert(rid.clone(), entry.clone());
                        if let Some(u) = full_url {
                            self.meds.insert(u.to_string(), entry);
                        }
                    }
                }
                Mapped::Unmapped("a Medication (used by the statements that refer to it)")
            }
            "MedicationStatement" | "MedicationRequest" => {
                let reference = str_at(&v, "medicationReference.reference");
                if reference.is_some_and(|r| !r.starts_with('#')) && v.get("medicationCodeableConcept").is_none() {
                    self.pending.push((v, rid));
                    return;
                }
                map::medication(&v, &self.meds)
            }
            _ => Mapped::Unmapped("no place in the record"),
        };
        self.notes.extend(notes.into_iter().map(|n| format!("{rid}: {n}")));
        self.land(v, rid, mapped);
    }

    fn land(&mut self, v: Value, rid: String, mapped: Mapped) {
        let keep_raw = match mapped {
            Mapped::Identity(value) => {
                match &self.identity {
                    None => self.identity = Some((value, rid.clone())),
                    Some((first, _)) => {
                        if let Err(why) = same_person(first, &value) {
                            if !self.force {
                                self.notes.push(format!("FATAL:this file holds two different people ({why})"));
                            }
                        }
                    }
                }
                self.report.entries += 1;
                has_extension(&v)
            }
            Mapped::Entry { section, value } => {
                self.items.push(SourceItem { section, value, resource_id: rid.clone() });
                self.report.entries += 1;
                has_extension(&v)
            }
            Mapped::Samples(s) => {
                self.samples.extend(s);
                self.report.sample_resources += 1;
                has_extension(&v)
            }
            Mapped::Unmapped(_) => {
                self.report.kept_raw += 1;
                true
            }
            Mapped::Skipped(why) => {
                self.notes.push(format!("{rid}: not imported ({why}); kept as received"));
                self.report.skipped += 1;
                true
            }
        };
        if keep_raw {
            self.raw.push((rid, v.to_string()));
        }
    }

    fn bundle(&mut self, mut v: Value) {
        self.count(&v);
        if self.report.bundle_type.is_none() {
            self.report.bundle_type = str_at(&v, "type").map(str::to_string);
        }
        let entries = v.get_mut("entry").map(Value::take);
        for e in entries.into_iter().flat_map(|e| match e {
            Value::Array(a) => a,
            _ => vec![],
        }) {
            self.bundle_entry(e);
        }
    }

    fn bundle_entry(&mut self, mut e: Value) {
        let full_url = str_at(&e, "fullUrl").map(str::to_string);
        match e.get_mut("resource").map(Value::take) {
            Some(r @ Value::Object(_)) => self.resource(r, full_url.as_deref()),
            _ => {
                self.entries_seen += 1;
                if str_at(&e, "request.method") != Some("DELETE") {
                    self.notes.push(format!("bundle entry {} has no resource; skipped", self.entries_seen));
                }
            }
        }
    }

    /// The top-level resource, once a Bundle's entries (if `streamed`) went by one at a
    /// time. Returns its `meta.source`.
    fn top_level(&mut self, v: Value, streamed: bool) -> Option<String> {
        let meta_source = v.get("meta").and_then(|m| str_at(m, "source")).map(str::to_string);
        if streamed {
            // Entries were counted as they went by; the bundle itself is counted here.
            self.count(&v);
            self.report.bundle_type = self.report.bundle_type.take().or_else(|| str_at(&v, "type").map(str::to_string));
        } else {
            self.resource(v, None);
        }
        meta_source
    }

    fn finish(mut self, opts: &FhirImportOptions, meta_source: Option<String>) -> Result<(SourceBatch, FhirImportReport)> {
        if let Some(fatal) = self.notes.iter().find_map(|n| n.strip_prefix("FATAL:")) {
            return Err(Error::Invalid { field: "medical record", reason: format!("{fatal}; nothing was imported (use --force to import anyway)") });
        }
        for (v, rid) in std::mem::take(&mut self.pending) {
            let mapped = map::medication(&v, &self.meds);
            if matches!(mapped, Mapped::Unmapped(_)) {
                self.notes.push(format!("{rid}: its Medication reference could not be resolved; kept as received"));
            }
            self.land(v, rid, mapped);
        }
        let system = opts.system.clone().or(meta_source).or(self.base_guess.clone()).unwrap_or_else(|| "fhir-file".into());
        let source = format!("medical record ({system})");
        for s in &mut self.samples {
            s.source = source.clone();
            s.dedup_key = s.dedup_key.take().map(|k| format!("fhir|{system}|{k}"));
        }
        let mut report = self.report;
        report.system = system.clone();
        report.notes = self.notes;
        let batch = SourceBatch { system, identity: self.identity, force: opts.force, items: self.items, samples: self.samples, raw: self.raw, retire_missing: opts.retire_missing };
        Ok((batch, report))
    }
}

// ---- streaming the top level: Bundle.entry is visited one entry at a time ----------

struct Top<'a>(&'a mut Walker);
struct TopOut {
    meta_source: Option<String>,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = TopOut;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<TopOut, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = TopOut;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a FHIR resource (a JSON object with a resourceType)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<TopOut, A::Error> {
        let walker = self.0;
        let mut rt: Option<String> = None;
        let mut rest = serde_json::Map::new();
        let mut streamed = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "entry" && rt.as_deref() == Some("Bundle") {
                map.next_value_seed(Entries(walker))?;
                streamed = true;
            } else if key == "resourceType" {
                let t: Value = map.next_value()?;
                rt = t.as_str().map(str::to_string);
                rest.insert(key, t);
            } else {
                rest.insert(key, map.next_value()?);
            }
        }
        let v = Value::Object(rest);
        let meta_source = match rt.as_deref() {
            Some(t) if R4_RESOURCE_TYPES.contains(&t) => walker.top_level(v, streamed),
            Some(_) => return Err(serde::de::Error::custom("PHR_WRONG_TYPE")),
            None => match map::get(&v, "vc.credentialSubject.fhirBundle") {
                // A SMART Health Card payload: the bundle inside it.
                Some(b) if b.is_object() => walker.top_level(b.clone(), false),
                _ => return Err(serde::de::Error::custom("PHR_NO_TYPE")),
            },
        };
        Ok(TopOut { meta_source })
    }
}

struct Entries<'a>(&'a mut Walker);

impl<'de> DeserializeSeed<'de> for Entries<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of bundle entries")
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> std::result::Result<(), S::Error> {
        while let Some(e) = seq.next_element::<Value>()? {
            self.0.bundle_entry(e);
        }
        Ok(())
    }
}

/// Parses and maps FHIR JSON without touching a record (sans-I/O).
/// JSON or XML, told apart by the first character that is not white space.
pub fn plan_reader(reader: impl Read, opts: &FhirImportOptions) -> Result<(SourceBatch, FhirImportReport)> {
    let mut walker = Walker { force: opts.force, ..Default::default() };
    let mut reader = std::io::BufReader::with_capacity(1 << 16, reader);
    if first_significant_byte(&mut reader)? == Some(b'<') {
        let meta_source = xml::walk(reader, &mut walker)?;
        return walker.finish(opts, meta_source);
    }
    let mut de = serde_json::Deserializer::from_reader(reader);
    let top = match Top(&mut walker).deserialize(&mut de).and_then(|t| de.end().map(|_| t)) {
        Ok(t) => t,
        Err(e) => {
            let msg = e.to_string();
            if msg.contains("PHR_WRONG_TYPE") {
                return Err(Error::invalid("FHIR file", "its resourceType is not a FHIR R4 resource type"));
            }
            if msg.contains("PHR_NO_TYPE") {
                return Err(Error::invalid("FHIR file", "it has no resourceType: it is not a FHIR resource or bundle"));
            }
            return Err(json_error(&e));
        }
    };
    walker.finish(opts, top.meta_source)
}

/// Peeks past a byte-order mark and white space (without consuming them, so JSON error
/// positions stay true) at the first byte that says what the file is.
fn first_significant_byte(r: &mut impl std::io::BufRead) -> Result<Option<u8>> {
    let mut at_start = true;
    loop {
        let buf = r.fill_buf().map_err(|e| Error::invalid("FHIR file", format!("it could not be read ({})", e.kind())))?;
        if buf.is_empty() {
            return Ok(None);
        }
        let body = if at_start { buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buf) } else { buf };
        if let Some(&b) = body.iter().find(|b| !b.is_ascii_whitespace()) {
            return Ok(Some(b));
        }
        // A buffer of nothing but white space: nothing to keep for positions.
        let n = buf.len();
        r.consume(n);
        at_start = false;
    }
}

/// Imports FHIR JSON or XML (a resource or a bundle) into `record` in one transaction.
pub fn import_reader(record: &Record, reader: impl Read, opts: &FhirImportOptions) -> Result<FhirImportReport> {
    let (batch, mut report) = plan_reader(reader, opts)?;
    report.outcome = record.reconcile_source(&batch)?;
    Ok(report)
}

pub fn import_bytes(record: &Record, bytes: &[u8], opts: &FhirImportOptions) -> Result<FhirImportReport> {
    import_reader(record, bytes, opts)
}

pub fn import_path(record: &Record, path: &std::path::Path, opts: &FhirImportOptions) -> Result<FhirImportReport> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    import_reader(record, f, opts)
}

/// Where the SMART connection (tokens) is kept, sealed like every setting.
pub const CONNECTION_SETTING: &str = "fhir.connection";

/// Finishes `phr fhir connect`: swaps the code for tokens and keeps the connection.
pub fn save_connection(record: &Record, conn: &smart::Connection) -> Result<()> {
    record.set_setting(CONNECTION_SETTING, conn)
}

/// Pulls the whole record from the connected server and reconciles it (entries the
/// server no longer lists are retired). Tokens are refreshed as needed and kept.
pub fn pull(record: &Record, http: &reqwest::blocking::Client, force: bool) -> Result<(FhirImportReport, smart::PullStats)> {
    pull_with_page_size(record, http, force, 50)
}

/// [`pull`] with a chosen search page size (`_count`).
pub fn pull_with_page_size(record: &Record, http: &reqwest::blocking::Client, force: bool, page_size: u32) -> Result<(FhirImportReport, smart::PullStats)> {
    let mut conn: smart::Connection = record.setting(CONNECTION_SETTING)?.ok_or(Error::NotFound { what: "FHIR connection (run `phr fhir connect URL` first)" })?;
    let fetched = smart::fetch_all(http, &mut conn, page_size.max(1));
    record.set_setting(CONNECTION_SETTING, &conn)?;
    let (bundle, stats) = fetched?;
    let bytes = serde_json::to_vec(&bundle).map_err(|_| Error::invalid("FHIR bundle", "cannot be encoded"))?;
    let opts = FhirImportOptions { system: Some(conn.base.clone()), force, retire_missing: true };
    Ok((import_bytes(record, &bytes, &opts)?, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_have_positions_and_no_content() {
        let e = plan_reader(&b"{\"resourceType\": \"Patient\",\n \"secret\": tru }"[..], &Default::default()).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(!e.contains("secret"), "{e}");
        let e = plan_reader(&b"{\"resourceType\": \"Banana\"}"[..], &Default::default()).unwrap_err().to_string();
        assert!(e.contains("not a FHIR R4 resource type"), "{e}");
        let e = plan_reader(&b"[1,2]"[..], &Default::default()).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn bundle_entries_stream_and_count() {
        let b = br#"{"resourceType":"Bundle","type":"collection","entry":[
            {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Medication","id":"m1","code":{"coding":[{"system":"https://dmd.nhs.uk","code":"39720311000001101","display":"Ramipril 5mg capsules"}]}}},
            {"resource":{"resourceType":"MedicationStatement","id":"s1","status":"active","medicationReference":{"reference":"urn:uuid:1"},"subject":{"reference":"Patient/p"},"dosage":[{"text":"one a day"}]}},
            {"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"effectiveDateTime":"2024-01-02","valueQuantity":{"value":80,"unit":"kg","code":"kg"}}}
        ]}"#;
        let (batch, report) = plan_reader(&b[..], &Default::default()).unwrap();
        assert_eq!(report.resources.get("Bundle"), Some(&1));
        assert_eq!(report.resources.get("Medication"), Some(&1));
        assert_eq!(batch.items.len(), 1);
        assert!(matches!(&batch.items[0].value, EntryValue::Medication { name, .. } if name == "Ramipril 5mg capsules"));
        assert_eq!(batch.samples.len(), 1);
    }
}
