// Tests of the goxel-bench load generator against scripted fake servers:
// replies split across reads, many replies per write, wrong ids, error
// replies, a server that hangs up, and usage errors.
// Run: GOXEL_BENCH_BINARY=build/bench/load/goxel-bench node --test tests/node
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const BENCH = process.env.GOXEL_BENCH_BINARY;

function requireBench() {
  assert.ok(BENCH, 'GOXEL_BENCH_BINARY must name the goxel-bench binary ' +
    '(e.g. build/bench/load/goxel-bench)');
  assert.ok(fs.existsSync(BENCH), `GOXEL_BENCH_BINARY=${BENCH} does not exist`);
}

function tempSocket(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goxel-bench-test-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 's.sock');
}

// A JSON-RPC server whose reply to each request is decided by `reply(req)`
// (a string without newline, or null to hang up) and written by `write`.
async function fakeServer(t, sock, { reply, write }) {
  const sockets = new Set();
  const stats = { requests: 0, maxBatch: 0 };
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let buf = '';
    s.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let out = [];
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const req = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        stats.requests++;
        const r = reply(req);
        if (r === null) {
          s.destroy();
          return;
        }
        out.push(r + '\n');
      }
      if (out.length) {
        stats.maxBatch = Math.max(stats.maxBatch, out.length);
        write(s, out.join(''));
      }
    });
  });
  await new Promise((res) => server.listen(sock, res));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise((res) => server.close(res));
  });
  return stats;
}

const okReply = (req) =>
  JSON.stringify({ jsonrpc: '2.0', result: { pong: true }, id: req.id });

// Writes the replies a few bytes at a time, with pauses, so that replies
// (and their newlines) are cut across the client's reads. One queue per
// socket keeps the bytes in order.
const pending = new WeakMap();
function dribble(s, data) {
  const queued = pending.get(s);
  if (queued !== undefined) {
    pending.set(s, queued + data);
    return;
  }
  pending.set(s, data);
  const step = () => {
    const rest = pending.get(s);
    if (s.destroyed || rest.length === 0) {
      pending.delete(s);
      return;
    }
    s.write(rest.slice(0, 7));
    pending.set(s, rest.slice(7));
    setTimeout(step, 1);
  };
  step();
}

function runBench(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(BENCH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      let report = null;
      const lines = out.trim().split('\n').filter(Boolean);
      if (lines.length === 1) report = JSON.parse(lines[0]);
      resolve({ code, out, err, report });
    });
  });
}

test('counts every reply of a pipelined run, replies cut across reads', async (t) => {
  requireBench();
  const sock = tempSocket(t);
  await fakeServer(t, sock, { reply: okReply, write: dribble });
  const r = await runBench(['-s', sock, '-c', '2', '-P', '4', '-n', '300', '-W', '20']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.report.method, 'ping');
  assert.equal(r.report.connections, 2);
  assert.equal(r.report.pipeline, 4);
  assert.equal(r.report.requests, 300);
  assert.equal(r.report.errors, 0);
  assert.ok(r.report.seconds > 0 && r.report.rps > 0);
  // Dribbling 7 bytes per millisecond makes every reply take a few ms.
  assert.ok(r.report.p50_us >= 1000, `p50 ${r.report.p50_us} us`);
  assert.ok(r.report.p50_us <= r.report.p90_us);
  assert.ok(r.report.p90_us <= r.report.p99_us);
  assert.ok(r.report.p99_us <= r.report.p999_us);
  assert.ok(r.report.p999_us <= r.report.max_us);
});

test('handles many replies in one read', async (t) => {
  requireBench();
  const sock = tempSocket(t);
  const stats = await fakeServer(t, sock, { reply: okReply, write: (s, d) => s.write(d) });
  const r = await runBench(['-s', sock, '-c', '1', '-P', '64', '-n', '5000', '-W', '0']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.report.requests, 5000);
  assert.equal(r.report.errors, 0);
  assert.equal(stats.requests, 5000);
  assert.ok(stats.maxBatch > 1, 'the client pipelined requests');
});

test('sends the method and params it is given and checks ids', async (t) => {
  requireBench();
  const sock = tempSocket(t);
  const seen = [];
  // Wrong id for every id divisible by 11, an error reply for 7s.
  await fakeServer(t, sock, {
    reply: (req) => {
      seen.push(req);
      if (req.id % 11 === 0) return JSON.stringify({ jsonrpc: '2.0', result: 1, id: req.id + 1 });
      if (req.id % 7 === 0) {
        return JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'busy' }, id: req.id });
      }
      return JSON.stringify({ jsonrpc: '2.0', result: req.params, id: req.id });
    },
    write: (s, d) => s.write(d),
  });
  const r = await runBench(['-s', sock, '-P', '8', '-n', '100', '-W', '0',
    '-M', 'goxel.get_voxel', '-A', '{"x":1,"y":2,"z":3}']);
  assert.equal(r.code, 3, 'errors make the exit status 3');
  assert.equal(r.report.method, 'goxel.get_voxel');
  assert.equal(r.report.requests, 100);
  assert.equal(r.report.errors, 9);  // 11, 22, ..., 99
  assert.equal(r.report.error_replies, 13);  // 7..98 without 77
  assert.equal(seen.length, 100);
  assert.deepEqual(seen[0], { jsonrpc: '2.0', method: 'goxel.get_voxel', params: { x: 1, y: 2, z: 3 }, id: 1 });
  assert.deepEqual(seen.map((q) => q.id), Array.from({ length: 100 }, (_, i) => i + 1));
});

test('rejects replies that are not JSON-RPC responses', async (t) => {
  requireBench();
  const sock = tempSocket(t);
  const bad = ['{"jsonrpc":"2.0","id":ID}', '{"result":1,"id":ID}',
    '{"jsonrpc":"2.0","result":1,"id":ID,}', 'pong', '{"jsonrpc":"2.0","result":1,"error":{"code":1,"message":"x"},"id":ID}'];
  await fakeServer(t, sock, {
    reply: (req) => (req.id <= bad.length ? bad[req.id - 1].replace('ID', req.id) : okReply(req)),
    write: (s, d) => s.write(d),
  });
  const r = await runBench(['-s', sock, '-n', '50', '-W', '0']);
  assert.equal(r.code, 3);
  assert.equal(r.report.errors, bad.length);
  assert.equal(r.report.error_replies, 0);
});

test('runs request bodies from a file in turn', async (t) => {
  requireBench();
  const sock = tempSocket(t);
  const methods = [];
  await fakeServer(t, sock, {
    reply: (req) => { methods.push(req.method); return okReply(req); },
    write: (s, d) => s.write(d),
  });
  const file = path.join(path.dirname(sock), 'bodies.jsonl');
  fs.writeFileSync(file, '{"method":"a","params":[1]}\n\n{ "method" : "b" }\n');
  const r = await runBench(['-s', sock, '-F', file, '-n', '10', '-W', '0']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.report.method, `file:${file}`);
  assert.deepEqual(methods, ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
});

test('runs for a duration across threads', async (t) => {
  requireBench();
  const sock = tempSocket(t);
  await fakeServer(t, sock, { reply: okReply, write: (s, d) => s.write(d) });
  const started = Date.now();
  const r = await runBench(['-s', sock, '-c', '4', '-T', '2', '-P', '2', '-d', '0.5', '-W', '10']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.report.threads, 2);
  assert.equal(r.report.seconds, 0.5);
  assert.ok(r.report.requests > 10);
  assert.ok(Date.now() - started < 10000);
});

test('counts requests lost when the server hangs up', async (t) => {
  requireBench();
  const sock = tempSocket(t);
  await fakeServer(t, sock, { reply: (req) => (req.id === 5 ? null : okReply(req)), write: (s, d) => s.write(d) });
  const r = await runBench(['-s', sock, '-n', '100', '-W', '0']);
  assert.equal(r.code, 3);
  assert.equal(r.report.requests, 4);
  assert.equal(r.report.errors, 1);
  assert.match(r.err, /connection 0: server closed the connection/);
});

test('stops at the hard time cap when the server never answers', async (t) => {
  requireBench();
  const sock = tempSocket(t);
  await fakeServer(t, sock, { reply: okReply, write: () => {} });
  const started = Date.now();
  const r = await runBench(['-s', sock, '-n', '10', '-t', '0.5']);
  assert.equal(r.code, 1);
  assert.match(r.err, /time cap/);
  assert.ok(Date.now() - started < 5000);
});

test('fails clearly when nothing listens', async (t) => {
  requireBench();
  const sock = tempSocket(t);
  const r = await runBench(['-s', sock, '-n', '10']);
  assert.equal(r.code, 1);
  assert.match(r.err, /cannot connect to .*s\.sock/);
});

test('validates its options with usage errors (exit 2)', async () => {
  requireBench();
  const cases = [
    [['-c', '0'], /-c\/--connections/],
    [['-c', 'x'], /-c\/--connections/],
    [['-P', '5000'], /-P\/--pipeline/],
    [['-n', '10', '-d', '1'], /exclusive/],
    [['-A', '{"x":'], /-A must be one valid JSON/],
    [['-A', '3'], /-A must be one valid JSON/],
    [['-c', '2', '-T', '3'], /-T must not exceed -c/],
    [['--raw', '60', '-M', 'x'], /exclusive/],
    [['-d', '5', '-t', '2'], /-t must exceed -d/],
    [['-F', '/nonexistent/file'], /cannot read request file/],
    [['--bogus'], /unknown option --bogus/],
    [['-n'], /needs a value/],
    [['extra'], /unexpected argument extra/],
  ];
  for (const [args, re] of cases) {
    const r = await runBench(args);
    assert.equal(r.code, 2, `${args.join(' ')} exits 2`);
    assert.match(r.err, re, args.join(' '));
    assert.match(r.err, /usage: goxel-bench/);
    assert.equal(r.out, '');
  }
  const help = await runBench(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /usage: goxel-bench/);
});
