// The scenario, run by the stdio and the HTTP tests: build a small
// house with one edit, then check stale versions, dry runs, rendering, text
// grids, undo, checkpoints, analysis and errors; and a daemon restart.
import assert from 'node:assert/strict';

import { decodePng, ok } from './helpers.js';

const HOUSE = [
  { op: 'box', min: [0, 0, 0], max: [9, 7, 0], color: '#777777' },
  { op: 'box', min: [0, 0, 1], max: [9, 7, 5], color: '#c08040', hollow: true },
  { op: 'remove', positions: [[4, 0, 1], [4, 0, 2], [5, 0, 1], [5, 0, 2]] },
  { op: 'cone', base: [5, 4, 6], radius: 6, height: 4, color: '#aa2222' },
];

export async function runScenario(client) {
  const call = (name, args = {}) => client.callTool({ name, arguments: args });
  const built = ok(await call('edit', { operations: HOUSE }));
  assert.ok(built.added > 300, `a house has walls, floor and roof: ${built.added}`);
  const summary = ok(await call('describe_scene'));
  assert.equal(summary.version, built.version);
  const count = summary.voxel_count;
  assert.equal(count, built.added);

  // A stale expected_version is an error that says what to do, and changes nothing.
  const stale = await call('edit', {
    expected_version: built.version - 1,
    operations: [{ op: 'set', position: [50, 50, 50], color: '#ffffff' }],
  });
  assert.equal(stale.isError, true);
  assert.match(stale.content[0].text, new RegExp(`version ${built.version - 1} is stale \\(project is at ${built.version}\\).*describe_scene`));
  assert.equal(ok(await call('describe_scene')).voxel_count, count);

  // dry_run reports and changes nothing.
  const dry = ok(await call('edit', { dry_run: true, operations: [{ op: 'box', min: [20, 0, 0], max: [21, 1, 1], color: '#00ff00' }] }));
  assert.equal(dry.changed, 8);
  assert.deepEqual(dry.bounding_box, { min: [20, 0, 0], max: [21, 1, 1] });
  const after = ok(await call('describe_scene'));
  assert.equal(after.voxel_count, count);
  assert.equal(after.version, built.version);

  // render: a PNG image of the asked size with pixels other than the background.
  const shot = await call('render', { views: ['front', 'isometric'], width: 320, height: 160, background: '#ffffff' });
  assert.ok(!shot.isError, JSON.stringify(shot.content));
  const image = shot.content.find((c) => c.type === 'image');
  assert.equal(image.mimeType, 'image/png');
  const png = decodePng(Buffer.from(image.data, 'base64'));
  assert.equal(png.width, 320);
  assert.equal(png.height, 160);
  let other = 0;
  for (let y = 0; y < png.height; y += 2) {
    for (let x = 0; x < png.width; x += 2) {
      const [r, g, b] = png.at(x, y);
      if (!(r === 255 && g === 255 && b === 255)) other++;
    }
  }
  assert.ok(other > 500, `the render shows the house (${other} non-background samples)`);

  // A region read as a text grid and written back round-trips.
  const grid = ok(await call('read_grid', { min: [0, 0, 0], max: [9, 7, 3] }));
  assert.equal(grid.slices.length, 4);
  assert.match(grid.slices[1].rows[7], /^[a-zA-Z]{4}\.\.[a-zA-Z]{4}$/, 'the door is in the south wall');
  const back = ok(await call('write_grid', { min: grid.min, legend: grid.legend, slices: grid.slices }));
  assert.equal(back.changed, 0);
  const moved = ok(await call('write_grid', {
    min: [0, 0, 30], legend: grid.legend, slices: grid.slices.map(({ rows }) => ({ rows })),
  }));
  assert.equal(moved.changed, grid.voxel_count);
  const again = ok(await call('read_grid', { min: [0, 0, 30], max: [9, 7, 33] }));
  assert.deepEqual(again.slices.map((s) => s.rows), grid.slices.map((s) => s.rows));

  // Undo and a checkpoint restore bring back the exact voxel count.
  ok(await call('history', { action: 'undo' }));
  assert.equal(ok(await call('describe_scene')).voxel_count, count);
  ok(await call('history', { action: 'checkpoint', name: 'house' }));
  ok(await call('edit', { operations: [{ op: 'box', min: [0, 0, 0], max: [9, 7, 2], mode: 'remove' }] }));
  assert.ok(ok(await call('describe_scene')).voxel_count < count);
  const restored = ok(await call('history', { action: 'restore', name: 'house' }));
  assert.equal(restored.voxel_count, count);
  assert.equal(ok(await call('describe_scene')).voxel_count, count);

  // analyze finds a floating voxel placed on purpose.
  ok(await call('edit', { operations: [{ op: 'set', position: [30, 30, 30], color: '#0000ff' }] }));
  const report = ok(await call('analyze'));
  assert.equal(report.floating_parts, 1);
  assert.deepEqual(report.floating[0].position, [30, 30, 30]);

  // Bad arguments name the argument; unknown tools are errors.
  const bad = await call('edit', { operations: [{ op: 'sphere', center: [0, 0, 0], color: '#ff0000' }] });
  assert.equal(bad.isError, true);
  assert.match(bad.content[0].text, /operations\[0\]\.radius/);
  const unknownArg = await call('render', { colour: '#ff0000' });
  assert.equal(unknownArg.isError, true);
  assert.match(unknownArg.content[0].text, /colour/);
  const unknown = await call('no_such_tool', {}).catch((err) => ({ isError: true, content: [{ text: err.message }] }));
  assert.equal(unknown.isError, true);
  assert.match(unknown.content[0].text, /no_such_tool/);
  return { count: count + 1 };
}

// The daemon is killed: the next call fails saying what happened and what
// to do, and the call after it succeeds (goxel-mcp started a new daemon).
export async function runRestart(client) {
  ok(await client.callTool({ name: 'edit', arguments: { operations: [{ op: 'set', position: [0, 0, 0], color: '#ff0000' }] } }));
  const { pid } = ok(await client.callTool({ name: 'call_method', arguments: { method: 'status' } }));
  process.kill(pid, 'SIGKILL');
  // Wait until goxel-mcp has reaped it (kill(pid, 0) succeeds on a zombie).
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setImmediate(r));
  }
  const first = await client.callTool({ name: 'describe_scene', arguments: {} });
  assert.equal(first.isError, true);
  assert.match(first.content[0].text, /no longer open.*next call/);
  const second = ok(await client.callTool({ name: 'edit', arguments: { operations: [{ op: 'set', position: [1, 1, 1], color: '#00ff00' }] } }));
  assert.equal(second.added, 1);
  const { pid: newPid } = ok(await client.callTool({ name: 'call_method', arguments: { method: 'status' } }));
  assert.notEqual(newPid, pid);
}
