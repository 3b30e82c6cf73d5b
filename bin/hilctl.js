#!/usr/bin/env node
// Thin launcher: production runs the compiled JavaScript in dist/ (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
const target = fileURLToPath(new URL('../dist/cmd/hilctl.js', import.meta.url));
if (!existsSync(target)) {
  process.stderr.write(
    'hilctl: not built yet; run "npm run build" in ' + fileURLToPath(new URL('..', import.meta.url)) + '\n',
  );
  process.exit(1);
}
await import(pathToFileURL(target).href);
