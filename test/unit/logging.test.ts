// Log format: JSON lines for machines, short human lines on a terminal, HIL_LOG_FORMAT (--log-format) overriding.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { logFormat, setLogFormat } from '../../common/logging.js';
import { TSX_LOADER } from '../support/server.js';

test('text on a terminal, JSON otherwise; HIL_LOG_FORMAT wins; a bad --log-format is refused', () => {
  assert.equal(logFormat({}, true), 'text');
  assert.equal(logFormat({}, false), 'json');
  assert.equal(logFormat({ HIL_LOG_FORMAT: 'json' }, true), 'json');
  assert.equal(logFormat({ HIL_LOG_FORMAT: 'TEXT' }, false), 'text');
  assert.throws(() => setLogFormat('yaml'), /--log-format must be json or text, not "yaml"/);
});

test('a text line is time, level, component, message and key=value fields', () => {
  const script = `import { createLogger } from ${JSON.stringify(new URL('../../common/logging.ts', import.meta.url).href)};
    createLogger('info', 'apiserver').info('serving', { url: 'http://127.0.0.1:6443', store: 'sqlite data/hil.db' });
    createLogger('info', 'apiserver').debug('request', { verb: 'get' });`;
  const r = spawnSync(process.execPath, ['--import', TSX_LOADER, '--input-type=module', '-e', script], {
    env: { ...process.env, HIL_LOG_FORMAT: 'text' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr.trim(),
    /^\d\d:\d\d:\d\d info {2}apiserver: serving url=http:\/\/127\.0\.0\.1:6443 store="sqlite data\/hil\.db"$/,
  );
  assert.doesNotMatch(r.stderr, /request/, 'debug lines are not shown at info');
});
