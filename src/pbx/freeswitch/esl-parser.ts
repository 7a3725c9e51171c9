/**
 * Framing of FreeSWITCH's event socket protocol: a message is a block of `Name: value` header
 * lines ended by an empty line, followed by `Content-Length` bytes of body when that header is
 * present. Pure and incremental: feed it socket chunks, it yields whole messages.
 */

export interface EslMessage {
  headers: Record<string, string>;
  body: string;
}

export class EslParser {
  private buf: Buffer = Buffer.alloc(0);
  private pending: Record<string, string> | undefined;
  private need = 0;

  /** Add a chunk; returns every message it completes, in order. */
  push(chunk: Buffer): EslMessage[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: EslMessage[] = [];
    for (;;) {
      if (this.pending) {
        if (this.buf.length < this.need) break;
        const body = this.buf.subarray(0, this.need).toString('utf8');
        this.buf = this.buf.subarray(this.need);
        out.push({ headers: this.pending, body });
        this.pending = undefined;
        continue;
      }
      const end = this.buf.indexOf('\n\n');
      if (end < 0) break;
      const head = this.buf.subarray(0, end).toString('utf8');
      this.buf = this.buf.subarray(end + 2);
      if (head.trim() === '') continue;
      const headers = parseHeaders(head);
      const len = Number(headers['Content-Length'] ?? 0);
      if (Number.isInteger(len) && len > 0) {
        this.pending = headers;
        this.need = len;
      } else {
        out.push({ headers, body: '' });
      }
    }
    return out;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
    this.pending = undefined;
    this.need = 0;
  }
}

/** `Name: value` lines (values URL-decoded, as FreeSWITCH encodes them in plain events). */
export function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const raw = line.slice(i + 1).trim();
    headers[name] = safeDecode(raw);
  }
  return headers;
}

function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
