#!/usr/bin/env node
// goxel-mcp: the MCP server of goxel-daemon. stdio by default; --http for
// Streamable HTTP on /mcp. See --help.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

import { DaemonLink, loadManager } from '../src/daemon.js';
import { serveHttp } from '../src/http.js';
import { Logger } from '../src/log.js';
import { createServer, toolSchemas, VERSION } from '../src/server.js';

const HELP = `goxel-mcp ${VERSION}: AI agents build voxel models with goxel-daemon over MCP.

Usage: goxel-mcp [options]

  --auto-start             start goxel-daemon when none answers on the socket
                           (and again if it goes away); default: attach only
  --socket PATH            the daemon's socket (GOXEL_SOCKET_PATH, default
                           /tmp/goxel-daemon.sock)
  --daemon-binary PATH     goxel-daemon to start (GOXEL_DAEMON_BINARY)
  --http                   serve Streamable HTTP on /mcp instead of stdio
  --host HOST              HTTP address (GOXEL_MCP_HOST, default 127.0.0.1);
                           anything but loopback needs GOXEL_MCP_TOKEN
  --port N                 HTTP port (MCP_SERVER_PORT, default 3000; 0: any)
  --log-level LEVEL        debug, info, warning, error (GOXEL_MCP_LOG_LEVEL, info)
  --print-client-config [claude|vscode]
                           print a ready client configuration for this install
  --version                print the version
  --help                   print this help

HTTP environment: GOXEL_MCP_TOKEN (bearer token, compared in constant time),
GOXEL_MCP_ALLOWED_HOSTS / GOXEL_MCP_ALLOWED_ORIGINS (comma-separated, added to
the loopback defaults), GOXEL_MCP_MAX_SESSIONS (default 32).
stdout carries only the MCP protocol; logs are JSON lines on stderr.
`;

function fail(message, code = 2) {
  process.stderr.write(`goxel-mcp: ${message}\n`);
  process.exit(code);
}

function options() {
  try {
    return parseArgs({
      options: {
        'auto-start': { type: 'boolean' },
        socket: { type: 'string' },
        'daemon-binary': { type: 'string' },
        http: { type: 'boolean' },
        host: { type: 'string' },
        port: { type: 'string' },
        'log-level': { type: 'string' },
        'print-client-config': { type: 'boolean' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
  } catch (err) {
    return fail(`${err.message} (see --help)`);
  }
}

function clientConfig(kind, values) {
  const bin = fileURLToPath(import.meta.url);
  const args = [bin, '--auto-start'];
  const env = {};
  if (values.socket || process.env.GOXEL_SOCKET_PATH) env.GOXEL_SOCKET_PATH = values.socket || process.env.GOXEL_SOCKET_PATH;
  // The daemon this install would start (as the manager finds it), so the
  // client's environment need not have it in PATH.
  const daemon = values['daemon-binary'] || process.env.GOXEL_DAEMON_BINARY ||
    loadManager().findDaemonBinary();
  if (daemon.includes(path.sep)) env.GOXEL_DAEMON_BINARY = path.resolve(daemon);
  const server = { command: process.execPath, args, ...(Object.keys(env).length ? { env } : {}) };
  if (kind === 'vscode') return { servers: { goxel: { type: 'stdio', ...server } } };
  return { mcpServers: { goxel: server } };
}

async function main() {
  const { values, positionals } = options();
  if (values.help) return process.stdout.write(HELP);
  if (values.version) return process.stdout.write(`goxel-mcp ${VERSION}\n`);
  if (values['print-client-config']) {
    const kind = positionals[0] || 'claude';
    if (!['claude', 'vscode'].includes(kind)) fail(`--print-client-config takes claude or vscode, not ${kind}`);
    return process.stdout.write(JSON.stringify(clientConfig(kind, values), null, 2) + '\n');
  }
  if (positionals.length) fail(`unexpected argument ${positionals[0]} (see --help)`);
  const env = process.env;
  const log = new Logger({ level: values['log-level'] || env.GOXEL_MCP_LOG_LEVEL || 'info' });
  const link = new DaemonLink({
    socketPath: values.socket,
    daemonBinary: values['daemon-binary'],
    autoStart: values['auto-start'] || env.GOXEL_MCP_AUTO_START === '1',
    log,
  });
  let schemas;
  try {
    await link.connect();
    schemas = await toolSchemas(link);
  } catch (err) {
    await link.close().catch(() => {});
    fail(`cannot use goxel-daemon on ${link.socketPath}: ${err.message}` +
      (link.autoStart ? '' : ' (start goxel-daemon, or pass --auto-start)'), 1);
  }
  let stop;
  if (values.http) {
    const portText = values.port ?? env.MCP_SERVER_PORT ?? '3000';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`port must be 0..65535, got ${portText}`);
    const list = (v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
    let http;
    try {
      http = await serveHttp({
        link, log, schemas, port,
        host: values.host || env.GOXEL_MCP_HOST || '127.0.0.1',
        token: env.GOXEL_MCP_TOKEN || '',
        allowedHosts: list(env.GOXEL_MCP_ALLOWED_HOSTS),
        allowedOrigins: list(env.GOXEL_MCP_ALLOWED_ORIGINS),
        maxSessions: Number(env.GOXEL_MCP_MAX_SESSIONS || 32),
      });
    } catch (err) {
      await link.close().catch(() => {});
      fail(err.message, 1);
    }
    stop = () => http.close();
  } else {
    const { server } = createServer({ link, log, schemas });
    const transport = new StdioServerTransport();
    await server.connect(transport);
    process.stdin.on('end', () => shutdown('stdin closed'));
    stop = () => server.close();
  }
  let stopping = false;
  async function shutdown(why) {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { why });
    await stop().catch(() => {});
    await link.close().catch(() => {});
    process.exit(0);
  }
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => fail(err.stack || err.message, 1));
