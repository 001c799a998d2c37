// Clinician viewer for SMART Health Links made by phr. Decrypts in the browser with
// WebCrypto (JWE compact, alg dir, enc A256GCM) and renders the FHIR Bundle readably.
// Every value is inserted with textContent: nothing from the record is parsed as HTML.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const state = { payload: null, key: null, passcode: null, recipient: null };

  function b64urlToBytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function bytesToB64url(b) {
    let s = "";
    for (const x of b) s += String.fromCharCode(x);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  const utf8 = new TextEncoder();
  const fromUtf8 = new TextDecoder();

  function status(text, kind) {
    const el = $("status");
    el.textContent = text;
    el.className = "card" + (kind === "error" ? " alert" : "");
    el.dataset.kind = kind || "info";
  }

  function parseLink() {
    const src = decodeURIComponent(location.hash || "");
    const i = src.indexOf("shlink:/");
    if (i < 0) throw new Error("This page opens SMART Health Links. Open it from the link or QR code the patient gave you.");
    const json = JSON.parse(fromUtf8.decode(b64urlToBytes(src.slice(i + 8))));
    if (!json.url || !json.key) throw new Error("The link is incomplete.");
    if (json.v && json.v > 1) throw new Error("This link uses a newer version than this viewer understands.");
    return json;
  }

  async function importKey(b64) {
    return crypto.subtle.importKey("raw", b64urlToBytes(b64), { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  }

  async function decryptJwe(key, jwe) {
    const p = jwe.trim().split(".");
    if (p.length !== 5) throw new Error("not a compact JWE");
    const header = JSON.parse(fromUtf8.decode(b64urlToBytes(p[0])));
    if (header.alg !== "dir" || header.enc !== "A256GCM") throw new Error("unsupported encryption");
    const ct = b64urlToBytes(p[3]), tag = b64urlToBytes(p[4]);
    const both = new Uint8Array(ct.length + tag.length);
    both.set(ct); both.set(tag, ct.length);
    let plain = new Uint8Array(await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: b64urlToBytes(p[2]), additionalData: utf8.encode(p[0]), tagLength: 128 }, key, both));
    if (header.zip === "DEF") {
      const ds = new Blob([plain]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
      plain = new Uint8Array(await new Response(ds).arrayBuffer());
    }
    return plain;
  }

  async function encryptJwe(key, bytes) {
    const header = bytesToB64url(utf8.encode(JSON.stringify({ alg: "dir", enc: "A256GCM", cty: "application/json" })));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const out = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: utf8.encode(header), tagLength: 128 }, key, bytes));
    return [header, "", bytesToB64url(iv), bytesToB64url(out.slice(0, out.length - 16)), bytesToB64url(out.slice(out.length - 16))].join(".");
  }

  const REFUSED = {
    revoked: "This link has been revoked by the patient. The record is no longer available.",
    expired: "This link has expired. Ask the patient for a new one.",
    locked: "This link has been locked after too many wrong passcodes. Ask the patient for a new link.",
    not_found: "This link does not exist or is no longer available.",
  };

  async function open(ev) {
    if (ev) ev.preventDefault();
    const p = state.payload;
    state.recipient = $("recipient").value.trim() || "Clinician";
    state.passcode = p.flag && p.flag.includes("P") ? $("passcode").value : undefined;
    status("Fetching the record…");
    let resp;
    try {
      resp = await fetch(p.url, { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ recipient: state.recipient, passcode: state.passcode }) });
    } catch (e) {
      return status("The record's server could not be reached.", "error");
    }
    const body = await resp.json().catch(() => ({}));
    if (resp.status === 401) {
      const left = body.remainingAttempts;
      status((body.error === "passcode_required" ? "Enter the passcode." : "Wrong passcode.") +
        (left !== undefined ? ` ${left} attempt${left === 1 ? "" : "s"} left.` : ""), "error");
      $("passcode").value = "";
      return;
    }
    if (resp.status === 429) {
      // Too many wrong passcodes from this address: it waits; the link itself stays open.
      const mins = Math.max(1, Math.ceil((body.retryAfter || 60) / 60));
      return status(`Too many wrong passcodes. Try again in ${mins} minute${mins === 1 ? "" : "s"}.`, "error");
    }
    if (resp.status === 404) {
      $("unlock").classList.add("hidden");
      return status(REFUSED[body.error] || REFUSED.not_found, "error");
    }
    if (!resp.ok) return status("The server answered " + resp.status + ".", "error");
    try {
      const docs = [];
      for (const f of body.files || []) {
        let jwe = f.embedded;
        if (!jwe && f.location) jwe = await (await fetch(f.location)).text();
        if (!jwe) continue;
        const plain = await decryptJwe(state.key, jwe);
        if ((f.contentType || "").includes("fhir")) docs.push(JSON.parse(fromUtf8.decode(plain)));
      }
      $("unlock").classList.add("hidden");
      render(docs);
    } catch (e) {
      status("The record could not be decrypted: the link may be damaged or altered.", "error");
    }
  }

  const text = (cc) => cc ? (cc.text || (cc.coding && cc.coding[0] && (cc.coding[0].display || cc.coding[0].code)) || "") : "";
  const narrative = (r) => {
    if (!r || !r.text || !r.text.div) return "";
    const d = new DOMParser().parseFromString(r.text.div, "text/html"); // inert document: scripts never run
    return (d.body.textContent || "").trim();
  };

  function describe(r) {
    switch (r.resourceType) {
      case "AllergyIntolerance": {
        const reaction = r.reaction && r.reaction[0] && r.reaction[0].manifestation ? r.reaction[0].manifestation.map(text).join(", ") : "";
        return { main: text(r.code), detail: [reaction && "reaction: " + reaction, r.reaction && r.reaction[0] && r.reaction[0].severity, r.type].filter(Boolean).join(" · "), crit: r.criticality === "high" };
      }
      case "MedicationStatement": case "MedicationRequest":
        return { main: text(r.medicationCodeableConcept) || (r.medicationReference && r.medicationReference.display) || narrative(r),
          detail: [r.dosage && r.dosage[0] && r.dosage[0].text, r.dosage && r.dosage[0] && text(r.dosage[0].route), r.dosage && r.dosage[0] && r.dosage[0].timing && text(r.dosage[0].timing.code),
            r.dosageInstruction && r.dosageInstruction[0] && r.dosageInstruction[0].text, r.status].filter(Boolean).join(" · ") };
      case "Condition":
        return { main: text(r.code), detail: [text(r.clinicalStatus), r.onsetDateTime && "since " + r.onsetDateTime.slice(0, 10)].filter(Boolean).join(" · ") };
      case "Procedure":
        return { main: text(r.code), detail: (r.performedDateTime || "").slice(0, 10) };
      case "Immunization":
        return { main: text(r.vaccineCode), detail: (r.occurrenceDateTime || "").slice(0, 10) };
      case "Observation": {
        const v = r.valueQuantity ? r.valueQuantity.value + " " + (r.valueQuantity.unit || "") : (r.valueString || text(r.valueCodeableConcept));
        const when = r.effectiveDateTime || (r.effectivePeriod && r.effectivePeriod.start) || "";
        const parts = (r.component || []).filter((c) => c.valueQuantity).map((c) => c.valueQuantity.value);
        const bp = !v && parts.length === 2 ? parts.join("/") + " mmHg" : "";
        return { main: r.valueString ? v : text(r.code) + (v || bp ? ": " + (v || bp) : ""), detail: when.slice(0, 10) };
      }
      case "Patient": {
        const n = r.name && r.name[0];
        return { main: n ? (n.text || [(n.given || []).join(" "), n.family].join(" ")) : "Patient", detail: r.birthDate ? "born " + r.birthDate : "" };
      }
      default:
        return { main: narrative(r) || r.resourceType, detail: "" };
    }
  }

  function card(title, cls) {
    const c = document.createElement("section");
    c.className = "card" + (cls ? " " + cls : "");
    const h = document.createElement("h2");
    h.textContent = title;
    c.appendChild(h);
    $("content").appendChild(c);
    return c;
  }

  function list(c, resources) {
    const ul = document.createElement("ul");
    for (const r of resources) {
      const d = describe(r);
      const li = document.createElement("li");
      li.textContent = d.main || "(no description)";
      if (d.crit) { const b = document.createElement("span"); b.className = "badge crit"; b.textContent = "high risk"; li.appendChild(b); }
      if (d.detail) { const m = document.createElement("div"); m.className = "meta"; m.textContent = d.detail; li.appendChild(m); }
      ul.appendChild(li);
    }
    c.appendChild(ul);
  }

  // A small line chart for numeric observations (weight, blood pressure...).
  function chart(c, obs) {
    const when = (o) => o.effectiveDateTime || (o.effectivePeriod && o.effectivePeriod.start);
    // One line, one measure: the one with the most values (weight, not height, in "Weight").
    const counts = new Map();
    for (const o of obs) if (o.valueQuantity) counts.set(text(o.code), (counts.get(text(o.code)) || 0) + 1);
    const main = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    const pts = obs.filter((o) => o.valueQuantity && when(o) && main && text(o.code) === main[0])
      .map((o) => [Date.parse(when(o)), Number(o.valueQuantity.value)]).filter((p) => isFinite(p[0]) && isFinite(p[1]))
      .sort((a, b) => a[0] - b[0]);
    if (pts.length < 2) return;
    const W = 320, H = 80, xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
    const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
    const sx = (x) => 4 + (W - 8) * (x - x0) / ((x1 - x0) || 1), sy = (y) => H - 4 - (H - 8) * (y - y0) / ((y1 - y0) || 1);
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`); svg.setAttribute("width", W); svg.setAttribute("height", H);
    const pl = document.createElementNS(ns, "polyline");
    pl.setAttribute("points", pts.map((p) => sx(p[0]).toFixed(1) + "," + sy(p[1]).toFixed(1)).join(" "));
    pl.setAttribute("fill", "none"); pl.setAttribute("stroke", "#005eb8"); pl.setAttribute("stroke-width", "2");
    svg.appendChild(pl);
    c.appendChild(svg);
  }

  const ORDER = ["AllergyIntolerance", "MedicationStatement", "MedicationRequest", "Condition", "Procedure", "Immunization", "Observation"];
  const TYPE_TITLE = { AllergyIntolerance: "Allergies and intolerances", MedicationStatement: "Medications", MedicationRequest: "Medications",
    Condition: "Diagnoses and conditions", Procedure: "Operations and procedures", Immunization: "Vaccinations", Observation: "Measurements and results" };

  function render(docs) {
    $("content").textContent = "";
    let shown = 0, advice = false;
    for (const b of docs) {
      const byUrl = new Map();
      for (const e of b.entry || []) if (e.resource) byUrl.set(e.fullUrl, e.resource);
      const comp = b.entry && b.entry[0] && b.entry[0].resource && b.entry[0].resource.resourceType === "Composition" ? b.entry[0].resource : null;
      if (comp) {
        $("title").textContent = comp.title || "Shared health record";
        for (const s of comp.section || []) {
          const code = s.code && s.code.text;
          if (code === "not_shared") { $("not-shared").classList.remove("hidden"); continue; }
          if (code === "advice_request") {
            const c = card(s.title || "Question from the patient", "question");
            const p = document.createElement("p"); p.textContent = narrative(s); c.appendChild(p);
            advice = true; continue;
          }
          const c = card(s.title || "Section");
          c.dataset.section = code || "";
          const rs = (s.entry || []).map((r) => byUrl.get(r.reference)).filter(Boolean);
          if (rs.length === 0) { const p = document.createElement("p"); p.className = "meta"; p.textContent = narrative(s) || "Nothing recorded."; c.appendChild(p); }
          else { list(c, rs); chart(c, rs.filter((r) => r.resourceType === "Observation")); }
          shown++;
        }
      } else {
        const groups = new Map();
        for (const r of byUrl.values()) { if (!groups.has(r.resourceType)) groups.set(r.resourceType, []); groups.get(r.resourceType).push(r); }
        const types = [...groups.keys()].sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
        for (const t of types) { const c = card(TYPE_TITLE[t] || t); list(c, groups.get(t)); shown++; }
      }
    }
    status(shown ? "Record decrypted: " + shown + " section" + (shown === 1 ? "" : "s") + " shared with you." : "Nothing was shared.", "ok");
    if (advice) $("reply").classList.remove("hidden");
  }

  async function sendReply(ev) {
    ev.preventDefault();
    const t = $("reply-text").value.trim();
    if (!t) return;
    const jwe = await encryptJwe(state.key, utf8.encode(JSON.stringify({ from: state.recipient, text: t })));
    const resp = await fetch(state.payload.url + "/reply", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ recipient: state.recipient, passcode: state.passcode, jwe }) });
    $("reply-status").textContent = resp.ok ? "Reply sent, encrypted for the patient." : "The reply could not be sent (" + resp.status + ").";
  }

  async function start() {
    try {
      state.payload = parseLink();
      state.key = await importKey(state.payload.key);
    } catch (e) {
      return status(e.message || "This link cannot be read.", "error");
    }
    const p = state.payload;
    $("label").textContent = p.label || "Opened from a SMART Health Link";
    if (p.exp && p.exp * 1000 < Date.now()) return status(REFUSED.expired, "error");
    $("unlock").classList.remove("hidden");
    $("unlock").addEventListener("submit", open);
    $("reply").addEventListener("submit", sendReply);
    if (p.flag && p.flag.includes("P")) {
      $("passcode-row").classList.remove("hidden");
      status("This record is protected by a passcode.");
    } else {
      status("Ready to open.");
    }
  }
  start();
})();
