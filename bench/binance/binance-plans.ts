/** Restore plans of the bench: the default (one socket, 200 streams a SUBSCRIBE), and 4 shards of 250 in SUBSCRIBEs of 10 (25 frames a socket). */
export const BINANCE_RESTORE_PLANS: ReadonlyArray<{ streamsPerSocket: number; streamsPerRequest: number }> = [
  { streamsPerSocket: 1_024, streamsPerRequest: 200 },
  { streamsPerSocket: 250, streamsPerRequest: 10 },
];
