// Drives Debian's Chromium against the viewer served by a running relay.
//   node viewer.mjs open URL PASSCODE OUTDIR     wrong passcode, then the right one; checks content; screenshot
//   node viewer.mjs revoked URL PASSCODE OUTDIR  the page must say the link was revoked
//   node viewer.mjs reply URL - OUTDIR           the clinician sends $REPLY_TEXT
//   node viewer.mjs answered URL - OUTDIR        opened again: $REPLY_TEXT with the patient's
//                                                $ANSWER_TEXT under it, no reply box
//   node viewer.mjs jose URL PASSCODE OUTDIR     decrypt the core's JWE with npm jose; write a jose-made vector
//   node viewer.mjs clinic URL - OUTDIR          summary, trends, reply box, keyboard; screenshots to
//                                                $SCREENS; the printed PDF to OUTDIR/viewer.pdf
import { chromium } from "playwright-core";
import * as jose from "jose";
import fs from "node:fs";
import path from "node:path";
import { writeJoseVector } from "./jose-vector.mjs";

const [mode, url, passcode, outdir] = process.argv.slice(2);
fs.mkdirSync(outdir, { recursive: true });
const fail = (msg) => { console.error("FAIL: " + msg); process.exit(1); };

function payloadOf(viewerUrl) {
  const b64 = viewerUrl.split("shlink:/")[1];
  return JSON.parse(Buffer.from(b64, "base64url").toString("utf8"));
}

if (mode === "jose") {
  const p = payloadOf(url);
  const resp = await fetch(p.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ recipient: "jose interop", passcode }) });
  if (resp.status !== 200) fail("manifest status " + resp.status);
  const m = await resp.json();
  const key = Buffer.from(p.key, "base64url");
  const { plaintext, protectedHeader } = await jose.compactDecrypt(m.files[0].embedded, key);
  if (protectedHeader.alg !== "dir" || protectedHeader.enc !== "A256GCM") fail("header " + JSON.stringify(protectedHeader));
  const bundle = JSON.parse(new TextDecoder().decode(plaintext));
  if (bundle.resourceType !== "Bundle") fail("not a Bundle");
  console.log("jose decrypted the core's JWE: Bundle with " + bundle.entry.length + " entries");
  // And one made by jose, for the core to decrypt (core/tests/share_links.rs jose_interop_vector).
  await writeJoseVector(path.join(outdir, "jose-vector.json"));
  process.exit(0);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
const external = [];
page.on("request", (r) => { if (!r.url().startsWith(new URL(url).origin)) external.push(r.url()); });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
await page.goto(url);
await page.waitForSelector("#status");

if (mode === "open") {
  await page.waitForFunction(() => !document.getElementById("unlock").classList.contains("hidden"));
  await page.fill("#recipient", "Dr Ada Okafor, GP");
  if (passcode !== "-") {
    await page.waitForFunction(() => !document.getElementById("passcode-row").classList.contains("hidden"));
    await page.fill("#passcode", "wrong-" + passcode);
    await page.click("#open");
    await page.waitForFunction(() => /Wrong passcode/.test(document.getElementById("status").textContent));
    const wrong = await page.textContent("#status");
    if (!/4 attempts left/.test(wrong)) fail("wrong-passcode message: " + wrong);
    console.log("wrong passcode: " + wrong);
    await page.fill("#passcode", passcode);
  }
  await page.click("#open");
  await page.waitForFunction(() => /Record decrypted/.test(document.getElementById("status").textContent), null, { timeout: 15000 });
  const body = await page.textContent("#content");
  for (const want of ["Ramipril", "Penicillin", "Type 2 diabetes"]) if (!body.includes(want)) fail("missing " + want);
  if (body.indexOf("Penicillin") > body.indexOf("Ramipril") || body.indexOf("Ramipril") > body.indexOf("Type 2 diabetes")) fail("order: allergies, medications, then conditions");
  const notShared = await page.isVisible("#not-shared");
  console.log("content ok; 'some sections were not shared' visible: " + notShared);
  if (process.env.EXPECT_NOT_SHARED === "1" && !notShared) fail("expected the not-shared notice");
  for (const absent of (process.env.EXPECT_ABSENT || "").split(",").filter(Boolean)) if (body.includes(absent)) fail("must not show " + absent);
  for (const present of (process.env.EXPECT_PRESENT || "").split(",").filter(Boolean)) if (!body.includes(present)) fail("missing " + present);
  await page.screenshot({ path: path.join(outdir, process.env.SHOT || "viewer.png"), fullPage: true });
} else if (mode === "clinic") {
  await page.waitForFunction(() => !document.getElementById("unlock").classList.contains("hidden"));
  await page.fill("#recipient", "Dr Ada Okafor, GP");
  await page.click("#open");
  await page.waitForFunction(() => /Record decrypted/.test(document.getElementById("status").textContent), null, { timeout: 20000 });
  // The one-screen summary comes first: the question, allergies, medications, conditions, what changed.
  const summary = await page.textContent("#summary");
  for (const want of (process.env.EXPECT_SUMMARY || "").split(",").filter(Boolean)) if (!summary.includes(want)) fail("summary lacks " + want);
  const order = await page.evaluate(() => [...document.querySelectorAll("main > *:not(.hidden)")].map((e) => e.id).filter(Boolean));
  if (order.indexOf("summary") > order.indexOf("trends") || order.indexOf("trends") > order.indexOf("content")) fail("order " + order);
  if (!/Changed since the last share/.test(summary)) fail("no 'what changed since the last share'");
  // Provenance beside each item.
  if (!/Entered by the owner|From the GP record|Imported from a device/.test(await page.textContent("#content"))) fail("no provenance shown");
  // Trends: inline SVG charts, titled for screen readers, each with a table of its values.
  const charts = await page.$$eval("#charts figure", (fs) => fs.map((f) => ({ t: f.querySelector("figcaption").textContent,
    img: f.querySelector("svg").getAttribute("role"), rows: f.querySelectorAll("table tr").length, svg: f.querySelector("svg").textContent })));
  console.log("trends: " + charts.map((c) => c.t + " [" + (c.rows - 1) + " values]").join(", "));
  for (const want of (process.env.EXPECT_TRENDS || "").split(",").filter(Boolean)) if (!charts.some((c) => c.t.startsWith(want))) fail("no trend " + want);
  const bp = charts.find((c) => c.t.startsWith("Blood pressure"));
  if (bp && !/NICE clinic threshold 140/.test(bp.svg)) fail("blood pressure chart lacks the NICE threshold");
  if (charts.some((c) => c.img !== "img" || c.rows < 3)) fail("a chart without role=img or a table fallback");
  if (process.env.EXPECT_EVENT && !charts.some((c) => c.svg.includes(process.env.EXPECT_EVENT))) fail("no life event marked: " + process.env.EXPECT_EVENT);
  // The reply box shows what was asked.
  const asked = await page.textContent("#reply-question");
  if (process.env.EXPECT_QUESTION && asked !== process.env.EXPECT_QUESTION) fail("reply box question: " + asked);
  // Landmarks and keyboard: one main, a banner, a skip link that is the first stop.
  const marks = await page.evaluate(() => ({ main: document.querySelectorAll("main").length, banner: !!document.querySelector("[role=banner]"),
    h1: document.querySelectorAll("h1").length }));
  if (marks.main !== 1 || !marks.banner || marks.h1 !== 1) fail("landmarks " + JSON.stringify(marks));
  // After decrypting, focus is on the record (main); Tab reaches the views nav, and the
  // first focusable element of the page is the skip link.
  await page.keyboard.press("Tab");
  const next = await page.evaluate(() => document.activeElement.textContent);
  if (next !== "Summary") fail("first tab stop after opening: " + next);
  const first = await page.evaluate(() => document.querySelector("a[href], button, input, textarea, summary").textContent);
  if (!/Skip to the record/.test(first)) fail("first focusable element: " + first);
  const shots = process.env.SCREENS || outdir;
  fs.mkdirSync(shots, { recursive: true });
  await page.locator("#summary").screenshot({ path: path.join(shots, "summary.png") });
  await page.locator("#trends").screenshot({ path: path.join(shots, "trends.png") });
  await page.emulateMedia({ media: "print" });
  await page.pdf({ path: path.join(outdir, "viewer.pdf"), format: "A4", printBackground: false });
  console.log("clinic view ok: screenshots in " + shots + ", PDF " + path.join(outdir, "viewer.pdf"));
} else if (mode === "reply" || mode === "answered") {
  // reply: the clinician sends REPLY_TEXT; answered: opening again shows that reply with
  // the patient's ANSWER_TEXT under it, and no reply box any more.
  await page.waitForFunction(() => !document.getElementById("unlock").classList.contains("hidden"));
  await page.fill("#recipient", "Dr Ada Okafor, GP");
  await page.click("#open");
  await page.waitForFunction(() => /Record decrypted/.test(document.getElementById("status").textContent), null, { timeout: 20000 });
  if (mode === "reply") {
    if (await page.isVisible("#exchange")) fail("an answer is shown before anyone replied");
    await page.fill("#reply-text", process.env.REPLY_TEXT);
    await page.click("#send-reply");
    await page.waitForFunction(() => /Reply sent/.test(document.getElementById("reply-status").textContent), null, { timeout: 15000 });
    console.log("reply sent");
  } else {
    await page.waitForSelector("#exchange", { state: "visible", timeout: 15000 });
    const mine = await page.textContent("#your-reply");
    const answer = await page.textContent("#patient-answer");
    if (mine !== process.env.REPLY_TEXT) fail("the clinician's own reply: " + mine);
    if (answer !== process.env.ANSWER_TEXT) fail("the patient's answer: " + answer);
    if (await page.isVisible("#reply-text")) fail("the reply box is still offered after the answer");
    const shots = process.env.SCREENS || outdir;
    fs.mkdirSync(shots, { recursive: true });
    await page.locator("#reply").screenshot({ path: path.join(shots, "answered.png") });
    console.log("answer shown under the reply: " + answer);
  }
} else if (mode === "revoked") {
  await page.waitForFunction(() => !document.getElementById("unlock").classList.contains("hidden"));
  if (passcode && passcode !== "-") await page.fill("#passcode", passcode);
  await page.click("#open");
  await page.waitForFunction(() => /revoked/i.test(document.getElementById("status").textContent), null, { timeout: 15000 });
  console.log("revoked: " + (await page.textContent("#status")));
  await page.screenshot({ path: path.join(outdir, "viewer-revoked.png"), fullPage: true });
} else {
  fail("unknown mode " + mode);
}
if (errors.length) fail("page errors: " + errors.join("; "));
if (external.length) fail("the page contacted other origins: " + external.join(", "));
await browser.close();
