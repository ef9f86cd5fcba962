// The Stately inspection bridge against a real WebSocket server on 127.0.0.1 standing in for
// @statelyai/inspect's inspector server: it receives and checks the messages.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { silentLogger, type RecordedEvent } from '@engine/core';
import { JOB_MACHINE } from '@engine/machines';
import { jobInput } from '@engine/machines/testing';
import { inspectorOptionsFrom } from './inspector.options';
import { startInspectorTestServer } from './testing/inspector-test-server';
import { XStateInspectBridge } from './xstate-inspect-bridge';

jest.setTimeout(120_000);

interface Received {
  type: string;
  sessionId: string;
  name?: string;
  definition?: string;
  event?: { type: string };
  snapshot?: { value: unknown };
}

async function inspectorServer(port = 0) {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await once(server, 'listening');
  const received: Received[] = [];
  const connections = { count: 0 };
  server.on('connection', (socket) => {
    connections.count += 1;
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  };
  return { server, received, connections, url, close };
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('XState inspection bridge', () => {
  it('is off unless INSPECT_WS_URL is set, and refuses a URL that is not ws:// or wss://', () => {
    expect(inspectorOptionsFrom({}).inspectWsUrl).toBeNull();
    expect(inspectorOptionsFrom({ INSPECT_WS_URL: 'ws://127.0.0.1:9' }).inspectWsUrl).toBe('ws://127.0.0.1:9');
    expect(() => inspectorOptionsFrom({ INSPECT_WS_URL: 'http://127.0.0.1:9' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('streams a job run by the server as @xstate.actor, @xstate.event and @xstate.snapshot messages', async () => {
    const inspector = await inspectorServer();
    process.env.INSPECT_WS_URL = inspector.url;
    const server = await startInspectorTestServer({ effects: () => ({ cloneSession: { run: async () => ({ type: 'CLONED', at: new Date().toISOString() }) } }) });
    delete process.env.INSPECT_WS_URL;
    try {
      await server.engine.host.create('job', 'b1', { ...jobInput, jobId: 'b1' });
      await server.engine.host.send('job-b1', { type: 'START' });
      await until(() => inspector.received.some((m) => m.type === '@xstate.snapshot' && m.snapshot?.value === 'validating'), 'the validating snapshot');
      const mine = inspector.received.filter((m) => m.sessionId === 'job-b1');
      expect(mine[0]).toMatchObject({ type: '@xstate.actor', name: 'job', snapshot: { value: 'pending' } });
      expect(JSON.parse(mine[0].definition as string)).toMatchObject({ id: 'job', initial: 'pending' });
      const events = mine.filter((m) => m.type === '@xstate.event').map((m) => m.event?.type);
      expect(events.slice(0, 2)).toEqual(['START', 'CLONED']);
      const values = mine.filter((m) => m.type === '@xstate.snapshot').map((m) => m.snapshot?.value);
      expect(values.slice(0, 3)).toEqual(['pending', 'cloning', 'validating']);
      expect(mine.filter((m) => m.type === '@xstate.actor')).toHaveLength(1);
    } finally {
      await server.close();
      await inspector.close();
    }
  });

  it('keeps messages while the inspector is away, delivers them when it comes up, and announces actors again after a reconnect', async () => {
    const placeholder = await inspectorServer();
    const port = Number(new URL(placeholder.url).port);
    await placeholder.close();
    const bridge = new XStateInspectBridge({ url: `ws://127.0.0.1:${port}`, definitionFor: () => JOB_MACHINE, logger: silentLogger, reconnectMs: 50 });
    bridge.start();
    const event = (version: number, type: string, value: string): RecordedEvent => ({
      stream: 'job-late',
      version,
      position: version,
      type,
      data: type === 'actor.started' ? { input: {} } : {},
      stateAfter: { value, context: {}, status: 'active', effects: {}, timers: {} },
      meta: { at: new Date().toISOString() },
      hash: '',
      prevHash: '',
    });
    bridge.publish(event(1, 'actor.started', 'pending'));
    bridge.publish(event(2, 'START', 'cloning'));
    const inspector = await inspectorServer(port);
    try {
      await until(() => inspector.received.length === 4, 'the buffered messages');
      expect(inspector.received.map((m) => m.type)).toEqual(['@xstate.actor', '@xstate.snapshot', '@xstate.event', '@xstate.snapshot']);
      for (const client of inspector.server.clients) client.terminate();
      await until(() => inspector.connections.count === 2, 'the reconnect');
      bridge.publish(event(3, 'CLONED', 'validating'));
      await until(() => inspector.received.length === 7, 'the messages after the reconnect');
      expect(inspector.received.slice(4).map((m) => m.type)).toEqual(['@xstate.actor', '@xstate.event', '@xstate.snapshot']);
    } finally {
      await bridge.stop();
      await inspector.close();
    }
  });
});
