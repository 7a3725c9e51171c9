/**
 * CSV import of callback requests (seed 002 fields): a header row naming the columns
 * (phoneNumber, mobilePhoneNumber, firstName, lastName, company, description, dueDate, periodUuid;
 * others are refused), then one request per line. RFC 4180 quoting ("a, b", "say ""hi"""), comma
 * separated, CRLF or LF. Pure: the caller validates the values.
 */
export const CSV_COLUMNS = ['phoneNumber', 'mobilePhoneNumber', 'firstName', 'lastName', 'company', 'description', 'dueDate', 'periodUuid'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** `lines[i]`: the line `rows[i]` starts on (the header is line 1; a quoted field may span lines). */
export type CsvResult = { ok: true; rows: Partial<Record<CsvColumn, string>>[]; lines: number[] } | { ok: false; line: number; message: string };

export function parseCallbackCsv(text: string): CsvResult {
  const records = splitRecords(text);
  if (!records.ok) return records;
  const [header, ...rows] = records.rows.filter((r) => !(r.fields.length === 1 && r.fields[0] === ''));
  if (!header) return { ok: false, line: 1, message: 'no header row' };
  for (const name of header.fields) {
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) return { ok: false, line: header.line, message: `unknown column ${JSON.stringify(name)}; expected some of ${CSV_COLUMNS.join(', ')}` };
  }
  const out: Partial<Record<CsvColumn, string>>[] = [];
  const lines: number[] = [];
  for (const r of rows) {
    if (r.fields.length !== header.fields.length) return { ok: false, line: r.line, message: `${r.fields.length} fields, the header has ${header.fields.length}` };
    const row: Partial<Record<CsvColumn, string>> = {};
    header.fields.forEach((name, i) => {
      const v = r.fields[i]!.trim();
      if (v !== '') row[name as CsvColumn] = v;
    });
    out.push(row);
    lines.push(r.line);
  }
  return { ok: true, rows: out, lines };
}

function splitRecords(text: string): { ok: true; rows: { line: number; fields: string[] }[] } | { ok: false; line: number; message: string } {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      rows.push({ line: start, fields });
      fields = [];
      field = '';
      line++;
      start = line;
    } else field += ch;
  }
  if (quoted) return { ok: false, line: start, message: 'unterminated quoted field' };
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    rows.push({ line: start, fields });
  }
  return { ok: true, rows };
}
