/*
 * Running the generated app's entry point without Streamlit, which cannot be installed here.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { PYTHON } from './checks';

/*
 * A stand-in for the parts of Streamlit 1.41 that main.py touches (Streamlit cannot be installed
 * here): `streamlit.logger` with its per-logger handlers and `setup_formatter`/`update_formatter`,
 * and `streamlit.web.cli.main`, which here re-applies Streamlit's formats as reading its config
 * does, logs one line, records its arguments and then serves nothing until it is stopped, like a
 * server no browser has opened yet.
 */
export const STREAMLIT_STAND_IN: Record<string, string> = {
  'streamlit/__init__.py': '',
  'streamlit/logger.py': `
import logging, sys
_loggers = {}
def setup_formatter(logger):
    for handler in logger.handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
def update_formatter():
    for logger in _loggers.values():
        setup_formatter(logger)
def get_logger(name):
    logger = logging.getLogger(name)
    logger.propagate = False
    logger.addHandler(logging.StreamHandler(sys.stdout))
    setup_formatter(logger)
    _loggers[name] = logger
    return logger
`,
  'streamlit/web/__init__.py': '',
  'streamlit/web/cli.py': `
import json, os, sys, time
from streamlit import logger
_LOGGER = logger.get_logger("streamlit.web.server")
def main(args, prog_name):
    logger.update_formatter()
    with open(os.environ["STREAMLIT_ARGS_FILE"], "w") as f:
        json.dump({"args": args, "prog_name": prog_name}, f)
    _LOGGER.info("You can now view your Streamlit app in your browser.")
    while True:
        time.sleep(1)
`,
};

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A plain HTTP GET on a fresh connection. */
export function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** The generated app's entry point, running on the Streamlit stand-in. */
export interface StartedApp {
  child: ChildProcess;
  metricsPort: number;
  /** What the entry point handed to `streamlit.web.cli.main`. */
  streamlitCall(): { args: string[]; prog_name: string };
  stdout(): string;
  stop(): Promise<void>;
}

/**
 * Starts `python <args>` in `cwd` with the stand-in on PYTHONPATH (written under `scratch`, with
 * the file recording Streamlit's arguments) and a free METRICS_PORT, and waits until Streamlit
 * says it serves. `env` entries set to undefined are removed from the process's environment.
 */
export async function startWithStreamlitStandIn(options: {
  cwd: string;
  args: string[];
  scratch: string;
  env?: Record<string, string | undefined>;
}): Promise<StartedApp> {
  const standIn = path.join(options.scratch, 'stand-in');
  for (const [file, content] of Object.entries(STREAMLIT_STAND_IN)) {
    fs.mkdirSync(path.dirname(path.join(standIn, file)), { recursive: true });
    fs.writeFileSync(path.join(standIn, file), content);
  }
  const argsFile = path.join(options.scratch, 'streamlit-args.json');
  const metricsPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    METRICS_PORT: String(metricsPort),
    PYTHONPATH: standIn,
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    STREAMLIT_ARGS_FILE: argsFile,
  };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = spawn(PYTHON, options.args, { cwd: options.cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', d => (stdout += d));
  child.stderr!.on('data', d => (stderr += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + 20_000;
  while (!stdout.includes('You can now view')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(
        `python ${options.args.join(' ')} in ${
          options.cwd
        } did not start Streamlit:\n${stdout}${stderr}`,
      );
    }
    await new Promise(r => setTimeout(r, 100));
  }
  return {
    child,
    metricsPort,
    streamlitCall: () => JSON.parse(fs.readFileSync(argsFile, 'utf8')),
    stdout: () => stdout,
    stop,
  };
}
