/**
 * REST requests over the events WebSocket: ARI's RESTRequest/RESTResponse messages (Asterisk
 * 20.14, 21.9, 22.4 and later), matched by transaction id.
 */
import WebSocket from 'ws';
import type { Query } from './ari-http.js';

export interface RestAnswer {
  status: number;
  text: string;
}

export class WsRest {
  /** Requests sent, by transaction id, until their RESTResponse. */
  private readonly pending = new Map<string, { resolve: (r: RestAnswer) => void; reject: (err: unknown) => void }>();
  private seq = 0;

  /** One REST exchange on `ws`; rejects when `signal` aborts or the socket drops first. */
  send(ws: WebSocket, method: string, path: string, query: Query | undefined, body: string | undefined, signal: AbortSignal): Promise<RestAnswer> {
    return new Promise((resolve, reject) => {
      const id = `sb${++this.seq}`;
      const queryStrings: { name: string; value: string }[] = [];
      for (const [name, v] of Object.entries(query ?? {})) if (v !== undefined) queryStrings.push({ name, value: Array.isArray(v) ? v.join(',') : String(v) });
      const onAbort = () => {
        this.pending.delete(id);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (r) => {
          signal.removeEventListener('abort', onAbort);
          resolve(r);
        },
        reject: (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      });
      const msg = { type: 'RESTRequest', transaction_id: id, request_id: id, method, uri: path.replace(/^\/+/, ''), query_strings: queryStrings, ...(body !== undefined ? { content_type: 'application/json', message_body: body } : {}) };
      ws.send(JSON.stringify(msg), (err) => {
        if (err) this.pending.get(id)?.reject(err);
      });
    });
  }

  /** A RESTResponse message arrived: settle its request, if still waiting. */
  answer(r: { transaction_id?: string; status_code?: number; message_body?: string }): void {
    const p = r.transaction_id === undefined ? undefined : this.pending.get(r.transaction_id);
    if (!p) return;
    this.pending.delete(r.transaction_id!);
    p.resolve({ status: r.status_code ?? 0, text: r.message_body ?? '' });
  }

  /** The events WebSocket dropped: requests sent over it will get no answer. */
  failAll(): void {
    for (const [id, p] of [...this.pending]) {
      this.pending.delete(id);
      p.reject(Object.assign(new Error('events WebSocket closed during the request'), { code: 'ECONNRESET' }));
    }
  }
}
