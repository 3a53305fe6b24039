import type { Socket } from 'node:net';

/**
 * Closes a socket with an RST where the kernel allows it. A socket still connecting has no peer to
 * reset (and `resetAndDestroy` would wait for a connect that may never come), so it is destroyed.
 */
export function hardClose(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting || socket.pending) {
    socket.destroy();
    return;
  }
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
