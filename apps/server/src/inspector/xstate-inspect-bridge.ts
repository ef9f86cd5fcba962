// Bridge to Stately's inspector: forwards the store subscription's events as XState
// inspection messages over a WebSocket (to @statelyai/inspect's inspector server or any relay
// that speaks its protocol). Best effort and never in the way: messages wait in a bounded
// buffer while the socket is down, the oldest are dropped first, and it reconnects on its own.
// The URL is never logged (it may carry credentials); only its host is.
import WebSocket from 'ws';
import type { AnyMachineDefinition, Logger, RecordedEvent } from '@engine/core';
import { toInspectionEvents } from './xstate-inspection-events';

export interface InspectBridgeOptions {
  url: string;
  definitionFor(stream: string): AnyMachineDefinition | undefined;
  logger: Logger;
  /** Messages kept while disconnected (default 200, as @statelyai/inspect's deferred events). */
  maxBuffered?: number;
  reconnectMs?: number;
}

export class XStateInspectBridge {
  private socket: WebSocket | undefined;
  private open = false;
  private stopped = false;
  private readonly buffer: string[] = [];
  /** Streams whose actor this connection has announced; a new connection announces again. */
  private announced = new Set<string>();
  private reconnectTimer: NodeJS.Timeout | undefined;
  private warned = false;
  private readonly host: string;

  constructor(private readonly options: InspectBridgeOptions) {
    this.host = new URL(options.url).host;
  }

  start(): void {
    this.connect();
  }

  publish(event: RecordedEvent): void {
    if (this.stopped) return;
    const messages = toInspectionEvents(event, this.options.definitionFor(event.stream), this.announced.has(event.stream));
    if (messages.length === 0) return;
    this.announced.add(event.stream);
    for (const message of messages) this.send(JSON.stringify(message));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
      // A peer that never answers the close handshake must not hold shutdown.
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1000).unref();
    });
  }

  private send(text: string): void {
    if (this.open && this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(text);
      return;
    }
    this.buffer.push(text);
    if (this.buffer.length > (this.options.maxBuffered ?? 200)) this.buffer.shift();
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = new WebSocket(this.options.url, { handshakeTimeout: 5000 });
    this.socket = socket;
    socket.on('open', () => {
      this.open = true;
      this.warned = false;
      this.options.logger.info('xstate inspection bridge connected', { host: this.host });
      for (const text of this.buffer.splice(0)) socket.send(text);
    });
    socket.on('error', (error) => {
      if (!this.warned) this.options.logger.warn('xstate inspection bridge unavailable; retrying', { host: this.host, code: (error as { code?: string }).code ?? error.name });
      this.warned = true;
    });
    socket.on('close', () => {
      this.open = false;
      this.announced = new Set();
      if (this.stopped) return;
      this.reconnectTimer = setTimeout(() => this.connect(), this.options.reconnectMs ?? 5000);
      this.reconnectTimer.unref();
    });
  }
}
