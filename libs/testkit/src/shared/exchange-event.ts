/** What an exchange reports through its `onEvent` option (the CLI turns these into log lines). */
export type ExchangeEvent =
  | { type: 'listening'; url: string }
  | { type: 'connection'; connectionId: number; remoteAddress: string; remotePort: number; route?: string }
  | {
      type: 'close';
      connectionId: number;
      code: number;
      reason: string;
      /** The server closed the socket because a heartbeat answer did not come. */
      heartbeatTimeout: boolean;
      /** Why the server closed the socket itself (`heartbeat-timeout`, `idle-timeout`, `lifetime`, …), if it did. */
      serverReason?: string;
    }
  | { type: 'upgrade-rejected'; status: number }
  | { type: 'stopped' };
