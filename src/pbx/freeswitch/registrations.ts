/**
 * Which agent phones are registered now: the directory's users (`list_users`) and the phones'
 * profile registrations (`sofia xmlstatus … reg`), as online/offline per endpoint.
 */
import type { EslClient } from './esl-client.js';

export interface EndpointStateRow {
  endpoint: string;
  online: boolean;
}

/** Every directory user, online when registered now; a registered user outside it counts too. */
export async function listEndpointStates(client: Pick<EslClient, 'api'>, profile: string, domain: string): Promise<EndpointStateRow[]> {
  const xml = await client.api(`sofia xmlstatus profile ${profile} reg`);
  const online = new Set([...xml.matchAll(/<user>([^@<]+)@/g)].map((m) => m[1]!));
  const users = (await client.api(`list_users domain ${domain}`))
    .split('\n')
    .slice(1)
    .map((line) => line.split('|')[0]!.trim())
    .filter((u) => u !== '' && u !== '+OK');
  return [...new Set([...users, ...online])].map((endpoint) => ({ endpoint, online: online.has(endpoint) }));
}
