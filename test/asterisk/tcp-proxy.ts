/**
 * A small TCP proxy for fault tests (node:net, 127.0.0.1 on a free port): forwards every
 * connection to a target port and can, on demand, drop every open connection (`dropAll`) and
 * refuse new connections whose first bytes match a predicate (`refuse`), e.g. the ARI events
 * WebSocket upgrade, while other requests (REST, probes) still pass. Each test closes its proxy.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  port: number;
  url: string;
  /** Destroy every open connection, both sides. */
  dropAll(): void;
  /** Destroy new connections whose first chunk matches `pred` (until `allowAll()`). */
  refuse(pred: (firstChunk: string) => boolean): void;
  allowAll(): void;
  close(): Promise<void>;
}

/** The first chunk of an HTTP request to the ARI events WebSocket. */
export const isAriEventsUpgrade = (chunk: string): boolean => /^GET \/ari\/events[?\s]/.test(chunk);

/**
 * `serverFirst`: the protocol's server speaks first (FreeSWITCH's event socket sends auth/request),
 * so connections are forwarded at once and, while refusing, every new one is refused whatever it
 * would send.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1', opts: { serverFirst?: boolean } = {}): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let refusing: ((chunk: string) => boolean) | undefined;
  const forward = (client: Socket, first?: Buffer) => {
    const upstream = createConnection({ port: targetPort, host: targetHost });
    open.add(upstream);
    upstream.once('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    client.once('close', () => upstream.destroy());
    upstream.on('error', () => upstream.destroy());
    if (first) upstream.write(first);
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const server: Server = createServer((client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    if (opts.serverFirst) {
      if (refusing) client.destroy();
      else forward(client);
      return;
    }
    client.once('data', (first: Buffer) => {
      if (refusing?.(first.toString('latin1'))) {
        client.destroy();
        return;
      }
      forward(client, first);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dropAll() {
      for (const s of open) s.destroy();
      open.clear();
    },
    refuse(pred) {
      refusing = pred;
    },
    allowAll() {
      refusing = undefined;
    },
    async close() {
      for (const s of open) s.destroy();
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
