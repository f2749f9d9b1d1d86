// tollgate alerts add | list | delete | deliveries: alert rules (webhook or email) and their delivery log.
import { SqliteAlertStore } from '../store/sqlite/alerts-store.js';
import { PgAlertStore } from '../store/postgres/alerts-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { PgStore } from '../store/postgres/pg-store.js';
import type { Store } from '../store/store.js';
import type { AlertStore } from '../services/alerts/alert-store.js';
import { createRuleFromWire, deliveryView, ruleView } from '../services/alerts/alert-rules.js';
import { CliError, optional, parse, printJson, required } from './args.js';

function alertStore(store: Store): AlertStore {
  if (store instanceof SqliteStore) return new SqliteAlertStore(store.db);
  if (store instanceof PgStore) return new PgAlertStore(store.pool);
  throw new CliError(`no alert store for ${store.kind}`);
}

export async function alertsCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  const alerts = alertStore(store);
  if (sub === 'add') {
    const v = parse(rest, {
      account: { type: 'string' }, kind: { type: 'string' }, params: { type: 'string' }, webhook: { type: 'string' },
      email: { type: 'string' }, json: { type: 'boolean' },
    });
    const accountId = required(v, 'account');
    if (!(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
    let params: unknown = {};
    try {
      params = JSON.parse(optional(v, 'params') ?? '{}');
    } catch {
      throw new CliError('--params must be JSON, e.g. \'{"threshold":"5"}\'');
    }
    const channels: unknown[] = [];
    const webhook = optional(v, 'webhook');
    const email = optional(v, 'email');
    if (webhook) channels.push({ type: 'webhook', url: webhook });
    if (email) channels.push({ type: 'email', recipients: email.split(',').map((e) => e.trim()) });
    const { rule } = await createRuleFromWire(alerts, accountId, { kind: required(v, 'kind'), params, channels }, Date.now());
    const view = ruleView(rule, { revealSecrets: true });
    if (v.json) printJson(view);
    else process.stdout.write(`alert rule ${rule.id} (${rule.kind})${webhook ? `; webhook secret ${JSON.stringify(view.channels.find((c) => c.type === 'webhook'))}` : ''}\n`);
    return;
  }
  if (sub === 'list') {
    const v = parse(rest, { account: { type: 'string' }, json: { type: 'boolean' } });
    const rows = (await alerts.listRules(required(v, 'account'))).map((r) => ruleView(r, { revealSecrets: false }));
    if (v.json) printJson(rows);
    else for (const r of rows) process.stdout.write(`${r.id}\t${r.kind}\t${JSON.stringify(r.params)}\t${r.enabled ? 'on' : 'off'}\n`);
    return;
  }
  if (sub === 'delete') {
    const v = parse(rest, { rule: { type: 'string' } });
    if (!(await alerts.deleteRule(required(v, 'rule')))) throw new CliError(`no alert rule ${String(v.rule)}`);
    process.stdout.write(`deleted ${String(v.rule)}\n`);
    return;
  }
  if (sub === 'deliveries') {
    const v = parse(rest, { account: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } });
    const accountId = optional(v, 'account');
    const rows = (await alerts.listDeliveries({ ...(accountId ? { accountId } : {}), limit: Number(optional(v, 'limit') ?? 50) })).map(deliveryView);
    if (v.json) printJson(rows);
    else for (const d of rows) process.stdout.write(`${d.created_at}\t${d.kind}\t${d.channel}\t${d.status}\tattempts ${d.attempts}\t${d.last_error ?? ''}\n`);
    return;
  }
  throw new CliError('usage: tollgate alerts add --account ID --kind KIND [--params JSON] [--webhook URL] [--email a@x,b@y] | ' +
    'alerts list --account ID | alerts delete --rule ID | alerts deliveries [--account ID]');
}
