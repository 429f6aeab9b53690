// goxel-mcp over Streamable HTTP (the SDK's StreamableHTTPClientTransport):
// the scenario, DNS-rebinding checks, tokens, and per-session projects.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import test from 'node:test';

import { BIN, httpClient, httpServer, ok, sandbox } from './helpers.js';
import { runRestart, runScenario } from './scenario.js';

const INIT = {
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
};

function post(url, headers = {}, body = INIT) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

// A raw POST that may set Host (fetch does not let callers set it).
function rawPost(port, headers) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(INIT);
    const req = http.request({
      host: '127.0.0.1', port, path: '/mcp', method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the scenario works over HTTP', async (t) => {
  const box = sandbox(t);
  const { url } = await httpServer(box);
  await runScenario(await httpClient(box, url));
});

test('after a daemon restart the next call but one succeeds over HTTP', async (t) => {
  const box = sandbox(t);
  const { url } = await httpServer(box);
  await runRestart(await httpClient(box, url));
});

test('a wrong Origin or Host is refused', async (t) => {
  const box = sandbox(t);
  const { url, port } = await httpServer(box);
  const evil = await post(url, { origin: 'http://evil.example' });
  assert.equal(evil.status, 403);
  assert.match((await evil.json()).error.message, /Origin/);
  assert.equal(await rawPost(port, { host: `evil.example:${port}` }), 403);
  const good = await post(url, { origin: `http://localhost:${port}` });
  assert.equal(good.status, 200);
  assert.ok(good.headers.get('mcp-session-id'));
  await good.body?.cancel();
  const noSession = await post(url, {}, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
  assert.equal(noSession.status, 400);
});

test('off loopback, goxel-mcp refuses to start without a token', (t) => {
  const box = sandbox(t);
  const r = spawnSync(process.execPath, [BIN, '--http', '--host', '0.0.0.0', '--port', '0', '--auto-start'],
    { env: { ...box.env, GOXEL_MCP_TOKEN: '' }, encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without a token: set GOXEL_MCP_TOKEN/);
});

test('off loopback, a missing or wrong token is refused and the right one works', async (t) => {
  const box = sandbox(t);
  const token = 'x'.repeat(40);
  const { url } = await httpServer(box, { host: '0.0.0.0', env: { GOXEL_MCP_TOKEN: token } });
  assert.equal((await post(url)).status, 401);
  assert.equal((await post(url, { authorization: `Bearer ${'y'.repeat(40)}` })).status, 401);
  assert.equal((await post(url, { authorization: 'Bearer short' })).status, 401);
  const client = await httpClient(box, url, { headers: { authorization: `Bearer ${token}` } });
  assert.ok((await client.listTools()).tools.length > 5);
});

test('the number of sessions is bounded; a closed session frees its place', async (t) => {
  const box = sandbox(t);
  const { url } = await httpServer(box, { env: { GOXEL_MCP_MAX_SESSIONS: '2' } });
  const a = await httpClient(box, url);
  await httpClient(box, url);
  const third = await post(url);
  assert.equal(third.status, 503);
  assert.match((await third.json()).error.message, /too many sessions \(2\)/);
  await a.transport.terminateSession();
  const again = await post(url);
  assert.equal(again.status, 200);
  await again.body?.cancel();
});

test('two sessions do not see each other\'s current project', async (t) => {
  const box = sandbox(t);
  const { url } = await httpServer(box);
  const a = await httpClient(box, url);
  const b = await httpClient(box, url);
  const pa = ok(await a.callTool({ name: 'create_project', arguments: { name: 'a' } }));
  const pb = ok(await b.callTool({ name: 'create_project', arguments: { name: 'b' } }));
  assert.notEqual(pa.project_id, pb.project_id);
  ok(await a.callTool({ name: 'edit', arguments: { operations: [{ op: 'box', min: [0, 0, 0], max: [1, 1, 1], color: '#ff0000' }] } }));
  ok(await b.callTool({ name: 'edit', arguments: { operations: [{ op: 'set', position: [0, 0, 0], color: '#00ff00' }] } }));
  const sa = ok(await a.callTool({ name: 'describe_scene', arguments: {} }));
  const sb = ok(await b.callTool({ name: 'describe_scene', arguments: {} }));
  assert.equal(sa.project_id, pa.project_id);
  assert.equal(sa.voxel_count, 8);
  assert.equal(sb.project_id, pb.project_id);
  assert.equal(sb.voxel_count, 1);
});
