/**
 * WebSocket clients for tests (issue #14): the same waits as TestClient, over one JSON object per text
 * frame. Tests connect to the real endpoint, `wsUrl(port)`: GET /ws on the chat port. `openWebSocketDoor`
 * is a stand-in door only for what the real one cannot be made to do (let frames past the line limit
 * through, to reach the wire's own too_large check): a `ws` server on its own loopback port handing each
 * upgraded WebSocket to `ClassChatServer.openWebSocket`.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { socketAddress } from '../../src/server/guards/admission.js';
import type { ClassChatServer } from '../../src/server/server.js';
import { MessageClient, type Obj } from './message-client.js';

/** The real WebSocket endpoint of a server listening on `port` (the same port as the line protocol). */
export function wsUrl(port: number): string {
  return `ws://127.0.0.1:${port}/ws`;
}

/** How a WebSocket closed, as the client saw it. */
export interface Closing {
  code: number;
  reason: string;
}

/** A stand-in for the door's GET /ws on its own port; `url` to connect to, `close` to stop it. */
export interface WebSocketDoor {
  url: string;
  /** The server's side of each WebSocket, in the order they opened (to watch what ws reports). */
  serverSide: WebSocket[];
  close(): Promise<void>;
}

/** Serves WebSockets for `server` on a free loopback port; `maxPayload` is the line limit unless given. */
export async function openWebSocketDoor(
  server: ClassChatServer,
  maxPayload = server.limits.maxLineBytes,
): Promise<WebSocketDoor> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload, perMessageDeflate: false });
  const serverSide: WebSocket[] = [];
  wss.on('connection', (ws, req) => {
    serverSide.push(ws);
    server.openWebSocket(ws, req.socket, socketAddress(req.socket));
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const door: WebSocketDoor = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`,
    serverSide,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
  return door;
}

export class WsClient extends MessageClient {
  /** Every frame as it arrived: its text and whether it was binary (to check the framing). */
  readonly frames: { text: string; binary: boolean }[] = [];
  /** Resolves with the close code and reason once the WebSocket is closed. */
  readonly closed: Promise<Closing>;
  isClosed = false;

  private constructor(
    readonly ws: WebSocket,
    label: string,
  ) {
    super(label);
    ws.on('message', (data: Buffer, binary: boolean) => {
      const text = data.toString('utf8');
      this.frames.push({ text, binary });
      this.receive(JSON.parse(text) as Obj);
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.isClosed = true;
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  /** Opens a WebSocket to `url`; resolves once it is open. */
  static connect(url: string, label = 'ws'): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new WsClient(ws, label)));
      ws.once('error', reject);
    });
  }

  /** Connects and registers `name`; fails the test if registration is refused. */
  static async as(url: string, name: string): Promise<WsClient> {
    const client = await WsClient.connect(url, name);
    const reply = await client.request({ status: 'register', sender: name });
    if (reply.status !== 'ok') throw new Error(`register ${name} failed: ${JSON.stringify(reply)}`);
    client.token = typeof reply.token === 'string' ? reply.token : null;
    return client;
  }

  /** One request per text frame, no newline. */
  send(request: Obj): void {
    this.ws.send(JSON.stringify(request));
  }

  /** Sends one raw frame (for tests of what the server refuses). */
  raw(data: string | Buffer, binary = typeof data !== 'string'): void {
    this.ws.send(data, { binary });
  }

  async close(): Promise<void> {
    if (!this.isClosed) this.ws.terminate();
    await this.closed;
  }
}
