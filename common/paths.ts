// Where the package's own files are, whether running from source (tsx) or from dist/ (compiled).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The folder holding package.json and crds/. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'crds'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the package root (a folder with package.json and crds/)');
    dir = up;
  }
  cached = dir;
  return dir;
}
