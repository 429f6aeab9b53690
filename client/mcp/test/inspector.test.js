// The official MCP Inspector in CLI mode (a client nobody here wrote) lists
// goxel-mcp's tools and calls two of them. The inspector's own package
// needs Node >= 22; its CLI package (@modelcontextprotocol/inspector-cli,
// what `inspector --cli` runs) works on Node 18 and 20.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import test from 'node:test';

import { BIN, sandbox } from './helpers.js';

const require = createRequire(import.meta.url);
const CLI = path.join(path.dirname(require.resolve('@modelcontextprotocol/inspector-cli/package.json')), 'build', 'cli.js');

function inspect(box, ...args) {
  const env = ['GOXEL_DAEMON_BINARY', 'GOXEL_PID_FILE', 'GOXEL_LOG_FILE', 'GOXEL_SOCKET_PATH', 'GOXEL_WORKING_DIR', 'GOXEL_DATA_DIR']
    .flatMap((k) => ['-e', `${k}=${box.env[k]}`]);
  const r = spawnSync(process.execPath, [CLI, '--cli', ...env, process.execPath, BIN, '--auto-start', ...args],
    // cwd: inspector-cli 0.21.1 tests fs.existsSync('../package.json')
    // against the working directory to pick its own package.json.
    { encoding: 'utf8', timeout: 60000, env: box.env, cwd: path.dirname(new URL(import.meta.url).pathname) });
  assert.equal(r.status, 0, `inspector failed: ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout);
}

test('the MCP Inspector CLI lists the tools and calls two', (t) => {
  const box = sandbox(t);
  const list = inspect(box, '--method', 'tools/list');
  assert.ok(list.tools.some((x) => x.name === 'edit'));
  assert.ok(list.tools.some((x) => x.name === 'render'));
  const described = inspect(box, '--method', 'tools/call', '--tool-name', 'describe_scene', '--tool-arg', 'detail=summary');
  assert.ok(!described.isError, JSON.stringify(described));
  assert.equal(JSON.parse(described.content[0].text).voxel_count, 0);
  const layers = inspect(box, '--method', 'tools/call', '--tool-name', 'layers', '--tool-arg', 'action=create', 'name=roof');
  assert.ok(!layers.isError, JSON.stringify(layers));
  assert.ok(JSON.parse(layers.content[0].text).layers.some((l) => l.name === 'roof'));
});
