// Tests of scripts/mcp_daemon_manager.js against the REAL goxel-daemon.
// Run: GOXEL_DAEMON_BINARY=build/daemon/goxel-daemon node --test tests/node
// Every test uses its own temporary directory and socket and leaves no
// process behind.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const { GoxelDaemonManager, DaemonConfig, GoxelRpcError } =
  require('../../scripts/mcp_daemon_manager.js');

const DAEMON = process.env.GOXEL_DAEMON_BINARY;

function requireDaemon() {
  assert.ok(DAEMON, 'GOXEL_DAEMON_BINARY must name the goxel-daemon binary to test against ' +
    '(e.g. GOXEL_DAEMON_BINARY=build/daemon/goxel-daemon node --test tests/node)');
  assert.ok(fs.existsSync(DAEMON), `GOXEL_DAEMON_BINARY=${DAEMON} does not exist`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    assert.equal(err.code, 'ESRCH');
    return false;
  }
}

// A temporary directory with socket, PID and log paths, removed after the
// test together with every manager and process registered on it.
function sandbox(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goxel-mgr-test-'));
  const box = {
    dir,
    socket: path.join(dir, 'goxel.sock'),
    pidFile: path.join(dir, 'goxel.pid'),
    logFile: path.join(dir, 'goxel.log'),
    managers: [],
    pids: new Set(),
    manager(options = {}) {
      const m = new GoxelDaemonManager({
        daemonBinary: DAEMON,
        socketPath: box.socket,
        pidFile: box.pidFile,
        logFile: box.logFile,
        workers: 2,
        healthCheckIntervalMs: 0,
        restartOnFailure: false,
        // Each sandbox's daemon has a data directory (and its lock) of its
        // own: tests run in parallel.
        extraArgs: ['--data-dir', dir],
        ...options,
      });
      for (const ev of ['started', 'attached', 'restarted']) {
        m.on(ev, (info) => box.pids.add(info.pid));
      }
      box.managers.push(m);
      return m;
    },
  };
  t.after(async () => {
    for (const m of box.managers) await m.shutdown().catch(() => {});
    for (const pid of box.pids) {
      if (isAlive(pid)) {
        process.kill(pid, 'SIGKILL');
        assert.fail(`pid ${pid} was still running after the test`);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return box;
}

// Resolves with the arguments of the next `event` emitted by `emitter`.
function once(emitter, event, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

// Starts the daemon outside the manager (as an init system would) and waits
// until it answers; returns the ChildProcess.
async function spawnDaemonDirectly(t, box) {
  const child = spawn(DAEMON, ['--foreground', '--socket', box.socket, '--workers', '2',
    '--data-dir', box.dir], { stdio: 'ignore' });
  box.pids.add(child.pid);
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const probe = new GoxelDaemonManager({ socketPath: box.socket, pidFile: null, logFile: null });
  for (let i = 0; ; i++) {
    if (await probe.performHealthCheck(500).then(() => true, () => false)) return child;
    assert.ok(i < 200 && child.exitCode === null, 'the directly started daemon did not answer');
    await sleep(25);
  }
}

test('start() spawns the daemon and resolves once it answers health', async (t) => {
  requireDaemon();
  const box = sandbox(t);
  const m = box.manager();
  const started = once(m, 'started');
  const logs = [];
  m.on('log', (line) => logs.push(line));
  const status = await m.start();
  const info = await started;
  assert.equal(status.running, true);
  assert.equal(status.pid, info.pid);
  assert.equal(info.socket, box.socket);
  assert.ok(isAlive(status.pid));
  assert.equal(status.socket, box.socket);
  assert.equal(status.pidFile, box.pidFile);
  assert.equal(status.logFile, box.logFile);
  assert.equal(status.restartAttempts, 0);
  assert.equal(status.health.status, 'healthy');
  // The PID file names the daemon (written by it, or by the manager when
  // the daemon has no --pid-file).
  assert.equal(Number(fs.readFileSync(box.pidFile, 'utf8').trim()), status.pid);

  assert.deepEqual(await m.call('echo', { a: [1, 'two'] }), { a: [1, 'two'] });
  const pong = await m.call('ping');
  assert.equal(pong.pong, true);
  await assert.rejects(m.call('no.such.method'), (err) => {
    assert.ok(err instanceof GoxelRpcError);
    assert.equal(err.code, -32601);
    return true;
  });

  const stopped = once(m, 'stopped');
  await m.stop();
  assert.equal((await stopped).pid, status.pid);
  assert.equal(isAlive(status.pid), false);
  assert.equal(m.getStatus().running, false);
  assert.equal(fs.existsSync(box.socket), false, 'the daemon removed its socket');
  assert.equal(fs.existsSync(box.pidFile), false, 'the PID file is gone');
  // The daemon's output lines came as 'log' events and went to logFile.
  assert.ok(logs.length > 0, 'the daemon logged at least its start');
  await m.shutdown();
  const logged = fs.readFileSync(box.logFile, 'utf8');
  for (const line of logs) assert.ok(logged.includes(line));
});

test('start() attaches by socket to a daemon without a PID file', async (t) => {
  requireDaemon();
  const box = sandbox(t);
  const child = await spawnDaemonDirectly(t, box);
  const m = box.manager({ pidFile: path.join(box.dir, 'absent.pid') });
  const attached = once(m, 'attached');
  const status = await m.start();
  assert.deepEqual(await attached, { pid: child.pid, socket: box.socket });
  assert.equal(status.pid, child.pid);
  await m.shutdown();
  assert.equal(isAlive(child.pid), false);
});

test('performHealthCheck measures the round trip of a real health request', async (t) => {
  requireDaemon();
  const box = sandbox(t);
  const m = box.manager();
  await m.start();
  const before = process.hrtime.bigint();
  const health = await m.performHealthCheck();
  const elapsedMs = Number(process.hrtime.bigint() - before) / 1e6;
  assert.equal(health.status, 'healthy');
  assert.equal(typeof health.latency, 'number');
  assert.ok(health.latency > 0, `latency ${health.latency}`);
  assert.ok(health.latency <= elapsedMs, `latency ${health.latency} ms within the ${elapsedMs} ms call`);
  assert.ok(!Number.isNaN(Date.parse(health.timestamp)));
  // The daemon's own answer comes along: it is the real `health` reply.
  assert.equal(health.details.status, 'ok');
  for (const key of ['queue_depth', 'workers_busy', 'connections', 'uptime_seconds']) {
    assert.equal(typeof health.details[key], 'number', key);
  }
  // Two checks do not report the same made-up figure.
  const latencies = new Set();
  for (let i = 0; i < 5; i++) latencies.add((await m.performHealthCheck()).latency);
  assert.ok(latencies.size > 1, 'latencies vary from call to call');
  await m.shutdown();
});

test('periodic health checks emit health_check and stop on shutdown', async (t) => {
  requireDaemon();
  const box = sandbox(t);
  const m = box.manager({ healthCheckIntervalMs: 50 });
  await m.start();
  assert.equal(m.getStatus().healthCheckActive, true);
  const checks = [];
  m.on('health_check', (h) => checks.push(h));
  while (checks.length < 3) await once(m, 'health_check');
  for (const h of checks) assert.equal(h.status, 'healthy');
  await m.shutdown();
  assert.equal(m.getStatus().healthCheckActive, false);
  const count = checks.length;
  await sleep(200);
  assert.equal(checks.length, count, 'no health check after shutdown');
});

test('start() attaches to a live daemon named by the PID file', async (t) => {
  requireDaemon();
  const box = sandbox(t);
  const child = await spawnDaemonDirectly(t, box);
  fs.writeFileSync(box.pidFile, `${child.pid}\n`);
  const m = box.manager();
  let spawned = false;
  m.on('started', () => (spawned = true));
  const attached = once(m, 'attached');
  const status = await m.start();
  assert.deepEqual(await attached, { pid: child.pid, socket: box.socket });
  assert.equal(spawned, false, 'attached rather than spawned');
  assert.equal(status.pid, child.pid);
  assert.equal(status.running, true);
  assert.equal((await m.performHealthCheck()).status, 'healthy');

  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await m.stop();
  assert.equal(isAlive(child.pid), false);
  assert.deepEqual(await exited, { code: 0, signal: null }, 'SIGTERM drained the daemon');
});

test('a stale PID file is ignored and a daemon is spawned', async (t) => {
  requireDaemon();
  const box = sandbox(t);
  // A pid that cannot be alive: a process that has already exited.
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => dead.once('exit', resolve));
  fs.writeFileSync(box.pidFile, `${dead.pid}\n`);
  const m = box.manager();
  const started = once(m, 'started');
  const status = await m.start();
  assert.equal((await started).pid, status.pid);
  assert.notEqual(status.pid, dead.pid);
  await m.shutdown();
  assert.equal(isAlive(status.pid), false);
});

test('stop() sends SIGKILL when SIGTERM is not obeyed in time', async (t) => {
  requireDaemon();
  const box = sandbox(t);
  const m = box.manager({ shutdownTimeoutMs: 300 });
  const { pid } = await m.start();
  process.kill(pid, 'SIGSTOP'); // A stopped process cannot act on SIGTERM.
  const before = Date.now();
  const exited = once(m, 'exited');
  await m.stop();
  assert.ok(Date.now() - before >= 300, 'waited shutdownTimeoutMs first');
  assert.equal((await exited).signal, 'SIGKILL');
  assert.equal(isAlive(pid), false);
});

test('restartOnFailure restarts a daemon killed with SIGKILL', async (t) => {
  requireDaemon();
  const box = sandbox(t);
  const m = box.manager({ restartOnFailure: true, restartDelayMs: 50, maxRestartAttempts: 3 });
  const first = (await m.start()).pid;
  const exited = once(m, 'exited');
  const restarted = once(m, 'restarted');
  process.kill(first, 'SIGKILL');
  const gone = await exited;
  assert.equal(gone.pid, first);
  assert.equal(gone.signal, 'SIGKILL');
  const again = await restarted;
  assert.equal(again.attempt, 1);
  assert.notEqual(again.pid, first);
  assert.ok(isAlive(again.pid));
  const status = m.getStatus();
  assert.equal(status.pid, again.pid);
  assert.equal(status.restartAttempts, 1);
  assert.equal((await m.performHealthCheck()).status, 'healthy');
  await m.shutdown();
  assert.equal(isAlive(again.pid), false);
});

test('restarts back off exponentially and emit failed when attempts run out', async (t) => {
  requireDaemon();
  const box = sandbox(t);
  const m = box.manager({ restartOnFailure: true, restartDelayMs: 100, maxRestartAttempts: 2 });
  const { pid } = await m.start();
  m.config.daemonBinary = '/bin/false'; // Every restart now exits at once.
  const errors = [];
  m.on('error', (err) => errors.push({ at: Date.now(), err }));
  let restarted = false;
  m.on('restarted', () => (restarted = true));
  const failed = once(m, 'failed');
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  const info = await failed;
  assert.equal(info.attempts, 2);
  assert.match(info.reason, /exited/);
  assert.equal(restarted, false);
  assert.equal(errors.length, 2);
  for (const { err } of errors) assert.match(err.message, /exited .* before answering/);
  // Attempt 1 after 100 ms, attempt 2 after 100 * 2 = 200 ms more.
  assert.ok(errors[0].at - killedAt >= 100, `first retry after ${errors[0].at - killedAt} ms`);
  assert.ok(errors[1].at - killedAt >= 300, `second retry after ${errors[1].at - killedAt} ms`);
  const status = m.getStatus();
  assert.equal(status.running, false);
  assert.equal(status.pid, null);
  assert.equal(status.restartAttempts, 2);
});

test('start() rejects when the binary exits at once, leaving nothing behind', async (t) => {
  const box = sandbox(t);
  const m = box.manager({ daemonBinary: '/bin/false', restartOnFailure: true, restartDelayMs: 10 });
  let restarts = 0;
  m.on('restarted', () => restarts++);
  await assert.rejects(m.start(), /exited \(code 1, signal null\) before answering/);
  await sleep(100);
  assert.equal(restarts, 0, 'a failed start is not restarted');
  assert.equal(m.getStatus().running, false);
  assert.equal(fs.existsSync(box.pidFile), false);
});

test('start() gives up after startupTimeoutMs and stops the silent process', async (t) => {
  const box = sandbox(t);
  const silent = path.join(box.dir, 'silent-daemon');
  fs.writeFileSync(silent, '#!/bin/sh\n[ "$1" = --help ] && exit 0\nexec sleep 30\n', { mode: 0o755 });
  const m = box.manager({ daemonBinary: silent, startupTimeoutMs: 300 });
  const before = Date.now();
  const attempt = m.start();
  while (m.pid === null && Date.now() - before < 250) await sleep(5);
  const pid = m.pid;
  assert.ok(pid > 0 && isAlive(pid));
  await assert.rejects(attempt, /did not answer health .* within 300 ms; stopped it/);
  assert.ok(Date.now() - before >= 300);
  assert.equal(isAlive(pid), false);
});

test('performHealthCheck rejects with the reason when nothing answers', async (t) => {
  requireDaemon();
  const box = sandbox(t);
  const m = box.manager({ healthCheckTimeoutMs: 200 });
  // No socket at all.
  await assert.rejects(m.performHealthCheck(), (err) => {
    assert.equal(err.code, 'ENOENT');
    assert.match(err.message, /is goxel-daemon running/);
    return true;
  });
  assert.equal(m.getStatus().health.status, 'unhealthy');
  // A stale socket left by a daemon killed with SIGKILL: connection refused.
  const child = await spawnDaemonDirectly(t, box);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  assert.ok(fs.existsSync(box.socket), 'SIGKILL leaves the socket file');
  await assert.rejects(m.performHealthCheck(), (err) => {
    assert.equal(err.code, 'ECONNREFUSED');
    return true;
  });
  fs.rmSync(box.socket);
  // A listener that never answers: timeout.
  const mute = net.createServer(() => {});
  await new Promise((resolve) => mute.listen(box.socket, resolve));
  t.after(() => mute.close());
  const before = Date.now();
  await assert.rejects(m.performHealthCheck(), (err) => {
    assert.equal(err.code, 'ETIMEDOUT');
    assert.match(err.message, /within 200 ms/);
    return true;
  });
  assert.ok(Date.now() - before >= 190);
});

test('DaemonConfig reads options, then GOXEL_* variables, then defaults', () => {
  const env = {
    GOXEL_DAEMON_BINARY: '/opt/goxel/bin/goxel-daemon',
    GOXEL_SOCKET_PATH: '/run/goxel/env.sock',
    GOXEL_PID_FILE: '/run/goxel/env.pid',
    GOXEL_LOG_FILE: '/var/log/env.log',
    GOXEL_MAX_WORKERS: '8',
    GOXEL_QUEUE_SIZE: '2048',
    GOXEL_MAX_CONNECTIONS: '64',
    GOXEL_STARTUP_TIMEOUT: '1234',
    GOXEL_HEALTH_TIMEOUT: '321',
    GOXEL_SHUTDOWN_TIMEOUT: '999',
  };
  const fromEnv = new DaemonConfig({}, env);
  assert.equal(fromEnv.daemonBinary, '/opt/goxel/bin/goxel-daemon');
  assert.equal(fromEnv.socketPath, '/run/goxel/env.sock');
  assert.equal(fromEnv.pidFile, '/run/goxel/env.pid');
  assert.equal(fromEnv.logFile, '/var/log/env.log');
  assert.equal(fromEnv.workers, 8);
  assert.equal(fromEnv.queueSize, 2048);
  assert.equal(fromEnv.maxConnections, 64);
  assert.equal(fromEnv.startupTimeoutMs, 1234);
  assert.equal(fromEnv.healthCheckTimeoutMs, 321);
  assert.equal(fromEnv.shutdownTimeoutMs, 999);

  const explicit = new DaemonConfig({ socketPath: '/tmp/opt.sock', workers: 3 }, env);
  assert.equal(explicit.socketPath, '/tmp/opt.sock');
  assert.equal(explicit.workers, 3);
  assert.equal(explicit.queueSize, 2048);

  const defaults = new DaemonConfig({}, {});
  // Not in PATH: this checkout's build, as daemon_control.sh finds it.
  const built = path.resolve(__dirname, '..', '..', 'build', 'daemon', 'goxel-daemon');
  if (fs.existsSync(built)) {
    assert.ok(defaults.daemonBinary.endsWith(path.join('daemon', 'goxel-daemon')), defaults.daemonBinary);
    assert.ok(path.isAbsolute(defaults.daemonBinary), defaults.daemonBinary);
  }
  assert.equal(defaults.socketPath, '/tmp/goxel-daemon.sock');
  // In PATH first.
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'goxel-path-'));
  try {
    fs.writeFileSync(path.join(bin, 'goxel-daemon'), '#!/bin/sh\n', { mode: 0o755 });
    assert.equal(new DaemonConfig({}, { PATH: bin }).daemonBinary, path.join(bin, 'goxel-daemon'));
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
  }
  assert.equal(defaults.workers, 4);
  assert.equal(defaults.queueSize, 1024);
  assert.equal(defaults.maxConnections, 256);
  assert.equal(defaults.startupTimeoutMs, 30000);
  assert.equal(defaults.shutdownTimeoutMs, 10000);
  assert.equal(defaults.healthCheckTimeoutMs, 5000);
  assert.equal(defaults.healthCheckIntervalMs, 30000);
  assert.equal(defaults.maxRestartAttempts, 5);
  assert.equal(defaults.restartDelayMs, 5000);
  assert.equal(defaults.autoStart, false);
  assert.equal(defaults.restartOnFailure, true);
  assert.equal(defaults.verbose, false);
  assert.match(defaults.pidFile, /goxel-daemon\.pid$/);
  assert.match(defaults.logFile, /goxel-daemon\.log$/);

  assert.throws(() => new DaemonConfig({}, { GOXEL_MAX_WORKERS: 'many' }), /GOXEL_MAX_WORKERS must be an integer in 1..64/);
  assert.throws(() => new DaemonConfig({ workers: 65 }, {}), /workers must be an integer in 1..64/);
  assert.throws(() => new DaemonConfig({ queueSize: 0 }, {}), /queueSize/);
});

// The example in the manager's header, run as written from a clone: a
// directory holding scripts/mcp_daemon_manager.js and build/daemon/
// goxel-daemon (this build's binary), with only the socket path made
// private (and the PID file, log and data directory through the manager's
// and daemon's environment). The manager finds the daemon by itself: no
// GOXEL_DAEMON_BINARY, nothing in PATH.
test('the header example runs as written from a clone', async (t) => {
  requireDaemon();
  const box = sandbox(t);
  const source = require.resolve('../../scripts/mcp_daemon_manager.js');
  const clone = path.join(box.dir, 'clone');
  fs.mkdirSync(path.join(clone, 'scripts'), { recursive: true });
  fs.mkdirSync(path.join(clone, 'build', 'daemon'), { recursive: true });
  fs.copyFileSync(source, path.join(clone, 'scripts', 'mcp_daemon_manager.js'));
  fs.symlinkSync(path.resolve(DAEMON), path.join(clone, 'build', 'daemon', 'goxel-daemon'));
  const lines = fs.readFileSync(source, 'utf8').split('\n');
  const from = lines.findIndex((l) => l.includes("require('./scripts/mcp_daemon_manager')"));
  const to = lines.findIndex((l, i) => i > from && l === '//');
  assert.ok(from > 0 && to > from, 'the header has no example');
  const example = lines.slice(from, to).map((l) => l.replace(/^\/\/ {3}/, '')).join('\n');
  assert.ok(example.includes("'/tmp/goxel.sock'"), example);
  fs.writeFileSync(path.join(clone, 'example.js'),
    example.replace("'/tmp/goxel.sock'", JSON.stringify(box.socket)));
  const env = { ...process.env, PATH: '', GOXEL_PID_FILE: box.pidFile,
    GOXEL_LOG_FILE: box.logFile, XDG_DATA_HOME: path.join(box.dir, 'xdg') };
  delete env.GOXEL_DAEMON_BINARY;
  const child = spawn(process.execPath, ['example.js'], { cwd: clone, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.match(stdout, /pong: true/);
  // It stopped the daemon it started: the socket is gone.
  assert.equal(fs.existsSync(box.socket), false, stderr);
});
