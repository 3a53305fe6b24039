import { RpcTestClient, TestExchange, type RpcTestClientOptions, type TestExchangeOptions } from '@exchange-connection/testkit';

/** A TestExchange started before each test, and the RpcTestClients a test connects to it. */
export interface ExchangeTestbed {
  /** The current test's exchange (throws outside a test). */
  readonly exchange: TestExchange;
  /** A client of the current exchange; closed after the test, before the exchange stops. */
  connect(options?: RpcTestClientOptions): Promise<RpcTestClient>;
  /** Stops this test's exchange and starts another with `options` in its place (for options one test needs). */
  restart(options: TestExchangeOptions): Promise<TestExchange>;
}

/**
 * Registers beforeEach/afterEach in the calling describe block: a fresh exchange per test (from
 * `options()`, read when the test starts) and every client closed and the exchange stopped after it.
 */
export function useExchangeTestbed(options: () => TestExchangeOptions): ExchangeTestbed {
  let current: TestExchange | undefined;
  const clients: RpcTestClient[] = [];
  beforeEach(async () => {
    current = await TestExchange.start(options());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await current?.stop();
    current = undefined;
  });
  const testbed: ExchangeTestbed = {
    get exchange(): TestExchange {
      if (current === undefined) throw new Error('the testbed exchange exists only while a test runs');
      return current;
    },
    async connect(clientOptions?: RpcTestClientOptions): Promise<RpcTestClient> {
      const client = await RpcTestClient.connect(testbed.exchange.url, clientOptions);
      clients.push(client);
      return client;
    },
    async restart(restartOptions: TestExchangeOptions): Promise<TestExchange> {
      await testbed.exchange.stop();
      current = await TestExchange.start(restartOptions);
      return current;
    },
  };
  return testbed;
}
