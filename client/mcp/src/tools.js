// The MCP tools: few, task-sized, each saying when to use it and what it
// returns. Tools that wrap one daemon method (`wraps`) take their
// inputSchema from that method's schema (schema.js toolSchema); the others
// have small schemas of their own (`schema`) and call several methods.
//
// Every daemon call carries the session's current project (project_id): a
// session gets a new empty project on its first call that needs one, or
// uses the one it created, opened or selected.
import { UNREACHABLE } from './daemon.js';

// A tool failure whose text tells the agent what to do next.
export class ToolError extends Error {}

const json = (value) => JSON.stringify(value);
const text = (value) => ({ content: [{ type: 'text', text: typeof value === 'string' ? value : json(value) }] });

// The text of a daemon error, with a next step.
export function explain(err, tool, link) {
  if (err instanceof ToolError) return err.message;
  const d = err.data || {};
  switch (err.code) {
    case -32007:
      if (d.expected_version !== undefined) {
        return `version ${d.expected_version} is stale (project is at ${d.version}): call ` +
          `describe_scene to see the current state, then retry with expected_version ${d.version}.`;
      }
      if (d.reason === 'restoring') {
        return `${cleanMessage(err)}: the daemon restarted and is restoring this project; retry in a moment.`;
      }
      return `${cleanMessage(err)}: another client holds the project; retry in a moment.`;
    case -32602:
      return `bad argument${d.param ? ` '${d.param}'` : ''}: ${cleanMessage(err)}` +
        `${d.expected ? ` (expected ${d.expected})` : ''}. Fix it and call ${tool} again.`;
    case -32002:
      return `${cleanMessage(err)}${d.layer_names ? ` Layers: ${json(d.layer_names)}.` : ''} ` +
        'Call layers with action "list" to see them.';
    case -32001:
      return `${cleanMessage(err)}. Use projects with action "list", or create_project / open_project.`;
    case -32003:
      return `${cleanMessage(err)}: coordinates must fit in int32 and min <= max on every axis.`;
    case -32006:
      return `${cleanMessage(err)}: split the work into smaller calls.`;
    case -32005:
      return `${cleanMessage(err)}: the daemon only reads and writes under ` +
        `${json(d.allowed_roots || [])}; use a path there.`;
    case -32004:
      return `${cleanMessage(err)}: check the path (relative paths are under the daemon's data directory).`;
    default:
      if (UNREACHABLE.has(err.code)) {
        return `the goxel daemon is not reachable on ${link.socketPath} (${err.code}). ` +
          (link.autoStart ? 'goxel-mcp starts a new one on your next call: retry.'
            : 'Start goxel-daemon (or run goxel-mcp with --auto-start), then retry.');
      }
      return cleanMessage(err);
  }
}

// The daemon's message without the manager's "method: ... (code N)" frame.
function cleanMessage(err) {
  const m = /^[\w.]+: (.*) \(code -?\d+\)$/s.exec(err.message);
  return m ? m[1] : err.message;
}

// The session's project id, creating a project on first use.
async function projectOf(session) {
  if (!session.projectId) {
    const r = await session.link.call('goxel.create_project', { name: 'agent model', activate: false });
    session.projectId = r.project_id;
    session.log?.info('session project created', { project_id: r.project_id });
  }
  return session.projectId;
}

// Calls `method` on the session's project.
async function onProject(session, method, params = {}) {
  const id = await projectOf(session);
  try {
    return await session.link.call(method, { ...params, project_id: id });
  } catch (err) {
    if (err.code === -32001 && session.projectId === id) {
      session.projectId = null;
      throw new ToolError(`project ${id} is no longer open (the daemon restarted, or it was ` +
        'closed). Your next call starts a new empty project; use open_project to load a saved file.');
    }
    throw err;
  }
}

// Resolves a layer given by id or name to its id (the older layer methods
// take ids only).
async function layerId(session, layer) {
  if (layer === undefined) return undefined;
  if (typeof layer === 'number') return layer;
  const r = await onProject(session, 'goxel.list_layers');
  const found = r.layers.find((l) => l.name === layer || String(l.id) === layer);
  if (!found) {
    throw new ToolError(`layer '${layer}' not found. Layers: ` +
      `${json(r.layers.map((l) => ({ id: l.id, name: l.name })))}. Create it with layers action "create".`);
  }
  return found.id;
}

const LAYER = { anyOf: [{ type: 'integer' }, { type: 'string' }], description: 'layer id or name' };

// Tool definitions: name, description, wraps (a daemon method) or schema,
// omit (which of the method's params), methodDoc (see server.js
// toolSchemas), handler(session, args).
export const TOOLS = [
  {
    name: 'create_project',
    wraps: 'goxel.create_project',
    omit: ['project_id', 'activate'],
    description: 'Start a new empty model and make it this session\'s current project (every other ' +
      'tool works on it). Use when beginning a new build. Returns {project_id, name, version}.',
    async handler(session, args) {
      const r = await session.link.call('goxel.create_project', { ...args, activate: false });
      session.projectId = r.project_id;
      return text({ project_id: r.project_id, name: r.name, version: r.version });
    },
  },
  {
    name: 'open_project',
    wraps: 'goxel.load_project',
    description: 'Open a model file (.gox .vox .qb .txt) as this session\'s current project. Use to ' +
      'continue or inspect saved work. Returns {project_id, name, layer_count, voxel_count}.',
    async handler(session, args) {
      const r = await session.link.call('goxel.load_project', args);
      session.projectId = r.project_id;
      return text(r);
    },
  },
  {
    name: 'save_project',
    wraps: 'goxel.save_project',
    description: 'Save the current project as .gox (path, or where it was loaded from). Use before ' +
      'closing or to keep work. Returns {path, dirty}.',
    handler: async (session, args) => text(await onProject(session, 'goxel.save_project', args)),
  },
  {
    name: 'projects',
    schema: {
      type: 'object',
      properties: {
        action: { type: 'string', enum: ['list', 'select', 'close'], description: 'list (default), select, close' },
        project_id: { type: 'string', description: 'select/close: the project (close: default current)' },
        force: { type: 'boolean', description: 'close: drop unsaved changes' },
      },
      required: [],
      additionalProperties: false,
    },
    description: 'List the open projects (which one is current), switch this session to another ' +
      '(select), or close one. Returns the list, or the new current project_id.',
    async handler(session, { action = 'list', project_id: id, force }) {
      if (action === 'list') {
        const r = await session.link.call('goxel.list_projects');
        return text({
          current_project_id: session.projectId,
          projects: r.projects.map(({ active, ...p }) => ({ ...p, current: p.project_id === session.projectId })),
        });
      }
      if (action === 'select') {
        if (!id) throw new ToolError('select needs project_id: call projects with action "list".');
        await session.link.call('goxel.get_project_info', { project_id: id });
        session.projectId = id;
        return text({ current_project_id: id });
      }
      const target = id || session.projectId;
      if (!target) throw new ToolError('nothing to close: no current project.');
      const r = await session.link.call('goxel.close_project', { project_id: target, force });
      if (target === session.projectId) session.projectId = null;
      return text({ closed: r.project_id, current_project_id: session.projectId });
    },
  },
  {
    name: 'describe_scene',
    schema: {
      type: 'object',
      properties: {
        detail: { type: 'string', enum: ['summary', 'layers', 'voxels'], description: 'summary (default), layers, voxels' },
        min: { type: 'array', items: { type: 'integer' }, minItems: 3, maxItems: 3, description: 'voxels: box corner [x,y,z]' },
        max: { type: 'array', items: { type: 'integer' }, minItems: 3, maxItems: 3, description: 'voxels: box corner [x,y,z]' },
        layer: LAYER,
        offset: { type: 'integer', minimum: 0, description: 'voxels: skip this many' },
        limit: { type: 'integer', minimum: 1, maximum: 5000, description: 'voxels: at most (500)' },
      },
      required: [],
      additionalProperties: false,
    },
    description: 'Read the current project. summary: voxel count, bounding box, layers, colours used, ' +
      'version (use the version as expected_version). layers: the layer list. voxels: voxels in a box ' +
      '(default the whole model), paged (offset, limit). Use before editing and to check results.',
    async handler(session, { detail = 'summary', min, max, layer, offset = 0, limit = 500 }) {
      if (detail === 'layers') return text(await onProject(session, 'goxel.list_layers'));
      if (detail === 'voxels') {
        // Without a box (or a corner), the model's bounding box.
        let bounds = {};
        if (!min || !max) bounds = (await onProject(session, 'goxel.get_project_info')).bounding_box || {};
        const params = { offset, limit, min: min || bounds.min || [0, 0, 0], max: max || bounds.max || [0, 0, 0] };
        const id = await layerId(session, layer);
        if (id !== undefined) params.layer_id = id;
        const r = await onProject(session, 'goxel.get_voxels_region', params);
        return text(r);
      }
      const info = await onProject(session, 'goxel.get_project_info');
      const layers = await onProject(session, 'goxel.list_layers');
      const hist = await onProject(session, 'goxel.get_color_histogram', { top_n: 16 });
      return text({
        project_id: info.project_id, name: info.name, version: info.version,
        voxel_count: info.voxel_count, bounding_box: info.bounding_box, dirty: info.dirty,
        undo_steps: info.undo_steps, redo_steps: info.redo_steps,
        layers: layers.layers.map((l) => ({ id: l.id, name: l.name, visible: l.visible, active: l.active, voxel_count: l.voxel_count })),
        colors: hist.histogram.map((h) => ({ color: h.color, count: h.count })),
        unique_colors: hist.unique_colors,
      });
    },
  },
  {
    name: 'edit',
    wraps: 'goxel.edit',
    methodDoc: 'Each operation is',
    description: 'Change voxels: a list of operations applied atomically as one undo step (all or ' +
      'nothing). Pass expected_version from your last read to avoid overwriting others; dry_run ' +
      'previews. Returns counts, bounding box of the change, version.',
    handler: async (session, args) => text(await onProject(session, 'goxel.edit', args)),
  },
  {
    name: 'read_grid',
    wraps: 'goxel.read_grid',
    description: 'Read a box as text: one slice per z of rows of characters, with a colour legend. ' +
      'Use to inspect a region precisely; edit the text and write it back with write_grid.',
    handler: async (session, args) => text(await onProject(session, 'goxel.read_grid', args)),
  },
  {
    name: 'write_grid',
    wraps: 'goxel.write_grid',
    description: 'Write a text grid (read_grid\'s form: min, legend, slices) into the project as one ' +
      'undo step. Use for hand-drawn detail (pixel-art-like layers). Returns cells changed, version.',
    handler: async (session, args) => text(await onProject(session, 'goxel.write_grid', args)),
  },
  {
    name: 'layers',
    schema: {
      type: 'object',
      properties: {
        action: {
          type: 'string',
          enum: ['list', 'create', 'rename', 'delete', 'show', 'hide', 'merge', 'activate'],
          description: 'what to do (list by default)',
        },
        layer: LAYER,
        name: { type: 'string', description: 'create/rename: the name' },
        into: { ...LAYER, description: 'merge: the layer receiving `layer`' },
      },
      required: [],
      additionalProperties: false,
    },
    description: 'Manage layers: list, create (name), rename (layer, name), delete, show, hide, merge ' +
      '(layer into `into`), activate. Use layers to keep parts separate (walls, roof). Returns the layer list.',
    async handler(session, { action = 'list', layer, name, into }) {
      const need = (v, what) => {
        if (v === undefined) throw new ToolError(`${action} needs ${what}.`);
        return v;
      };
      const id = async () => layerId(session, need(layer, '`layer` (id or name)'));
      switch (action) {
        case 'create': await onProject(session, 'goxel.create_layer', name ? { name } : {}); break;
        case 'rename': await onProject(session, 'goxel.rename_layer', { layer: need(layer, '`layer`'), name: need(name, '`name`') }); break;
        case 'delete': await onProject(session, 'goxel.delete_layer', { layer_id: await id() }); break;
        case 'show':
        case 'hide':
          await onProject(session, 'goxel.set_layer_visibility', { layer_id: await id(), visible: action === 'show' });
          break;
        case 'merge':
          await onProject(session, 'goxel.merge_layers', {
            source_layer_id: await id(), target_layer_id: await layerId(session, need(into, '`into`')),
          });
          break;
        case 'activate': await onProject(session, 'goxel.set_active_layer', { layer_id: await id() }); break;
        default: break;
      }
      return text(await onProject(session, 'goxel.list_layers'));
    },
  },
  {
    name: 'history',
    schema: {
      type: 'object',
      properties: {
        action: {
          type: 'string',
          enum: ['undo', 'redo', 'checkpoint', 'restore', 'list_checkpoints', 'delete_checkpoint'],
          description: 'what to do',
        },
        name: { type: 'string', description: 'checkpoint name (checkpoint, restore, delete_checkpoint)' },
        expected_version: { type: 'integer', minimum: 0, description: 'undo/redo/restore: refuse if the project moved on' },
      },
      required: ['action'],
      additionalProperties: false,
    },
    description: 'Undo or redo the last change, or save a named checkpoint and restore it later ' +
      '(a restore is itself undoable). Use before risky edits. Returns voxel_count and version.',
    async handler(session, { action, name, expected_version: ev }) {
      const v = ev === undefined ? {} : { expected_version: ev };
      const named = () => {
        if (!name) throw new ToolError(`${action} needs a checkpoint name.`);
        return { name };
      };
      switch (action) {
        case 'undo': return text(await onProject(session, 'goxel.undo', v));
        case 'redo': return text(await onProject(session, 'goxel.redo', v));
        case 'checkpoint': return text(await onProject(session, 'goxel.create_checkpoint', named()));
        case 'restore': return text(await onProject(session, 'goxel.restore_checkpoint', { ...named(), ...v }));
        case 'delete_checkpoint': return text(await onProject(session, 'goxel.delete_checkpoint', named()));
        default: return text(await onProject(session, 'goxel.list_checkpoints'));
      }
    },
  },
  {
    name: 'render',
    wraps: 'goxel.render_views',
    description: 'Look at the model: a PNG image of one or several labelled views (front, back, left, ' +
      'right, top, bottom, isometric) in one contact sheet. Use after edits to check your work ' +
      'visually. Returns the image and the views\' places in it.',
    async handler(session, args) {
      const r = await onProject(session, 'goxel.render_views', args);
      const { image, ...meta } = r;
      return {
        content: [
          { type: 'image', data: image, mimeType: 'image/png' },
          { type: 'text', text: json(meta) },
        ],
      };
    },
  },
  {
    name: 'analyze',
    wraps: 'goxel.analyze',
    description: 'Check the model: voxel count, bounding box, colour histogram, and floating parts ' +
      '(pieces not connected to the main body, with positions). Use to verify a build is solid.',
    handler: async (session, args) => text(await onProject(session, 'goxel.analyze', args)),
  },
  {
    name: 'export',
    wraps: 'goxel.export_model',
    description: 'Export the current project to a file (.obj .ply .stl .gltf .glb .vox .qb .txt, ' +
      'PNG slices) inside the daemon\'s allowed paths. Returns {path, bytes}.',
    handler: async (session, args) => text(await onProject(session, 'goxel.export_model', args)),
  },
  {
    name: 'call_method',
    schema: {
      type: 'object',
      properties: {
        method: { type: 'string', description: 'daemon method, e.g. goxel.get_voxel (see goxel://methods)' },
        params: { type: 'object', description: 'its params; project_id defaults to the current project' },
      },
      required: ['method'],
      additionalProperties: false,
    },
    description: 'Escape hatch: call any daemon JSON-RPC method by name (documented in the ' +
      'goxel://methods resource). Use only when no other tool fits. Returns the method\'s result.',
    async handler(session, { method, params = {} }) {
      const spec = (await session.link.methods()).get(method);
      if (!spec) {
        throw new ToolError(`unknown daemon method '${method}': read the goxel://methods resource for the list.`);
      }
      const takes = (spec.params || []).some((p) => p.name === 'project_id') ||
        Boolean(spec.params_schema?.properties?.project_id);
      if (takes && params.project_id === undefined) {
        return text(await onProject(session, method, params));
      }
      return text(await session.link.call(method, params));
    },
  },
];

// Runs a tool's handler, turning failures into isError results.
export async function runTool(tool, session, args) {
  try {
    return await tool.handler(session, args || {});
  } catch (err) {
    const message = explain(err, tool.name, session.link);
    session.log?.info('tool error', { tool: tool.name, error: message });
    return { content: [{ type: 'text', text: message }], isError: true };
  }
}
