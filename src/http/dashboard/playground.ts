// The playground: a chat call from a signed-in member through the real metered path (holds, settlement, budgets,
// rate limits), acting as the account's "dashboard playground" key in its default project. That key's secret is
// thrown away when it is made: the browser never holds an API key, and the key is revocable like any other.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { generateApiKey, hashApiKey, redactApiKey } from '../../domain/ids/api-key.js';
import type { Session } from '../../services/dashboard/dashboard-auth.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { handleMetered } from '../../services/metered-call.js';
import type { RequestContext } from '../../services/usage-record.js';
import type { KeyLookup } from '../../store/store.js';
import { InvalidRequestError, NotFoundError } from '../errors.js';

export const PLAYGROUND_KEY_NAME = 'dashboard playground';

export async function playground(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps, ctx: RequestContext, s: Session): Promise<void> {
  await handleMetered('chat.completions', req, res, ctx, deps, await playgroundKey(deps, s.member.accountId));
}

async function playgroundKey(deps: GatewayDeps, accountId: string): Promise<KeyLookup> {
  const account = await deps.store.getAccount(accountId);
  if (!account) throw new NotFoundError(`No account ${accountId}.`);
  const project = (await deps.store.listProjects(accountId))[0];
  if (!project) throw new InvalidRequestError('This account has no project to run the playground in.');
  const existing = (await deps.store.listKeys(accountId))
    .find((k) => k.name === PLAYGROUND_KEY_NAME && k.projectId === project.id && k.revokedAt === null && k.kind === 'project');
  if (existing) return { key: existing, account };
  const secret = generateApiKey();
  const key = await deps.store.createKey({
    accountId, projectId: project.id, kind: 'project', name: PLAYGROUND_KEY_NAME, secretHash: hashApiKey(secret), redacted: redactApiKey(secret),
  }, deps.now());
  return { key, account };
}
