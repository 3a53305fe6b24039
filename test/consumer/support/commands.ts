import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../support/wait-for.js';

/** The workspace root (this file is test/consumer/support/commands.ts). */
export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** With `exitAfter`: ms from the first output matching it to the exit, or undefined if it never came. */
  msAfterMatch?: number;
  /** With `exitAfter`: the process outlived `exitAfter.withinMs` after the match and was killed. */
  killedAfterMatch?: boolean;
}

export interface CommandOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** The whole process group is killed past this (default 300 s): a hung install fails, it does not hang the suite. */
  timeoutMs?: number;
  /** Once stdout matches `pattern`, the process must exit within `withinMs`, or it is killed (and flagged). */
  exitAfter?: { pattern: RegExp; withinMs: number };
}

/** Runs a command to completion; never throws for a non-zero exit (the caller asserts on it). */
export function run(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let matchedAt: number | undefined;
    let killedAfterMatch = false;
    let matchTimer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const exitAfter = options.exitAfter;
      if (exitAfter === undefined || matchedAt !== undefined || !exitAfter.pattern.test(stdout)) return;
      matchedAt = performance.now();
      matchTimer = setTimeout(() => {
        killedAfterMatch = true;
        if (child.pid !== undefined) killGroup(child.pid);
      }, exitAfter.withinMs);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timeoutMs = options.timeoutMs ?? 300_000;
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      if (child.pid !== undefined) killGroup(child.pid);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      clearTimeout(matchTimer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(matchTimer);
      const now = performance.now();
      resolvePromise({
        code,
        signal,
        stdout,
        stderr,
        ms: Math.round(now - started),
        msAfterMatch: matchedAt === undefined ? undefined : Math.round(now - matchedAt),
        killedAfterMatch,
      });
    });
  });
}

export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** One line for a failed command: what ran, how it ended, and the tail of its output. */
export function describeResult(what: string, result: CommandResult): string {
  const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n');
  return `${what}: exit ${result.code ?? result.signal} after ${result.ms} ms\n${tail}`;
}

/**
 * Builds the packages and the app (tsc -b: nothing to do when dist is current). Specs that need
 * dist/ call this first, under a lock, so that two Jest workers never write dist/ at once and
 * nothing reads a half-written file; `npm ci && npm test` then works without a separate build.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(tmpdir(), `exchange-connection-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  await acquire(lock);
  try {
    const result = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.build.json'], {
      cwd: ROOT,
      timeoutMs: 300_000,
    });
    if (result.code !== 0) throw new Error(describeResult('tsc -b tsconfig.build.json', result));
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const STALE_LOCK_MS = 10 * 60_000;

async function acquire(lock: string): Promise<void> {
  await waitFor(() => tryAcquire(lock), {
    timeoutMs: STALE_LOCK_MS + 60_000,
    intervalMs: 200,
    message: `the build lock ${lock}`,
  });
}

function tryAcquire(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A lock left by a killed run would block every later one: past STALE_LOCK_MS it is taken over.
  try {
    if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
  } catch {
    // Released meanwhile.
  }
  return false;
}
