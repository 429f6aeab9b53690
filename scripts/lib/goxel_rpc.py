"""A small JSON-RPC client of goxel-daemon and a daemon it starts itself.

Used by scripts/gen_api_doc.py and tests/api. Standard library only.
"""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time


class Client:
    """One connection; call() sends a request and returns the reply."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.buf = b""
        self.next_id = 1

    def close(self):
        self.sock.close()

    def call(self, method, params=None):
        req = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        self.next_id += 1
        if params is not None:
            req["params"] = params
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("daemon closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def ok(self, method, params=None):
        reply = self.call(method, params)
        if "error" in reply:
            raise AssertionError(f"{method} {json.dumps(params)} -> "
                                 f"{json.dumps(reply['error'])}")
        return reply["result"]


class Daemon:
    """goxel-daemon in the foreground on a socket in a private temp dir.

    `data_dir` defaults to a directory inside that temp dir. Use as a
    context manager; the daemon is stopped with SIGTERM at exit.
    """

    def __init__(self, binary, extra=(), data_dir=None, env=None):
        self.tmp = tempfile.TemporaryDirectory(prefix="goxel-api-")
        self.socket = os.path.join(self.tmp.name, "d.sock")
        self.data_dir = data_dir or os.path.join(self.tmp.name, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.log = open(os.path.join(self.tmp.name, "log"), "w+")
        args = [os.path.abspath(binary), "--foreground", "--socket",
                self.socket,
                "--data-dir", self.data_dir, *extra]
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(args, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     cwd=self.tmp.name, env=full_env)
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("daemon exited: " + self.log_text())
            try:
                Client(self.socket).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("daemon did not listen: " +
                                       self.log_text())
                time.sleep(0.02)

    def log_text(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def client(self):
        return Client(self.socket)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        self.tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
