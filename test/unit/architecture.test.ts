// The import rules of docs/architecture.md, checked: each top-level part imports only the parts below it, so the
// picture in the docs stays true as code lands.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../common/paths.js';

/** part → the parts it may import (besides itself and npm packages). */
const MAY_IMPORT: Record<string, string[]> = {
  api: [],
  common: ['api'],
  config: ['api', 'common'],
  drivers: ['api', 'common', 'config'],
  apiserver: ['api', 'common', 'config'],
  controllers: ['api', 'common', 'config', 'drivers'],
  hilctl: ['api', 'common', 'config'],
  hilcli: ['api', 'common', 'config'],
  cmd: ['api', 'common', 'config', 'drivers', 'apiserver', 'controllers', 'hilctl', 'hilcli'],
  // The web console is a plain API client running in a browser: nothing of ours, and nothing imports it.
  ui: [],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(p) ? [p] : [];
  });
}

test('each part imports only the parts below it (docs/architecture.md)', () => {
  const root = packageRoot();
  const broken: string[] = [];
  for (const [part, allowed] of Object.entries(MAY_IMPORT)) {
    for (const file of files(join(root, part))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g)) {
        const target = relative(root, resolve(dirname(file), m[1])).split('/')[0];
        if (target !== part && !allowed.includes(target))
          broken.push(`${relative(root, file)} imports ${m[1]} (${part} → ${target})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});
