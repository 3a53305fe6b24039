import type { LoggerService } from '@nestjs/common';
import { ExchangeConnectionError, noJitter } from '@exchange-connection/core';
import { Observable, type Subscriber } from 'rxjs';
import { waitFor } from '../../../../test/support/wait-for.js';
import { ChannelFeeds, type ChannelStatus } from './channel-feeds.js';

/** The part of a connection ChannelFeeds uses: each channel$ subscription is recorded so the test can drive it. */
class FakeConnection {
  readonly name = 'venue-a';
  readonly subscribers: Array<{ channel: string; subscriber: Subscriber<unknown> }> = [];
  channel$<T>(channel: string): Observable<T> {
    return new Observable<T>((subscriber) => {
      const entry = { channel, subscriber: subscriber as Subscriber<unknown> };
      this.subscribers.push(entry);
      return () => this.subscribers.splice(this.subscribers.indexOf(entry), 1);
    });
  }
  last(channel: string): Subscriber<unknown> {
    const found = this.subscribers.filter((s) => s.channel === channel).at(-1);
    if (found === undefined) throw new Error(`nobody subscribed ${channel}`);
    return found.subscriber;
  }
}

function setup() {
  const connection = new FakeConnection();
  const warnings: string[] = [];
  const logger: LoggerService = { log: () => undefined, error: () => undefined, warn: (m: unknown) => warnings.push(String(m)) };
  const feeds = new ChannelFeeds(connection, logger, { baseDelayMs: 20, maxDelayMs: 80, jitter: noJitter });
  return { connection, warnings, feeds };
}

const refused = () => new ExchangeConnectionError('CHANNEL_REFUSED', "connection 'venue-a': the venue did not subscribe ch");

describe('ChannelFeeds', () => {
  it('one upstream subscription per channel, however many consumers', () => {
    const { connection, feeds } = setup();
    const a = feeds.feed('ch').subscribe();
    const b = feeds.feed('ch').subscribe();
    expect(connection.subscribers).toHaveLength(1);
    a.unsubscribe();
    b.unsubscribe();
    expect(connection.subscribers).toHaveLength(0);
    expect(feeds.statuses()).toEqual([]);
  });

  it('a refused channel never errors its consumers: it is logged, shown, retried on a back-off, and live again on data', async () => {
    const { connection, warnings, feeds } = setup();
    const changes: ChannelStatus[] = [];
    feeds.changes$.subscribe((c) => changes.push(c));
    const got: unknown[] = [];
    const errors: unknown[] = [];
    const sub = feeds.feed('ch').subscribe({ next: (v) => got.push(v), error: (e: unknown) => errors.push(e) });
    expect(feeds.status('ch')).toMatchObject({ connection: 'venue-a', channel: 'ch', state: 'pending', failures: 0 });

    const started = Date.now();
    connection.last('ch').error(refused());
    expect(feeds.status('ch')).toMatchObject({
      state: 'refused',
      failures: 1,
      reason: expect.stringMatching(/^CHANNEL_REFUSED: /),
    });
    expect(warnings[0]).toMatch(
      /^connection venue-a: channel ch refused by the venue \(CHANNEL_REFUSED: .*\); retry 1 in 20 ms$/,
    );
    await waitFor(() => connection.subscribers.length === 1, { message: 'first retry' });
    connection.last('ch').error(refused());
    expect(feeds.status('ch')).toMatchObject({ state: 'refused', failures: 2 });
    expect(warnings[1]).toMatch(/retry 2 in 40 ms$/);
    await waitFor(() => connection.subscribers.length === 1, { message: 'second retry' });
    // Back-off: 20 ms, then 40 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);

    connection.last('ch').next({ price: 1 });
    expect(got).toEqual([{ price: 1 }]);
    expect(feeds.status('ch')).toMatchObject({ state: 'live', failures: 0 });
    expect(errors).toEqual([]);
    expect(changes.map((c) => c.state)).toEqual(['pending', 'refused', 'refused', 'live']);

    // After data, the back-off starts over.
    connection.last('ch').error(refused());
    expect(warnings[2]).toMatch(/retry 1 in 20 ms$/);
    sub.unsubscribe();
    expect(connection.subscribers).toHaveLength(0);
  });

  it('an error message with control characters is shown and logged cleaned', () => {
    const { connection, warnings, feeds } = setup();
    const sub = feeds.feed('ch').subscribe();
    connection.last('ch').error(new ExchangeConnectionError('VENUE_ERROR', 'bad\nforged \u001b[31m'));
    expect(feeds.status('ch')).toMatchObject({ state: 'failed', reason: 'VENUE_ERROR: bad\\nforged \\x1b[31m' });
    expect(warnings[0]).not.toMatch(/[\u0000-\u001f]/);
    sub.unsubscribe();
  });

  it('completes with the connection', () => {
    const { connection, feeds } = setup();
    let completed = false;
    feeds.feed('ch').subscribe({ complete: () => (completed = true) });
    connection.last('ch').complete();
    expect(completed).toBe(true);
    expect(feeds.statuses()).toEqual([]);
  });
});
