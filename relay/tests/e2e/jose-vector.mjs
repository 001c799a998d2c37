// Writes a JWE made by npm `jose` (dir + A256GCM, a random key) with its key and plaintext,
// for the core to decrypt (core/tests/share_links.rs jose_interop_vector).
//   node jose-vector.mjs OUTFILE
import * as jose from "jose";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

export async function writeJoseVector(file) {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const text = "made by npm jose: Ramipril 5 mg é ✓";
  const jwe = await new jose.CompactEncrypt(new TextEncoder().encode(text))
    .setProtectedHeader({ alg: "dir", enc: "A256GCM", cty: "text/plain" })
    .encrypt(key);
  fs.writeFileSync(file, JSON.stringify({ key: Buffer.from(key).toString("base64url"), jwe, plaintext: text }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeJoseVector(process.argv[2]);
}
