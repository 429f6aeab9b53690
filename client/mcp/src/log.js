// Logger: JSON lines on stderr (never stdout: that is the stdio protocol),
// and to MCP clients that asked for log messages (logging/setLevel).
const LEVELS = { debug: 10, info: 20, notice: 25, warning: 30, error: 40 };

export class Logger {
  constructor({ level = 'info', stream = process.stderr } = {}) {
    this.level = LEVELS[level] ?? LEVELS.info;
    this.stream = stream;
    this.sinks = new Set(); // McpServer instances
  }

  write(level, msg, fields = {}) {
    if ((LEVELS[level] ?? 0) < this.level) return;
    const entry = { ts: new Date().toISOString(), level, msg, ...fields };
    this.stream.write(JSON.stringify(entry) + '\n');
    for (const server of this.sinks) {
      if (!server.isConnected() || !server.logLevel) continue;
      if ((LEVELS[level] ?? 0) < (LEVELS[server.logLevel] ?? LEVELS.error)) continue;
      server.server
        .sendLoggingMessage({ level, logger: 'goxel-mcp', data: { msg, ...fields } })
        .catch(() => {});
    }
  }

  debug(msg, f) { this.write('debug', msg, f); }
  info(msg, f) { this.write('info', msg, f); }
  warn(msg, f) { this.write('warning', msg, f); }
  error(msg, f) { this.write('error', msg, f); }
}
