/** `npm run asyncapi`: write docs/cti.asyncapi.yaml from the CTI gateway's zod schemas. */
import { writeFileSync } from 'node:fs';
import { renderCtiAsyncApi } from '../src/api/cti/asyncapi.js';

const file = new URL('../docs/cti.asyncapi.yaml', import.meta.url);
writeFileSync(file, renderCtiAsyncApi());
process.stdout.write(`wrote ${file.pathname}\n`);
