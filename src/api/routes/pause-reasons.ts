/** The configured pause reasons (config `pause_reasons`), readable by every logged-in profile: the desktop's pause list. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';

const pauseReasons = z.object({ reasons: z.array(z.string()).describe('In the configured order; sent as pauseAgent `reason`') });

export function pauseReasonRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/pause-reasons', { schema: { tags: ['agents'], summary: 'The reasons an agent may give for a pause (config `pause_reasons`)', response: { 200: pauseReasons } } }, async () => ({
      reasons: deps.config.current().pause_reasons,
    }));
  };
}
