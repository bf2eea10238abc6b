/**
 * HTTP as bytes on a socket, for what a client library would hide: an announced body that never comes, a connection
 * the server must close.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { RequestListener } from 'node:http';

/**
 * Connects to `port` on loopback, writes `request` (or lets `talk` write), and resolves with everything received once
 * the server closes the connection. With `giveUpMs`, the client closes it itself after that long, for a test that
 * is about what arrived rather than about the close.
 */
export function rawExchange(
  port: number,
  request: string | ((socket: net.Socket) => void),
  giveUpMs?: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      typeof request === 'string' ? socket.write(request) : request(socket),
    );
    const giveUp = giveUpMs === undefined ? undefined : setTimeout(() => socket.destroy(), giveUpMs);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve(received);
    });
    socket.on('error', reject);
  });
}

/** Serves `app` on a free loopback port for the length of `use`. */
export async function whileListening<T>(app: RequestListener, use: (port: number) => Promise<T>): Promise<T> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await use((server.address() as AddressInfo).port);
  } finally {
    server.close();
  }
}
