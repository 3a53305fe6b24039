import { useExchangeTestbed } from '../../../../test/support/exchange-testbed.js';
import { TestExchange } from './test-exchange.js';
import { RpcTestClient } from './rpc-test-client.js';

describe('TestExchange heartbeats', () => {
  const testbed = useExchangeTestbed(() => ({ feedIntervalMs: 0, minHeartbeatIntervalSec: 0.1 }));
  const connect = (answerTestRequests = true): Promise<RpcTestClient> => testbed.connect({ answerTestRequests });

  it('rejects intervals below the minimum with -32602', async () => {
    const client = await connect();
    const response = await client.request('public/set_heartbeat', { interval: 0.05 });
    expect(response.error).toMatchObject({ code: -32602, message: 'Invalid params', data: { param: 'interval' } });
    expect((await client.request('public/set_heartbeat', {})).error?.code).toBe(-32602);
  });

  it('defaults to Deribit’s 10 s minimum', async () => {
    const strict = await TestExchange.start({ feedIntervalMs: 0 });
    const client = await RpcTestClient.connect(strict.url);
    try {
      expect((await client.request('public/set_heartbeat', { interval: 9 })).error?.code).toBe(-32602);
      expect(await client.call('public/set_heartbeat', { interval: 10 })).toBe('ok');
    } finally {
      await client.close();
      await strict.stop();
    }
  });

  it('sends a heartbeat, then test_requests; an answering client stays connected', async () => {
    const client = await connect(true);
    expect(await client.call('public/set_heartbeat', { interval: 0.1 })).toBe('ok');
    await client.waitForMessage((m) => (m as { params?: { type?: string } }).params?.type === 'heartbeat');
    await testbed.exchange.waitFor(() => testbed.exchange.counters.testRequestsSent >= 4);
    expect(client.isOpen).toBe(true);
    expect(testbed.exchange.counters.heartbeatCloses).toBe(0);
    expect(testbed.exchange.connections()[0]?.heartbeatIntervalSec).toBe(0.1);
    const notification = client.messages.find((m) => (m as { params?: { type?: string } }).params?.type === 'test_request');
    expect(notification).toEqual({ jsonrpc: '2.0', method: 'heartbeat', params: { type: 'test_request' } });
  });

  it('closes the socket when a test_request is not answered within the interval', async () => {
    const client = await connect(false);
    await client.call('public/set_heartbeat', { interval: 0.1 });
    const closed = await client.waitForClose(3000);
    expect(closed.code).toBe(1000);
    expect(client.heartbeats('test_request')).toBe(1);
    expect(testbed.exchange.counters.heartbeatCloses).toBe(1);
    await testbed.exchange.waitFor(() => testbed.exchange.connections().length === 0);
  });

  it('public/disable_heartbeat stops test_requests', async () => {
    const client = await connect(false);
    await client.call('public/set_heartbeat', { interval: 0.1 });
    expect(await client.call('public/disable_heartbeat')).toBe('ok');
    const sent = testbed.exchange.counters.testRequestsSent;
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(testbed.exchange.counters.testRequestsSent).toBe(sent);
    expect(client.isOpen).toBe(true);
  });

  it('setIgnoreTestAnswers: answers are disregarded and the server closes on the missed test_request', async () => {
    const client = await connect(true);
    testbed.exchange.setIgnoreTestAnswers(true);
    await client.call('public/set_heartbeat', { interval: 0.1 });
    await client.waitForClose(3000);
    expect(testbed.exchange.counters.heartbeatCloses).toBe(1);
    expect(testbed.exchange.counters.testCalls).toBeGreaterThanOrEqual(1);
  });

  it('setHeartbeatsPaused: no heartbeat notifications and no close, then resumes', async () => {
    const client = await connect(false);
    testbed.exchange.setHeartbeatsPaused(true);
    await client.call('public/set_heartbeat', { interval: 0.1 });
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(client.heartbeats()).toBe(0);
    expect(client.isOpen).toBe(true);
    testbed.exchange.setHeartbeatsPaused(false);
    await client.waitForMessage((m) => (m as { params?: { type?: string } }).params?.type === 'test_request', 2000);
    await client.waitForClose(3000);
  });
});
