/**
 * Issue 10, item 6: `npm start` under a process manager. systemd, Docker and CI runners signal the
 * process they started, which is npm: a SIGTERM to npm must stop the app (and nothing may be left
 * serving /health), within a few seconds. The app runs without network or credentials (its
 * embedded test exchange), on a port of its own choosing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { ROOT, ensureBuilt, killGroup } from './support/commands.js';
import { waitFor } from '../support/wait-for.js';

const STOP_WITHIN_MS = 5_000;

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  let npm: ChildProcess | undefined;

  afterEach(() => {
    // Only when the test failed half-way: never leave the app running.
    if (npm?.pid !== undefined && groupAlive(npm.pid)) killGroup(npm.pid);
  });

  it('stops everything within 5 s of a SIGTERM to the npm process, and frees the port', async () => {
    await ensureBuilt();
    npm = spawn('npm', ['start'], {
      cwd: ROOT,
      // Its own process group, so the test can see every process npm started; the signal goes to npm alone.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // The embedded test exchange, asked for explicitly (set here, so a developer's .env cannot change it).
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', LOG_LEVEL: 'log', DERIBIT_URL: 'embedded' },
    });
    const pid = npm.pid as number;
    let output = '';
    npm.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    npm.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    let exited: number | null | undefined;
    npm.on('exit', (code, signal) => (exited = code ?? (signal === null ? null : -1)));

    const listening = await waitFor(() => /listening: http:\/\/127\.0\.0\.1:(\d+)\/health/.exec(output), {
      timeoutMs: 60_000,
      message: `the app's "listening" line`,
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}; npm start printed:\n${output}`);
    });
    const port = Number(listening[1]);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBeLessThan(600);

    process.kill(pid, 'SIGTERM');
    const signalled = performance.now();
    await waitFor(() => !groupAlive(pid), {
      timeoutMs: STOP_WITHIN_MS,
      message: `every process of npm start to be gone within ${STOP_WITHIN_MS} ms of SIGTERM to npm`,
    });
    const stoppedMs = performance.now() - signalled;
    expect(stoppedMs).toBeLessThan(STOP_WITHIN_MS);
    await waitFor(() => exited !== undefined, { message: 'npm exit event' });
    expect(await portFree(port)).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 120_000);
});
