// Builds the dashboard into dist/web when it is missing or older than a web/ source, so tests never serve a stale app.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_DIR } from '../../src/http/dashboard/dashboard-static.js';

const WEB_SRC = new URL('../../web/', import.meta.url).pathname;

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const s = statSync(full);
    t = Math.max(t, s.isDirectory() ? newest(full) : s.mtimeMs);
  }
  return t;
}

export function ensureWebBuilt(): void {
  const index = join(WEB_DIR, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newest(WEB_SRC)) return;
  execFileSync(process.execPath, [new URL('../../scripts/build-web.mjs', import.meta.url).pathname], { stdio: 'ignore' });
}
