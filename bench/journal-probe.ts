// Preloaded into the bench's gateway process only (node --import): every 250 ms it copies the gateway's own
// group-commit counters (tollgate_journal_*) to a file, so the bench can report postings per SQLite commit.
// It reads the same module instance the gateway uses and adds nothing to the request path.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const file = process.env.TOLLGATE_BENCH_PROBE_FILE;
const modulePath = process.env.TOLLGATE_BENCH_METRICS_MODULE;

interface CounterLike {
  name: string;
  get(): number;
}

if (file !== undefined && modulePath !== undefined) {
  const mod = (await import(pathToFileURL(modulePath).href)) as { metrics?: Record<string, unknown> };
  const counters = Object.values(mod.metrics ?? {}).filter((c): c is CounterLike =>
    typeof c === 'object' && c !== null && typeof (c as CounterLike).name === 'string' && typeof (c as CounterLike).get === 'function');
  const dump = () => {
    const out: Record<string, number> = {};
    for (const c of counters) out[c.name] = c.get();
    writeFileSync(file, JSON.stringify(out));
  };
  dump();
  setInterval(dump, 250).unref();
  process.once('exit', dump);
}
