// mcp_daemon_manager.js: keeps one goxel-daemon available to a Node program
// (typically an MCP server); the daemon's API is docs/API.md. From a clone,
// after `cmake --build build`, as example.js in the clone's root directory
// (`node example.js`; tests/node runs this example as written):
//
//   const { GoxelDaemonManager } = require('./scripts/mcp_daemon_manager');
//   (async () => {
//     const manager = new GoxelDaemonManager({ socketPath: '/tmp/goxel.sock' });
//     manager.on('log', (line) => console.error(line));
//     await manager.start();        // attaches to a live daemon or spawns one
//     const pong = await manager.call('ping');
//     console.log(pong);            // { pong: true, timestamp: ... }
//     await manager.shutdown();     // stops what it started, clears timers
//   })();
//
// start() first looks at the PID file: when it names a live process AND the
// socket answers `health` (and `status` reports that pid, when it reports
// one), the manager attaches to that daemon ('attached'). A daemon that
// answers on the socket without a usable PID file is attached by socket,
// with the pid its `status` reports. Otherwise it spawns
//   goxel-daemon --foreground --socket S --workers N --queue-size Q
//                --max-connections M [--pid-file P] [extraArgs...]
// and resolves once the daemon answers `health` (bounded by
// startupTimeoutMs). --pid-file is passed when the daemon's --help lists it;
// when the file does not name the daemon once it answers, the manager writes
// it itself and removes it on stop.
//
// The daemon binary: daemonBinary, else GOXEL_DAEMON_BINARY, else
// goxel-daemon in PATH, else this checkout's build*/daemon/goxel-daemon (as
// scripts/daemon_control.sh finds it); none of them: start() fails saying
// where it looked.
//
// Events: started {pid, socket}, attached {pid, socket}, stopped {pid},
// exited {pid, code, signal}, restarted {pid, attempt}, failed {attempts,
// reason}, health_check (the health object), log (one daemon output line),
// error (Error; emitted only when someone listens, so an unhandled 'error'
// never kills the host program).
//
// Node standard library only. Node >= 18.
'use strict';

const { EventEmitter } = require('node:events');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const MAX_RESTART_DELAY_MS = 60000;
const POLL_MS = 50;

// goxel-daemon in PATH, else in a build directory of this checkout
// (build/, then build-*/), else the bare name (spawn then fails naming the
// places searched, see spawnError).
function findDaemonBinary(env = process.env) {
  const executable = (p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, 'goxel-daemon'))) return path.join(dir, 'goxel-daemon');
  }
  const repo = path.resolve(__dirname, '..');
  let builds = [];
  try {
    builds = fs.readdirSync(repo).filter((d) => d.startsWith('build-')).sort();
  } catch {
    builds = [];
  }
  for (const dir of ['build', ...builds]) {
    const candidate = path.join(repo, dir, 'daemon', 'goxel-daemon');
    if (executable(candidate)) return candidate;
  }
  return 'goxel-daemon';
}

// Per-OS defaults for the paths (v14's documented "defaults"). Non-root users on
// Linux get the temporary directory, where they can write.
function platformDefaults(platform = process.platform) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (platform === 'darwin') {
    return {
      socketPath: '/tmp/goxel-daemon.sock',
      pidFile: '/usr/local/var/run/goxel-daemon.pid',
      logFile: '/usr/local/var/log/goxel-daemon.log',
    };
  }
  const runDir = root ? '/var/run' : os.tmpdir();
  const logDir = root ? '/var/log' : os.tmpdir();
  return {
    socketPath: '/tmp/goxel-daemon.sock',
    pidFile: path.join(runDir, 'goxel-daemon.pid'),
    logFile: path.join(logDir, 'goxel-daemon.log'),
  };
}

// The resolved options: explicit option, else GOXEL_* variable, else the
// default. Throws a TypeError naming the option when a value is invalid.
class DaemonConfig {
  constructor(options = {}, env = process.env) {
    const defaults = platformDefaults();
    const pick = (name, envName, fallback) => {
      if (options[name] !== undefined && options[name] !== null) return options[name];
      if (envName && env[envName] !== undefined && env[envName] !== '') return env[envName];
      return fallback;
    };
    const int = (name, envName, fallback, min, max) => {
      const raw = pick(name, envName, fallback);
      const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isInteger(value) || value < min || value > max) {
        const from = options[name] !== undefined ? name : envName || name;
        throw new TypeError(`${from} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
      }
      return value;
    };
    const str = (name, envName, fallback) => {
      const value = pick(name, envName, fallback);
      if (value !== null && typeof value !== 'string') {
        throw new TypeError(`${name} must be a string, got ${typeof value}`);
      }
      return value;
    };
    this.daemonBinary = str('daemonBinary', 'GOXEL_DAEMON_BINARY', null) || findDaemonBinary(env);
    this.socketPath = str('socketPath', 'GOXEL_SOCKET_PATH', defaults.socketPath);
    this.pidFile = str('pidFile', 'GOXEL_PID_FILE', defaults.pidFile);
    this.logFile = str('logFile', 'GOXEL_LOG_FILE', defaults.logFile);
    this.workers = int('workers', 'GOXEL_MAX_WORKERS', 4, 1, 64);
    this.queueSize = int('queueSize', 'GOXEL_QUEUE_SIZE', 1024, 1, 65536);
    this.maxConnections = int('maxConnections', 'GOXEL_MAX_CONNECTIONS', 256, 1, 65536);
    const day = 86400000;
    this.startupTimeoutMs = int('startupTimeoutMs', 'GOXEL_STARTUP_TIMEOUT', 30000, 1, day);
    this.shutdownTimeoutMs = int('shutdownTimeoutMs', 'GOXEL_SHUTDOWN_TIMEOUT', 10000, 1, day);
    this.healthCheckTimeoutMs = int('healthCheckTimeoutMs', 'GOXEL_HEALTH_TIMEOUT', 5000, 1, day);
    this.healthCheckIntervalMs = int('healthCheckIntervalMs', null, 30000, 0, day);
    this.maxRestartAttempts = int('maxRestartAttempts', null, 5, 0, 1000);
    this.restartDelayMs = int('restartDelayMs', null, 5000, 0, day);
    this.autoStart = Boolean(pick('autoStart', null, false));
    this.restartOnFailure = Boolean(pick('restartOnFailure', null, true));
    this.verbose = Boolean(pick('verbose', null, false));
    const extra = pick('extraArgs', null, []);
    if (!Array.isArray(extra) || !extra.every((a) => typeof a === 'string')) {
      throw new TypeError('extraArgs must be an array of strings');
    }
    this.extraArgs = extra.slice();
    if (!this.socketPath) throw new TypeError('socketPath must not be empty');
  }
}

// A JSON-RPC error reply, with the daemon's code and data.
class GoxelRpcError extends Error {
  constructor(method, error) {
    super(`${method}: ${error.message} (code ${error.code})`);
    this.name = 'GoxelRpcError';
    this.code = error.code;
    this.data = error.data;
  }
}

let nextRequestId = 1;

// Sends one request on a fresh connection to `socketPath` and resolves with
// its result. Rejects with an Error whose `code` is the errno code
// (ECONNREFUSED, ENOENT, EACCES...), 'ETIMEDOUT', 'ECONNRESET' (closed
// without a reply), 'EPROTO' (a reply that is not a JSON-RPC response), or a
// GoxelRpcError for an error reply.
function rpcCall(socketPath, method, params, timeoutMs) {
  return new Promise((resolve, reject) => {
    const id = nextRequestId++;
    const request = { jsonrpc: '2.0', method, id };
    if (params !== undefined) request.params = params;
    let buffer = '';
    let settled = false;
    const socket = net.createConnection(socketPath);
    const finish = (err, result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(result);
    };
    const fail = (code, message) => {
      const err = new Error(message);
      err.code = code;
      finish(err);
    };
    const timer = setTimeout(
      () => fail('ETIMEDOUT', `no reply to ${method} from ${socketPath} within ${timeoutMs} ms`),
      timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('error', (err) => {
      const e = new Error(`cannot talk to goxel-daemon on ${socketPath}: ${err.code || err.message}` +
        (err.code === 'ENOENT' ? ' (no such socket; is goxel-daemon running?)' : '') +
        (err.code === 'ECONNREFUSED' ? ' (nothing listens there)' : '') +
        (err.code === 'EACCES' ? ' (permission denied; are you in its group?)' : ''));
      e.code = err.code || 'EIO';
      finish(e);
    });
    socket.on('data', (chunk) => {
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      let reply;
      try {
        reply = JSON.parse(buffer.slice(0, nl));
      } catch (err) {
        fail('EPROTO', `${method}: reply is not JSON: ${err.message}`);
        return;
      }
      if (reply === null || typeof reply !== 'object' || reply.jsonrpc !== '2.0' || reply.id !== id) {
        fail('EPROTO', `${method}: reply is not a JSON-RPC 2.0 response to id ${id}: ${buffer.slice(0, nl)}`);
      } else if (reply.error) {
        finish(new GoxelRpcError(method, reply.error));
      } else if (!('result' in reply)) {
        fail('EPROTO', `${method}: reply has neither result nor error`);
      } else {
        finish(null, reply.result);
      }
    });
    socket.on('end', () => fail('ECONNRESET', `${socketPath} closed the connection before answering ${method}`));
  });
}

// Whether `pid` names a live process (EPERM: alive, but not ours).
function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function readPidFile(file) {
  if (!file) return null;
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    return /^[0-9]+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Which flags a daemon binary knows, from its --help (cached per path).
const helpCache = new Map();
function daemonKnowsFlag(binary, flag) {
  if (!helpCache.has(binary)) {
    const r = spawnSync(binary, ['--help'], { encoding: 'utf8', timeout: 3000 });
    helpCache.set(binary, `${r.stdout || ''}${r.stderr || ''}`);
  }
  return helpCache.get(binary).includes(flag);
}

class GoxelDaemonManager extends EventEmitter {
  constructor(options = {}) {
    super();
    this.config = options instanceof DaemonConfig ? options : new DaemonConfig(options);
    this.child = null; // ChildProcess we spawned, while it runs.
    this.pid = null; // Pid of the daemon we manage (spawned or attached).
    this.attached = false;
    this.restartAttempts = 0;
    this.lastHealth = null;
    this.healthTimer = null;
    this.restartTimer = null;
    this.stopping = false;
    this.closed = false;
    this.wrotePidFile = false;
    this.logStream = null;
    this.startPromise = null;
    if (this.config.autoStart) {
      setImmediate(() => this.start().catch((err) => this.emitError(err)));
    }
  }

  // Resolves with getStatus() once a daemon answers on the socket.
  start() {
    if (this.closed) return Promise.reject(new Error('manager was shut down'));
    if (!this.startPromise) {
      this.startPromise = this.startOnce().finally(() => {
        this.startPromise = null;
      });
    }
    return this.startPromise;
  }

  async startOnce() {
    if (this.pid !== null && isAlive(this.pid)) return this.getStatus();
    this.stopping = false;
    this.restartAttempts = 0;
    if (await this.tryAttach()) return this.getStatus();
    await this.spawnDaemon();
    this.emit('started', { pid: this.pid, socket: this.config.socketPath });
    this.startHealthChecks();
    return this.getStatus();
  }

  // Attaches to a live daemon: the one named by the PID file, or the one
  // answering on the socket. Returns false when there is none.
  async tryAttach() {
    const { pidFile, socketPath } = this.config;
    const filePid = readPidFile(pidFile);
    const status = await this.call('status').catch(() => null);
    if (status === null) return false;
    const reported = Number.isInteger(status.pid) ? status.pid : null;
    let pid = null;
    if (filePid !== null && isAlive(filePid) && (reported === null || reported === filePid)) {
      pid = filePid;
    } else if (reported !== null && isAlive(reported)) {
      pid = reported;
    }
    if (pid === null) return false;
    await this.performHealthCheck();
    this.pid = pid;
    this.attached = true;
    this.debug(`attached to goxel-daemon pid ${pid} on ${socketPath}`);
    this.emit('attached', { pid, socket: socketPath });
    this.startHealthChecks();
    return true;
  }

  daemonArgs() {
    const c = this.config;
    const args = ['--foreground', '--socket', c.socketPath, '--workers', String(c.workers),
      '--queue-size', String(c.queueSize), '--max-connections', String(c.maxConnections)];
    if (c.pidFile && daemonKnowsFlag(c.daemonBinary, '--pid-file')) {
      args.push('--pid-file', c.pidFile);
    }
    return args.concat(c.extraArgs);
  }

  // Spawns the daemon and waits until it answers `health`.
  async spawnDaemon() {
    const c = this.config;
    const args = this.daemonArgs();
    this.debug(`spawning ${c.daemonBinary} ${args.join(' ')}`);
    const child = spawn(c.daemonBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const recent = [];
    let exit = null;
    const exited = new Promise((resolve) => {
      child.on('error', (err) => {
        exit = { code: null, signal: null, error: err };
        resolve();
      });
      child.on('exit', (code, signal) => {
        exit = exit || { code, signal };
        resolve();
      });
    });
    this.pipeLines(child, recent);
    if (child.pid === undefined) {
      await exited;
      const where =
        c.daemonBinary === 'goxel-daemon'
          ? ' (not in PATH nor in build*/daemon of this checkout: build it with ' +
            '`cmake --build build --target goxel-daemon`, or set daemonBinary / GOXEL_DAEMON_BINARY)'
          : '';
      throw new Error(
        `cannot spawn ${c.daemonBinary}: ${exit.error ? exit.error.message : 'unknown error'}${where}`,
      );
    }
    this.child = child;
    this.pid = child.pid;
    this.attached = false;
    child.on('exit', (code, signal) => this.onChildExit(child, code, signal));
    const deadline = Date.now() + c.startupTimeoutMs;
    for (;;) {
      const probe = Math.max(1, Math.min(c.healthCheckTimeoutMs, deadline - Date.now()));
      const ok = await this.performHealthCheck(probe).then(() => true, () => false);
      if (ok && !exit) {
        child.goxelUp = true; // From now on an exit is a failure to recover.
        // A daemon that was given --pid-file has written it by now; one that
        // was not (or ignored it) gets it written by the manager.
        if (c.pidFile && readPidFile(c.pidFile) !== child.pid) this.writePidFile(child.pid);
        return;
      }
      if (exit) {
        const why = exit.error ? exit.error.message : `code ${exit.code}, signal ${exit.signal}`;
        throw new Error(`goxel-daemon exited (${why}) before answering on ${c.socketPath}` +
          (recent.length ? `: ${recent.join(' | ')}` : ''));
      }
      if (Date.now() >= deadline) {
        await this.killChild(child);
        throw new Error(`goxel-daemon did not answer health on ${c.socketPath} within ` +
          `${c.startupTimeoutMs} ms; stopped it` + (recent.length ? `: ${recent.join(' | ')}` : ''));
      }
      await Promise.race([sleep(POLL_MS), exited]);
    }
  }

  // Emits 'log' per output line, appends to logFile, keeps the last lines.
  pipeLines(child, recent) {
    if (this.config.logFile && !this.logStream) {
      try {
        this.logStream = fs.createWriteStream(this.config.logFile, { flags: 'a' });
        this.logStream.on('error', (err) => {
          this.debug(`cannot write ${this.config.logFile}: ${err.message}`);
          this.logStream = null;
        });
      } catch (err) {
        this.debug(`cannot open ${this.config.logFile}: ${err.message}`);
      }
    }
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop();
        for (const line of lines) this.logLine(line, recent);
      });
      stream.on('end', () => {
        if (partial) this.logLine(partial, recent);
      });
    }
  }

  logLine(line, recent) {
    recent.push(line);
    if (recent.length > 5) recent.shift();
    if (this.logStream) this.logStream.write(line + '\n');
    this.emit('log', line);
  }

  onChildExit(child, code, signal) {
    if (this.child !== child) return;
    const pid = child.pid;
    this.child = null;
    this.pid = null;
    this.removeOwnPidFile();
    this.debug(`goxel-daemon pid ${pid} exited (code ${code}, signal ${signal})`);
    this.emit('exited', { pid, code, signal });
    if (!this.stopping && child.goxelUp) this.onUnexpectedExit(`pid ${pid} exited (code ${code}, signal ${signal})`);
  }

  onUnexpectedExit(reason) {
    this.stopHealthChecks();
    if (this.config.restartOnFailure && !this.closed) this.scheduleRestart(reason);
  }

  // Restarts after restartDelayMs * 2^(n-1), capped at 60 s; 'failed' when
  // maxRestartAttempts are used up.
  scheduleRestart(reason) {
    if (this.restartTimer) return;
    const c = this.config;
    if (this.restartAttempts >= c.maxRestartAttempts) {
      this.debug(`giving up after ${this.restartAttempts} restart attempts`);
      this.emit('failed', { attempts: this.restartAttempts, reason });
      return;
    }
    this.restartAttempts++;
    const attempt = this.restartAttempts;
    const delay = Math.min(c.restartDelayMs * 2 ** (attempt - 1), MAX_RESTART_DELAY_MS);
    this.debug(`restart attempt ${attempt} in ${delay} ms (${reason})`);
    this.restartTimer = setTimeout(async () => {
      this.restartTimer = null;
      if (this.stopping || this.closed) return;
      try {
        await this.spawnDaemon();
        this.emit('restarted', { pid: this.pid, attempt });
        this.startHealthChecks();
      } catch (err) {
        this.emitError(err);
        if (!this.stopping && !this.closed) this.scheduleRestart(err.message);
      }
    }, delay);
  }

  startHealthChecks() {
    this.stopHealthChecks();
    const interval = this.config.healthCheckIntervalMs;
    if (interval <= 0) return;
    this.healthTimer = setInterval(() => this.periodicHealthCheck(), interval);
    this.healthTimer.unref();
  }

  stopHealthChecks() {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = null;
  }

  async periodicHealthCheck() {
    try {
      const health = await this.performHealthCheck();
      this.restartAttempts = 0;
      this.emit('health_check', health);
    } catch {
      this.emit('health_check', this.lastHealth);
      // An attached daemon is not our child: notice its death here.
      if (this.attached && this.pid !== null && !isAlive(this.pid) && !this.stopping) {
        const pid = this.pid;
        this.pid = null;
        this.attached = false;
        this.emit('exited', { pid, code: null, signal: null });
        this.onUnexpectedExit(`attached pid ${pid} is gone`);
      }
    }
  }

  // Sends `health` and resolves {status:'healthy', timestamp, latency (ms,
  // measured round trip), details (the daemon's answer)}; rejects with the
  // reason (timeout, cannot connect, error reply, status not ok).
  async performHealthCheck(timeoutMs = this.config.healthCheckTimeoutMs) {
    const started = process.hrtime.bigint();
    try {
      const result = await rpcCall(this.config.socketPath, 'health', undefined, timeoutMs);
      const latency = Number(process.hrtime.bigint() - started) / 1e6;
      if (!result || result.status !== 'ok') {
        const err = new Error(`goxel-daemon reports health ${JSON.stringify(result)}`);
        err.code = 'EUNHEALTHY';
        throw err;
      }
      this.lastHealth = { status: 'healthy', timestamp: new Date().toISOString(), latency, details: result };
      return this.lastHealth;
    } catch (err) {
      this.lastHealth = { status: 'unhealthy', timestamp: new Date().toISOString(), error: err.message };
      throw err;
    }
  }

  // Calls `method` on the daemon (fresh connection per call) and resolves
  // with its result; see rpcCall for the errors.
  call(method, params, { timeoutMs = this.config.healthCheckTimeoutMs } = {}) {
    if (typeof method !== 'string' || method === '') {
      return Promise.reject(new TypeError('method must be a non-empty string'));
    }
    return rpcCall(this.config.socketPath, method, params, timeoutMs);
  }

  // Stops the daemon: SIGTERM, then SIGKILL after shutdownTimeoutMs.
  // Resolves once the process is gone.
  async stop() {
    this.stopping = true;
    this.stopHealthChecks();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    if (this.startPromise) await this.startPromise.catch(() => {});
    const pid = this.pid;
    if (this.child) {
      await this.killChild(this.child);
    } else if (pid !== null) {
      await this.killPid(pid);
      this.pid = null;
      this.attached = false;
    } else {
      return;
    }
    this.removeOwnPidFile();
    this.debug(`goxel-daemon pid ${pid} stopped`);
    this.emit('stopped', { pid });
  }

  async killChild(child) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timedOut = await Promise.race([gone.then(() => false), sleep(this.config.shutdownTimeoutMs).then(() => true)]);
    if (timedOut) {
      this.debug(`pid ${child.pid} ignored SIGTERM for ${this.config.shutdownTimeoutMs} ms; SIGKILL`);
      child.kill('SIGKILL');
      await gone;
    }
  }

  async killPid(pid) {
    const waitGone = async (ms) => {
      const end = Date.now() + ms;
      while (isAlive(pid) && Date.now() < end) await sleep(POLL_MS);
      return !isAlive(pid);
    };
    try {
      process.kill(pid, 'SIGTERM');
    } catch (err) {
      if (err.code === 'ESRCH') return;
      throw err;
    }
    if (await waitGone(this.config.shutdownTimeoutMs)) return;
    this.debug(`pid ${pid} ignored SIGTERM for ${this.config.shutdownTimeoutMs} ms; SIGKILL`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if (err.code !== 'ESRCH') throw err;
    }
    if (!(await waitGone(5000))) throw new Error(`pid ${pid} survived SIGKILL`);
  }

  async restart() {
    await this.stop();
    const status = await this.start();
    this.emit('restarted', { pid: this.pid, attempt: 0 });
    return status;
  }

  // Stops the daemon, clears every timer and closes the log file; the
  // manager cannot be started again.
  async shutdown() {
    this.closed = true;
    await this.stop();
    if (this.logStream) {
      const stream = this.logStream;
      this.logStream = null;
      await new Promise((resolve) => stream.end(resolve));
    }
  }

  getStatus() {
    return {
      running: this.pid !== null && isAlive(this.pid),
      pid: this.pid,
      socket: this.config.socketPath,
      pidFile: this.config.pidFile,
      logFile: this.config.logFile,
      restartAttempts: this.restartAttempts,
      healthCheckActive: this.healthTimer !== null,
      health: this.lastHealth,
    };
  }

  writePidFile(pid) {
    try {
      fs.writeFileSync(this.config.pidFile, `${pid}\n`);
      this.wrotePidFile = true;
    } catch (err) {
      this.debug(`cannot write ${this.config.pidFile}: ${err.message}`);
    }
  }

  removeOwnPidFile() {
    if (!this.wrotePidFile) return;
    this.wrotePidFile = false;
    fs.rmSync(this.config.pidFile, { force: true });
  }

  emitError(err) {
    this.debug(`error: ${err.message}`);
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  debug(message) {
    if (this.config.verbose) process.stderr.write(`[goxel-daemon-manager] ${message}\n`);
  }
}

module.exports = {
  GoxelDaemonManager,
  DaemonConfig,
  GoxelRpcError,
  platformDefaults,
  findDaemonBinary,
};
