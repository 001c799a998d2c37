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

  // Where an item came from (GP record, a device, the patient), as the share tags it.
  const origin = (r) => {
    const t = r.meta && (r.meta.tag || []).find((x) => x.system === "urn:phr:origin");
    return t ? t.display || t.code : "";
  };

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
      const o = origin(r);
      if (o) { const m = document.createElement("div"); m.className = "origin"; m.textContent = o; li.appendChild(m); }
      ul.appendChild(li);
    }
    c.appendChild(ul);
  }

  const ORDER = ["AllergyIntolerance", "MedicationStatement", "MedicationRequest", "Condition", "Procedure", "Immunization", "Observation"];
  const TYPE_TITLE = { AllergyIntolerance: "Allergies and intolerances", MedicationStatement: "Medications", MedicationRequest: "Medications",
    Condition: "Diagnoses and conditions", Procedure: "Operations and procedures", Immunization: "Vaccinations", Observation: "Measurements and results" };

  // Daily values (weight, blood pressure, fitness...) are drawn under Trends, not listed.
  const isDaily = (r) => r.resourceType === "Observation" && r.effectivePeriod && (r.valueQuantity || r.component) && !r.valueCodeableConcept;
  function dailyNote(c, daily) {
    if (!daily.length) return;
    const p = document.createElement("p"); p.className = "meta";
    p.textContent = daily.length + " daily value" + (daily.length === 1 ? "" : "s") + " (see Trends).";
    c.appendChild(p);
  }

  const LOINC = (r) => r.code && r.code.coding && r.code.coding[0] && r.code.coding[0].system === "http://loinc.org" ? r.code.coding[0].code : "";
  const when = (o) => o.effectiveDateTime || (o.effectivePeriod && o.effectivePeriod.start) || (o.period && o.period.start) || "";
  const NS = "http://www.w3.org/2000/svg";
  function el(name, attrs, parent) {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  // One trend: an inline SVG line chart (role img, titled) with a table of the same values.
  let chartNo = 0;
  function trend(title, unit, series, opts) {
    const pts = series.flatMap((s) => s.pts);
    if (pts.length < 2) return;
    const W = 760, H = 220, L = 48, R = 12, T = 12, B = 28;
    const xs = pts.map((p) => p[0]);
    let ys = pts.map((p) => p[1]).concat(opts.lines ? opts.lines.map((l) => l.y) : []);
    const x0 = Math.min(...xs), x1 = Math.max(...xs);
    let y0 = Math.min(...ys), y1 = Math.max(...ys);
    const pad = (y1 - y0) * 0.1 || 1; y0 -= pad; y1 += pad;
    const sx = (x) => L + (W - L - R) * (x - x0) / ((x1 - x0) || 1), sy = (y) => H - B - (H - T - B) * (y - y0) / ((y1 - y0) || 1);
    const id = "chart-" + (++chartNo);
    const fig = document.createElement("figure");
    const cap = document.createElement("figcaption"); cap.id = id + "-t"; cap.textContent = title + " (" + unit + ")"; fig.appendChild(cap);
    const first = series[0].pts[0], last = series[0].pts[series[0].pts.length - 1];
    const desc = title + ": " + series.map((s) => s.name + " from " + s.pts[0][1] + " to " + s.pts[s.pts.length - 1][1]).join("; ") +
      ", " + new Date(first[0]).toISOString().slice(0, 10) + " to " + new Date(last[0]).toISOString().slice(0, 10) + ".";
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-labelledby": id + "-t " + id + "-d" });
    el("desc", { id: id + "-d" }, svg).textContent = desc;
    el("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#888" }, svg);
    el("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#888" }, svg);
    for (const y of [y0 + pad, y1 - pad]) {
      el("text", { x: L - 4, y: sy(y) + 4, "text-anchor": "end", "font-size": 11, fill: "#333" }, svg).textContent = String(Math.round(y * 10) / 10);
    }
    for (const x of [x0, x1]) {
      el("text", { x: sx(x), y: H - 8, "text-anchor": x === x0 ? "start" : "end", "font-size": 11, fill: "#333" }, svg).textContent = new Date(x).toISOString().slice(0, 10);
    }
    for (const l of opts.lines || []) {
      el("line", { x1: L, y1: sy(l.y), x2: W - R, y2: sy(l.y), stroke: "#8a1c1c", "stroke-dasharray": "5 4" }, svg);
      el("text", { x: W - R - 2, y: sy(l.y) - 3, "text-anchor": "end", "font-size": 11, fill: "#8a1c1c" }, svg).textContent = l.label;
    }
    for (const ev of opts.events || []) {
      if (ev.at < x0 || ev.at > x1) continue;
      const g = el("g", {}, svg);
      el("title", {}, g).textContent = ev.label + " (" + new Date(ev.at).toISOString().slice(0, 10) + ")";
      el("line", { x1: sx(ev.at), y1: T, x2: sx(ev.at), y2: H - B, stroke: "#b58900", "stroke-width": 1.5 }, g);
      el("text", { x: sx(ev.at) + 3, y: T + 10, "font-size": 11, fill: "#7a5c00" }, g).textContent = ev.label;
    }
    const colours = ["#005eb8", "#007f3b", "#8a1c1c"];
    series.forEach((s, i) => {
      el("polyline", { points: s.pts.map((p) => sx(p[0]).toFixed(1) + "," + sy(p[1]).toFixed(1)).join(" "), fill: "none", stroke: colours[i % 3], "stroke-width": 2 }, svg);
    });
    fig.appendChild(svg);
    const det = document.createElement("details");
    const sum = document.createElement("summary"); sum.textContent = "Table of " + title.toLowerCase() + " values"; det.appendChild(sum);
    const tbl = document.createElement("table");
    const cap2 = document.createElement("caption"); cap2.textContent = title + " (" + unit + ")"; tbl.appendChild(cap2);
    const hr = tbl.insertRow(); for (const h of ["Date"].concat(series.map((s) => s.name))) { const th = document.createElement("th"); th.scope = "col"; th.textContent = h; hr.appendChild(th); }
    series[0].pts.forEach((p, i) => {
      const row = tbl.insertRow();
      row.insertCell().textContent = new Date(p[0]).toISOString().slice(0, 10);
      for (const s of series) row.insertCell().textContent = s.pts[i] ? String(s.pts[i][1]) : "";
    });
    det.appendChild(tbl); fig.appendChild(det);
    $("charts").appendChild(fig);
    return true;
  }

  function trends(all) {
    $("charts").textContent = "";
    const obs = all.map((x) => x[1]).filter((r) => r.resourceType === "Observation" && when(r));
    const events = all.filter(([code, r]) => code === "life_events" && when(r))
      .map(([, r]) => ({ at: Date.parse(when(r)), label: (r.valueString || narrative(r) || "event").replace(/^\d{4}-\d{2}-\d{2}:?\s*/, "").slice(0, 40) }));
    const byCode = (c) => obs.filter((o) => LOINC(o) === c && o.valueQuantity)
      .map((o) => [Date.parse(when(o)), Number(o.valueQuantity.value)]).filter((p) => isFinite(p[0]) && isFinite(p[1])).sort((a, b) => a[0] - b[0])
      // Two shared sections may carry the same daily value (resting heart rate): once a day.
      .filter((p, i, a) => i === 0 || p[0] !== a[i - 1][0]);
    let n = 0;
    if (trend("Weight", "kg", [{ name: "Weight", pts: byCode("29463-7") }], { events })) n++;
    const bp = obs.filter((o) => LOINC(o) === "85354-9" && o.component).sort((a, b) => Date.parse(when(a)) - Date.parse(when(b)));
    const comp = (o, c) => { const x = o.component.find((k) => k.code.coding && k.code.coding[0].code === c); return x && x.valueQuantity ? Number(x.valueQuantity.value) : NaN; };
    if (trend("Blood pressure", "mmHg", [
      { name: "Systolic", pts: bp.map((o) => [Date.parse(when(o)), comp(o, "8480-6")]) },
      { name: "Diastolic", pts: bp.map((o) => [Date.parse(when(o)), comp(o, "8462-4")]) },
    ], { events, lines: [{ y: 140, label: "NICE clinic threshold 140 systolic" }, { y: 90, label: "90 diastolic" }] })) n++;
    if (trend("VO2max", "mL/min/kg", [{ name: "VO2max", pts: byCode("60842-2") }], { events })) n++;
    if (trend("Resting heart rate", "beats/min", [{ name: "Resting heart rate", pts: byCode("40443-4") }], { events })) n++;
    if (trend("Heart rate variability", "ms", [{ name: "HRV", pts: byCode("80404-7") }], { events })) n++;
    if (n) $("trends").classList.remove("hidden");
  }

  // The one-screen summary: allergies, current medications, conditions, the question,
  // and what changed since the last share.
  function summary(all, question, changes) {
    const grid = $("summary-grid");
    grid.textContent = "";
    const box = (title, items, empty) => {
      const d = document.createElement("div");
      const h = document.createElement("h3"); h.textContent = title; d.appendChild(h);
      if (items.length) list(d, items); else { const p = document.createElement("p"); p.className = "meta"; p.textContent = empty; d.appendChild(p); }
      grid.appendChild(d);
    };
    if (question) {
      const d = document.createElement("div");
      const h = document.createElement("h3"); h.textContent = "The patient asks"; d.appendChild(h);
      const p = document.createElement("p"); p.textContent = question; d.appendChild(p);
      grid.appendChild(d);
    }
    const of = (code, type) => all.filter(([c, r]) => c === code && (!type || r.resourceType === type)).map((x) => x[1]);
    const shared = new Set(all.map((x) => x[0]));
    if (shared.has("allergies")) box("Allergies", of("allergies"), "No allergies recorded.");
    if (shared.has("medications")) box("Current medications", of("medications").filter((r) => !["stopped", "completed", "entered-in-error"].includes(r.status)), "No current medications.");
    if (shared.has("conditions")) box("Conditions", of("conditions"), "No conditions recorded.");
    if (changes) {
      if (changes.items.length) box(changes.title, changes.items, "");
      else box(changes.title, [], changes.note);
    }
    if (grid.childElementCount) $("summary").classList.remove("hidden");
  }

  // The patient's one answer to a reply: a Communication published with the link, quoting
  // the reply it answers (a contained Communication). Once answered, the exchange is shown
  // in place of the reply box.
  function exchange(answer) {
    const says = (c) => (c && c.payload && c.payload[0] && c.payload[0].contentString) || "";
    const when = (c) => (c && c.sent ? new Date(c.sent).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" }) : "");
    const ref = (answer.inResponseTo && answer.inResponseTo[0] && answer.inResponseTo[0].reference || "").replace(/^#/, "");
    const reply = (answer.contained || []).find((c) => c.id === ref);
    const from = reply && reply.sender && reply.sender.display;
    $("your-reply-h").textContent = "Your reply" + (from ? ", as " + from : "") + (reply ? ", on " + when(reply) : "");
    $("your-reply").textContent = says(reply);
    $("patient-answer-h").textContent = "The patient's answer, on " + when(answer);
    $("patient-answer").textContent = says(answer);
    $("exchange").classList.remove("hidden");
    $("reply-text").classList.add("hidden");
    $("send-reply").classList.add("hidden");
    $("reply-status").textContent = "The patient has answered. This conversation is complete.";
  }

  function render(docs) {
    $("content").textContent = "";
    let shown = 0, advice = false, question = "", changes = null;
    const all = [];
    const answer = docs.find((d) => d.resourceType === "Communication");
    for (const b of docs.filter((d) => d.resourceType !== "Communication")) {
      const byUrl = new Map();
      for (const e of b.entry || []) if (e.resource) byUrl.set(e.fullUrl, e.resource);
      const comp = b.entry && b.entry[0] && b.entry[0].resource && b.entry[0].resource.resourceType === "Composition" ? b.entry[0].resource : null;
      if (comp) {
        $("title").textContent = comp.title || "Shared health record";
        for (const s of comp.section || []) {
          const code = s.code && s.code.text;
          if (code === "not_shared") { $("not-shared").classList.remove("hidden"); continue; }
          if (code === "advice_request") {
            question = narrative(s);
            $("reply-question").textContent = question;
            advice = true; continue;
          }
          if (code === "changes") {
            changes = { title: s.title || "Changed since the last share", items: (s.entry || []).map((r) => byUrl.get(r.reference)).filter(Boolean), note: narrative(s) };
            continue;
          }
          const c = card(s.title || "Section");
          c.dataset.section = code || "";
          const rs = (s.entry || []).map((r) => byUrl.get(r.reference)).filter(Boolean);
          if (rs.length === 0) { const p = document.createElement("p"); p.className = "meta"; p.textContent = narrative(s) || "Nothing recorded."; c.appendChild(p); }
          else if (code === "changes") list(c, rs);
          else { list(c, rs.filter((r) => !isDaily(r))); dailyNote(c, rs.filter(isDaily)); }
          for (const r of rs) all.push([code, r]);
          shown++;
        }
      } else {
        const groups = new Map();
        for (const r of byUrl.values()) { if (!groups.has(r.resourceType)) groups.set(r.resourceType, []); groups.get(r.resourceType).push(r); }
        const types = [...groups.keys()].sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
        for (const t of types) { const c = card(TYPE_TITLE[t] || t); list(c, groups.get(t)); shown++; }
      }
    }
    const h = document.createElement("h2"); h.textContent = "Everything shared"; h.id = "content-h";
    $("content").prepend(h);
    $("content").setAttribute("role", "region"); $("content").setAttribute("aria-labelledby", "content-h");
    summary(all, question, changes);
    trends(all);
    $("views").classList.remove("hidden");
    status(shown ? "Record decrypted: " + shown + " section" + (shown === 1 ? "" : "s") + " shared with you." : "Nothing was shared.", "ok");
    if (advice) { $("reply").classList.remove("hidden"); $("reply-link").classList.remove("hidden"); }
    if (advice && answer) exchange(answer);
    $("main").focus();
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
