/**
 * Skills as the configuration, the API and the CRM lookup name them: a skill name (letters,
 * digits, `_ . -`, up to 64) with a level 1–100. An agent holds skills at levels; a caller needs
 * skills at minimum levels (skill → level), gathered from the lookup answer, IVR keys and the
 * virtual-queue line-up, and applied when it enters a queue that routes on skills.
 */
import { z } from 'zod';

export const SKILL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** At most this many skills on one agent or one caller. */
export const MAX_SKILLS = 64;

export const skillNameSchema = z.string().regex(SKILL_NAME, 'a skill name: letters, digits, _ . - (1–64)');
export const skillLevelSchema = z.number().int('a whole number').min(1, 'a level from 1 to 100').max(100, 'a level from 1 to 100');

/** Skill → level, e.g. `{ spanish: 50, billing: 1 }`. */
export const skillLevelsSchema = z
  .record(skillNameSchema, skillLevelSchema)
  .refine((r) => Object.keys(r).length <= MAX_SKILLS, `at most ${MAX_SKILLS} skills`);
export type SkillLevels = Record<string, number>;

/** The lookup answer's form: a map of levels, or a list of names (each at level 1). */
export const skillsAnswerSchema = z.union([skillLevelsSchema, z.array(skillNameSchema).max(MAX_SKILLS).transform((names) => Object.fromEntries(names.map((n) => [n, 1])) as SkillLevels)]);

/** Both requirements at once: each skill at the higher of the two levels. */
export function mergeSkills(a: SkillLevels | undefined, b: SkillLevels | undefined): SkillLevels | undefined {
  if (!b || Object.keys(b).length === 0) return a;
  const out: SkillLevels = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

/** A skill change (PATCH): a level sets the skill, null removes it. */
export function patchSkills(current: SkillLevels | undefined, patch: Record<string, number | null>): SkillLevels {
  const out: SkillLevels = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}
