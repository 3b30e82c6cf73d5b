// The controllers' event filter (controllers/runtime/spec-signatures.ts): a Port's, Node's or NetworkAttachment's
// status-only update does not wake its switch; a change of spec (generation), deletion, finalizers or labels does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpecSignatures } from '../../controllers/runtime/spec-signatures.js';

const port = (metadata: Record<string, unknown>, status: Record<string, unknown> = {}) => ({
  metadata: { name: 'sw0-p1', generation: 1, ...metadata },
  spec: { switch: 'sw0', interface: 'gi1/0/1' },
  status,
});

test('status-only updates are filtered; generation, deletion, finalizers and labels are not', () => {
  const seen = new SpecSignatures();
  assert.equal(seen.changed(port({})), true, 'first sight');
  assert.equal(seen.changed(port({}, { conditions: [{ type: 'InSync', status: 'True' }] })), false, 'status only');
  assert.equal(seen.changed(port({ generation: 2 })), true, 'spec changed');
  assert.equal(seen.changed(port({ generation: 2, finalizers: ['hil.io/x'] })), true, 'finalizer added');
  assert.equal(seen.changed(port({ generation: 2, finalizers: ['hil.io/x'], deletionTimestamp: 'now' })), true);
  assert.equal(
    seen.changed(port({ generation: 2, finalizers: ['hil.io/x'], deletionTimestamp: 'now', labels: { a: 'b' } })),
    true,
    'labels',
  );
  seen.forget(port({}));
  assert.equal(seen.changed(port({})), true, 'seen again after a delete');
});
