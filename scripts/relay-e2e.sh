#!/usr/bin/env bash
# End to end: the phr CLI shares sections through a running phr-relay on 127.0.0.1; Debian's
# Chromium (driven by playwright-core) opens the link, gets a wrong passcode refused, then
# decrypts and shows the record; the owner revokes and the page says so; the owner pulls
# the access log into the audit log; a clinician's reply is answered once and the page shows it. Also JWE interop both ways with npm `jose`, and a
# sentinel scan of the relay's storage. Needs: chromium, node/npm (scripts/test-all.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
e2e=$root/relay/tests/e2e
work=$(mktemp -d "${TMPDIR:-/tmp}/phr-relay-e2e.XXXXXX")
out=${PHR_E2E_OUT:-$work/out}
mkdir -p "$out"
relay_pid=
cleanup() { [ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# The workspace, as the test stage built it (a subset of packages unifies features anew and
# recompiles shared dependencies).
cargo build -q --workspace
# Copy the binaries: other builds in a shared target folder must not swap them mid-test.
mkdir -p "$work/bin"
cp "${CARGO_TARGET_DIR:-$root/target}/debug/phr" "${CARGO_TARGET_DIR:-$root/target}/debug/phr-relay" "$work/bin/"
bin=$work/bin
[ -d "$e2e/node_modules/playwright-core" ] && [ -d "$e2e/node_modules/jose" ] || (cd "$e2e" && npm install --no-audit --no-fund --silent)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
relay=http://127.0.0.1:$port
"$bin/phr-relay" serve --listen "127.0.0.1:$port" --db "$work/relay.sqlite" 2>"$work/relay.log" &
relay_pid=$!
for _ in $(seq 1 100); do curl -fsS "$relay/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

export PHR_HOME=$work/home PHR_PASSPHRASE="e2e passphrase" PHR_RELAY=$relay
phr() { "$bin/phr" "$@"; }
phr init >/dev/null
phr add medications name=Ramipril dose="5 mg" frequency="once daily" >/dev/null
phr add allergies substance=Penicillin severity=severe kind=allergy reaction=rash >/dev/null
phr add conditions name="Type 2 diabetes" status=active >/dev/null
phr add conditions name="Depression" status=active >/dev/null

echo "-- share with a GP, passcode protected"
share=$(PHR_SHARE_PASSCODE=4417 phr --json share create --to "Dr Ada Okafor" --role GP --category health_professional \
  --sections allergies,medications,conditions --purpose "medication review" --expires 1d --passcode --qr "$out/share-qr.png")
url=$(echo "$share" | python3 -c 'import json,sys; print(json.load(sys.stdin)["viewer_url"])')
grant=$(echo "$share" | python3 -c 'import json,sys; print(json.load(sys.stdin)["grant_id"])')
test -s "$out/share-qr.png" && test -s "$out/share-qr.svg"

echo "-- browser: wrong passcode, then the right one"
(cd "$e2e" && node viewer.mjs open "$url" 4417 "$out")

echo "-- npm jose decrypts the core's JWE; the core decrypts jose's"
(cd "$e2e" && node viewer.mjs jose "$url" 4417 "$out")
PHR_JOSE_VECTOR=$out/jose-vector.json cargo test -q --workspace --test share_links jose_interop_vector 2>&1 | grep -E "test result|FAILED|panicked"

echo "-- an employer share leaves out mental health and says only that something was not shared"
emp=$(phr --json share create --to "Acme Ltd" --role HR --category employer --sections allergies,medications,conditions --i-understand \
  --purpose "occupational health" --expires 1h --qr "$out/emp-qr.png")
emp_url=$(echo "$emp" | python3 -c 'import json,sys; print(json.load(sys.stdin)["viewer_url"])')
(cd "$e2e" && EXPECT_NOT_SHARED=1 EXPECT_ABSENT=Depression SHOT=viewer-employer.png node viewer.mjs open "$emp_url" - "$out")
if phr share create --to "Acme Ltd" --category employer --sections stress --purpose x --i-understand 2>/dev/null; then
  echo "FAIL: an employer was granted a sensitive section"; exit 1; fi

echo "-- a new allergy reaches an existing link through 'share update': same link, new content"
emp_grant=$(echo "$emp" | python3 -c 'import json,sys; print(json.load(sys.stdin)["grant_id"])')
phr add allergies substance=Latex severity=severe kind=allergy reaction=hives >/dev/null
upd=$(phr --json share update "$emp_grant")
test "$(echo "$upd" | python3 -c 'import json,sys; print(json.load(sys.stdin)["shlink"])')" = "$(echo "$emp" | python3 -c 'import json,sys; print(json.load(sys.stdin)["shlink"])')"
(cd "$e2e" && EXPECT_PRESENT=Latex EXPECT_ABSENT=Depression SHOT=viewer-updated.png node viewer.mjs open "$emp_url" - "$out")

echo "-- a clinician's view of the demo resident: summary, trends, reply box, print to PDF"
demo=$work/demo
PHR_HOME=$demo phr demo --charts "$work/charts" >/dev/null
PHR_HOME=$demo phr share create --to "Dr Ada Okafor" --role GP --sections allergies,medications --purpose review \
  --expires 1h --qr "$out/first-qr.png" >/dev/null
PHR_HOME=$demo phr add allergies substance=Latex severity=moderate kind=allergy reaction=hives >/dev/null
question="My VO2max is falling. Should I worry?"
clinic=$(PHR_HOME=$demo phr --json share create --to "Dr Ada Okafor" --role GP \
  --sections allergies,medications,conditions,weight,blood_pressure,exercise,life_events \
  --purpose advice --message "$question" --expires 1h --qr "$out/clinic-qr.png")
clinic_url=$(echo "$clinic" | python3 -c 'import json,sys; print(json.load(sys.stdin)["viewer_url"])')
(cd "$e2e" && SCREENS=$root/docs/screens/viewer EXPECT_SUMMARY="Penicillin,Ramipril,Type 2 diabetes,Latex,$question" \
  EXPECT_TRENDS="Weight,Blood pressure,Resting heart rate" EXPECT_EVENT="Ramipril up to 10 mg" EXPECT_QUESTION="$question" \
  node viewer.mjs clinic "$clinic_url" - "$out")
pdftotext -layout "$out/viewer.pdf" "$out/viewer.txt"
for want in "Summary" "Allergies" "Penicillin" "Current medications" "Ramipril" "Conditions" "Type 2 diabetes" \
  "$question" "Changed since the last share" "Trends" "Blood pressure" "Everything shared"; do
  grep -qF "$want" "$out/viewer.txt" || { echo "FAIL: the printed PDF lacks '$want'"; exit 1; }
done
if grep -qF "Send encrypted reply" "$out/viewer.txt"; then echo "FAIL: the print shows the reply form"; exit 1; fi
echo "printed PDF: $(pdfinfo "$out/viewer.pdf" | grep -E '^(Pages|Page size)' | tr -s ' ' | paste -sd ' ')"

echo "-- the clinician replies; the owner reads it with its text and answers once; the viewer shows the answer"
reply_text="Your VO2max dip is small. Keep training and check again in 3 months."
answer_text="Thank you. I will book a check in March."
(cd "$e2e" && REPLY_TEXT="$reply_text" node viewer.mjs reply "$clinic_url" - "$out")
PHR_HOME=$demo phr share sync | grep -F "$reply_text" >/dev/null
PHR_HOME=$demo phr audit | grep -F "reply: $reply_text" >/dev/null
clinic_id=$(echo "$clinic" | python3 -c 'import json,sys; print(json.load(sys.stdin)["grant_id"])')
PHR_HOME=$demo phr share answer "$clinic_id" "$answer_text" >/dev/null
if PHR_HOME=$demo phr share answer "$clinic_id" "Again" 2>/dev/null; then echo "FAIL: a second answer was sent"; exit 1; fi
(cd "$e2e" && SCREENS=$root/docs/screens/viewer REPLY_TEXT="$reply_text" ANSWER_TEXT="$answer_text" \
  node viewer.mjs answered "$clinic_url" - "$out")

echo "-- the emergency card's pictures: wallet card at 300 dpi, lock screen, printed lines"
clinic_grant=$(echo "$clinic" | python3 -c 'import json,sys; print(json.load(sys.stdin)["grant_id"])')
card=$(PHR_HOME=$demo phr --json share card "$clinic_grant" --out "$out/card")
python3 - "$card" <<'PY'
import json, struct, sys
c = json.loads(sys.argv[1])
for key, size in (("wallet_png", (1011, 638)), ("lock_screen_png", (1170, 2532))):
    head = open(c[key], "rb").read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == size, (key, head)
svg = open(c["wallet_svg"]).read()
assert "Allergy: Penicillin" in svg and "Takes: Ramipril" in svg, svg[:400]
print("card ok:", ", ".join(c.values()))
PY

echo "-- relay storage holds no record value"
# (The name a viewer types is logged by design: it is the SHL request's `recipient`.)
for f in "$work"/relay.sqlite*; do
  if grep -a -o -E "Ramipril|Penicillin|Latex|diabetes|Depression|medication review|occupational" "$f"; then echo "FAIL: record value in $f"; exit 1; fi
done

echo "-- revoke; the page now says the link was revoked"
phr share revoke "$grant"
(cd "$e2e" && node viewer.mjs revoked "$url" 4417 "$out")

echo "-- the owner's audit log shows who opened it, and verifies"
phr share sync
phr audit | tee "$out/audit.txt"
grep -q "remotefetch.*Dr Ada Okafor, GP" "$out/audit.txt"
grep -q "remoterefused.*wrong_passcode" "$out/audit.txt"
grep -q "remoterefused.*revoked" "$out/audit.txt"
phr audit --verify
echo "relay e2e passed (screenshots in $out)"
