import { ExchangeConnectionError } from '../client/errors.js';
import type { ShardBudget } from '../venues/venue-adapter.js';

export type { ShardBudget } from '../venues/venue-adapter.js';

export const DEFAULT_MAX_SHARDS = 64;

/**
 * Places channels on shards (sockets) first-fit within a budget. A placement is sticky until the
 * channel is released, so a channel never moves to another socket while anyone observes it (a move
 * would cost a resubscribe and a fresh snapshot for nothing).
 */
export class ShardAllocator {
  private readonly loads: number[] = [];
  private readonly placement = new Map<string, { shard: number; cost: number }>();
  private readonly base: number;
  private readonly maxShards: number;

  constructor(private readonly budget: ShardBudget) {
    this.base = budget.base ?? 0;
    this.maxShards = budget.maxShards ?? DEFAULT_MAX_SHARDS;
    if (!(budget.limit > this.base)) {
      throw new ExchangeConnectionError('INVALID_CONFIG', 'a shard budget needs a limit above its base load');
    }
    if (!Number.isInteger(this.maxShards) || this.maxShards < 1) {
      throw new ExchangeConnectionError('INVALID_CONFIG', 'maxShards must be an integer >= 1');
    }
  }

  /** Shards opened so far (a shard stays, empty or not, so its index keeps meaning one socket). */
  get shardCount(): number {
    return this.loads.length;
  }

  shardOf(channel: string): number | undefined {
    return this.placement.get(channel)?.shard;
  }

  load(shard: number): number {
    return this.loads[shard] ?? this.base;
  }

  /**
   * The shard that carries `channel`: its current one, else the first with room, else a new one.
   * Undefined when it cannot be carried at all (alone over the limit, or every shard full and no
   * more allowed).
   */
  assign(channel: string): number | undefined {
    const placed = this.placement.get(channel);
    if (placed !== undefined) return placed.shard;
    const cost = this.budget.cost(channel);
    if (!(cost >= 0) || this.base + cost > this.budget.limit) return undefined;
    let shard = this.loads.findIndex((load) => load + cost <= this.budget.limit);
    if (shard === -1) {
      if (this.loads.length >= this.maxShards) return undefined;
      shard = this.loads.push(this.base) - 1;
    }
    this.loads[shard] = (this.loads[shard] ?? this.base) + cost;
    this.placement.set(channel, { shard, cost });
    return shard;
  }

  release(channel: string): void {
    const placed = this.placement.get(channel);
    if (placed === undefined) return;
    this.placement.delete(channel);
    this.loads[placed.shard] = (this.loads[placed.shard] ?? this.base) - placed.cost;
  }
}
