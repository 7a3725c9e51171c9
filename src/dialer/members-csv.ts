/**
 * Members as CSV, in and out. Import: a header row naming columns `name`, `priority`,
 * `expire_at`, `bucket`, `timezone`, `destination` (repeatable, tried in column order) and
 * `var_<name>` for variables; the rows become seed 003 `items` for the same validation.
 * Export: one row per member with its state, result and attempts.
 */
import type { MemberRow } from '../store/repos/dialer-repo.js';

/** Split CSV text into rows of fields (RFC 4180 quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

/** CSV text → `{ items }` as seed 003's JSON body (unvalidated). */
export function csvToItems(text: string): { items: Record<string, unknown>[] } {
  const [header, ...rows] = parseCsv(text);
  const cols = (header ?? []).map((h) => h.trim());
  const items = rows.map((r) => {
    const item: Record<string, unknown> = {};
    const communications: { destination: string; priority: number }[] = [];
    const variables: Record<string, string> = {};
    cols.forEach((col, i) => {
      const v = (r[i] ?? '').trim();
      if (v === '') return;
      if (col === 'destination') communications.push({ destination: v, priority: -communications.length });
      else if (col === 'priority') item.priority = /^-?\d+$/.test(v) ? Number(v) : v;
      else if (col === 'bucket') item.bucket = { id: v };
      else if (col.startsWith('var_')) variables[col.slice(4)] = v;
      else item[col] = v;
    });
    item.communications = communications;
    if (Object.keys(variables).length > 0) item.variables = variables;
    return item;
  });
  return { items };
}

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function membersToCsv(members: MemberRow[]): string {
  const lines = ['id,name,priority,state,result,attempts,destinations,bucket,expire_at,variables'];
  for (const m of members) {
    lines.push([m.id, m.name, m.priority, m.state, m.result, m.attempts, m.communications.map((c) => c.destination).join(' '), m.bucket, m.expireAt === null ? '' : new Date(m.expireAt).toISOString(), JSON.stringify(m.variables)].map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}
