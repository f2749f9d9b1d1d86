// The answers a refused redemption gets, in OpenAI's error shape. Unknown, malformed and someone else's used code
// are one answer (`invalid_code`), so a caller learns nothing about codes it does not hold.
import { ApiError, InvalidRequestError } from '../../http/errors.js';
import { iso } from '../../views/views.js';

export class InvalidCodeError extends InvalidRequestError {
  constructor() {
    super('This redemption code is not valid. Check it and try again.', 'code', 'invalid_code');
  }
}

/** Only the account that redeemed the code is told so; to anyone else it is an invalid code. */
export class CodeAlreadyRedeemedError extends InvalidRequestError {
  constructor(redeemedAt: number, grantId: string | null) {
    super(`You already redeemed this code on ${iso(redeemedAt)}${grantId ? ` (grant ${grantId})` : ''}; a code redeems once.`, 'code', 'code_already_redeemed');
  }
}

export class CodeExpiredError extends InvalidRequestError {
  constructor() {
    super('This redemption code has expired.', 'code', 'code_expired');
  }
}

export class RedemptionLimitError extends InvalidRequestError {
  constructor(limit: number) {
    super(`This account has already redeemed ${limit} code${limit === 1 ? '' : 's'} of this batch, the most it may.`, 'code', 'redemption_limit_reached');
  }
}

export function isRedemptionRefusal(err: unknown): err is ApiError {
  return err instanceof InvalidCodeError || err instanceof CodeAlreadyRedeemedError || err instanceof CodeExpiredError
    || err instanceof RedemptionLimitError;
}
