// The API server's /ui/ mount: the web console's static files, public (like a sign-in page) while every API path
// still needs a credential, sent with a strict Content Security Policy; /ui/config.json names the auth backend; a
// server whose UI was not built says how to build it; nothing outside the folder is reachable through it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startInProcessServer, type InProcessServer } from '../support/server.js';

let dir: string;
let built: InProcessServer;
let unbuilt: InProcessServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hil-ui-static-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/ui/assets/app.js"></script>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log("hi")');
  writeFileSync(join(tmpdir(), 'hil-ui-outside.txt'), 'outside');
  [built, unbuilt] = await Promise.all([
    startInProcessServer({ auth: 'database', uiDir: dir }),
    startInProcessServer({ auth: 'database', uiDir: join(dir, 'missing') }),
  ]);
});
after(async () => {
  await built?.stop();
  await unbuilt?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('/ui/ serves the built files without a credential, with a strict CSP; the API still needs one', async () => {
  const page = await fetch(`${built.url}/ui/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  const csp = page.headers.get('content-security-policy') ?? '';
  for (const d of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"])
    assert.ok(csp.split('; ').includes(d), `${d} in ${csp}`);
  assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  const js = await fetch(`${built.url}/ui/assets/app.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  assert.deepEqual(await (await fetch(`${built.url}/ui/config.json`)).json(), { auth: 'database' });
  assert.equal((await fetch(`${built.url}/apis/hil.io/v1alpha1/nodes`)).status, 401);
  const redirect = await fetch(`${built.url}/`, { redirect: 'manual' });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('location'), '/ui/');
});

test('nothing outside the folder is served, and a server without a built UI says how to build it', async () => {
  for (const p of ['/ui/../hil-ui-outside.txt', '/ui/%2e%2e/hil-ui-outside.txt', '/ui/..%2fhil-ui-outside.txt']) {
    const r = await fetch(`${built.url}${p}`);
    assert.notEqual(r.status, 200, p);
    assert.doesNotMatch(await r.text(), /outside/, p);
  }
  const r = await fetch(`${unbuilt.url}/ui/`);
  assert.equal(r.status, 404);
  assert.match(await r.text(), /npm run build/);
  assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
});
