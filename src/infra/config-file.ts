import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { parseConfig, type Config, type FieldIssue } from '../domain/config.js';

/** A config file that is not valid YAML or not a valid configuration; the message lists every issue. */
export class ConfigFileError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(
    readonly file: string,
    readonly issues: FieldIssue[],
  ) {
    super(issues.map((i) => (i.path === '(root)' ? `${file}: ${i.message}` : `${file}: ${i.path}: ${i.message}`)).join('\n'));
    this.name = 'ConfigFileError';
  }
}

/**
 * Read, parse and validate a YAML configuration file. Throws ConfigFileError on a YAML syntax error
 * (with line and column) or a validation failure (with each field path); a read failure propagates as is.
 */
export function loadConfigFile(path: string): Config {
  const text = readFileSync(path, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigFileError(
      path,
      doc.errors.map((err) => {
        const { line, col } = lineCounter.linePos(err.pos[0]);
        return { path: '(root)', message: `YAML syntax error at line ${line}, column ${col}: ${err.message}` };
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // e.g. an alias that cannot be resolved or expands too far
    throw new ConfigFileError(path, [{ path: '(root)', message: `YAML error: ${(err as Error).message}` }]);
  }
  const result = parseConfig(raw);
  if (!result.ok) throw new ConfigFileError(path, result.issues);
  return result.config;
}
