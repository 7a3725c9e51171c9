/**
 * An agent's skills over REST: read, replace (PUT), merge (PATCH; a null level removes the skill).
 * Skills are part of the agent's configuration: every write is validated, saved with the rest of
 * the configuration in one transaction and applied to the routing core at once, so an agent
 * gaining a skill a waiting caller needs is offered that call right away.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Agent, Config } from '../../domain/config.js';
import { MAX_SKILLS, patchSkills, skillLevelSchema, skillLevelsSchema, skillNameSchema, type SkillLevels } from '../../domain/skills.js';
import type { RouteDeps } from '../deps.js';
import { errorResponses } from '../error-responses.js';
import { forbidden, notFound, validationFailed } from '../errors.js';
import { canSeeAgent, principalOf, requireProfile } from '../profiles.js';
import type { Principal } from '../auth.js';

const params = z.object({ id: z.string().min(1).max(64).describe('agent id') });
const agentSkills = z
  .object({
    agentId: z.string(),
    skills: skillLevelsSchema.describe('skill → level (1–100)'),
  })
  .meta({ id: 'AgentSkills', description: "An agent's skills: skill name → level 1–100" });
const putBody = z.object({ skills: skillLevelsSchema.describe('the complete new set: skill → level (1–100)') }).strict().meta({ id: 'AgentSkillsReplace' });
const patchBody = z
  .object({ skills: z.record(skillNameSchema, skillLevelSchema.nullable()).describe('skill → new level (1–100), or null to remove the skill') })
  .strict()
  .meta({ id: 'AgentSkillsPatch' });

const tags = ['agents'];

export function agentSkillRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const writers = requireProfile('admin', 'supervisor');

  function find(principal: Principal, id: string): { config: Config; agent: Agent } {
    const config = deps.config.current();
    const agent = config.agents.find((a) => a.id === id);
    if (!agent) throw notFound('AGENT_NOT_FOUND', `agent ${id} not found`);
    if (!canSeeAgent(principal, agent, config)) throw forbidden(`agent ${id} is outside your profile`);
    return { config, agent };
  }

  function write(config: Config, agent: Agent, skills: SkillLevels): { agentId: string; skills: SkillLevels } {
    if (Object.keys(skills).length > MAX_SKILLS) throw validationFailed([{ path: 'body.skills', message: `at most ${MAX_SKILLS} skills` }]);
    const next: Agent = { ...agent };
    if (Object.keys(skills).length > 0) next.skills = skills;
    else delete next.skills;
    deps.config.replace({ ...config, agents: config.agents.map((a) => (a === agent ? next : a)) });
    deps.log.child({ mod: 'agent-skills' }).info({ agentId: agent.id, skills: Object.keys(skills) }, 'agent skills changed');
    return { agentId: agent.id, skills };
  }

  return async (app) => {
    app.get('/agents/:id/skills', { schema: { tags, summary: "An agent's skills (admin; a supervisor its groups' agents; an agent itself)", params, response: { 200: agentSkills } } }, async (request) => {
      const { agent } = find(principalOf(request), request.params.id);
      return { agentId: agent.id, skills: agent.skills ?? {} };
    });

    app.put('/agents/:id/skills', {
      onRequest: writers,
      schema: { tags, summary: "Replace an agent's skills; applied to routing at once", params, body: putBody, response: { 200: agentSkills, ...errorResponses(404) } },
    }, async (request) => {
      const { config, agent } = find(principalOf(request), request.params.id);
      return write(config, agent, request.body.skills);
    });

    app.patch('/agents/:id/skills', {
      onRequest: writers,
      schema: { tags, summary: "Merge into an agent's skills (a null level removes the skill); applied to routing at once", params, body: patchBody, response: { 200: agentSkills, ...errorResponses(404) } },
    }, async (request) => {
      const { config, agent } = find(principalOf(request), request.params.id);
      return write(config, agent, patchSkills(agent.skills, request.body.skills));
    });
  };
}
