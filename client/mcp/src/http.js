// Streamable HTTP on /mcp: one McpServer per session (Mcp-Session-Id), at
// most maxSessions at once (idle ones expire). Before the SDK sees a
// request: Host and Origin must be in the allow-lists (DNS rebinding), and,
// when a token is configured (required off loopback), the bearer token must
// match, compared in constant time.
import crypto from 'node:crypto';
import http from 'node:http';

import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

import { createServer } from './server.js';

const MAX_BODY = 32 * 1024 * 1024;

export function isLoopback(host) {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\./.test(host);
}

// Checks the listening options; throws an Error with a message for people
// when they are unsafe.
export function checkHttpOptions({ host, token }) {
  if (!isLoopback(host) && !token) {
    throw new Error(`refusing to listen on ${host} without a token: set GOXEL_MCP_TOKEN ` +
      '(a long random string; clients send it as "Authorization: Bearer <token>"), or listen on 127.0.0.1');
  }
}

function sameSecret(given, expected) {
  const a = crypto.createHash('sha256').update(String(given)).digest();
  const b = crypto.createHash('sha256').update(String(expected)).digest();
  return crypto.timingSafeEqual(a, b);
}

function refuse(res, status, message, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('request body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined);
      } catch (err) {
        reject(Object.assign(new Error(`body is not JSON: ${err.message}`), { status: 400 }));
      }
    });
    req.on('error', reject);
  });
}

// Starts the HTTP server; resolves with {server, port, close()}.
export async function serveHttp({ link, log, schemas, host = '127.0.0.1', port = 3000, token = '',
  allowedHosts = [], allowedOrigins = [], maxSessions = 32, idleMs = 30 * 60 * 1000 }) {
  checkHttpOptions({ host, token });
  const sessions = new Map(); // id -> {transport, server, last}
  let boundPort = port;
  const hostsAllowed = () => new Set([
    `127.0.0.1:${boundPort}`, `localhost:${boundPort}`, `[::1]:${boundPort}`,
    ...(isLoopback(host) ? [] : [`${host}:${boundPort}`]), ...allowedHosts,
  ]);
  const originsAllowed = () => new Set([
    `http://127.0.0.1:${boundPort}`, `http://localhost:${boundPort}`, `http://[::1]:${boundPort}`,
    ...allowedOrigins,
  ]);

  async function handle(req, res) {
    const url = new URL(req.url, 'http://placeholder');
    if (url.pathname !== '/mcp') return refuse(res, 404, 'not found: the MCP endpoint is /mcp');
    if (!hostsAllowed().has(req.headers.host || '')) {
      log.warn('refused host', { host: req.headers.host });
      return refuse(res, 403, `Host ${JSON.stringify(req.headers.host || '')} is not allowed ` +
        '(GOXEL_MCP_ALLOWED_HOSTS adds hosts)');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !originsAllowed().has(origin)) {
      log.warn('refused origin', { origin });
      return refuse(res, 403, `Origin ${JSON.stringify(origin)} is not allowed ` +
        '(GOXEL_MCP_ALLOWED_ORIGINS adds origins)');
    }
    if (token) {
      const m = /^Bearer (.+)$/.exec(req.headers.authorization || '');
      if (!m || !sameSecret(m[1], token)) {
        return refuse(res, 401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
      }
    }
    let body;
    if (req.method === 'POST') {
      try {
        body = await readBody(req);
      } catch (err) {
        return refuse(res, err.status || 400, err.message);
      }
    }
    const id = req.headers['mcp-session-id'];
    if (id !== undefined) {
      const s = sessions.get(id);
      if (!s) return refuse(res, 404, `session ${id} not found (expired or closed): initialize a new one`);
      s.last = Date.now();
      return s.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return refuse(res, 400, 'no Mcp-Session-Id: send an initialize request first');
    }
    if (sessions.size >= maxSessions) {
      return refuse(res, 503, `too many sessions (${maxSessions}); close one or retry later`);
    }
    const { server } = createServer({ link, log, schemas });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (sid) => {
        sessions.set(sid, { transport, server, last: Date.now() });
        log.info('session opened', { session: sid, sessions: sessions.size });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId && sessions.delete(transport.sessionId)) {
        log.info('session closed', { session: transport.sessionId, sessions: sessions.size });
      }
    };
    await server.connect(transport);
    return transport.handleRequest(req, res, body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      log.error('request failed', { error: err.message });
      if (!res.headersSent) refuse(res, 500, err.message);
    });
  });
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [sid, s] of sessions) {
      if (now - s.last > idleMs) {
        sessions.delete(sid);
        s.transport.close().catch(() => {});
        log.info('session expired', { session: sid });
      }
    }
  }, Math.min(idleMs, 60000));
  sweep.unref();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  boundPort = server.address().port;
  log.info('listening', { url: `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}/mcp`, auth: Boolean(token) });
  return {
    server,
    port: boundPort,
    sessions,
    async close() {
      clearInterval(sweep);
      for (const s of sessions.values()) await s.transport.close().catch(() => {});
      sessions.clear();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
