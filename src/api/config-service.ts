import { parseConfig, type Config } from '../domain/config.js';
import type { Logger } from '../infra/logger.js';
import type { ConfigRepo } from '../store/repos/config-repo.js';
import { ApiError, inConfig, validationFailed } from './errors.js';

export interface ConfigService {
  /** The configuration the engine runs on now. */
  current(): Config;
  /**
   * Validate a whole next configuration with `parseConfig` (cross-references included), save it in
   * one transaction and apply it live. Throws VALIDATION_FAILED naming each field path.
   */
  replace(next: unknown): Config;
  /** Like `replace` after removing `what`; a failure means it is still referenced → 409 CONFLICT naming the fields. */
  remove(next: unknown, what: string): Config;
}

export interface ConfigTarget {
  readonly currentConfig: Config;
  applyConfig(config: Config): void;
}

export function createConfigService(deps: { engine: ConfigTarget; repo: ConfigRepo; log: Logger }): ConfigService {
  const log = deps.log.child({ mod: 'config-api' });

  function save(config: Config): Config {
    deps.repo.replaceAll(config);
    deps.engine.applyConfig(config);
    log.info({ queues: config.queues.length, agents: config.agents.length, numbers: config.numbers.length }, 'configuration applied');
    return config;
  }

  return {
    current: () => deps.engine.currentConfig,
    replace(next) {
      const parsed = parseConfig(next);
      if (!parsed.ok) throw validationFailed(inConfig(parsed.issues), 'the resulting configuration is invalid');
      return save(parsed.config);
    },
    remove(next, what) {
      const parsed = parseConfig(next);
      if (!parsed.ok) {
        const references = inConfig(parsed.issues);
        const fields = references.map((i) => i.path);
        throw new ApiError('CONFLICT', `${what} is still referenced by ${fields.join(', ')}`, { references });
      }
      return save(parsed.config);
    },
  };
}
