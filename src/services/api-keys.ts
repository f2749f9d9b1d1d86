// Issuing API keys: a project key (for the OpenAI surface) or an account admin key (for /v1/organization/*).
// The secret is returned once; only its hash is stored.
import { generateApiKey, hashApiKey, redactApiKey } from '../domain/ids/api-key.js';
import { InvalidRequestError, NotFoundError } from '../http/errors.js';
import type { ApiKeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

export async function issueKey(
  store: Store, input: { accountId: string; projectId?: string | undefined; admin?: boolean; name?: string | undefined }, now: number,
): Promise<{ record: ApiKeyRecord; secret: string }> {
  if (!(await store.getAccount(input.accountId))) throw new NotFoundError(`No account ${input.accountId}.`);
  let projectId: string | null = null;
  if (input.admin) {
    if (input.projectId) throw new InvalidRequestError('An admin key belongs to the account, not a project: leave out the project.', 'project_id');
  } else if (input.projectId) {
    const project = await store.getProject(input.projectId);
    if (!project || project.accountId !== input.accountId) throw new NotFoundError(`No project ${input.projectId} in account ${input.accountId}.`);
    projectId = project.id;
  } else {
    const first = (await store.listProjects(input.accountId))[0];
    if (!first) throw new InvalidRequestError(`Account ${input.accountId} has no project; give one.`, 'project_id');
    projectId = first.id;
  }
  const secret = generateApiKey();
  const record = await store.createKey({
    accountId: input.accountId, projectId, kind: input.admin ? 'admin' : 'project',
    name: input.name ?? (input.admin ? 'admin key' : 'default'), secretHash: hashApiKey(secret), redacted: redactApiKey(secret),
  }, now);
  return { record, secret };
}
