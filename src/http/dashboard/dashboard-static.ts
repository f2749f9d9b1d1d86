// Serves the built dashboard (dist/web, from web/ by `npm run build`) at /dashboard/, with content types, cache
// headers (hashed assets immutable, index.html no-cache) and a strict Content-Security-Policy.
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendBytes } from '../respond.js';
import { ApiError, NotFoundError } from '../errors.js';

export const WEB_DIR = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.map': 'application/json',
};

export const DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export async function serveDashboardFile(res: ServerResponse, path: string): Promise<void> {
  const rel = path === '/dashboard' || path === '/dashboard/' ? 'index.html' : path.slice('/dashboard/'.length);
  const clean = normalize(rel);
  if (clean.startsWith('..') || clean.includes('\0')) throw new NotFoundError('No such dashboard file.');
  const type = TYPES[extname(clean)];
  // Unknown paths without an extension are client-side pages: answer with the app.
  const file = type ? clean : 'index.html';
  let body: Buffer;
  try {
    body = await readFile(WEB_DIR + file);
  } catch {
    if (file === 'index.html') throw new ApiError(503, 'The dashboard is not built: run `npm run build`.');
    throw new NotFoundError('No such dashboard file.');
  }
  sendBytes(res, 200, body, {
    'content-type': TYPES[extname(file)]!,
    'cache-control': /-[A-Z0-9]{8}\./.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  });
}
