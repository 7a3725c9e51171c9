/**
 * A call's recording, for the page's player: GET /cdrs/:callId/recording streams
 * <recordings dir>/<cdr.recording>.wav (Asterisk writes recordings to <spool>/recording; point
 * SWITCHBOARD_RECORDINGS_DIR there). Visible to whoever may see the CDR.
 */
import { createReadStream, existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { forbidden, notFound } from '../errors.js';
import { canSeeCdr, principalOf } from '../profiles.js';

export function recordingRoutes(recordingsDir: string | undefined) {
  return (deps: RouteDeps): FastifyPluginAsyncZod =>
    async (app) => {
      app.get(
        '/cdrs/:callId/recording',
        { schema: { tags: ['cdrs'], summary: "The call's recording as audio/wav (needs SWITCHBOARD_RECORDINGS_DIR)", params: z.object({ callId: z.string().min(1).max(128) }) } },
        async (request, reply) => {
          const cdr = deps.store.cdrs.get(request.params.callId);
          if (!cdr) throw notFound('NOT_FOUND', `call "${request.params.callId}"`);
          if (!canSeeCdr(principalOf(request), cdr)) throw forbidden(`call "${cdr.callId}" is outside your profile`);
          if (!cdr.recording) throw notFound('NOT_FOUND', `a recording of call "${cdr.callId}"`);
          if (!recordingsDir) throw notFound('NOT_FOUND', 'the recordings folder (SWITCHBOARD_RECORDINGS_DIR is not set), so the recording was');
          const root = resolve(recordingsDir);
          const file = resolve(root, `${cdr.recording}.wav`);
          // A recording name never leaves the directory.
          if (!file.startsWith(root + sep) || !existsSync(file)) throw notFound('NOT_FOUND', `the file of recording "${cdr.recording}"`);
          return reply.type('audio/wav').header('cache-control', 'private, max-age=3600').send(createReadStream(file));
        },
      );
    };
}
