// Drives Debian's Chromium against the viewer served by a running relay.
//   node viewer.mjs open URL PASSCODE OUTDIR     wrong passcode, then the right one; checks content; screenshot
//   node viewer.mjs revoked URL PASSCODE OUTDIR  the page must say the link was revoked
//   node viewer.mjs jose URL PASSCODE OUTDIR     decrypt the core's JWE with npm jose; write a jose-made vector
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
