// Tool input schemas from the daemon's method table, the one source of
// parameter truth.
//
// list_methods gives each method either `params_schema` (a JSON Schema
// 2020-12 object, issue 14) or, from older daemons, a `params` list of
// {name, type, required, description}. methodSchema() returns a JSON Schema
// either way; toolSchema() drops what the MCP layer supplies itself
// (project_id) and closes the object (additionalProperties: false);
// jsonSchemaToZod() turns it into the zod object McpServer.registerTool
// validates with and lists in tools/list.
import { z } from 'zod';

const COLOR = {
  anyOf: [
    { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 }, minItems: 3, maxItems: 4 },
    { type: 'string', pattern: '^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{8})$' },
  ],
};
const POSITION = { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 };

// The JSON Schema of one `params` entry type ("integer", "color",
// "integer|string", ...).
function typeSchema(type) {
  const parts = String(type || 'any').split('|');
  if (parts.length > 1) return { anyOf: parts.map((p) => typeSchema(p)) };
  switch (parts[0]) {
    case 'integer': return { type: 'integer' };
    case 'number': return { type: 'number' };
    case 'string': return { type: 'string' };
    case 'boolean': return { type: 'boolean' };
    case 'array': return { type: 'array' };
    case 'object': return { type: 'object' };
    case 'color': return structuredClone(COLOR);
    case 'position': return structuredClone(POSITION);
    default: return {};
  }
}

// A method's params as a JSON Schema object (from params_schema when the
// daemon serves one).
export function methodSchema(method) {
  if (method.params_schema && typeof method.params_schema === 'object') {
    return structuredClone(method.params_schema);
  }
  const properties = {};
  const required = [];
  for (const p of method.params || []) {
    properties[p.name] = { ...typeSchema(p.type), ...(p.description ? { description: p.description } : {}) };
    if (p.required) required.push(p.name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

// The inputSchema of a tool wrapping `method`: its params without `omit`
// (project_id by default) and without aliases, closed to other properties.
export function toolSchema(method, { omit = ['project_id'], keep = null } = {}) {
  const s = methodSchema(method);
  const properties = {};
  for (const [name, prop] of Object.entries(s.properties || {})) {
    if (omit.includes(name)) continue;
    if (keep && !keep.includes(name)) continue;
    properties[name] = prop;
  }
  const required = (s.required || []).filter((n) => n in properties);
  return { type: 'object', properties, required, additionalProperties: false };
}

// A zod schema for a JSON Schema (the subset method schemas use: type,
// properties, required, additionalProperties, items, enum, const, anyOf,
// oneOf, minimum, maximum, minItems, maxItems, pattern, description).
export function jsonSchemaToZod(s) {
  let out;
  if (s === true || s === undefined || s === null) return z.any();
  if (Array.isArray(s.enum) && s.enum.length > 0) {
    if (s.enum.every((v) => typeof v === 'string')) out = z.enum(s.enum);
    else if (s.enum.length === 1) out = z.literal(s.enum[0]);
    else out = z.union(s.enum.map((v) => z.literal(v)));
  } else if ('const' in s) {
    out = z.literal(s.const);
  } else if (Array.isArray(s.anyOf || s.oneOf)) {
    const options = (s.anyOf || s.oneOf).map((o) => jsonSchemaToZod(o));
    out = options.length === 1 ? options[0] : z.union(options);
  } else if (Array.isArray(s.type)) {
    const options = s.type.map((t) => jsonSchemaToZod({ ...s, type: t, description: undefined }));
    out = options.length === 1 ? options[0] : z.union(options);
  } else {
    switch (s.type) {
      case 'integer':
      case 'number': {
        let n = z.number();
        if (s.type === 'integer') n = n.int();
        if (typeof s.minimum === 'number') n = n.min(s.minimum);
        if (typeof s.maximum === 'number') n = n.max(s.maximum);
        out = n;
        break;
      }
      case 'string': {
        let t = z.string();
        if (s.pattern) t = t.regex(new RegExp(s.pattern));
        if (typeof s.minLength === 'number') t = t.min(s.minLength);
        if (typeof s.maxLength === 'number') t = t.max(s.maxLength);
        out = t;
        break;
      }
      case 'boolean': out = z.boolean(); break;
      case 'null': out = z.null(); break;
      case 'array': {
        let a = z.array(s.items ? jsonSchemaToZod(s.items) : z.any());
        if (typeof s.minItems === 'number') a = a.min(s.minItems);
        if (typeof s.maxItems === 'number') a = a.max(s.maxItems);
        out = a;
        break;
      }
      case 'object': {
        if (!s.properties) {
          out = z.record(z.string(), s.additionalProperties && s.additionalProperties !== true
            ? jsonSchemaToZod(s.additionalProperties) : z.any());
          break;
        }
        const shape = {};
        const required = new Set(s.required || []);
        for (const [k, v] of Object.entries(s.properties)) {
          const field = jsonSchemaToZod(v);
          shape[k] = required.has(k) ? field : field.optional();
        }
        const o = z.object(shape);
        out = s.additionalProperties === false ? o.strict() : o.passthrough();
        break;
      }
      default: out = z.any();
    }
  }
  return s.description ? out.describe(s.description) : out;
}
