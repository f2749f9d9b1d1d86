import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventData, eventName, isDoneEvent, parseEventData, withData } from './sse-event.js';

const ev = (text: string): Buffer => Buffer.from(text);

test('eventName reads the event line wherever it is, with or without a space', () => {
  assert.equal(eventName(ev('event: response.completed\ndata: {}\n\n')), 'response.completed');
  assert.equal(eventName(ev('event:response.created\r\ndata: {}\r\n\r\n')), 'response.created');
  assert.equal(eventName(ev(': hi\nid: 3\nevent: x\ndata: {}\n\n')), 'x');
  assert.equal(eventName(ev('data: {"event":"nope"}\n\n')), undefined);
});

test('eventData joins data lines, strips one space, ignores comments and other fields', () => {
  assert.equal(eventData(ev('data: a\ndata:b\ndata:  c\n\n')), 'a\nb\n c');
  assert.equal(eventData(ev(': data: no\nevent: e\r\ndata: x\r\n\r\n')), 'x');
  assert.equal(eventData(ev('data\n\n')), '');
  assert.equal(eventData(ev(': only a comment\n\n')), undefined);
  assert.deepEqual(parseEventData(ev('data: {"a":\ndata: [1]}\n\n')), { a: [1] });
  assert.equal(parseEventData(ev('data: {broken\n\n')), undefined);
});

test('isDoneEvent only for a data line that is exactly [DONE]', () => {
  assert.equal(isDoneEvent(ev('data: [DONE]\n\n')), true);
  assert.equal(isDoneEvent(ev('data:[DONE]\r\n\r\n')), true);
  assert.equal(isDoneEvent(ev('data: [DONE]')), true);
  assert.equal(isDoneEvent(ev('data: {"content":"[DONE]"}\n\n')), false);
  assert.equal(isDoneEvent(ev(': [DONE]\n\n')), false);
});

test('withData replaces the data lines and keeps the other lines in order', () => {
  assert.equal(withData(ev('id: 1\r\ndata: {"a":\r\ndata: 1}\r\n: c\r\n\r\n'), '{"a":2}').toString(), 'id: 1\ndata: {"a":2}\n: c\n\n');
  assert.equal(withData(ev('event: e\n\n'), '{}').toString(), 'event: e\ndata: {}\n\n');
});
