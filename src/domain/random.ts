/** mulberry32: a small, fast, seeded generator, so anything random can be replayed from its seed. */
export function mulberry32Step(state: number): { value: number; state: number } {
  const next = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(next ^ (next >>> 15), next | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, state: next };
}

/** A generator of numbers in [0, 1) from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    const r = mulberry32Step(state);
    state = r.state;
    return r.value;
  };
}
