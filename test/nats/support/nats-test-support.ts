import { randomBytes } from 'node:crypto';

/** The NATS server with JetStream the machine runs (CI starts one before every run). */
export const NATS_URL = process.env['NATS_TEST_URL'] ?? 'nats://127.0.0.1:4222';

/** A bucket and subject prefix no other run shares. */
export function uniqueNames(label: string): { bucket: string; prefix: string } {
  const id = `${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  return { bucket: `t_${id}`, prefix: `t_${id}` };
}

/** Polls a condition (no blind sleep): resolves once true, rejects naming what was awaited. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string, intervalMs = 10): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Removes a test's KV bucket from the shared server (its stream is `KV_<bucket>`). */
export async function deleteBucket(bucket: string, servers = NATS_URL): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
  } finally {
    await nc.close();
  }
}
