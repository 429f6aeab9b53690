// DaemonLink: goxel-mcp's one way to the daemon. scripts/
// mcp_daemon_manager.js finds, starts and stops it; calls go over kept
// Unix-socket connections (a fresh connection per call cost a quarter of a
// millisecond).
//
// connect() attaches to the daemon on the socket, or (autoStart) starts
// one. call() sends one JSON-RPC request. When the daemon is not there
// (ENOENT, ECONNREFUSED: the request was never delivered, so sending it
// again is safe) and autoStart is on, call() starts a daemon and sends the
// request once more; a daemon that restarted underneath thus costs an agent
// at most one failed call (the one that finds its project gone).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

// The manager: GOXEL_MCP_DAEMON_MANAGER, the copy installed beside the
// server (lib/), or the repository's scripts/.
export function loadManager() {
  const candidates = [
    process.env.GOXEL_MCP_DAEMON_MANAGER,
    fileURLToPath(new URL('../lib/mcp_daemon_manager.js', import.meta.url)),
    fileURLToPath(new URL('../../../scripts/mcp_daemon_manager.js', import.meta.url)),
  ].filter(Boolean);
  for (const file of candidates) {
    if (fs.existsSync(file)) return require(file);
  }
  throw new Error(`cannot find mcp_daemon_manager.js (looked in ${candidates.join(', ')})`);
}

const UNDELIVERED = new Set(['ENOENT', 'ECONNREFUSED']);
const MAX_IDLE = 8;

// One connection to the daemon, one request at a time on it (so a slow
// render of one session never holds up another's call: each in-flight call
// has a connection of its own; idle ones are kept for the next calls).
class Connection {
  static open(socketPath) {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(socketPath);
      const fail = (err) => reject(Object.assign(
        new Error(`cannot talk to goxel-daemon on ${socketPath}: ${err.code || err.message}`),
        { code: err.code || 'EIO' }));
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        resolve(new Connection(socket));
      });
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.buffer = '';
    this.pending = null; // {resolve, reject, timer}
    this.broken = false;
    socket.setEncoding('utf8');
    socket.on('data', (d) => this.onData(d));
    const lost = (code) => {
      this.broken = true;
      this.settle(Object.assign(new Error(`goxel-daemon closed the connection (${code})`), { code }));
    };
    socket.on('error', (err) => lost(err.code || 'EIO'));
    socket.on('close', () => lost('ECONNRESET'));
  }

  settle(err, reply) {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(reply);
  }

  onData(chunk) {
    this.buffer += chunk;
    const nl = this.buffer.indexOf('\n');
    if (nl < 0) return;
    const line = this.buffer.slice(0, nl);
    this.buffer = this.buffer.slice(nl + 1);
    try {
      this.settle(null, JSON.parse(line));
    } catch (err) {
      this.broken = true;
      this.settle(Object.assign(new Error(`reply is not JSON: ${err.message}`), { code: 'EPROTO' }));
    }
  }

  request(text, timeoutMs) {
    return new Promise((resolve, reject) => {
      if (this.broken) {
        reject(Object.assign(new Error('goxel-daemon closed the connection'), { code: 'ECONNRESET' }));
        return;
      }
      const timer = setTimeout(() => {
        this.broken = true;
        this.settle(Object.assign(new Error(`no reply within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      this.pending = { resolve, reject, timer };
      this.socket.write(text);
    });
  }

  close() {
    this.broken = true;
    this.socket.destroy();
  }
}
export const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EACCES']);

export class DaemonLink {
  // options: socketPath, daemonBinary, pidFile, autoStart, callTimeoutMs,
  // log (a Logger).
  constructor(options = {}) {
    const { GoxelDaemonManager, GoxelRpcError } = loadManager();
    this.GoxelRpcError = GoxelRpcError;
    this.autoStart = Boolean(options.autoStart);
    this.callTimeoutMs = options.callTimeoutMs || 120000;
    this.log = options.log;
    this.manager = new GoxelDaemonManager({
      socketPath: options.socketPath,
      daemonBinary: options.daemonBinary,
      pidFile: options.pidFile,
      autoStart: false,
      restartOnFailure: false,
      healthCheckIntervalMs: 0,
      extraArgs: options.extraArgs || [],
    });
    this.manager.on('log', (line) => this.log?.debug('daemon', { line }));
    for (const ev of ['started', 'attached', 'exited']) {
      this.manager.on(ev, (info) => this.log?.info(`daemon ${ev}`, info));
    }
    this.methodsCache = null;
    this.restarting = null;
    this.idle = [];
    this.nextId = 1;
  }

  get socketPath() {
    return this.manager.config.socketPath;
  }

  // Attaches or (autoStart) starts the daemon. Without autoStart a missing
  // daemon is only logged: calls fail with a clear error until one runs.
  async connect() {
    if (this.autoStart) {
      await this.manager.start();
      return;
    }
    try {
      await this.manager.performHealthCheck();
    } catch (err) {
      this.log?.warn('no goxel-daemon answers yet; start one or pass --auto-start',
        { socket: this.socketPath, error: err.message });
    }
  }

  async ensureDaemon() {
    if (!this.restarting) {
      this.restarting = this.manager.start().finally(() => {
        this.restarting = null;
      });
    }
    await this.restarting;
    this.methodsCache = null;
    for (const c of this.idle.splice(0)) c.close();
  }

  // Resolves with the result of `method`; rejects with a GoxelRpcError
  // (daemon error) or an Error with an errno-like code (unreachable).
  async call(method, params) {
    let conn = this.idle.pop();
    while (conn && conn.broken) conn = this.idle.pop(); // the daemon went away
    try {
      conn = conn || await Connection.open(this.socketPath);
    } catch (err) {
      if (!(this.autoStart && UNDELIVERED.has(err.code))) throw err;
      this.log?.warn('daemon unreachable; starting one', { error: err.message });
      await this.ensureDaemon();
      conn = await Connection.open(this.socketPath);
    }
    const id = this.nextId++;
    const request = { jsonrpc: '2.0', id, method };
    if (params !== undefined) request.params = params;
    let reply;
    try {
      reply = await conn.request(JSON.stringify(request) + '\n', this.callTimeoutMs);
    } finally {
      if (conn.broken) conn.close();
      else if (this.idle.length < MAX_IDLE) this.idle.push(conn);
      else conn.close();
    }
    if (reply.id !== id) throw Object.assign(new Error(`${method}: reply to another request`), { code: 'EPROTO' });
    if (reply.error) throw new this.GoxelRpcError(method, reply.error);
    return reply.result;
  }

  // The daemon's method table (list_methods), cached until a restart.
  async methods() {
    if (!this.methodsCache) {
      const r = await this.call('list_methods');
      this.methodsCache = new Map(r.methods.map((m) => [m.method, m]));
    }
    return this.methodsCache;
  }

  // Stops the daemon if this link started it; leaves an attached one alone.
  async close() {
    for (const c of this.idle.splice(0)) c.close();
    if (this.manager.child) {
      await this.manager.shutdown();
    } else {
      this.manager.stopHealthChecks();
    }
  }
}
