import { WsAdapter } from '@nestjs/platform-ws';
import type { WebSocketServer } from 'ws';

/**
 * Nest's WsAdapter logs every client socket error with its stack: one oversize frame from an
 * anonymous browser, one multi-line log entry. Here a client socket error only gets a listener
 * that keeps it from being thrown; the gateway counts and logs it, once per kind per interval.
 * Server errors are still logged as Nest does.
 */
export class StreamWsAdapter extends WsAdapter {
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('connection', (socket) => socket.on('error', () => undefined));
    server.on('error', (error) => this.logger.error(error));
    return server;
  }
}
