import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Cdr } from '../../domain/cdr.js';
import type { CdrRepo } from '../../store/repos/cdr-repo.js';
import type { Principal } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { canSeeCdr, principalOf } from '../profiles.js';
import { CDR_COLUMNS, csvRow } from './cdr-csv.js';

const DAY_MS = 86_400_000;
const PAGE = 100;
/** A filtered page stops after examining this many rows, so a narrow profile never scans a whole range in one request. */
const MAX_SCAN = 2_000;

/** ISO 8601 or epoch ms. A bare date (YYYY-MM-DD) as `finishdate` covers that whole day. */
function dateParam(role: 'start' | 'finish') {
  return z.string().max(40).transform((text, ctx) => {
    if (/^\d{1,15}$/.test(text)) return Number(text) + (role === 'finish' ? 1 : 0);
    const t = Date.parse(text);
    if (Number.isNaN(t)) {
      ctx.addIssue({ code: 'custom', message: 'an ISO 8601 date or epoch milliseconds' });
      return z.NEVER;
    }
    if (role === 'finish') return /^\d{4}-\d{2}-\d{2}$/.test(text) ? t + DAY_MS : t + 1;
    return t;
  });
}

const range = z.object({ startdate: dateParam('start'), finishdate: dateParam('finish') });

const listQuery = z
  .object({
    startdate: dateParam('start').optional(),
    finishdate: dateParam('finish').optional(),
    cursor: z.string().max(512).optional(),
    activecallkey: z.string().min(1).max(128).optional().describe('A call id: one record, or an empty list'),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.activecallkey !== undefined) return;
    if (q.startdate === undefined) ctx.addIssue({ code: 'custom', path: ['startdate'], message: 'required unless activecallkey is given' });
    if (q.finishdate === undefined) ctx.addIssue({ code: 'custom', path: ['finishdate'], message: 'required unless activecallkey is given' });
  });

/** One page of visible CDRs: at most 100, with the cursor of the next page (null on the last). */
export function visiblePage(cdrs: CdrRepo, principal: Principal, from: number, to: number, cursor: string | undefined): { items: Cdr[]; cursor: string | null } {
  if (principal.profile === 'admin') return cdrs.listRange({ from, to, cursor, limit: PAGE });
  const items: Cdr[] = [];
  let next: string | null | undefined = cursor;
  let scanned = 0;
  // Ask only for as many rows as still fit, so the repository's cursor always follows the last row examined.
  while (items.length < PAGE && next !== null && scanned < MAX_SCAN) {
    const page = cdrs.listRange({ from, to, cursor: next, limit: PAGE - items.length });
    scanned += page.items.length;
    items.push(...page.items.filter((c) => canSeeCdr(principal, c)));
    next = page.cursor;
  }
  return { items, cursor: next ?? null };
}

/** Seed 001 reportsCDRLogs: by date range a page at a time, or one call by its id; and a CSV export. */
export function cdrRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const tags = ['cdrs'];
  return async (app) => {
    app.get(
      '/cdrs',
      { schema: { tags, summary: 'CDRs by date range (at most 100 a page, then `cursor`) or by call id (`activecallkey`)', querystring: listQuery } },
      async (request) => {
        const principal = principalOf(request);
        const q = request.query;
        if (q.activecallkey !== undefined) {
          const cdr = deps.store.cdrs.get(q.activecallkey);
          return { cursor: null, CallList: cdr && canSeeCdr(principal, cdr) ? [cdr] : [] };
        }
        const page = visiblePage(deps.store.cdrs, principal, q.startdate!, q.finishdate!, q.cursor);
        return { cursor: page.cursor, CallList: page.items };
      },
    );

    app.get('/cdrs.csv', { schema: { tags, summary: 'CDRs of a date range as CSV (RFC 4180), streamed', querystring: range } }, async (request, reply) => {
      const principal = principalOf(request);
      const { startdate, finishdate } = request.query;
      const cdrs = deps.store.cdrs;
      async function* rows() {
        yield csvRow(CDR_COLUMNS);
        let cursor: string | undefined;
        for (;;) {
          const page = visiblePage(cdrs, principal, startdate, finishdate, cursor);
          for (const cdr of page.items) yield csvRow(CDR_COLUMNS.map((c) => cellOf(cdr, c)));
          if (page.cursor === null) return;
          cursor = page.cursor;
        }
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="cdrs.csv"')
        .send(Readable.from(rows()));
    });
  };
}

const TIMES = new Set(['startedAt', 'answeredAt', 'endedAt', 'enqueuedAt', 'connectedAt']);

function cellOf(cdr: Cdr, column: keyof Cdr): string {
  const value = cdr[column];
  if (value === null || value === undefined) return '';
  if (TIMES.has(column)) return new Date(value as number).toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
