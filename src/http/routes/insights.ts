// Exports (CSV) and the forecast, for the account's own admin key (/v1/tollgate/*) and for the operator (/admin/v1/*).
// Both sides share the handlers below; only how the account is chosen differs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { csvChunks, EXPORT_KINDS, exportFileName, pipeChunks, type ExportKind } from '../../services/exports/csv-export.js';
import { exportSourceFor, type ExportPeriod } from '../../services/exports/export-source.js';
import { forecastFor, forecastView } from '../../services/forecast/forecast-service.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import { sendJson } from '../respond.js';

/** A time query parameter: unix seconds (as OpenAI's usage API takes them) or an ISO 8601 time. */
export function parseTimeParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const t = /^\d+$/.test(raw) ? Number(raw) * 1000 : /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (!Number.isSafeInteger(t)) throw new InvalidRequestError(`Invalid '${name}': unix seconds or an ISO 8601 time.`, name);
  return t;
}

export function exportPeriod(accountId: string, url: URL, now: number): ExportPeriod {
  const since = parseTimeParam(url, 'start_time') ?? 0;
  const until = parseTimeParam(url, 'end_time') ?? now + 1;
  if (until <= since) throw new InvalidRequestError("Invalid 'end_time': must be after 'start_time'.", 'end_time');
  return { accountId, since, until };
}

export function exportKindOf(name: string): ExportKind {
  const kind = name.replace(/\.csv$/, '');
  if (!name.endsWith('.csv') || !(EXPORT_KINDS as readonly string[]).includes(kind)) throw new NotFoundError(`No export ${name}: usage.csv or ledger.csv.`);
  return kind as ExportKind;
}

/** Streams the export. Once the first bytes are out an error can only cut the response short (it is logged). */
export async function sendExport(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps, accountId: string, kind: ExportKind): Promise<void> {
  const period = exportPeriod(accountId, new URL(req.url ?? '/', 'http://localhost'), deps.now());
  await deps.wallet.flush(); // everything settled so far is in the export
  const chunks = csvChunks(exportSourceFor(deps.store), kind, period);
  const first = await chunks.next(); // the header and the first page: a store failure here is still a clean 503
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${exportFileName(kind, period)}"`,
    'cache-control': 'no-store',
  });
  try {
    await pipeChunks((async function* () {
      if (!first.done) yield first.value;
      yield* chunks;
    })(), res);
    res.end();
  } catch (err) {
    deps.logger.warn('export cut short', { account_id: accountId, kind, error: (err as Error).message });
    res.destroy();
  }
}

export async function sendForecast(res: ServerResponse, deps: GatewayDeps, accountId: string): Promise<void> {
  await deps.wallet.flush();
  const now = deps.now();
  const f = await forecastFor(deps.store, accountId, now, await deps.wallet.balance(accountId));
  if (!f) throw new NotFoundError(`No account ${accountId}.`);
  sendJson(res, 200, forecastView(f));
}

type AccountHandler = (req: IncomingMessage, res: ServerResponse, p: Record<string, string>, who: { account: { id: string } }, deps: GatewayDeps) => Promise<void>;
type AdminHandler = (req: IncomingMessage, res: ServerResponse, p: Record<string, string>, deps: GatewayDeps, url: URL) => Promise<void>;

/** For organization.ts's table: the account admin key's own exports and forecast. */
export const accountInsightRoutes: Array<[string, string, AccountHandler]> = [
  ['GET', '/v1/tollgate/exports/:file', (req, res, p, who, deps) => sendExport(req, res, deps, who.account.id, exportKindOf(p.file!))],
  ['GET', '/v1/tollgate/forecast', (_req, res, _p, who, deps) => sendForecast(res, deps, who.account.id)],
];

async function mustAccount(deps: GatewayDeps, id: string): Promise<void> {
  if (!(await deps.store.getAccount(id))) throw new NotFoundError(`No account ${id}.`);
}

/** For admin-routes.ts's table: any account's exports and forecast, for the operator. */
export const adminInsightRoutes: Array<[string, string, AdminHandler]> = [
  ['GET', '/admin/v1/accounts/:id/exports/:file', async (req, res, p, deps) => {
    const kind = exportKindOf(p.file!);
    await mustAccount(deps, p.id!);
    await sendExport(req, res, deps, p.id!, kind);
  }],
  ['GET', '/admin/v1/accounts/:id/forecast', (_req, res, p, deps) => sendForecast(res, deps, p.id!)],
];
