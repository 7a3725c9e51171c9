import { describe, expect, it } from 'vitest';
import { parseCallbackCsv } from '../../src/outbound/callback-csv.js';

describe('parseCallbackCsv', () => {
  it('reads requests under a header, with quoted commas, escaped quotes and CRLF', () => {
    const csv = 'phoneNumber,lastName,company,description\r\n0230210082,"O\'Neill","Acme, Inc","said ""call after 2"""\r\n0612345678,Smith,,\r\n';
    expect(parseCallbackCsv(csv)).toEqual({
      ok: true,
      rows: [
        { phoneNumber: '0230210082', lastName: "O'Neill", company: 'Acme, Inc', description: 'said "call after 2"' },
        { phoneNumber: '0612345678', lastName: 'Smith' },
      ],
      lines: [2, 3],
    });
  });

  it.each([
    ['an unknown column', 'phone,lastName\n1,2\n', 1, 'unknown column "phone"'],
    ['a row with too many fields', 'phoneNumber\n0230210082,x\n', 2, '2 fields, the header has 1'],
    ['an unterminated quote', 'phoneNumber\n"0230210082\n', 2, 'unterminated'],
    ['no header', '', 1, 'no header row'],
  ])('refuses %s naming the line', (_name, csv, line, message) => {
    const r = parseCallbackCsv(csv);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.line).toBe(line);
      expect(r.message).toContain(message);
    }
  });
});
