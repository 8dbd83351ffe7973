import { z } from 'zod';
import { checkSchema, id } from '../checks/schema.js';

// The lesson format. Structure (commands, checks, hints' conditions, mistakes) lives in
// lesson.yaml; every human text lives in <lang>.yaml beside it, keyed by step id.
export const FORMAT_VERSION = 1;

const hintSchema = z
  .object({
    when: id.optional().describe('show this hint when the named check fails'),
  })
  .strict();

const mistakeSchema = z
  .object({
    id,
    commands: z.array(z.string().min(1)).min(1).describe('a near miss typed instead of the solution'),
    fails: id.describe('the check this mistake must fail'),
  })
  .strict();

export const stepSchema = z
  .object({
    id,
    solution: z.array(z.string().min(1)).default([]).describe('the article\'s commands, run by "solve" and play --auto'),
    checks: z.array(checkSchema).default([]).describe('no checks = a reading step'),
    hints: z.array(hintSchema).default([]).describe('conditions per hint; the texts are in <lang>.yaml'),
    mistakes: z.array(mistakeSchema).default([]),
    setup: z.array(z.string().min(1)).default([]).describe('run by the engine when the step starts'),
    breakOneOf: z
      .array(z.object({ id, commands: z.array(z.string().min(1)).min(1) }).strict())
      .default([])
      .describe('troubleshooting: at step start the engine runs one of these at random'),
    requires: z
      .array(z.enum(['ipip', 'gre']))
      .default([])
      .describe('kernel features this step needs'),
  })
  .strict();
export type Step = z.infer<typeof stepSchema>;

export const lessonSchema = z
  .object({
    format: z.literal(FORMAT_VERSION),
    id,
    steps: z.array(stepSchema).min(1),
  })
  .strict();
export type LessonDef = z.infer<typeof lessonSchema>;

const stepTextSchema = z
  .object({
    title: z.string().min(1),
    body: z.string().min(1).describe('markdown'),
    hints: z.array(z.string().min(1)).default([]),
    mistakes: z.record(z.string(), z.string()).optional().describe('what each near miss teaches'),
  })
  .strict();
export type StepText = z.infer<typeof stepTextSchema>;

export const lessonTextSchema = z
  .object({
    title: z.string().min(1),
    summary: z.string().optional(),
    steps: z.record(z.string(), stepTextSchema),
  })
  .strict();
export type LessonText = z.infer<typeof lessonTextSchema>;

export const courseSchema = z
  .object({
    format: z.literal(FORMAT_VERSION),
    title: z.record(z.string(), z.string()).describe('per language'),
    lessons: z.array(z.string().min(1)).min(1).describe('lesson directories in order'),
  })
  .strict();
export type CourseDef = z.infer<typeof courseSchema>;
