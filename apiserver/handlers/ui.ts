// /ui/: the web console's static files (built by `npm run build` from ui/ into dist/ui/), on the API's own listener.
// This mount knows no UI code: it serves a folder it is given, with a strict Content Security Policy, and
// /ui/config.json naming the auth backend (so the sign-in page asks for the right credential). The console is a
// plain API client: everything it shows comes from the resource API with the caller's own token.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';

/**
 * Scripts, styles, fonts and connections from this origin only; no framing, no plugins, no forms posting elsewhere.
 * style-src allows inline styles because xterm.js writes its theme into a <style> element it creates at run time;
 * scripts stay strictly same-origin files (no inline script, no eval).
 */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function uiRouter(dir: string | undefined, authBackend: string): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', UI_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });
  router.get('/config.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ auth: authBackend });
  });
  if (dir && existsSync(join(dir, 'index.html'))) {
    // index.html is fetched fresh (it names the hashed bundles); the bundles themselves may be cached.
    router.use(
      express.static(dir, {
        index: 'index.html',
        redirect: true,
        setHeaders: (res, path) =>
          res.setHeader('Cache-Control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=3600'),
      }),
    );
  }
  router.use((_req, res) => {
    res
      .status(404)
      .type('text/plain')
      .send(
        dir && existsSync(join(dir, 'index.html'))
          ? 'not found\n'
          : 'the web console is not built on this server: run `npm run build` (it builds ui/ into dist/ui/)\n',
      );
  });
  return router;
}
