// goxel-mcp supports Node 18: every package in the lockfile accepts it, and
// the server works over stdio and HTTP without the globals Node 18 lacks
// (node18-globals.cjs removes them; @hono/node-server 2.x needed Node 20's
// global crypto, so the SDK's HTTP transport failed on Node 18).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import { httpClient, httpServer, ok, sandbox, stdioClient } from './helpers.js';

const PRELOAD = fileURLToPath(new URL('node18-globals.cjs', import.meta.url));
const NODE_OPTIONS = `--require ${JSON.stringify(PRELOAD)}`;

// Whether a `engines.node` range admits 18.14.1 (the forms the lockfile
// uses: ">=a.b.c", ">= a", "^a || ^b", "a.x"); an unknown form fails.
function admits18(range) {
  return range.split('||').some((alt) => alt.trim().replace(/([<>=^~])\s+/g, '$1').split(/\s+/).every((c) => {
    const m = /^(>=|>|<=|<|\^|~|=)?\s*(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?$/.exec(c.trim());
    assert.ok(m, `unknown engines range ${range}`);
    const v = [Number(m[2]), Number(m[3]) || 0, Number(m[4]) || 0];
    const cmp = Math.sign(18 - v[0]) || Math.sign(14 - v[1]) || Math.sign(1 - v[2]);
    switch (m[1]) {
      case '>=': return cmp >= 0;
      case '>': return cmp > 0;
      case '<=': return cmp <= 0;
      case '<': return cmp < 0;
      default: return v[0] === 18 && (m[1] === '^' || m[3] === undefined || m[3] === 'x' || cmp === 0);
    }
  }));
}

test('every package in the lockfile accepts Node 18', () => {
  assert.equal(admits18('>=20'), false);
  assert.equal(admits18('>= 0.8'), true);
  assert.equal(admits18('^16 || ^18 || >=20'), true);
  const lock = JSON.parse(fs.readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
  const refused = Object.entries(lock.packages)
    .filter(([, p]) => typeof p.engines?.node === 'string' && !admits18(p.engines.node))
    .map(([name, p]) => `${name} (${p.engines.node})`);
  assert.deepEqual(refused, []);
});

test('over stdio without the globals Node 18 lacks', async (t) => {
  const box = sandbox(t);
  box.env.NODE_OPTIONS = NODE_OPTIONS;
  const client = await stdioClient(box);
  ok(await client.callTool({ name: 'edit', arguments: { operations: [{ op: 'box', min: [0, 0, 0], max: [3, 3, 3], color: '#ff0000' }] } }));
  const shot = await client.callTool({ name: 'render', arguments: { views: ['isometric'], width: 64, height: 64 } });
  assert.ok(!shot.isError, JSON.stringify(shot.content));
  assert.equal(shot.content[0].type, 'image');
});

test('over HTTP without the globals Node 18 lacks', async (t) => {
  const box = sandbox(t);
  const { url } = await httpServer(box, { env: { NODE_OPTIONS } });
  const client = await httpClient(box, url);
  const built = ok(await client.callTool({ name: 'edit', arguments: { operations: [{ op: 'set', position: [0, 0, 0], color: '#00ff00' }] } }));
  assert.equal(built.added, 1);
  assert.equal(ok(await client.callTool({ name: 'describe_scene', arguments: {} })).voxel_count, 1);
});
