import { createServer, connect, type Socket } from 'node:net';
import {
  expectNoResourceGrowth,
  ResourceLeakError,
  resourceGrowth,
  resourceSnapshot,
  stableResourceSnapshot,
  settleNoResourceGrowth,
} from './open-handles.js';
import { waitForEvent } from './wait-for.js';

describe('resourceGrowth', () => {
  it('reports only types that grew, minus what is allowed and ignored', () => {
    const before = { Timeout: 2, TCPSocketWrap: 1, FSReqCallback: 0 };
    const after = { Timeout: 4, TCPSocketWrap: 1, Immediate: 1, FSReqCallback: 3 };
    expect(resourceGrowth(before, after)).toEqual({ Timeout: 2, Immediate: 1 });
    expect(resourceGrowth(before, after, { allow: { Timeout: 2 } })).toEqual({ Immediate: 1 });
    expect(resourceGrowth(after, before)).toEqual({});
  });
});

describe('leak detection on real resources', () => {
  it('detects a leaked timer until it is cleared', async () => {
    const before = resourceSnapshot();
    const timer = setTimeout(() => undefined, 60_000);
    try {
      expect(() => expectNoResourceGrowth(before)).toThrow(ResourceLeakError);
      expect(() => expectNoResourceGrowth(before)).toThrow(/Timeout \+1/);
    } finally {
      clearTimeout(timer);
    }
    expectNoResourceGrowth(before);
  });

  it('detects a leaked server and sockets until they are closed', async () => {
    const before = await stableResourceSnapshot();
    const server = createServer();
    const accepted: Socket[] = [];
    server.on('connection', (socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const client = connect(address.port, '127.0.0.1');
    try {
      await waitForEvent(client, 'connect');
      const growth = resourceGrowth(before, resourceSnapshot());
      expect(growth.TCPServerWrap).toBe(1);
      expect(growth.TCPSocketWrap).toBeGreaterThanOrEqual(1);
      await expect(settleNoResourceGrowth(before, { timeoutMs: 60 })).rejects.toThrow(/still open after 60 ms/);
    } finally {
      client.destroy();
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await settleNoResourceGrowth(before);
  });

  it('does not count its own polling timer', async () => {
    const before = resourceSnapshot();
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    // settle polls on a timer of its own: were it counted, this would never settle. (A one-shot
    // check here raced other files' last async work when Jest ran every file in one process.)
    await settleNoResourceGrowth(before, { timeoutMs: 2_000 });
  });
});
