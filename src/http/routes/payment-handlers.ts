// Request handling shared by the account's payment routes (/v1/tollgate/*) and the operator's (/admin/v1/*):
// checkout, auto-recharge settings, and the translation of payment errors into OpenAI-shaped API errors.
import type { IncomingMessage } from 'node:http';
import { PlanError } from '../../domain/payments/plans.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { checkRecharge, paymentView, RechargeSettingsError, rechargeView } from '../../services/payments/payment-views.js';
import { PaymentsNotConfiguredError, UnknownPlanError } from '../../services/payments/payments.js';
import { ApiError, InvalidRequestError, NotFoundError } from '../errors.js';
import { credits, int, readJsonObject, str } from '../json-body.js';

export async function checkoutFor(req: IncomingMessage, deps: GatewayDeps, accountId: string) {
  const body = await readJsonObject(req);
  const planId = str(body, 'plan_id') ?? (body.amount_cents !== undefined ? 'custom' : undefined);
  if (!planId) throw new InvalidRequestError("Missing required parameter: 'plan_id' (or 'amount_cents' for the custom plan).", 'plan_id', 'missing_required_parameter');
  const amountCents = int(body, 'amount_cents', { min: 1 });
  if (body.save_card !== undefined && typeof body.save_card !== 'boolean') throw new InvalidRequestError("Invalid 'save_card': a boolean.", 'save_card', 'invalid_type');
  const { payment, url } = await paymentCall(() => deps.payments.service.checkout(accountId, {
    planId, ...(amountCents !== undefined ? { amountCents } : {}), saveCard: body.save_card === true,
  }));
  return { id: payment.id, object: 'tollgate.checkout', url, payment: paymentView(payment) };
}

/** Sets auto-recharge; the operator may also set the saved card (`customer_id`, `payment_method_id`). */
export async function putRechargeFor(req: IncomingMessage, deps: GatewayDeps, accountId: string, operator: boolean) {
  const body = await readJsonObject(req);
  const existing = await deps.payments.store.getRecharge(accountId);
  const pick = (field: string, old: bigint | null | undefined) => (field in body ? credits(body, field) ?? null : old ?? null);
  if (body.enabled !== undefined && typeof body.enabled !== 'boolean') throw new InvalidRequestError("Invalid 'enabled': a boolean.", 'enabled', 'invalid_type');
  const threshold = pick('threshold', existing?.threshold);
  const monthlyCap = pick('monthly_cap', existing?.monthlyCap);
  if (threshold === null) throw new InvalidRequestError("Missing required parameter: 'threshold'.", 'threshold', 'missing_required_parameter');
  if (monthlyCap === null || monthlyCap <= 0n) throw new InvalidRequestError("'monthly_cap' must be above zero.", 'monthly_cap');
  const card = operator ? { customerId: str(body, 'customer_id') ?? null, paymentMethodId: str(body, 'payment_method_id') ?? null } : {};
  if (!operator && ('customer_id' in body || 'payment_method_id' in body)) {
    throw new ApiError(403, 'The saved card is set by a checkout with save_card, or by the operator.', { type: 'invalid_request_error', code: 'insufficient_permissions' });
  }
  try {
    const input = checkRecharge({
      accountId, enabled: body.enabled !== false, threshold, monthlyCap,
      amount: pick('amount', 'target' in body ? null : existing?.amount), target: pick('target', 'amount' in body ? null : existing?.target), ...card,
    });
    const saved = await deps.payments.store.putRecharge(input, deps.now());
    deps.payments.schedule(accountId);
    return rechargeView(saved);
  } catch (err) {
    if (err instanceof RechargeSettingsError) throw new InvalidRequestError(err.message, err.param, 'invalid_value');
    throw err;
  }
}

export async function getRechargeFor(deps: GatewayDeps, accountId: string) {
  const s = await deps.payments.store.getRecharge(accountId);
  if (!s) throw new NotFoundError('Auto-recharge is not set up for this account.');
  return rechargeView(s);
}

/** Runs a payment call, turning its domain errors into API errors; a provider failure is a 502 (nothing charged). */
export async function paymentCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PlanError) throw new InvalidRequestError(err.message, err.param, 'invalid_value');
    if (err instanceof UnknownPlanError) throw new NotFoundError(err.message);
    if (err instanceof PaymentsNotConfiguredError) throw new ApiError(404, err.message, { code: 'payments_not_configured' });
    if (err instanceof ApiError) throw err;
    throw new ApiError(502, `The payment provider could not be reached or refused the request: ${(err as Error).message}`, { type: 'server_error', code: 'payment_provider_error' });
  }
}
