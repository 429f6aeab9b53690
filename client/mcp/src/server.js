// createServer: one McpServer for one MCP session (stdio has one; HTTP one
// per Mcp-Session-Id), with the tools of tools.js, the goxel:// resources
// and the guide. The session holds its current project.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SetLevelRequestSchema } from '@modelcontextprotocol/sdk/types.js';

import { GUIDE, INSTRUCTIONS } from './guide.js';
import { jsonSchemaToZod, toolSchema } from './schema.js';
import { explain, runTool, TOOLS } from './tools.js';

export const VERSION = '0.1.0';

// Each tool's description and the JSON Schema of its input, from the
// daemon's method table for the tools that wrap a method: name ->
// {description, inputSchema}. A tool with `methodDoc` (a marker) ends its
// description with the method's own, from the marker on (the edit tool's
// operation fields).
export async function toolSchemas(link) {
  const methods = await link.methods();
  const out = new Map();
  for (const tool of TOOLS) {
    if (!tool.wraps) {
      out.set(tool.name, { description: tool.description, inputSchema: tool.schema });
      continue;
    }
    const method = methods.get(tool.wraps);
    if (!method) throw new Error(`the daemon has no method ${tool.wraps} (tool ${tool.name}); update goxel-daemon`);
    let { description } = tool;
    if (tool.methodDoc && method.description) {
      const at = method.description.indexOf(tool.methodDoc);
      description += ` ${at >= 0 ? method.description.slice(at) : method.description}`;
    }
    out.set(tool.name, { description, inputSchema: toolSchema(method, { omit: tool.omit || ['project_id'] }) });
  }
  return out;
}

function resourceJson(uri, value) {
  return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value) }] };
}

// A new server for one session. `schemas` from toolSchemas().
export function createServer({ link, log, schemas }) {
  const session = { link, log, projectId: null };
  const server = new McpServer(
    { name: 'goxel-mcp', version: VERSION },
    { capabilities: { logging: {} }, instructions: INSTRUCTIONS },
  );
  for (const tool of TOOLS) {
    server.registerTool(tool.name, {
      description: schemas.get(tool.name).description,
      inputSchema: jsonSchemaToZod(schemas.get(tool.name).inputSchema),
    }, (args) => runTool(tool, session, args));
  }
  const guarded = async (uri, f) => {
    try {
      return await f();
    } catch (err) {
      throw new Error(`${uri.href}: ${explain(err, 'resources/read', link)}`);
    }
  };
  server.registerResource('methods', 'goxel://methods', {
    description: 'Every daemon method with its params and result (what call_method can call).',
    mimeType: 'application/json',
  }, (uri) => guarded(uri, async () => resourceJson(uri, await link.call('list_methods'))));
  server.registerResource('projects', 'goxel://projects', {
    description: 'The open projects.',
    mimeType: 'application/json',
  }, (uri) => guarded(uri, async () => resourceJson(uri, await link.call('goxel.list_projects'))));
  const listProjects = async (suffix, mimeType) => {
    const r = await link.call('goxel.list_projects');
    return {
      resources: r.projects.map((p) => ({
        uri: `goxel://project/${p.project_id}${suffix}`, name: `${p.name || p.project_id}${suffix}`, mimeType,
      })),
    };
  };
  server.registerResource('project', new ResourceTemplate('goxel://project/{id}', {
    list: () => listProjects('', 'application/json'),
  }), { description: 'A project\'s summary: counts, bounding box, layers, version.', mimeType: 'application/json' },
  (uri, { id }) => guarded(uri, async () => resourceJson(uri, await link.call('goxel.get_project_info', { project_id: id }))));
  server.registerResource('preview', new ResourceTemplate('goxel://project/{id}/preview.png', {
    list: () => listProjects('/preview.png', 'image/png'),
  }), { description: 'An isometric 256x256 picture of a project.', mimeType: 'image/png' },
  (uri, { id }) => guarded(uri, async () => {
    const r = await link.call('goxel.render_views', {
      project_id: id, views: ['isometric'], width: 256, height: 256, labels: false,
    });
    return { contents: [{ uri: uri.href, mimeType: 'image/png', blob: r.image }] };
  }));
  server.registerResource('guide', 'goxel://guide', {
    description: 'How to build with these tools: coordinates, colours, layers, checking your work.',
    mimeType: 'text/markdown',
  }, (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: GUIDE }] }));
  server.registerPrompt('goxel_guide', {
    description: 'The goxel-mcp guide for agents, as a prompt.',
  }, () => ({ messages: [{ role: 'user', content: { type: 'text', text: GUIDE } }] }));
  // Log messages go to the client once it asks for them (logging/setLevel).
  server.server.removeRequestHandler('logging/setLevel');
  server.server.setRequestHandler(SetLevelRequestSchema, (request) => {
    server.logLevel = request.params.level;
    return {};
  });
  log?.sinks.add(server);
  server.server.onclose = () => log?.sinks.delete(server);
  return { server, session };
}
