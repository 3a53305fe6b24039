import type { ConnectionEvent, ExchangeConnection } from '@exchange-connection/core';
import { waitFor } from '../support/wait-for.js';
import type { RecordingVenue } from './recording-venue.js';

/**
 * What the venue fault matrices (Bybit, Binance) check alike, in one place: one leg is one
 * supervised connection with its recording venue, its consumers and the events it emitted.
 */

export function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** A consumer as the matrices record one: channels watched, counts, and what went wrong. */
export interface RecordedConsumer {
  readonly id: number;
  readonly channels: ReadonlySet<string>;
  readonly duplicates: readonly string[];
  readonly continuityErrors: readonly string[];
  readonly errors: ReadonlyArray<{ channel: string; error: unknown }>;
  readonly completed: ReadonlySet<string>;
  count(channel: string): number;
}

export interface RecordedLeg {
  readonly name: string;
  readonly connection: ExchangeConnection & { readonly state: string };
  readonly venue: RecordingVenue;
  readonly desired: ReadonlySet<string>;
  readonly consumers: readonly RecordedConsumer[];
  /** Exchange connection ids this leg opened. */
  readonly exchangeConnections: readonly number[];
  eventsOf<T extends ConnectionEvent['type']>(type: T): Array<Extract<ConnectionEvent, { type: T }>>;
}

/** Every consumer of every leg got at least `atLeast` new messages on every channel it watches. */
export async function waitForConsumerData(legs: readonly RecordedLeg[], atLeast = 2, timeoutMs = 5_000): Promise<void> {
  const before = legs.map((leg) => leg.consumers.map((c) => new Map([...c.channels].map((ch) => [ch, c.count(ch)]))));
  await waitFor(
    () =>
      legs.every((leg, l) =>
        leg.consumers.every((consumer, i) =>
          [...consumer.channels].every((ch) => consumer.count(ch) >= (before[l]![i]!.get(ch) ?? 0) + atLeast),
        ),
      ),
    {
      timeoutMs,
      message: `${atLeast} new messages on every channel: ${legs
        .map((leg) => leg.consumers.map((c) => [...c.channels].map((ch) => `${ch}:${c.count(ch)}`).join(' ')).join('; '))
        .join(' | ')}`,
    },
  );
}

/**
 * Nothing duplicated and nothing lost on the consumer side, and one layer reconnecting: each
 * channel once per session (net one subscribe on the current one), no duplicate or broken
 * sequence seen by a consumer, no stream errored or completed, one build per down, at most one
 * socket per build, no circuit unless the row opens it.
 */
export function assertLegInvariants(leg: RecordedLeg, options: { circuitMayOpen?: boolean } = {}): void {
  expectEqual(
    leg.venue.sessions.flatMap((s) => s.violations),
    [],
    `${leg.name}: channels subscribed twice on one session`,
  );
  const current = leg.venue.currentSession;
  if (current === undefined) throw new Error(`${leg.name}: no venue session recorded`);
  for (const channel of leg.desired) {
    const net = (current.subscribes.get(channel) ?? 0) - (current.unsubscribes.get(channel) ?? 0);
    expectEqual(net, 1, `${leg.name}: net subscribes of ${channel} on the current session`);
  }
  for (const consumer of leg.consumers) {
    expectEqual(consumer.duplicates, [], `${leg.name}: duplicates seen by consumer ${consumer.id}`);
    expectEqual(consumer.continuityErrors, [], `${leg.name}: sequence continuity for consumer ${consumer.id}`);
    expectEqual(
      consumer.errors.map((e) => e.channel),
      [],
      `${leg.name}: stream errors for consumer ${consumer.id}`,
    );
    expectEqual([...consumer.completed], [], `${leg.name}: completed streams for consumer ${consumer.id}`);
  }
  const stats = leg.connection.stats();
  const downs = leg.eventsOf('down');
  expectEqual(stats.reconnects, downs.length, `${leg.name}: reconnects vs down events (${downs.map((d) => d.code).join(', ')})`);
  // Each build, and each make-before-break rotation, opens at most one socket.
  const rotations = stats.rotations?.started ?? 0;
  if (leg.exchangeConnections.length > stats.reconnects + 1 + rotations) {
    throw new Error(
      `${leg.name}: exchange saw ${leg.exchangeConnections.length} connections for ${stats.reconnects} rebuilds and ${rotations} rotations`,
    );
  }
  if (!options.circuitMayOpen && leg.eventsOf('circuit').length > 0) {
    throw new Error(`${leg.name}: circuit events: ${JSON.stringify(leg.eventsOf('circuit'))}`);
  }
}

/** After close: every client the leg's venue saw is closed and holds no listener. */
export function assertClientsReleased(leg: Pick<RecordedLeg, 'name' | 'venue'>): void {
  const leftovers = leg.venue.clients
    .map((client, i) => ({ i, state: client.state, events: client.eventNames().map(String) }))
    .filter((x) => x.state !== 'closed' || x.events.length > 0);
  expectEqual(leftovers, [], `${leg.name}: ExchangeClients still open or with listeners after close`);
}

/** Every error text of a leg (events, last error, consumer errors): for secret audits. */
export function legErrorMessages(leg: RecordedLeg): string[] {
  const messages: string[] = [];
  for (const e of leg.eventsOf('down')) messages.push(e.message);
  for (const e of [...leg.eventsOf('state'), ...leg.eventsOf('circuit')]) if (e.reason) messages.push(e.reason);
  const last = leg.connection.stats().lastError;
  if (last) messages.push(last.message);
  for (const c of leg.consumers)
    for (const { error } of c.errors) messages.push(error instanceof Error ? error.message : String(error));
  return messages;
}
