import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Http1ResponseParser, type ParsedResponse } from './http1-response-parser.js';
import { rawFixedRate, requestBytes } from './raw-fixed-rate.js';

function parseAll(wire: Buffer, pieceSize: number): { responses: ParsedResponse[]; firstBytes: number } {
  const responses: ParsedResponse[] = [];
  let firstBytes = 0;
  const parser = new Http1ResponseParser({ onFirstByte: () => { firstBytes++; }, onResponse: (r) => responses.push(r) });
  for (let i = 0; i < wire.length; i += pieceSize) parser.push(wire.subarray(i, i + pieceSize));
  return { responses, firstBytes };
}

test('the parser frames Content-Length, chunked (with extensions and trailers) and empty bodies, however the bytes are split', () => {
  const wire = Buffer.from([
    'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Tollgate-Cache: hit\r\nContent-Length: 11\r\n\r\n{"ok":true}',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6;ext=1\r\ndata: \r\n7\r\n[DONE]\n\r\n0\r\nX-Trailer: t\r\n\r\n',
    'HTTP/1.1 204 No Content\r\n\r\n',
    'HTTP/1.1 429 Too Many Requests\r\ncontent-length: 2\r\n\r\n{}',
  ].join(''));
  for (const piece of [1, 2, 3, 7, 64, wire.length]) {
    const { responses, firstBytes } = parseAll(wire, piece);
    assert.deepEqual(responses.map((r) => [r.status, r.bodyBytes]), [[200, 11], [200, 13], [204, 0], [429, 2]], `pieces of ${piece}`);
    assert.equal(responses[0]!.headers['x-tollgate-cache'], 'hit');
    assert.equal(firstBytes, 4);
  }
  assert.throws(() => parseAll(Buffer.from('SPDY/3 200\r\n\r\n'), 100), /status line/);
  assert.throws(() => parseAll(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), 100), /chunk size/);
});

test('requestBytes writes a complete HTTP/1.1 request with its extra headers', () => {
  const text = requestBytes(new URL('http://127.0.0.1:9/v1/chat/completions?x=1'), 'Bearer k', '{"a":1}', { 'x-tollgate-cache': 'skip' }).toString();
  assert.equal(text, 'POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nContent-Type: application/json\r\n' +
    'Authorization: Bearer k\r\nContent-Length: 7\r\nx-tollgate-cache: skip\r\n\r\n{"a":1}');
});

test('rawFixedRate sends the scheduled number of requests and measures every answer, plain and streamed; errors count apart', async () => {
  let served = 0;
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => {
      served++;
      seen.push(`${req.headers.authorization} ${req.headers['x-extra']} ${body}`);
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: 1\n\n');
        setTimeout(() => res.end('data: [DONE]\n\n'), 2);
      } else if (req.url === '/fail' && served % 2 === 0) res.writeHead(500).end('{}');
      else res.writeHead(200, { 'content-type': 'application/json', 'x-mark': 'm' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const marks: string[] = [];
    const plain = await rawFixedRate({
      url: `${base}/plain`, authorization: 'Bearer k', body: '{"q":1}', rate: 200, warmupS: 0.1, durationS: 0.2, connections: 2,
      headers: { 'x-extra': 'e' }, onAnswer: (_s, h) => marks.push(String(h['x-mark'])),
    });
    assert.equal(served, 60, 'warm-up and measured requests all reached the server');
    assert.deepEqual([plain.sent, plain.ok, plain.errors], [40, 40, 0]);
    assert.equal(marks.length, 40);
    assert.ok(marks.every((m) => m === 'm'));
    assert.ok(seen.every((s) => s === 'Bearer k e {"q":1}'));
    assert.ok(plain.p50Ms > 0 && plain.p50Ms <= plain.p99Ms && plain.ttfbP50Ms <= plain.p50Ms);

    const stream = await rawFixedRate({ url: `${base}/stream`, authorization: 'Bearer k', body: '{}', rate: 100, warmupS: 0, durationS: 0.2 });
    assert.deepEqual([stream.sent, stream.ok, stream.errors], [20, 20, 0]);
    assert.ok(stream.p50Ms >= 2, `a stream ends after its last event (p50 ${stream.p50Ms} ms)`);
    assert.ok(stream.ttfbP50Ms < stream.p50Ms, 'the first event comes before the end');

    served = 0;
    const failing = await rawFixedRate({ url: `${base}/fail`, authorization: 'Bearer k', body: '{}', rate: 100, warmupS: 0, durationS: 0.2, connections: 1 });
    assert.deepEqual([failing.sent, failing.ok, failing.errors], [20, 10, 10]);
  } finally {
    server.close();
  }
});
