// goxel-mcp over stdio, through the SDK's StdioClientTransport, against the
// real daemon: the scenario, the schema budget and drift, resources, a
// daemon restart, and the command line.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { methodSchema, toolSchema } from '../src/schema.js';
import { TOOLS } from '../src/tools.js';
import { DaemonLink } from '../src/daemon.js';
import { BIN, DAEMON, ok, sandbox, stdioClient, stopChild } from './helpers.js';
import { runRestart, runScenario } from './scenario.js';

test('the scenario works over stdio', async (t) => {
  const box = sandbox(t);
  const client = await stdioClient(box);
  await runScenario(client);
});

test('tools/list stays within 16 KB and 16 tools, snake_case, each described', async (t) => {
  const client = await stdioClient(sandbox(t));
  const { tools } = await client.listTools();
  const bytes = Buffer.byteLength(JSON.stringify({ tools }));
  assert.ok(bytes <= 16 * 1024, `tools/list is ${bytes} bytes`);
  assert.ok(tools.length <= 16, `${tools.length} tools`);
  for (const tool of tools) {
    assert.match(tool.name, /^[a-z][a-z0-9_]{0,63}$/);
    assert.ok(tool.description.length > 60, `${tool.name} says when to use it and what it returns`);
    assert.equal(tool.inputSchema.additionalProperties, false, `${tool.name} rejects unknown arguments`);
  }
});

test('tool schemas match the daemon methods they wrap (drift)', async (t) => {
  const client = await stdioClient(sandbox(t));
  const { tools } = await client.listTools();
  const methods = ok(await client.callTool({ name: 'call_method', arguments: { method: 'list_methods' } })).methods;
  const byName = new Map(methods.map((m) => [m.method, m]));
  let wrapped = 0;
  for (const def of TOOLS.filter((d) => d.wraps)) {
    const listed = tools.find((x) => x.name === def.name);
    const method = byName.get(def.wraps);
    assert.ok(method, `${def.wraps} exists`);
    const daemon = methodSchema(method);
    const omit = def.omit || ['project_id'];
    const expected = Object.keys(daemon.properties).filter((n) => !omit.includes(n)).sort();
    assert.deepEqual(Object.keys(listed.inputSchema.properties).sort(), expected, `${def.name} params`);
    assert.deepEqual((listed.inputSchema.required || []).sort(),
      (daemon.required || []).filter((n) => !omit.includes(n)).sort(), `${def.name} required`);
    for (const name of expected) {
      assert.equal(listed.inputSchema.properties[name].description, daemon.properties[name].description,
        `${def.name}.${name} description`);
    }
    assert.deepEqual(toolSchema(method, { omit }).required, daemon.required.filter((n) => !omit.includes(n)));
    wrapped++;
  }
  assert.ok(wrapped >= 8, `${wrapped} tools wrap daemon methods`);
});

test('resources: methods, projects, a project summary, its preview and the guide', async (t) => {
  const client = await stdioClient(sandbox(t));
  const created = ok(await client.callTool({ name: 'create_project', arguments: { name: 'res' } }));
  ok(await client.callTool({ name: 'edit', arguments: { operations: [{ op: 'box', min: [0, 0, 0], max: [2, 2, 2], color: '#ff0000' }] } }));
  const templates = await client.listResourceTemplates();
  assert.deepEqual(templates.resourceTemplates.map((r) => r.uriTemplate).sort(),
    ['goxel://project/{id}', 'goxel://project/{id}/preview.png']);
  const methods = await client.readResource({ uri: 'goxel://methods' });
  assert.ok(JSON.parse(methods.contents[0].text).methods.some((m) => m.method === 'goxel.edit'));
  const projects = JSON.parse((await client.readResource({ uri: 'goxel://projects' })).contents[0].text);
  assert.ok(projects.projects.some((p) => p.project_id === created.project_id));
  const info = JSON.parse((await client.readResource({ uri: `goxel://project/${created.project_id}` })).contents[0].text);
  assert.equal(info.voxel_count, 27);
  const preview = await client.readResource({ uri: `goxel://project/${created.project_id}/preview.png` });
  assert.equal(preview.contents[0].mimeType, 'image/png');
  assert.equal(Buffer.from(preview.contents[0].blob, 'base64').subarray(1, 4).toString(), 'PNG');
  const guide = await client.readResource({ uri: 'goxel://guide' });
  assert.match(guide.contents[0].text, /expected_version/);
  const prompt = await client.getPrompt({ name: 'goxel_guide' });
  assert.match(prompt.messages[0].content.text, /analyze/);
});

test('after a daemon restart the next call but one succeeds', async (t) => {
  await runRestart(await stdioClient(sandbox(t)));
});

test('without --auto-start it attaches to a running daemon, follows its restart and leaves it running', async (t) => {
  const box = sandbox(t);
  const none = spawnSync(process.execPath, [BIN], { env: box.env, encoding: 'utf8', input: '', timeout: 30000 });
  assert.equal(none.status, 1);
  assert.match(none.stderr, /cannot use goxel-daemon on .*d\.sock.*start goxel-daemon, or pass --auto-start/);
  const startDaemon = async () => {
    const child = spawn(DAEMON, ['--foreground', '--socket', box.socket, '--data-dir', box.dir],
      { env: box.env, cwd: box.dir, stdio: 'ignore' });
    box.cleanups.push(() => stopChild(child));
    const link = new DaemonLink({ socketPath: box.socket });
    for (;;) { // until it answers
      try {
        await link.call('ping');
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await link.close();
    return child;
  };
  let daemon = await startDaemon();
  const client = await stdioClient(box, [], { autoStart: false });
  const status = async () => ok(await client.callTool({ name: 'call_method', arguments: { method: 'status' } }));
  assert.equal((await status()).pid, daemon.pid);
  ok(await client.callTool({ name: 'edit', arguments: { operations: [{ op: 'set', position: [0, 0, 0], color: '#ff0000' }] } }));
  // The daemon stops: calls say so and what to do.
  await stopChild(daemon);
  const gone = await client.callTool({ name: 'describe_scene', arguments: {} });
  assert.equal(gone.isError, true);
  assert.match(gone.content[0].text, /not reachable.*Start goxel-daemon \(or run goxel-mcp with --auto-start\)/);
  // Someone starts it again: it restores the autosaved project, and the
  // session goes on with it.
  daemon = await startDaemon();
  for (;;) {
    const { projects } = ok(await client.callTool({ name: 'call_method', arguments: { method: 'goxel.list_projects' } }));
    if (projects.length === 1 && !projects[0].restoring) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(ok(await client.callTool({ name: 'describe_scene', arguments: {} })).voxel_count, 1);
  assert.equal(ok(await client.callTool({ name: 'edit', arguments: { operations: [{ op: 'set', position: [1, 1, 1], color: '#00ff00' }] } })).added, 1);
  assert.equal((await status()).pid, daemon.pid);
  // goxel-mcp leaves a daemon it attached to running.
  await client.close();
  const link = new DaemonLink({ socketPath: box.socket });
  assert.ok(await link.call('ping'));
  await link.close();
  assert.equal(daemon.exitCode, null);
});

test('logs go to stderr as JSON lines, and to the client once it asks', async (t) => {
  const client = await stdioClient(sandbox(t));
  const messages = [];
  const { LoggingMessageNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => messages.push(n.params));
  await client.callTool({ name: 'edit', arguments: { operations: [{ op: 'nope' }] } });
  assert.equal(messages.length, 0, 'nothing before logging/setLevel');
  await client.setLoggingLevel('info');
  await client.callTool({ name: 'edit', arguments: { operations: [{ op: 'nope' }] } });
  assert.ok(messages.some((m) => m.data.msg === 'tool error'), JSON.stringify(messages));
  const lines = client.stderrText().trim().split('\n');
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
});

test('stdout carries only JSON-RPC messages, even when the daemon is gone', async (t) => {
  const box = sandbox(t);
  const child = spawn(process.execPath, [BIN, '--auto-start', '--log-level', 'debug'],
    { env: box.env, cwd: box.dir, stdio: ['pipe', 'pipe', 'pipe'] });
  box.cleanups.push(() => stopChild(child));
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  const replies = (n) => new Promise((resolve) => {
    const check = () => (out.split('\n').filter(Boolean).length >= n ? resolve() : setImmediate(check));
    check();
  });
  const send = (id, method, params) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
  send(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } });
  await replies(1);
  child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
  send(2, 'tools/call', { name: 'edit', arguments: { operations: [{ op: 'set', position: [0, 0, 0], color: '#ff0000' }] } });
  send(3, 'tools/call', { name: 'edit', arguments: { operations: [{ op: 'nope' }] } });
  await replies(3);
  const pid = Number.parseInt(fs.readFileSync(box.env.GOXEL_PID_FILE, 'utf8'), 10);
  process.kill(pid, 'SIGKILL');
  send(4, 'tools/call', { name: 'describe_scene', arguments: {} });
  send(5, 'tools/list', {});
  await replies(5);
  const lines = out.split('\n').filter(Boolean);
  // Replies may come in any order (4 waits for the daemon, 5 does not).
  assert.deepEqual(lines.map((l) => JSON.parse(l).id).sort(), [1, 2, 3, 4, 5]);
  const byId = new Map(lines.map((l) => [JSON.parse(l).id, JSON.parse(l)]));
  assert.equal(byId.get(3).result.isError, true);
  assert.equal(byId.get(4).result.isError, true);
  for (const l of lines) assert.equal(JSON.parse(l).jsonrpc, '2.0');
  const logs = err.trim().split('\n');
  assert.ok(logs.length > 3, err);
  for (const l of logs) assert.ok(JSON.parse(l).level, l);
});

test('--help, --version and --print-client-config', () => {
  const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--auto-start/);
  const version = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
  assert.match(version.stdout, /^goxel-mcp \d+\.\d+\.\d+\n$/);
  const claude = JSON.parse(spawnSync(process.execPath, [BIN, '--print-client-config'], { encoding: 'utf8' }).stdout);
  assert.equal(claude.mcpServers.goxel.command, process.execPath);
  assert.equal(claude.mcpServers.goxel.args[0], BIN);
  assert.equal(claude.mcpServers.goxel.env.GOXEL_DAEMON_BINARY, path.resolve(process.env.GOXEL_DAEMON_BINARY));
  // Without GOXEL_DAEMON_BINARY: the daemon the manager finds (PATH, then
  // this checkout's build directories), by its absolute path.
  const { GOXEL_DAEMON_BINARY: _, ...bare } = process.env;
  const found = JSON.parse(spawnSync(process.execPath, [BIN, '--print-client-config'],
    { encoding: 'utf8', env: { ...bare, PATH: path.dirname(process.env.GOXEL_DAEMON_BINARY) } }).stdout);
  assert.equal(found.mcpServers.goxel.env.GOXEL_DAEMON_BINARY, path.resolve(process.env.GOXEL_DAEMON_BINARY));
  const vscode = JSON.parse(spawnSync(process.execPath, [BIN, '--print-client-config', 'vscode'], { encoding: 'utf8' }).stdout);
  assert.equal(vscode.servers.goxel.type, 'stdio');
  const bad = spawnSync(process.execPath, [BIN, '--bogus'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /bogus/);
});
