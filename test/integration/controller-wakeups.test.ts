// What wakes the switch and attachment controllers, counted with their reconcile metrics (hil_reconcile_total), in
// process against our API server on the mock switch: a NetworkAttachment's status-only update — the switch
// reconciler's own Attached, or anyone's status patch — wakes neither; a change of its labels or its deletion does.
// (Before, every Attached a switch wrote woke that switch again, stretching each burst by a pass.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../common/logging.js';
import { parseVlanList } from '../../api/v1alpha1/vlans.js';
import { kubeConfigFor, startControllers, type RunningControllers } from '../../controllers/daemon.js';
import { createRegistry, MockSwitchDriver } from '../../drivers/switch/index.js';
import { H, sleep, until } from '../support/controllers.js';
import { hilObject, mockNode } from '../support/objects.js';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';

describe('controller wake-ups: status-only updates of attachments wake nothing', () => {
  let srv: InProcessServer;
  let running: RunningControllers;
  const mock = new MockSwitchDriver();

  const post = async (path: string, body: object) => {
    const r = await api(srv.url, 'POST', path, body);
    assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const patch = async (path: string, body: object) => {
    const r = await api(srv.url, 'PATCH', path, body, 'application/merge-patch+json');
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
  };
  const reconciles = async (controller: string) =>
    (await running.manager.metrics.reconcileTotal.get()).values
      .filter((v) => v.labels.controller === controller)
      .reduce((a, v) => a + v.value, 0);
  /** Waits until neither controller has reconciled for 600 ms; returns their counts. */
  const quiet = async () => {
    let last = '';
    return until(async () => {
      const now = JSON.stringify([await reconciles('switch'), await reconciles('attachment')]);
      if (now === last) return JSON.parse(now) as [number, number];
      last = now;
      await sleep(500);
      return undefined;
    }, 'the controllers to go quiet');
  };

  before(async () => {
    srv = await startInProcessServer();
    mock.fabric.switch('wake-sw', { ports: ['gi1/0/1', 'gi1/0/2'] });
    await post(`${H}/projects`, hilObject('Project', 'p', {}));
    await post(`${H}/switches`, hilObject('Switch', 'sw', { type: 'mock', address: 'wake-sw' }));
    for (const i of [1, 2]) {
      await post(`${H}/ports`, hilObject('Port', `sw-p${i}`, { switch: 'sw', interface: `gi1/0/${i}` }));
      await post(`${H}/nodes`, mockNode(`n${i}`, 'p', [`sw-p${i}`]));
    }
    await post(`${H}/networks`, hilObject('Network', 'net', { owner: 'p' }));
    running = startControllers({
      kubeConfig: kubeConfigFor(srv.url),
      pool: parseVlanList('300-309'),
      driverRegistry: createRegistry({ mock }),
      resyncMs: 10 * 60_000, // no periodic pass during the test
      logger: createLogger(process.env.HIL_TEST_LOG_LEVEL ?? 'error', 'controllers'),
    });
  });
  after(async () => {
    await running?.stop();
    await srv?.stop();
  });

  test('an attachment becomes Attached; its status-only updates wake nothing, its labels and deletion do', async () => {
    for (const i of [1, 2])
      await post(
        `${H}/networkattachments`,
        hilObject('NetworkAttachment', `a${i}`, { node: `n${i}`, nic: 'eth0', network: 'net' }),
      );
    await until(async () => {
      const items = (await api(srv.url, 'GET', `${H}/networkattachments`)).body.items;
      return items.every((a: any) => a.status?.phase === 'Attached');
    }, 'both attachments Attached');
    const [switchBefore, attachmentBefore] = await quiet();

    // Someone else's status write (an admin's, or a stale writer's): informational for these controllers.
    const a1 = (await api(srv.url, 'GET', `${H}/networkattachments/a1`)).body;
    const audited = { type: 'Audited', status: 'True', reason: 'ByHand', lastTransitionTime: '2026-12-03T00:00:00Z' };
    await patch(`${H}/networkattachments/a1/status`, { status: { conditions: [...a1.status.conditions, audited] } });
    const [switchAfterStatus, attachmentAfterStatus] = await quiet();
    assert.equal(switchAfterStatus, switchBefore, 'a status-only update of an attachment does not wake its switch');
    assert.equal(attachmentAfterStatus, attachmentBefore, 'nor the attachment controller');

    // A label is metadata that selectors (and so desired states) may use: it wakes both.
    await patch(`${H}/networkattachments/a1`, { metadata: { labels: { team: 'blue' } } });
    const [switchAfterLabel, attachmentAfterLabel] = await quiet();
    assert.ok(switchAfterLabel > switchAfterStatus, 'a label change wakes the switch');
    assert.ok(attachmentAfterLabel > attachmentAfterStatus, 'and the attachment controller');

    // Deleting: the switch reverts the port, then lets the attachment go.
    assert.equal((await api(srv.url, 'DELETE', `${H}/networkattachments/a1`)).status, 200);
    await until(
      async () => (await api(srv.url, 'GET', `${H}/networkattachments/a1`)).status === 404,
      'a1 to go once its port is reverted',
    );
    assert.equal(mock.fabric.switch('wake-sw').port('gi1/0/1').parked, true);
    assert.equal(mock.fabric.switch('wake-sw').port('gi1/0/2').parked, false, 'a2 stays');
  });
});
