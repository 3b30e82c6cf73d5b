// Builds the web console (ui/) into dist/ui/, which `hil-admin serve` serves under /ui/. `npm run build` runs it
// after tsc. Preact's JSX through esbuild; no plugin, no CDN: every byte the browser loads comes from the server.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    // No inline module-preload polyfill: the page's Content Security Policy allows same-origin script files only.
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 1000,
  },
});
