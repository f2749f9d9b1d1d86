import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignInThrottle } from './sign-in-throttle.js';

test('failed sign-ins are limited per email and per IP within the window; a success clears the email', () => {
  const t = new SignInThrottle({ perEmail: 2, perIp: 3, windowMs: 1000 });
  t.fail('a@x', 'ip1', 0);
  assert.equal(t.retryAfter('a@x', 'ip1', 10), 0);
  t.fail('a@x', 'ip1', 100);
  assert.equal(t.retryAfter('a@x', 'ip2', 200), 1, 'the email is blocked from any IP');
  assert.equal(t.retryAfter('a@x', 'ip1', 1001), 0, 'the first failure left the window');
  t.fail('b@x', 'ip1', 300);
  assert.ok(t.retryAfter('c@x', 'ip1', 400) > 0, 'the IP is blocked for every email');
  t.succeed('a@x');
  assert.equal(t.retryAfter('a@x', 'ip9', 500), 0);
});
