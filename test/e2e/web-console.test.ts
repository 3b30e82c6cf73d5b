// The web console (/ui/) in a real browser: Debian's chromium driven by playwright-core, against `hil-admin serve
// --controllers --auth database` with the example manifests, a second project's node, and a node whose BMC is an
// ipmi_sim. An admin and a member sign in; the topology shows the examples' wiring; a change applied with hilctl
// appears without a reload; a NIC attached from the UI reaches Attached; a node's serial console shows what the
// node writes; the API's 422 is shown naming the field; a member never sees another project's node; a member's node
// actions (boot device, power cycle, release, claim) are seen through to what the controllers report; a Keystone
// token signs in (against test/support/keystone.ts) and an unknown one is refused. The main
// screens are saved (docs/screenshots/ with HIL_UPDATE_SCREENSHOTS=1; the README links them).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { packageRoot } from '../../common/paths.js';
import { applyYaml, H, pathOf, until } from '../support/controllers.js';
import { startIpmiSims, type IpmiSims } from '../support/ipmi-sim.js';
import { inAnHour, startKeystoneStandIn } from '../support/keystone.js';
import { basicAuth } from '../support/objects.js';
import { api, startChildServer, TSX_LOADER, type ChildServer } from '../support/server.js';

const ROOT = packageRoot();
const CHROMIUM = process.env.HIL_TEST_CHROMIUM ?? '/usr/bin/chromium';
// The screenshots go to docs/screenshots/ only when asked (HIL_UPDATE_SCREENSHOTS=1 npm test -- web-console), so a
// test run leaves the checkout as it was; otherwise they are still taken, into a temporary folder.
const SHOTS =
  process.env.HIL_UPDATE_SCREENSHOTS === '1'
    ? join(ROOT, 'docs', 'screenshots')
    : mkdtempSync(join(tmpdir(), 'hil-ui-shots-'));
const skip = existsSync(CHROMIUM)
  ? false
  : `chromium is not installed at ${CHROMIUM} (hack/install-test-deps.sh installs Debian's chromium)`;

/** The administrator the server is set up with (`hil-admin create-admin-user`). */
const ADMIN = 'root';
const ADMIN_PW = 'root-password-1';
const ALICE_PW = 'alice-password-1';
const ROOT_AUTH = basicAuth(ADMIN, ADMIN_PW);

const apply = (url: string, text: string) => applyYaml(url, text, ROOT_AUTH);

function run(args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      args,
      { cwd, encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } },
      (e, out, err) => (e ? reject(new Error(`${args.join(' ')}: ${e.message}\n${out}${err}`)) : resolve(out)),
    ),
  );
}

describe('the web console in a browser', { skip }, () => {
  let uiDir: string;
  let dataDir: string;
  let srv: ChildServer;
  let sims: IpmiSims;
  let browser: Browser;
  let adminToken: string;
  const cspViolations: string[] = [];

  before(async () => {
    uiDir = mkdtempSync(join(tmpdir(), 'hil-ui-'));
    dataDir = mkdtempSync(join(tmpdir(), 'hil-ui-data-'));
    const { chromium } = await import('playwright-core');
    // The UI as `npm run build` makes it, into a private folder (no race with a build over dist/), while the
    // BMC simulator starts and the first user is made.
    const [, simsStarted, b] = await Promise.all([
      run(
        [
          join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
          'build',
          '--config',
          join(ROOT, 'ui', 'vite.config.ts'),
          '--outDir',
          uiDir,
        ],
        ROOT,
      ),
      startIpmiSims(1, { prefix: 'ui' }),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] }),
      run(
        [
          '--import',
          TSX_LOADER,
          join(ROOT, 'cmd', 'hil-admin.ts'),
          'create-admin-user',
          ADMIN,
          ADMIN_PW,
          '--data-dir',
          dataDir,
        ],
        dataDir,
      ),
    ]);
    sims = simsStarted;
    browser = b;
    srv = await startChildServer({
      dataDir,
      extraArgs: ['--auth', 'database', '--controllers', '--ui-dir', uiDir, '--log-level', 'warn'],
    });
    const examples = join(ROOT, 'manifests', 'examples');
    for (const f of readdirSync(examples)
      .filter((f) => f.endsWith('.yaml') && !f.startsWith('60-')) // no headnode: this server has no libvirt
      .sort())
      await apply(srv.url, readFileSync(join(examples, f), 'utf8'));
    const bmc = sims.bmcs[0];
    await apply(
      srv.url,
      `
apiVersion: v1
kind: Secret
metadata: {name: bmc-node-ipmi, namespace: hil-system}
stringData: {username: ${bmc.username}, password: ${bmc.password}}
---
apiVersion: hil.io/v1alpha1
kind: Project
metadata: {name: other}
spec: {description: another tenant}
---
apiVersion: hil.io/v1alpha1
kind: Node
metadata: {name: node-ipmi}
spec:
  project: runway
  obm: {type: ipmi, host: ${bmc.host}, port: ${bmc.port}, credentialsSecretRef: {name: bmc-node-ipmi}}
  nics: []
---
apiVersion: hil.io/v1alpha1
kind: Node
metadata: {name: other-node}
spec:
  project: other
  obm: {type: mock, host: bmc-other}
  nics: [{name: eth0, macAddress: "52:54:00:00:09:01"}]
---
apiVersion: hil.io/v1alpha1
kind: Switch
metadata: {name: switch-02}
spec:
  type: mock
  address: 192.0.2.20
  credentialsSecretRef: {name: switch-01-credentials, namespace: hil-system}
  options: {failureProbability: "1"}
---
apiVersion: hil.io/v1alpha1
kind: Port
metadata: {name: switch-02-gi1-0-1}
spec: {switch: switch-02, interface: gi1/0/1}
---
apiVersion: hil.io/v1alpha1
kind: Network
metadata: {name: other-net}
spec: {owner: other}
---
apiVersion: hil.io/v1alpha1
kind: NetworkAttachment
metadata: {name: other-node-eth0-other-net}
spec: {node: other-node, nic: eth0, network: other-net, channel: native}
`,
    );
    assert.equal(
      (await api(srv.url, 'PUT', `${H}/users/alice/password`, { password: ALICE_PW }, 'application/json', ROOT_AUTH))
        .status,
      200,
    );
    const tr = await api(
      srv.url,
      'POST',
      `${H}/users/${ADMIN}/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
      'application/json',
      ROOT_AUTH,
    );
    adminToken = tr.body.status.token;
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await srv?.stop();
    await sims?.stop();
    for (const d of [uiDir, dataDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  async function signIn(user: string, password: string): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport: { width: 1180, height: 640 } });
    const page = await ctx.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on('pageerror', (e) => cspViolations.push(`page error: ${e.message}`));
    await page.goto(`${srv.url}/ui/`);
    await page.fill('input[name=user]', user);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=who]');
    return { ctx, page };
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

  test('/ui/ is served with a strict Content Security Policy, and / leads there', async () => {
    const r = await fetch(`${srv.url}/ui/`);
    assert.equal(r.status, 200);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(await r.text(), /<script>(?!<)/, 'no inline script');
    const root = await fetch(`${srv.url}/`, { redirect: 'manual' });
    assert.equal(root.headers.get('location'), '/ui/');
    assert.deepEqual(await (await fetch(`${srv.url}/ui/config.json`)).json(), { auth: 'database' });
  });

  test('an admin sees the topology, a hilctl change appears live, a UI attach reaches Attached, the console streams', async () => {
    const { ctx, page } = await signIn(ADMIN, ADMIN_PW);
    try {
      assert.match((await page.textContent('[data-testid=who]')) ?? '', /root \(admin\)/);
      // The examples' wiring: switch-01 → its two ports → node-01/node-02 eth0 → the two networks.
      await page.waitForSelector('[data-testid=switch-switch-01]');
      await page.waitForSelector('[data-testid=port-switch-01-gi1-0-1]');
      await page.waitForSelector('[data-testid=nic-node-01-eth0]');
      await page.waitForSelector('[data-testid=nic-other-node-eth0]');
      const provider = await page.waitForSelector('[data-testid=net-runway-provider]');
      assert.match((await provider.textContent()) ?? '', /VLAN 1100/);
      // Every example attachment reaches Attached (the diagram's labels stop saying Pending).
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid=att-node-01-eth0-runway-pxe]')?.textContent === 'native' &&
          document.querySelector('[data-testid=att-node-02-eth0-runway-provider]')?.textContent === 'tagged',
        undefined,
        { timeout: 20_000 },
      );
      // What cannot converge is highlighted with the controller's message: other-node's NIC is cabled to no port.
      await page.waitForFunction(
        () =>
          /attachment other-node-eth0-other-net: Pending — Ready: NotCabled — NIC "eth0" of node "other-node" is not cabled/.test(
            document.querySelector('[data-testid=problems]')?.textContent ?? '',
          ),
        undefined,
        { timeout: 20_000 },
      );
      assert.match((await page.getAttribute('[data-testid=att-other-node-eth0-other-net]', 'class')) ?? '', /warn/);

      // A change applied with hilctl shows up without a reload (the page's watches).
      const file = join(dataDir, 'storage.yaml');
      writeFileSync(
        file,
        'apiVersion: hil.io/v1alpha1\nkind: Network\nmetadata: {name: runway-storage}\nspec: {owner: runway}\n',
      );
      await run([
        '--import',
        TSX_LOADER,
        join(ROOT, 'cmd', 'hilctl.ts'),
        '--server',
        srv.url,
        '--token',
        adminToken,
        'apply',
        '-f',
        file,
      ]);
      const storage = await page.waitForSelector('[data-testid=net-runway-storage]', { timeout: 5_000 });
      await page.waitForFunction(
        () => /VLAN \d+/.test(document.querySelector('[data-testid=net-runway-storage]')?.textContent ?? ''),
        undefined,
        { timeout: 10_000 },
      );
      assert.ok(storage);
      await shot(page, 'topology');

      // Attach node-01's eth0 (native: runway-pxe) to runway-storage, tagged, from the node's page.
      await page.click('a[href="#/nodes"]');
      await page.click('a[href="#/nodes/node-01"]');
      await page.waitForSelector('[data-testid=node-detail]');
      await page.selectOption('[data-testid=attach-eth0] select[name=network]', 'runway-storage');
      await page.selectOption('[data-testid=attach-eth0] select[name=channel]', 'tagged');
      await page.click('[data-testid=attach-eth0] button[type=submit]');
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid=nic-eth0] [data-testid=att-runway-storage] [data-testid=phase]')
            ?.textContent === 'Attached',
        undefined,
        { timeout: 20_000 },
      );
      const att = await api(
        srv.url,
        'GET',
        `${H}/networkattachments/node-01-eth0-runway-storage`,
        undefined,
        undefined,
        ROOT_AUTH,
      );
      assert.equal(att.body.status.phase, 'Attached');
      assert.equal(att.body.spec.channel, 'tagged');
      await shot(page, 'node');

      // Power off from the page: the node controller turns the (mock) BMC off and the page follows status.power.
      await page.click('[data-testid=node-actions] button:has-text("Power off")');
      await page.waitForFunction(
        () => document.querySelector('[data-testid=node-power]')?.textContent === 'Off (wanted: Off)',
        undefined,
        { timeout: 15_000 },
      );
      // Detach it again: the attachment goes (Detaching while the port is reverted), then it is gone.
      await page.click('[data-testid=nic-eth0] [data-testid=att-runway-storage] button:has-text("Detach")');
      await page.waitForSelector('[data-testid=nic-eth0] [data-testid=att-runway-storage]', {
        state: 'detached',
        timeout: 15_000,
      });
      assert.equal(
        (
          await api(
            srv.url,
            'GET',
            `${H}/networkattachments/node-01-eth0-runway-storage`,
            undefined,
            undefined,
            ROOT_AUTH,
          )
        ).status,
        404,
      );

      // The serial console of the ipmi_sim node, through real ipmitool SOL, in xterm.js.
      await page.goto(`${srv.url}/ui/#/console/node-ipmi`);
      await page.waitForSelector('[data-testid=terminal] .xterm-rows');
      const bmc = sims.bmcs[0];
      await until(
        async () => {
          bmc.serial('login: hello from node-ipmi\r\n');
          await new Promise((r) => setTimeout(r, 300));
          return ((await page.textContent('[data-testid=terminal] .xterm-rows')) ?? '').includes(
            'hello from node-ipmi',
          );
        },
        'the node serial output in the browser terminal',
        20_000,
      );
      assert.equal(await page.textContent('[data-testid=console-state]'), 'connected (read-only)');
      await shot(page, 'console');

      // Admin forms show the API's own refusal: a VLAN outside 1–4094 is a 422 naming spec.vlan.
      await page.click('a[href="#/networks"]');
      await page.fill('[data-testid=create-network] input[name=name]', 'bad-vlan');
      await page.fill('[data-testid=create-network] input[name=vlan]', '5000');
      await page.click('[data-testid=create-network] button[type=submit]');
      const err = (await (await page.waitForSelector('[data-testid=api-error]')).textContent()) ?? '';
      assert.match(err, /^422: .*spec\.vlan/);
      await shot(page, 'networks');
      // …and a name already taken is the API's 409.
      await page.fill('[data-testid=create-network] input[name=name]', 'runway-pxe');
      await page.fill('[data-testid=create-network] input[name=vlan]', '');
      await page.click('[data-testid=create-network] button[type=submit]');
      await page.waitForFunction(() =>
        /^409: .*runway-pxe.*already exists/.test(document.querySelector('[data-testid=api-error]')?.textContent ?? ''),
      );

      // The Events feed, filtered: the power-off above is there.
      await page.click('a[href="#/events"]');
      await page.fill('[data-testid=events-filter]', 'node-01');
      await page.waitForFunction(() =>
        /PoweredOff/.test(document.querySelector('[data-testid=events]')?.textContent ?? ''),
      );
      const rows = await page.$$eval('[data-testid=events] tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
      assert.ok(rows.length > 0 && rows.every((r) => r.includes('node-01')), rows.join('\n'));
      await shot(page, 'events');

      // No secret on any page: not the BMC's password, not the token.
      const html = await page.content();
      assert.ok(!html.includes(bmc.password));
      const stored = await page.evaluate(() => ({ local: localStorage.length, keys: Object.keys(sessionStorage) }));
      assert.deepEqual(stored, { local: 0, keys: ['hil.session'] });
      assert.deepEqual(cspViolations, []);
    } finally {
      await ctx.close();
    }
  });

  test("a member sees their project's nodes and the free ones, never another project's", async () => {
    const { ctx, page } = await signIn('alice', ALICE_PW);
    try {
      assert.match((await page.textContent('[data-testid=who]')) ?? '', /alice \(runway\)/);
      await page.waitForSelector('[data-testid=nic-node-01-eth0]');
      await page.waitForSelector('[data-testid=net-runway-pxe]');
      assert.equal(await page.$('[data-testid=nic-other-node-eth0]'), null);
      // Switches and ports are admin-only: the member's diagram says so, and takes ports from the attachments.
      assert.match((await page.textContent('main')) ?? '', /Switches and ports are administrator-only/);
      await page.click('a[href="#/nodes"]');
      await page.waitForSelector('[data-testid=node-row-node-01]');
      await page.waitForSelector('[data-testid=node-row-node-ipmi]');
      assert.equal(await page.$('[data-testid=node-row-other-node]'), null);
      assert.doesNotMatch((await page.textContent('main')) ?? '', /other-node/);
      await shot(page, 'nodes-member');
      // Asking for it by name is no better.
      await page.goto(`${srv.url}/ui/#/nodes/other-node`);
      await page.waitForSelector('.error');
      assert.match((await page.textContent('main')) ?? '', /does not exist or is not visible to you/);
      assert.deepEqual(cspViolations, []);
    } finally {
      await ctx.close();
    }
  });

  test("a member's node actions: boot device, power cycle, release and claim, each seen through to the end", async () => {
    const { ctx, page } = await signIn('alice', ALICE_PW);
    const node = async () => (await api(srv.url, 'GET', `${H}/nodes/node-ipmi`, undefined, undefined, ROOT_AUTH)).body;
    const status = () => page.textContent('[data-testid=action-status]');
    const event = (reason: string) =>
      page.waitForFunction(
        (r) => (document.querySelector('[data-testid=events]')?.textContent ?? '').includes(r),
        reason,
        { timeout: 15_000 },
      );
    try {
      // node-ipmi is runway's, on a real BMC (ipmi_sim, through ipmitool), with no NICs: free to release.
      await page.goto(`${srv.url}/ui/#/nodes/node-ipmi`);
      await page.waitForSelector('[data-testid=node-actions]');
      assert.equal(await page.textContent('[data-testid=node-project]'), 'runway');

      // Boot device: spec.bootDevice is written, the page shows it, and the node controller sets it on the BMC.
      await page.selectOption('[data-testid=node-actions] select', 'pxe');
      await page.waitForFunction(() =>
        /accepted/.test(document.querySelector('[data-testid=action-status]')?.textContent ?? ''),
      );
      assert.equal(await status(), 'Boot device pxe: accepted; the controllers are on it');
      assert.equal((await node()).spec.bootDevice, 'pxe');
      await page.waitForFunction(() => document.querySelector('[data-testid=node-boot]')?.textContent === 'pxe');
      await event('BootDeviceSet');

      // Power cycle: the annotation is set; the page says "in progress" until the controller records the value
      // it acted on (status.lastPowerCycle), then "done", with the PowerCycled Event.
      assert.equal(await page.textContent('[data-testid=node-cycle]'), '—');
      await page.click('[data-testid=node-actions] button:has-text("Power cycle")');
      await until(
        async () => !!(await node()).metadata.annotations?.['hil.io/power-cycle'],
        'the power-cycle annotation',
      );
      const asked: string = (await node()).metadata.annotations['hil.io/power-cycle'];
      await page.waitForFunction(
        (v) => document.querySelector('[data-testid=node-cycle]')?.textContent === `done (${v})`,
        asked,
        { timeout: 15_000 },
      );
      assert.equal((await node()).status.lastPowerCycle, asked);
      await event('PowerCycled');
      assert.equal(await status(), 'Power cycle: accepted; the controllers are on it');

      // Release (after the browser's confirm): spec.project is cleared, the controller powers the node off and
      // records the release; the member still sees the now free node, and may claim it back for runway.
      page.once('dialog', (d) => void d.accept());
      await page.click('[data-testid=node-actions] button:has-text("Release")');
      await page.waitForFunction(() => document.querySelector('[data-testid=node-project]')?.textContent === 'free');
      await until(async () => (await node()).status?.project === '', 'the node controller acting on the release');
      const released = await node();
      assert.equal(released.spec.project, '');
      assert.equal(released.spec.power, 'Off');
      assert.equal(await page.$('[data-testid=node-actions]'), null, 'no power buttons on a node that is not hers');
      await page.waitForFunction(
        () => document.querySelector('[data-testid=node-power]')?.textContent === 'Off (wanted: Off)',
        undefined,
        { timeout: 15_000 },
      );
      await page.click('button:has-text("Claim for runway")');
      await page.waitForFunction(() => document.querySelector('[data-testid=node-project]')?.textContent === 'runway');
      assert.equal((await node()).spec.project, 'runway');
      assert.equal(await status(), 'Claim for runway: accepted; the controllers are on it');
      await page.waitForSelector('[data-testid=node-actions]');
      assert.deepEqual(cspViolations, []);
    } finally {
      await ctx.close();
    }
  });

  test('with auth "null" (the quick start) the page says so and lets everyone in as an administrator', async () => {
    const open = await startChildServer({ extraArgs: ['--auth', 'null', '--ui-dir', uiDir, '--log-level', 'error'] });
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      await page.goto(`${open.url}/ui/`);
      assert.match((await (await page.waitForSelector('.warning')).textContent()) ?? '', /Authentication is disabled/);
      assert.equal(await page.$('input[name=password]'), null);
      await page.click('button[type=submit]');
      assert.match((await (await page.waitForSelector('[data-testid=who]')).textContent()) ?? '', /\(admin\)/);
      await page.waitForSelector('[data-testid=topology]');
    } finally {
      await ctx.close();
      await open.stop();
    }
  });

  test('with auth "keystone" a pasted token signs in as its project, and a bad token is refused', async () => {
    const P = 'c0ffee01'; // a Keystone project id, which is the hil.io Project's name
    const ks = await startKeystoneStandIn({
      users: { hil: { password: 'service-pw', token: 'ks-service' } },
      tokens: {
        'ks-service': {
          user: { name: 'hil' },
          roles: [{ name: 'service' }],
          project: { id: 'service' },
          expires_at: inAnHour(),
        },
        'ks-admin': {
          user: { name: 'dave' },
          roles: [{ name: 'admin' }],
          project: { id: 'admin' },
          expires_at: inAnHour(),
        },
        'ks-member': {
          user: { name: 'carol' },
          roles: [{ name: 'member' }],
          project: { id: P },
          expires_at: inAnHour(),
        },
      },
    });
    const cfgDir = mkdtempSync(join(tmpdir(), 'hil-ui-ks-'));
    const cfg = join(cfgDir, 'hil.cfg');
    writeFileSync(
      cfg,
      `[hil.ext.auth.keystone]\nauth_url = ${ks.url}/v3\nusername = hil\npassword = service-pw\nproject_name = service\n`,
      { mode: 0o600 }, // the server refuses a hil.cfg others may read (it holds a password)
    );
    let ksSrv: ChildServer | undefined;
    const ctx = await browser.newContext();
    try {
      ksSrv = await startChildServer({
        extraArgs: ['--auth', 'keystone', '--config', cfg, '--ui-dir', uiDir, '--log-level', 'error'],
      });
      const admin = { 'x-auth-token': 'ks-admin' };
      for (const o of [
        { kind: 'Project', metadata: { name: P }, spec: {} },
        { kind: 'Project', metadata: { name: 'ks-other' }, spec: {} },
        {
          kind: 'Node',
          metadata: { name: 'ks-mine' },
          spec: { project: P, obm: { type: 'mock', host: 'b1' }, nics: [] },
        },
        {
          kind: 'Node',
          metadata: { name: 'ks-theirs' },
          spec: { project: 'ks-other', obm: { type: 'mock', host: 'b2' }, nics: [] },
        },
      ]) {
        const r = await api(
          ksSrv.url,
          'POST',
          pathOf(o).replace(/\/[^/]+$/, ''),
          { apiVersion: 'hil.io/v1alpha1', ...o },
          'application/json',
          admin,
        );
        assert.equal(r.status, 201, `${o.kind}/${o.metadata.name}: ${JSON.stringify(r.body)}`);
      }
      const page = await ctx.newPage();
      page.on('pageerror', (e) => cspViolations.push(`page error: ${e.message}`));
      await page.goto(`${ksSrv.url}/ui/`);
      assert.equal(await page.$('input[name=password]'), null, 'no user name or password with Keystone');
      // A token Keystone does not know: refused, said so in Keystone's terms, and no way in.
      await page.fill('input[name=token]', 'not-a-keystone-token');
      await page.click('button[type=submit]');
      assert.equal(
        (await (await page.waitForSelector('[role=alert]')).textContent()) ?? '',
        'Sign-in refused: the Keystone token is invalid or has expired.',
      );
      assert.equal(await page.$('[data-testid=who]'), null);
      // The member's token: signed in as a member of its project, who sees that project's node and not the other.
      await page.fill('input[name=token]', 'ks-member');
      await page.click('button[type=submit]');
      assert.match(
        (await (await page.waitForSelector('[data-testid=who]')).textContent()) ?? '',
        new RegExp(`\\(${P}\\)$`),
      );
      await page.click('a[href="#/nodes"]');
      await page.waitForSelector('[data-testid=node-row-ks-mine]');
      assert.equal(await page.$('[data-testid=node-row-ks-theirs]'), null);
      assert.doesNotMatch((await page.textContent('main')) ?? '', /ks-theirs/);
      await page.click('a[href="#/nodes/ks-mine"]');
      await page.waitForSelector('[data-testid=node-actions]');
      // Only the token is kept, in this tab's session.
      const stored = await page.evaluate(() => ({ local: localStorage.length, keys: Object.keys(sessionStorage) }));
      assert.deepEqual(stored, { local: 0, keys: ['hil.session'] });
      assert.deepEqual(cspViolations, []);
    } finally {
      await ctx.close();
      await ksSrv?.stop();
      await ks.close();
      rmSync(cfgDir, { recursive: true, force: true });
    }
  });

  test('a wrong password is refused on the sign-in page', async () => {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      await page.goto(`${srv.url}/ui/`);
      await page.fill('input[name=user]', 'alice');
      await page.fill('input[name=password]', 'not-her-password');
      await page.click('button[type=submit]');
      assert.match((await (await page.waitForSelector('[role=alert]')).textContent()) ?? '', /refused/);
      assert.equal(await page.$('[data-testid=who]'), null);
    } finally {
      await ctx.close();
    }
  });
});
