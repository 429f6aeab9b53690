// Test helpers: a private directory per test, goxel-mcp started through
// the SDK's own clients (stdio and Streamable HTTP) against the real daemon
// binary (GOXEL_DAEMON_BINARY), and a small PNG decoder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export const BIN = fileURLToPath(new URL('../bin/goxel-mcp.js', import.meta.url));
export const DAEMON = process.env.GOXEL_DAEMON_BINARY;

export function requireDaemon() {
  assert.ok(DAEMON && fs.existsSync(DAEMON),
    'GOXEL_DAEMON_BINARY must name the goxel-daemon binary (e.g. build/daemon/goxel-daemon)');
}

// A temporary directory with the daemon's socket, PID and log files;
// removed (after everything registered on it stopped) when the test ends.
export function sandbox(t) {
  requireDaemon();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goxel-mcp-test-'));
  const box = {
    dir,
    socket: path.join(dir, 'd.sock'),
    env: {
      ...process.env,
      GOXEL_DAEMON_BINARY: DAEMON,
      GOXEL_PID_FILE: path.join(dir, 'd.pid'),
      GOXEL_LOG_FILE: path.join(dir, 'd.log'),
      GOXEL_SOCKET_PATH: path.join(dir, 'd.sock'),
      // The daemon's files (its data directory, with its lock and autosaves)
      // are the test's own: never the user's, never another test's.
      GOXEL_WORKING_DIR: dir,
      GOXEL_DATA_DIR: dir,
    },
    cleanups: [],
  };
  t.after(async () => {
    for (const f of box.cleanups.reverse()) await f().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return box;
}

// An SDK client connected to `goxel-mcp --auto-start` (or, autoStart
// false, attaching only) over stdio.
export async function stdioClient(box, extraArgs = [], { autoStart = true } = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, ...(autoStart ? ['--auto-start'] : []), ...extraArgs],
    env: box.env,
    cwd: box.dir,
    stderr: 'pipe',
  });
  const stderr = [];
  transport.stderr?.on('data', (d) => stderr.push(String(d)));
  const client = new Client({ name: 'goxel-mcp-test', version: '0' });
  await client.connect(transport);
  box.cleanups.push(() => client.close());
  client.stderrText = () => stderr.join('');
  return client;
}

// Starts `goxel-mcp --http` on a free loopback port (or `host`); resolves
// with {url, port, child} once it listens.
export async function httpServer(box, { host, env = {} } = {}) {
  const args = [BIN, '--auto-start', '--http', '--port', '0'];
  if (host) args.push('--host', host);
  const child = spawn(process.execPath, args, { env: { ...box.env, ...env }, cwd: box.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  box.cleanups.push(() => stopChild(child));
  const port = await new Promise((resolve, reject) => {
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      err += d;
      const m = /"url":"http:\/\/[^"]*:(\d+)\/mcp"/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`goxel-mcp exited ${code}: ${err}`)));
  });
  return { url: new URL(`http://127.0.0.1:${port}/mcp`), port, child };
}

export function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

export async function httpClient(box, url, requestInit = {}) {
  const transport = new StreamableHTTPClientTransport(url, { requestInit });
  const client = new Client({ name: 'goxel-mcp-test', version: '0' });
  await client.connect(transport);
  box.cleanups.push(() => client.close());
  return client;
}

// The text of a tool result parsed as JSON (asserting it is not an error).
export function ok(result) {
  assert.ok(!result.isError, `tool failed: ${JSON.stringify(result.content)}`);
  return JSON.parse(result.content[0].text);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Decodes an 8-bit RGBA, non-interlaced PNG (what the daemon writes):
// {width, height, at(x, y) -> [r, g, b, a]}.
export function decodePng(buffer) {
  assert.equal(buffer.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'PNG signature');
  let pos = 8;
  let width = 0;
  let height = 0;
  const idat = [];
  while (pos < buffer.length) {
    const len = buffer.readUInt32BE(pos);
    const type = buffer.toString('ascii', pos + 4, pos + 8);
    const data = buffer.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, 'bit depth');
      assert.equal(data[9], 6, 'colour type RGBA');
      assert.equal(data[12], 0, 'not interlaced');
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= 4 ? px[y * stride + x - 4] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= 4 && y > 0 ? px[(y - 1) * stride + x - 4] : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[y * stride + x] = (v + pred) & 255;
    }
  }
  return { width, height, at: (x, y) => [...px.subarray(y * stride + x * 4, y * stride + x * 4 + 4)] };
}
