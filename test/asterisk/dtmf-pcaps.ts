/**
 * RFC 2833 digits SIPp can send one after another in any order. The stock pcaps
 * (/usr/share/sip-tester/dtmf_2833_<digit>.pcap) each carry fixed RTP timestamps, and Asterisk
 * drops a DTMF event whose timestamp is not above the last one it took (res_rtp_asterisk: "out of
 * order DTMF"), so '1' after '#', or a digit twice, is lost. This writes, once per process, a copy
 * of each pcap per slot of the eight-slot caller scenario with the timestamps and sequence numbers
 * of slot k above those of slot k-1, and that scenario with each slot pointing at its own copies.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenariosDir } from './harness.js';

const STOCK = '/usr/share/sip-tester';
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'star', 'pound'];
let rendered: string | undefined;

/** The pcap with every RTP packet's sequence number and timestamp moved to slot `slot`'s range. */
function shifted(pcap: Buffer, slot: number): Buffer {
  const out = Buffer.from(pcap);
  if (out.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('unexpected pcap byte order');
  let off = 24;
  let i = 0;
  while (off + 16 <= out.length) {
    const incl = out.readUInt32LE(off + 8);
    const pkt = off + 16;
    const ip = pkt + 14;
    const udp = ip + (out[ip]! & 0x0f) * 4;
    const rtp = udp + 8;
    out.writeUInt16BE(0, udp + 6); // UDP checksum: none (valid over IPv4)
    out.writeUInt16BE(10_000 + slot * 1_000 + i, rtp + 2);
    out.writeUInt32BE(1_000_000 + slot * 100_000, rtp + 4);
    off = pkt + incl;
    i += 1;
  }
  return out;
}

/** Absolute path of the eight-slot caller scenario whose slots send increasing RTP events. */
export function dtmf8Scenario(): string {
  if (rendered) return rendered;
  const dir = mkdtempSync(join(tmpdir(), 'sb-dtmf-'));
  for (let slot = 1; slot <= 8; slot++) {
    for (const d of DIGITS) writeFileSync(join(dir, `s${slot}_dtmf_2833_${d}.pcap`), shifted(readFileSync(join(STOCK, `dtmf_2833_${d}.pcap`)), slot));
  }
  const template = readFileSync(join(scenariosDir, 'uac-caller-dtmf8-expect-bye.xml'), 'utf8');
  const parts = template.split(/(?=<!-- DTMF slot \d)/);
  const xml = parts
    .map((part) => {
      const slot = /^<!-- DTMF slot (\d)/.exec(part)?.[1];
      return slot ? part.replaceAll(`${STOCK}/dtmf_2833_`, `${dir}/s${slot}_dtmf_2833_`) : part;
    })
    .join('');
  rendered = join(dir, 'uac-caller-dtmf8-expect-bye.xml');
  writeFileSync(rendered, xml);
  return rendered;
}
