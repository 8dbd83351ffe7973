import { isIP } from 'node:net';
import { z } from 'zod';

// The check vocabulary: what a step can require of the kernel (or of the learner's answer).
// Lessons use it in lesson.yaml; the evaluator (evaluate.ts) gives each check its meaning.
export const ipv4 = z.string().refine((s) => isIP(s) === 4, { message: 'not an IPv4 address' });
export const cidr = z.string().refine(
  (s) => {
    const [ip, len, ...rest] = s.split('/');
    return rest.length === 0 && isIP(ip ?? '') === 4 && (len === undefined || (/^\d+$/.test(len) && Number(len) <= 32));
  },
  { message: 'not an IPv4 address or CIDR (e.g. 10.10.10.0/24)' },
);
export const name = z
  .string()
  .min(1)
  .max(15)
  .regex(/^[A-Za-z0-9_.@-]+$/, 'not a valid name');
/** Omitted or "root" means the sandbox's own namespace (the article's root namespace). */
const netns = name.optional().describe('network namespace; omitted or "root" = the root namespace');
export const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'ids are lowercase letters, digits and dashes');

const base = {
  id: id.optional().describe('names the check, so hint texts and mistakes can refer to it'),
  hidden: z.boolean().optional().describe('not shown in the goal panel until it passes (it would give the answer away)'),
  fix: z.array(z.string().min(1)).min(1).optional().describe('the exact commands that make this check pass: the last hint'),
};

/** The learner's answer to a quiz: compared after normalising case, width, spacing and units. */
export const answerCheckSchema = z
  .object({
    ...base,
    type: z.literal('answer'),
    accept: z.array(z.string().min(1)).min(1).optional().describe('accepted answers'),
    fromBreak: z.boolean().optional().describe("accept the `answer` of the step's breakage picked at random"),
  })
  .strict()
  .refine((c) => (c.accept !== undefined) !== (c.fromBreak === true), { message: 'needs either accept or fromBreak: true' });

export const checkSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('netns'), name, absent: z.boolean().optional() }).strict(),
  z
    .object({
      ...base,
      type: z.literal('link'),
      netns,
      name,
      absent: z.boolean().optional(),
      kind: z.string().optional().describe('veth, ipip, gre, ...'),
      state: z.enum(['UP', 'DOWN']).optional().describe('administrative state (the UP flag)'),
      mtu: z.number().int().positive().optional(),
      peer: name.optional().describe('veth peer name'),
      peerNetns: netns.describe('namespace the veth peer lives in'),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('address'),
      netns,
      dev: name,
      address: cidr.describe('10.10.10.2/24, or a bare address'),
      peer: ipv4.optional().describe('the point-to-point peer address'),
      absent: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('route'),
      netns,
      dst: cidr.describe('destination, e.g. 10.10.20.0/24, or a host address'),
      via: ipv4.optional(),
      dev: name.optional(),
      scope: z.enum(['link', 'host', 'global']).optional(),
      absent: z.boolean().optional(),
    })
    .strict(),
  z.object({ ...base, type: z.literal('sysctl'), netns, key: z.string().regex(/^[a-z0-9_.-]+$/), value: z.string() }).strict(),
  z
    .object({
      ...base,
      type: z.literal('ping'),
      netns,
      to: ipv4,
      expect: z.enum(['success', 'failure']).default('success'),
      size: z.number().int().min(0).max(65507).optional().describe('payload bytes (ping -s)'),
      dontFragment: z.boolean().optional().describe('ping -M do'),
      ttl: z.number().int().min(1).max(255).optional().describe('the reply must arrive with this ttl'),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('tunnel'),
      netns,
      name,
      mode: z.enum(['ipip', 'gre', 'sit', 'isatap', 'vti']),
      local: ipv4.optional(),
      remote: ipv4.optional(),
      key: z
        .union([z.number().int().min(0).max(0xffffffff), ipv4])
        .optional()
        .describe('GRE key (a number or a dotted quad): both ikey and okey must be it'),
    })
    .strict(),
  z.object({ ...base, type: z.literal('module'), name: z.string().regex(/^[a-z0-9_]+$/), loaded: z.boolean().default(true) }).strict(),
  z
    .object({
      ...base,
      type: z.literal('output'),
      netns,
      command: z.string().min(1).describe('run by the engine, not the learner'),
      contains: z.string().optional(),
      matches: z.string().optional().describe('a JavaScript regular expression'),
    })
    .strict()
    .refine((c) => c.contains !== undefined || c.matches !== undefined, { message: 'needs contains or matches' }),
  answerCheckSchema,
]);
export type Check = z.infer<typeof checkSchema>;
export type CheckType = Check['type'];
