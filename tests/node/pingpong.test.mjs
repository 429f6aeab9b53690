// Tests of the pingpong yardstick (bench/pingpong): pp_server echoes lines
// in both modes, answers a full queue at once and stops by itself; pp_client
// counts what it is told, checks replies in each mode and exits with the
// documented status.
// Run: PP_SERVER_BINARY=build/bench/pingpong/pp_server
//      PP_CLIENT_BINARY=build/bench/pingpong/pp_client node --test tests/node
import test from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';

const SERVER = process.env.PP_SERVER_BINARY;
const CLIENT = process.env.PP_CLIENT_BINARY;

function requireBinaries() {
  for (const [name, file] of [['PP_SERVER_BINARY', SERVER], ['PP_CLIENT_BINARY', CLIENT]]) {
    assert.ok(file, `${name} must name the binary (build/bench/pingpong/...)`);
    assert.ok(fs.existsSync(file), `${name}=${file} does not exist`);
  }
}

function tempSocket(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goxel-pingpong-test-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 's.sock');
}

// Runs a binary to its end (killed after 30 s): { code, out, err }.
function run(file, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30000);
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
  });
}

// The client's one line as an object of numbers (and label, msg).
function parseReport(out) {
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 1, out);
  const fields = lines[0].split(' ');
  const report = { label: fields[0] };
  for (const f of fields.slice(1)) {
    const [k, v] = f.split('=');
    report[k] = k === 'msg' ? v : Number(v);
  }
  return report;
}

// Starts pp_server and resolves once its socket accepts connections.
async function startServer(t, sock, args) {
  const p = spawn(SERVER, [sock, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const exited = new Promise((res) => p.on('close', (code, signal) => res({ code, signal, err })));
  t.after(() => { if (p.exitCode === null) p.kill('SIGKILL'); return exited; });
  await new Promise((res) => p.stderr.once('data', res));  // the "mode on" line
  assert.ok(fs.existsSync(sock), err);
  return { proc: p, exited };
}

// Sends `text` at once and collects reply lines until `count` have come.
function exchange(sock, text, count) {
  return new Promise((resolve, reject) => {
    const s = net.connect(sock, () => s.write(text));
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      if (lines.length > count) {
        s.destroy();
        resolve(lines.slice(0, count));
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error(`closed after ${buf.split('\n').length - 1} lines`)));
  });
}

// A server whose reply to each request line is decided by `reply(line, id)`;
// the replies to one read are written together, last request first.
async function fakeServer(t, sock, reply) {
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let buf = '';
    s.on('data', (chunk) => {
      buf += chunk;
      const out = [];
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const r = reply(line);
        if (r === null) { s.destroy(); return; }
        out.unshift(r + '\n');
      }
      s.write(out.join(''));
    });
  });
  await new Promise((res) => server.listen(sock, res));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise((res) => server.close(res));
  });
}

for (const mode of ['inline', 'worker']) {
  test(`pp_server ${mode} echoes every line, cut or batched, and stops on SIGTERM`, async (t) => {
    requireBinaries();
    const sock = tempSocket(t);
    const server = await startServer(t, sock, [mode, '-w', '2']);
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(i)}`);
    const replies = await exchange(sock, lines.join('\n') + '\n', 500);
    if (mode === 'inline') {
      assert.deepEqual(replies, lines);
    } else {
      // Two workers take lines of one connection in parallel: every line
      // comes back once, in any order.
      assert.deepEqual([...replies].sort(), [...lines].sort());
    }
    const r = await run(CLIENT, ['-s', sock, '-c', '3', '-P', '5', '-n', '3000', '-W', '100', '-b', '300']);
    assert.equal(r.code, 0, r.err);
    const report = parseReport(r.out);
    assert.equal(report.counted, 3000);
    assert.equal(report.errors, 0);
    server.proc.kill('SIGTERM');
    const end = await server.exited;
    assert.equal(end.code, 0, end.err);
    assert.match(end.err, /stopped \(signal\): requests=3600 queue_full=0/);
    assert.ok(!fs.existsSync(sock), 'the socket is removed');
  });
}

test('pp_server worker answers a line that finds the queue full at once', async (t) => {
  requireBinaries();
  const sock = tempSocket(t);
  // No worker: the first 3 lines stay queued, the other 7 find it full.
  const server = await startServer(t, sock, ['worker', '-w', '0', '-q', '3']);
  const replies = await exchange(sock, 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n', 7);
  assert.deepEqual(replies, Array(7).fill('ERR queue full'));
  server.proc.kill('SIGTERM');
  assert.match((await server.exited).err, /requests=10 queue_full=7/);
});

test('pp_server stops by itself after -T seconds', async (t) => {
  requireBinaries();
  const sock = tempSocket(t);
  const r = await run(SERVER, [sock, 'inline', '-T', '0.2']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /stopped \(time limit\)/);
  assert.ok(!fs.existsSync(sock));
});

test('pp_client json wants a result and an id in flight, in any order', async (t) => {
  requireBinaries();
  const sock = tempSocket(t);
  const seen = [];
  let n = 0;
  await fakeServer(t, sock, (line) => {
    const req = JSON.parse(line);
    seen.push(req);
    n++;
    if (n === 10) return `{"jsonrpc":"2.0","error":{"code":1,"message":"x"},"id":${req.id}}`;
    if (n === 20) return `{"jsonrpc":"2.0","error":{"message":"\\"result\\":1"},"id":${req.id}}`;
    if (n === 30) return `{"jsonrpc":"2.0","result":1,"id":"${req.id}"}`;
    if (n === 40) return `{"jsonrpc":"2.0","result":1,"id":${req.id},}`;
    return `{"jsonrpc":"2.0","result":{"id":0,"s":"}"} , "id" : ${req.id}}`;
  });
  const r = await run(CLIENT, ['-s', sock, '-m', 'json', '-P', '4', '-n', '60', '-W', '0',
    '-M', 'goxel.get_voxel', '-A', '{"x":1,"y":2,"z":3}']);
  assert.equal(r.code, 3, 'wrong replies make the exit status 3');
  const report = parseReport(r.out);
  assert.equal(report.msg, 'json');
  assert.equal(report.counted, 60);
  // Each of the 4 bad replies counts once; the 2 with no usable id are put
  // against the oldest request in flight, whose own reply (if it was not
  // that one) then finds no request and counts once more.
  assert.ok(report.errors >= 4 && report.errors <= 6, r.out);
  assert.deepEqual(seen[0], { jsonrpc: '2.0', method: 'goxel.get_voxel', params: { x: 1, y: 2, z: 3 }, id: 1 });
  const ids = seen.map((q) => q.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique on a connection');
});

test('pp_client json counts no error when every reply is right', async (t) => {
  requireBinaries();
  const sock = tempSocket(t);
  await fakeServer(t, sock, (line) => `{"jsonrpc":"2.0","result":true,"id":${JSON.parse(line).id}}`);
  for (const args of [['-c', '1'], ['-c', '2', '-P', '8']]) {
    const r = await run(CLIENT, ['-s', sock, '-m', 'json', '-n', '500', '-W', '10', ...args]);
    assert.equal(r.code, 0, r.err);
    assert.equal(parseReport(r.out).errors, 0);
  }
});

test('pp_client redis wants +PONG for each PING', async (t) => {
  requireBinaries();
  const sock = tempSocket(t);
  let n = 0;
  await fakeServer(t, sock, (line) => {
    assert.equal(line, 'PING\r');
    return ++n % 5 === 0 ? '-ERR\r' : '+PONG\r';
  });
  const r = await run(CLIENT, ['-s', sock, '-m', 'redis', '-n', '50', '-W', '0']);
  assert.equal(r.code, 3);
  assert.equal(parseReport(r.out).errors, 10);
});

test('pp_client exits 1 when the server hangs up and 2 on bad usage', async (t) => {
  requireBinaries();
  const sock = tempSocket(t);
  let n = 0;
  await fakeServer(t, sock, (line) => (++n === 20 ? null : line));
  const r = await run(CLIENT, ['-s', sock, '-n', '100', '-W', '0']);
  assert.equal(r.code, 1);
  assert.match(r.err, /closed/);
  for (const args of [[], ['-s', sock, '-m', 'xml'], ['-s', sock, '-c', '0'], ['-s', sock, 'extra']]) {
    assert.equal((await run(CLIENT, args)).code, 2, args.join(' '));
  }
});
