/** Prompts that say a whole number with the PBX's stock `digits/` sounds (0–999 999). */
export function sayNumber(n: number): string[] {
  const v = Math.max(0, Math.floor(n));
  if (v <= 20) return [`sound:digits/${v}`];
  if (v < 100) {
    const tens = Math.floor(v / 10) * 10;
    const rest = v % 10;
    return rest ? [`sound:digits/${tens}`, `sound:digits/${rest}`] : [`sound:digits/${tens}`];
  }
  if (v < 1000) {
    const rest = v % 100;
    return [`sound:digits/${Math.floor(v / 100)}`, 'sound:digits/hundred', ...(rest ? sayNumber(rest) : [])];
  }
  const rest = v % 1000;
  return [...sayNumber(Math.floor(v / 1000)), 'sound:digits/thousand', ...(rest ? sayNumber(rest) : [])];
}

/** Prompts that read a phone number digit by digit (a leading + is not said). */
export function sayDigits(digits: string): string[] {
  return [...digits].filter((d) => d >= '0' && d <= '9').map((d) => `sound:digits/${d}`);
}
