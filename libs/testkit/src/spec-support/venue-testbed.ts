/** What a testbed needs of an exchange and its clients. */
interface Stoppable {
  stop(): Promise<void>;
}
interface Closable {
  close(): Promise<void>;
}

export interface VenueTestbed<E, O> {
  /** The current test's exchange (throws outside a test). */
  readonly exchange: E;
  /** Stops this test's exchange and starts another with `options` in its place. */
  restart(options: O): Promise<E>;
  /** Closes `client` after the test, before the exchange stops; returns it. */
  track<C extends Closable>(client: C): C;
}

/**
 * Registers beforeEach/afterEach in the calling describe block: a fresh exchange per test and
 * every tracked client closed, then the exchange stopped, after it. (Spec support, not shipped.)
 */
export function useVenueTestbed<E extends Stoppable, O>(start: (options: O) => Promise<E>, options: () => O): VenueTestbed<E, O> {
  let current: E | undefined;
  const clients: Closable[] = [];
  beforeEach(async () => {
    current = await start(options());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await current?.stop();
    current = undefined;
  });
  const testbed: VenueTestbed<E, O> = {
    get exchange(): E {
      if (current === undefined) throw new Error('the testbed exchange exists only while a test runs');
      return current;
    },
    async restart(restartOptions: O): Promise<E> {
      await testbed.exchange.stop();
      current = await start(restartOptions);
      return current;
    },
    track<C extends Closable>(client: C): C {
      clients.push(client);
      return client;
    },
  };
  return testbed;
}
