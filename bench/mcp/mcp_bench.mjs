// goxel-mcp benchmark: what the MCP layer costs on top of the daemon, and
// the end-to-end times of the issue 15 targets, each next to the same
// daemon call made directly in the same run (the yardstick).
//
//   node bench/mcp/mcp_bench.mjs --daemon build/daemon/goxel-daemon [--runs 200]
//
// Starts goxel-mcp --auto-start over stdio (the SDK's StdioClientTransport)
// on a private socket, and prints one JSON line:
//   ping: p50 of tools/call call_method{ping} vs ping on a persistent socket
//         (the overhead is their difference) and on a fresh connection per
//         call; and of an MCP protocol ping (no tool, no daemon: the stdio
//         transport's own round trip between the two processes), and of a
//         line echoed by a bare Node process over its pipes (the floor of
//         any stdio server on this machine); raw_client: the same tools/call
//         and ping from a client without the SDK (JSON lines on the pipes),
//         so its overhead is the server's alone;
//   edit_10k: one edit setting 10,000 voxels, p50 (ms), MCP vs direct;
//   sheet_4x512: render of 4 views at 512x512 of a 32^3 scene, p50 (ms);
//   tools_list: bytes and approximate tokens (bytes / 4).
// Needs client/mcp/node_modules (npm ci in client/mcp).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const mcpDir = path.join(root, 'client/mcp');
const req = createRequire(path.join(mcpDir, 'package.json'));
const load = (m) => import(pathToFileURL(req.resolve(m)).href);
const { Client } = await load('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = await load('@modelcontextprotocol/sdk/client/stdio.js');

const { values } = parseArgs({ options: { daemon: { type: 'string' }, runs: { type: 'string' } } });
const daemon = path.resolve(values.daemon || process.env.GOXEL_DAEMON_BINARY || 'build/daemon/goxel-daemon');
const runs = Number(values.runs || 200);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goxel-mcp-bench-'));
const socket = path.join(dir, 'd.sock');

const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

// A persistent JSON-RPC connection (newline-delimited replies, in order).
function connect() {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socket);
    let buf = '';
    const waiting = [];
    s.setEncoding('utf8');
    s.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        waiting.shift()(JSON.parse(line));
      }
    });
    s.on('error', reject);
    s.on('connect', () => resolve({
      call(method, params) {
        return new Promise((res) => {
          waiting.push(res);
          s.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) + '\n');
        });
      },
      close: () => s.end(),
    }));
  });
}

async function fresh(method, params) {
  const c = await connect();
  const r = await c.call(method, params);
  c.close();
  return r;
}

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [path.join(mcpDir, 'bin/goxel-mcp.js'), '--auto-start', '--log-level', 'error'],
  env: { ...process.env, GOXEL_DAEMON_BINARY: daemon, GOXEL_SOCKET_PATH: socket,
    GOXEL_PID_FILE: path.join(dir, 'd.pid'), GOXEL_LOG_FILE: path.join(dir, 'd.log'),
    // The daemon's data directory (lock, autosaves) is the run's own.
    GOXEL_DATA_DIR: dir, GOXEL_WORKING_DIR: dir },
  cwd: dir,
});
const client = new Client({ name: 'mcp-bench', version: '0' });
await client.connect(transport);
const tool = async (name, args) => {
  const r = await client.callTool({ name, arguments: args });
  if (r.isError) throw new Error(`${name}: ${r.content[0].text}`);
  return r;
};
const direct = await connect();

// The yardstick of the stdio transport: a line echoed by another Node
// process over its stdin and stdout pipes (what any stdio MCP server costs
// before it does anything).
const echo = spawn(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { stdio: ['pipe', 'pipe', 'inherit'] });
echo.stdout.setEncoding('utf8');
const echoed = [];
let echoBuf = '';
echo.stdout.on('data', (d) => {
  echoBuf += d;
  let nl;
  while ((nl = echoBuf.indexOf('\n')) >= 0) {
    echoBuf = echoBuf.slice(nl + 1);
    echoed.shift()();
  }
});
const pipeEcho = () => new Promise((resolve) => {
  echoed.push(resolve);
  echo.stdin.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n');
});

// The same server driven by a minimal client: newline-delimited JSON-RPC
// written to a second goxel-mcp's stdin (attached to the same daemon), no
// SDK on the client's side. What it adds over the direct call is the
// server's own overhead; the SDK client's parsing and validation are not
// in it.
const raw = spawn(process.execPath,
  [path.join(mcpDir, 'bin/goxel-mcp.js'), '--socket', socket, '--log-level', 'error'],
  { stdio: ['pipe', 'pipe', 'inherit'], cwd: dir });
raw.stdout.setEncoding('utf8');
const rawWaiting = new Map();
let rawBuf = '';
let rawId = 0;
raw.stdout.on('data', (d) => {
  rawBuf += d;
  let nl;
  while ((nl = rawBuf.indexOf('\n')) >= 0) {
    const msg = JSON.parse(rawBuf.slice(0, nl));
    rawBuf = rawBuf.slice(nl + 1);
    const done = rawWaiting.get(msg.id);
    if (done) { rawWaiting.delete(msg.id); done(msg); }
  }
});
const rawCall = (method, params) => new Promise((resolve) => {
  const id = ++rawId;
  rawWaiting.set(id, resolve);
  raw.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
});
await rawCall('initialize', { protocolVersion: '2025-06-18', capabilities: {},
  clientInfo: { name: 'mcp-bench-raw', version: '0' } });
raw.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');

const list = await client.listTools();
const listBytes = Buffer.byteLength(JSON.stringify(list));

// 1. A trivial call: ping through call_method vs directly.
const mcpPing = [];
const directPing = [];
const freshPing = [];
const protocolPing = [];
const pipePing = [];
const rawTool = [];
const rawPing = [];
for (let i = 0; i < runs; i++) {
  let r0 = process.hrtime.bigint();
  const reply = await rawCall('tools/call', { name: 'call_method', arguments: { method: 'ping' } });
  if (reply.error || reply.result.isError) throw new Error(`raw call_method: ${JSON.stringify(reply)}`);
  rawTool.push(ms(r0));
  r0 = process.hrtime.bigint();
  await rawCall('ping', {});
  rawPing.push(ms(r0));
}
for (let i = 0; i < runs; i++) {
  let t0 = process.hrtime.bigint();
  await pipeEcho();
  pipePing.push(ms(t0));
  t0 = process.hrtime.bigint();
  await client.ping();
  protocolPing.push(ms(t0));
  t0 = process.hrtime.bigint();
  await tool('call_method', { method: 'ping' });
  mcpPing.push(ms(t0));
  t0 = process.hrtime.bigint();
  await direct.call('ping');
  directPing.push(ms(t0));
  t0 = process.hrtime.bigint();
  await fresh('ping');
  freshPing.push(ms(t0));
}

// 2. One edit of 10,000 voxels (a 100 x 100 layer, colours alternating so
// every run changes every voxel).
const positions = [];
for (let x = 0; x < 100; x++) for (let y = 0; y < 100; y++) positions.push([x, y, 0]);
const project = JSON.parse((await tool('create_project', { name: 'bench' })).content[0].text).project_id;
const mcpEdit = [];
const directEdit = [];
for (let i = 0; i < 9; i++) {
  let t0 = process.hrtime.bigint();
  await tool('edit', { operations: [{ op: 'set', positions, color: i % 2 ? '#ff0000' : '#00ff00' }] });
  mcpEdit.push(ms(t0));
  t0 = process.hrtime.bigint();
  const r = await direct.call('goxel.edit', { project_id: project,
    operations: [{ op: 'set', positions, color: i % 2 ? '#0000ff' : '#ffff00' }] });
  if (r.error) throw new Error(JSON.stringify(r.error));
  directEdit.push(ms(t0));
}

// 3. A 4-view contact sheet of a 32^3 scene at 512 x 512.
await tool('edit', { operations: [
  { op: 'box', min: [0, 0, 0], max: [99, 99, 0], mode: 'remove' },
  { op: 'box', min: [0, 0, 0], max: [31, 31, 7], color: '#6a8caf' },
  { op: 'sphere', center: [16, 16, 20], radius: 11, color: '#d04a2a' },
  { op: 'cylinder', center: [4, 4, 16], radius: 3, height: 16, color: '#2a9d4a' },
  { op: 'box', min: [24, 0, 8], max: [31, 7, 31], color: '#e9c46a', hollow: true },
] });
const views = ['front', 'right', 'top', 'isometric'];
const mcpSheet = [];
const directSheet = [];
for (let i = 0; i < 9; i++) {
  let t0 = process.hrtime.bigint();
  await tool('render', { views, width: 512, height: 512 });
  mcpSheet.push(ms(t0));
  t0 = process.hrtime.bigint();
  await direct.call('goxel.render_views', { project_id: project, views, width: 512, height: 512 });
  directSheet.push(ms(t0));
}

const r3 = (x) => Math.round(x * 1000) / 1000;
console.log(JSON.stringify({
  ping: {
    mcp_p50_ms: r3(p50(mcpPing)), direct_p50_ms: r3(p50(directPing)), fresh_connection_p50_ms: r3(p50(freshPing)),
    overhead_p50_ms: r3(p50(mcpPing) - p50(directPing)),
    mcp_protocol_ping_p50_ms: r3(p50(protocolPing)), node_pipe_echo_p50_ms: r3(p50(pipePing)), runs,
    raw_client: { mcp_p50_ms: r3(p50(rawTool)), protocol_ping_p50_ms: r3(p50(rawPing)),
      overhead_p50_ms: r3(p50(rawTool) - p50(directPing)) },
  },
  edit_10k: { mcp_p50_ms: r3(p50(mcpEdit)), direct_p50_ms: r3(p50(directEdit)), runs: 9 },
  sheet_4x512: { mcp_p50_ms: r3(p50(mcpSheet)), direct_p50_ms: r3(p50(directSheet)), runs: 9 },
  tools_list: { bytes: listBytes, approx_tokens: Math.round(listBytes / 4), tools: list.tools.length },
}));
direct.close();
echo.stdin.end();
raw.stdin.end();
await client.close();
fs.rmSync(dir, { recursive: true, force: true });
