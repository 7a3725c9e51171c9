/**
 * Test tones for the browser-phone test: a WAV for Chromium's fake microphone, an RTP (PCMU)
 * pcap for a SIPp caller (of a tone or of any 8 kHz samples, e.g. synthesized speech), and the level of one frequency in a recording (Goertzel), so each side
 * of a mixed recording can be measured apart.
 */

const tone = (freq: number, i: number, rate: number, amplitude: number) => Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));

/** Mono 16-bit PCM WAV of a continuous sine. */
export function toneWav(freq: number, seconds: number, rate = 48_000, amplitude = 12_000): Buffer {
  const n = Math.round(seconds * rate);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(tone(freq, i, rate, amplitude), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** G.711 μ-law of a 16-bit sample. */
function ulaw(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32635, Math.min(32635, sample));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** A pcap (Ethernet/IPv4/UDP/RTP, PCMU 8 kHz, 20 ms packets) of a sine, for SIPp's play_pcap_audio. */
export function tonePcap(freq: number, seconds: number, amplitude = 12_000): Buffer {
  const samples = new Int16Array(Math.round(seconds * 8000));
  for (let i = 0; i < samples.length; i++) samples[i] = tone(freq, i, 8000, amplitude);
  return pcmuPcap(samples);
}

/** A pcap (Ethernet/IPv4/UDP/RTP, PCMU 8 kHz, 20 ms packets) of 8 kHz 16-bit samples, for SIPp's play_pcap_audio. */
export function pcmuPcap(samples: Int16Array): Buffer {
  const packets: Buffer[] = [];
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65_535, 16);
  header.writeUInt32LE(1, 20); // Ethernet
  packets.push(header);
  const count = Math.floor(samples.length / 160);
  for (let p = 0; p < count; p++) {
    const payload = Buffer.alloc(160);
    for (let i = 0; i < 160; i++) payload[i] = ulaw(samples[p * 160 + i]!);
    const rtp = Buffer.alloc(12);
    rtp[0] = 0x80;
    rtp[1] = 0; // PCMU
    rtp.writeUInt16BE(p & 0xffff, 2);
    rtp.writeUInt32BE(p * 160, 4);
    rtp.writeUInt32BE(0x5b0a7d01, 8);
    const udpLen = 8 + 12 + 160;
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(40_000, 0);
    udp.writeUInt16BE(40_002, 2);
    udp.writeUInt16BE(udpLen, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + udpLen, 2);
    ip[8] = 64;
    ip[9] = 17; // UDP
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ip, udp, rtp, payload]);
    const rec = Buffer.alloc(16);
    const t = p * 20_000; // µs
    rec.writeUInt32LE(Math.floor(t / 1e6), 0);
    rec.writeUInt32LE(t % 1e6, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    packets.push(rec, frame);
  }
  return Buffer.concat(packets);
}

/** The samples of a 16-bit mono PCM WAV (after its data chunk header), and its rate. */
export function wavSamples(wav: Buffer): { rate: number; samples: Float64Array } {
  const rate = wav.readUInt32LE(24);
  let off = 12;
  while (off + 8 <= wav.length && wav.toString('latin1', off, off + 4) !== 'data') off += 8 + wav.readUInt32LE(off + 4);
  const start = off + 8;
  const n = Math.floor((wav.length - start) / 2);
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) samples[i] = wav.readInt16LE(start + i * 2) / 32768;
  return { rate, samples };
}

/** The level (dBFS, as an RMS sine) of one frequency over the whole recording (Goertzel). */
export function toneLevelDbfs(wav: Buffer, freq: number): number {
  const { rate, samples } = wavSamples(wav);
  const k = (2 * Math.PI * freq) / rate;
  const coeff = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  const amplitude = (2 * Math.sqrt(Math.max(0, power))) / samples.length;
  return 20 * Math.log10(amplitude / Math.SQRT2 + 1e-12);
}
