// DaemonLink: goxel-mcp's one way to the daemon, through
// scripts/mcp_daemon_manager.js.
//
// connect() attaches to the daemon on the socket, or (autoStart) starts
// one. call() sends one JSON-RPC request. When the daemon is not there
// (ENOENT, ECONNREFUSED: the request was never delivered, so sending it
// again is safe) and autoStart is on, call() starts a daemon and sends the
// request once more; a daemon that restarted underneath thus costs an agent
// at most one failed call (the one that finds its project gone).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

// The manager: GOXEL_MCP_DAEMON_MANAGER, the copy installed beside the
// server (lib/), or the repository's scripts/.
function loadManager() {
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
  }

  // Resolves with the result of `method`; rejects with a GoxelRpcError
  // (daemon error) or an Error with an errno-like code (unreachable).
  async call(method, params) {
    const opts = { timeoutMs: this.callTimeoutMs };
    try {
      return await this.manager.call(method, params, opts);
    } catch (err) {
      if (!(this.autoStart && UNDELIVERED.has(err.code))) throw err;
      this.log?.warn('daemon unreachable; starting one', { error: err.message });
      await this.ensureDaemon();
      return this.manager.call(method, params, opts);
    }
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
    if (this.manager.child) {
      await this.manager.shutdown();
    } else {
      this.manager.stopHealthChecks();
    }
  }
}
