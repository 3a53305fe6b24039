import { ShardAllocator } from './shard-allocator.js';

const byLength = { cost: (channel: string) => channel.length, limit: 10 };

describe('ShardAllocator', () => {
  it('fills the first shard, then opens the next', () => {
    const shards = new ShardAllocator(byLength);
    expect(['aaaa', 'bbbb', 'cc', 'dd', 'e'].map((c) => shards.assign(c))).toEqual([0, 0, 0, 1, 1]);
    expect(shards.shardCount).toBe(2);
    expect(shards.load(0)).toBe(10);
    expect(shards.load(1)).toBe(3);
  });

  it('keeps a channel where it is until it is released, then reuses the room', () => {
    const shards = new ShardAllocator(byLength);
    shards.assign('aaaaaaaa');
    expect(shards.assign('bbbb')).toBe(1);
    expect(shards.assign('aaaaaaaa')).toBe(0);
    shards.release('aaaaaaaa');
    expect(shards.shardOf('aaaaaaaa')).toBeUndefined();
    expect(shards.assign('cccccc')).toBe(0);
    expect(shards.shardOf('bbbb')).toBe(1);
    shards.release('never-placed');
    expect(shards.load(0)).toBe(6);
  });

  it('counts the base load of every shard', () => {
    const shards = new ShardAllocator({ ...byLength, base: 4 });
    expect(['aaa', 'bbb', 'ccc'].map((c) => shards.assign(c))).toEqual([0, 0, 1]);
  });

  it('refuses a channel that can never fit, and one that finds no room under maxShards', () => {
    const shards = new ShardAllocator({ ...byLength, maxShards: 1 });
    expect(shards.assign('x'.repeat(11))).toBeUndefined();
    expect(shards.assign('x'.repeat(10))).toBe(0);
    expect(shards.assign('y')).toBeUndefined();
    expect(shards.shardCount).toBe(1);
  });

  it('refuses a budget that cannot carry anything', () => {
    expect(() => new ShardAllocator({ ...byLength, base: 10 })).toThrow('limit');
    expect(() => new ShardAllocator({ ...byLength, maxShards: 0 })).toThrow('maxShards');
  });
});
