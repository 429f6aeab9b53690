// Each capability the issue lists, through the tools over stdio: every edit
// operation kind in one step, describe_scene's detail levels, layers
// (create, rename, hide/show, merge, delete), files (save .gox, export and
// open .vox .qb .txt, export a mesh, a path outside the allowed roots
// refused), a single-view render with a background, and the escape hatch.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { decodePng, ok, sandbox, stdioClient } from './helpers.js';

const OPS = [
  { op: 'set', positions: [[0, 0, 0]], color: '#ff0000' },
  { op: 'box', min: [2, 0, 0], max: [3, 1, 1], color: '#00ff00' },
  { op: 'fill', min: [5, 0, 0], max: [5, 1, 1], color: '#0000ff' },
  { op: 'remove', position: [2, 0, 0] },
  { op: 'sphere', center: [10, 10, 10], radius: 1, color: '#ffff00' },
  { op: 'ellipsoid', center: [20, 0, 0], radii: [3, 1, 1], color: '#ffff00' },
  { op: 'cylinder', center: [30, 0, 0], radius: 2, height: 3, color: '#ffff00' },
  { op: 'cone', base: [40, 0, 0], radius: 3, height: 4, color: '#ffff00' },
  { op: 'line', from: [0, 5, 0], to: [4, 5, 0], color: '#888888' },
  { op: 'flood_fill', position: [3, 0, 0], color: '#111111' },
  { op: 'paint', min: [0, 5, 0], max: [1, 5, 0], color: '#222222' },
  { op: 'copy', min: [0, 5, 0], max: [4, 5, 0], offset: [0, 1, 0] },
  { op: 'move', min: [0, 6, 0], max: [4, 6, 0], offset: [0, 0, 3] },
];

test('edit applies every operation kind as one undo step', async (t) => {
  const client = await stdioClient(sandbox(t));
  const call = (name, args = {}) => client.callTool({ name, arguments: args });
  const { tools } = await client.listTools();
  const edit = tools.find((x) => x.name === 'edit');
  for (const o of OPS) assert.ok(edit.description.includes(o.op), `the edit tool documents ${o.op}`);
  assert.match(edit.description, /radii/, 'and the operations\' fields');
  const r = ok(await call('edit', { operations: OPS }));
  assert.deepEqual(r.results.map((x) => x.op), OPS.map((o) => o.op));
  for (const x of r.results) assert.ok(x.changed > 0, `${x.op} changed something: ${JSON.stringify(r.results)}`);
  const byOp = Object.fromEntries(r.results.map((x) => [x.op, x.changed]));
  assert.equal(byOp.box, 8);
  assert.equal(byOp.fill, 4);
  assert.equal(byOp.sphere, 7);
  assert.equal(byOp.line, 5);
  assert.equal(byOp.flood_fill, 7, 'the box less the removed voxel');
  assert.equal(byOp.paint, 2);
  const summary = ok(await call('describe_scene'));
  assert.equal(summary.voxel_count, r.added);
  assert.equal(summary.undo_steps, 1);
  // The copy moved up: nothing left in row y=6 at z=0, five voxels at z=3.
  const voxels = async (min, max) => ok(await call('describe_scene', { detail: 'voxels', min, max }));
  assert.equal((await voxels([0, 6, 0], [4, 6, 0])).total, 0);
  assert.equal((await voxels([0, 6, 3], [4, 6, 3])).total, 5);
  // voxels without a box: the whole model, paged.
  const page = ok(await call('describe_scene', { detail: 'voxels', limit: 3, offset: 2 }));
  assert.equal(page.total, summary.voxel_count);
  assert.equal(page.voxels.length, 3);
  assert.equal(page.offset, 2);
  ok(await call('history', { action: 'undo' }));
  assert.equal(ok(await call('describe_scene')).voxel_count, 0);
});

test('layers: create, rename, hide, show, merge, delete', async (t) => {
  const client = await stdioClient(sandbox(t));
  const call = (name, args = {}) => client.callTool({ name, arguments: args });
  const named = (list, name) => list.layers.find((l) => l.name === name);
  ok(await call('layers', { action: 'create', name: 'walls' }));
  ok(await call('layers', { action: 'create', name: 'roof' }));
  ok(await call('edit', { operations: [
    { op: 'box', min: [0, 0, 0], max: [1, 1, 1], color: '#c08040', layer: 'walls' },
    { op: 'set', position: [0, 0, 2], color: '#aa2222', layer: 'roof' }] }));
  let list = ok(await call('layers', { action: 'rename', layer: 'roof', name: 'top' }));
  assert.equal(named(list, 'top').voxel_count, 1);
  list = ok(await call('layers', { action: 'hide', layer: 'top' }));
  assert.equal(named(list, 'top').visible, false);
  list = ok(await call('layers', { action: 'show', layer: 'top' }));
  assert.equal(named(list, 'top').visible, true);
  list = ok(await call('layers', { action: 'merge', layer: 'top', into: 'walls' }));
  assert.equal(named(list, 'top'), undefined);
  assert.equal(named(list, 'walls').voxel_count, 9);
  list = ok(await call('layers', { action: 'delete', layer: 'walls' }));
  assert.equal(named(list, 'walls'), undefined);
  const missing = await call('layers', { action: 'hide', layer: 'nope' });
  assert.equal(missing.isError, true);
  assert.match(missing.content[0].text, /layer 'nope' not found.*create/);
});

test('files: save, export and open .gox .vox .qb .txt, meshes, allowed paths only', async (t) => {
  const box = sandbox(t);
  const client = await stdioClient(box);
  const call = (name, args = {}) => client.callTool({ name, arguments: args });
  const first = ok(await call('create_project', { name: 'files' }));
  ok(await call('edit', { operations: [{ op: 'box', min: [0, 0, 0], max: [3, 2, 1], color: '#336699' }] }));
  const saved = ok(await call('save_project', { path: 'house.gox' }));
  assert.equal(saved.path, path.join(box.dir, 'house.gox'));
  for (const ext of ['vox', 'qb', 'txt', 'obj', 'ply', 'stl', 'gltf', 'glb']) {
    const out = ok(await call('export', { path: `house.${ext}` }));
    assert.ok(out.bytes > 0 && fs.statSync(path.join(box.dir, `house.${ext}`)).size === out.bytes, ext);
  }
  const outside = await call('export', { path: '/etc/goxel-mcp-test.obj' });
  assert.equal(outside.isError, true);
  assert.match(outside.content[0].text, /only reads and writes under .*use a path there/);
  assert.equal(fs.existsSync('/etc/goxel-mcp-test.obj'), false);
  ok(await call('projects', { action: 'close', project_id: first.project_id }));
  for (const ext of ['gox', 'vox', 'qb', 'txt']) {
    const opened = ok(await call('open_project', { path: `house.${ext}` }));
    assert.equal(opened.voxel_count, 24, ext);
    assert.equal(ok(await call('describe_scene')).project_id, opened.project_id, `${ext} is current`);
  }
  const listed = ok(await call('projects'));
  assert.equal(listed.projects.length, 4);
  assert.equal(listed.projects.filter((p) => p.current).length, 1);
  const closed = ok(await call('projects', { action: 'close' }));
  assert.equal(closed.current_project_id, null);
  assert.equal(ok(await call('projects')).projects.length, 3);
});

test('render: one view at a size and background; the escape hatch', async (t) => {
  const client = await stdioClient(sandbox(t));
  const call = (name, args = {}) => client.callTool({ name, arguments: args });
  ok(await call('edit', { operations: [{ op: 'box', min: [0, 0, 0], max: [7, 7, 7], color: '#ff0000' }] }));
  const shot = await call('render', { views: ['top'], width: 96, height: 64, background: '#000000', labels: false });
  assert.ok(!shot.isError, JSON.stringify(shot.content));
  const png = decodePng(Buffer.from(shot.content[0].data, 'base64'));
  assert.deepEqual([png.width, png.height], [96, 64]);
  assert.deepEqual(png.at(0, 0).slice(0, 3), [0, 0, 0], 'the background');
  const [r, g, b] = png.at(48, 32);
  assert.ok(r > 100 && g < 60 && b < 60, `the red box in the middle: ${[r, g, b]}`);
  const voxel = ok(await call('call_method', { method: 'goxel.get_voxel', params: { position: [1, 1, 1] } }));
  assert.equal(voxel.exists, true);
  assert.deepEqual(voxel.color, [255, 0, 0, 255]);
  const unknown = await call('call_method', { method: 'goxel.no_such_method' });
  assert.equal(unknown.isError, true);
  assert.match(unknown.content[0].text, /goxel:\/\/methods/);
});
