import { z } from 'zod';
import { answerCheckSchema, checkSchema, id } from '../checks/schema.js';

// The lesson format. Structure (commands, checks, mistakes, breakages) lives in lesson.yaml;
// every human text lives in <lang>.yaml beside it, keyed by step id, and within a step by the
// id of the check, mistake or breakage it explains. lessons/README.md documents every field.
export const FORMAT_VERSION = 2;

const commands = z.array(z.string().min(1));

const mistakeSchema = z
  .object({
    id,
    commands: commands.min(1).describe('a near miss typed instead of the solution, in the state the earlier steps leave'),
    fails: id.describe('the check this mistake must fail'),
    signature: z
      .array(checkSchema)
      .min(1)
      .optional()
      .describe(
        'checks that all hold while this mistake is present (and not after the solution): how the engine recognises it; lint requires it',
      ),
    repair: commands.min(1).optional().describe('the commands that undo this mistake, shown with its explanation; lint requires it'),
  })
  .strict();

const breakageSchema = z
  .object({
    id,
    commands: commands.min(1),
    answer: z.array(z.string().min(1)).min(1).optional().describe('what a debrief quiz accepts as "what was broken"'),
  })
  .strict();

export const stepSchema = z
  .object({
    id,
    solution: commands.default([]).describe('the article\'s commands, run by "solve", play --auto and the fast-forward'),
    checks: z.array(checkSchema).default([]).describe('no checks = a reading step'),
    mistakes: z.array(mistakeSchema).default([]),
    setup: commands.default([]).describe('run by the engine when the step starts'),
    breakOneOf: z.array(breakageSchema).default([]).describe('troubleshooting: at step start the engine runs one of these at random'),
    debrief: answerCheckSchema
      .optional()
      .describe('troubleshooting: a quiz asked once the checks pass; `fromBreak` accepts the answer of the breakage picked'),
    requires: z
      .array(z.enum(['ipip', 'gre']))
      .default([])
      .describe('kernel features this step needs'),
  })
  .strict();
export type Step = z.infer<typeof stepSchema>;
export type Mistake = z.infer<typeof mistakeSchema>;
export type Breakage = z.infer<typeof breakageSchema>;

export const lessonSchema = z
  .object({
    format: z.literal(FORMAT_VERSION, {
      error: `this is lesson format ${FORMAT_VERSION}; format 1 kept hints by position (see lessons/README.md, "From format 1")`,
    }),
    id,
    steps: z.array(stepSchema).min(1),
  })
  .strict();
export type LessonDef = z.infer<typeof lessonSchema>;

const textMap = z.record(z.string(), z.string().min(1));

const stepTextSchema = z
  .object({
    title: z.string().min(1),
    body: z.string().min(1).describe('markdown'),
    hints: textMap
      .default({})
      .describe('`nudge`: the first, general hint; `<check id>`: what is wrong when that check fails (quizzes: `answer`)'),
    mistakes: textMap.default({}).describe('what each near miss teaches, by mistake id'),
    breaks: textMap.default({}).describe('troubleshooting: what each breakage was, shown after the debrief'),
    debrief: z.string().min(1).optional().describe('the debrief question, asked once the checks pass'),
    explain: z.string().min(1).optional().describe('shown when the step is complete (why the answer is right)'),
  })
  .strict();
export type StepText = z.infer<typeof stepTextSchema>;

export const lessonTextSchema = z
  .object({
    title: z.string().min(1),
    summary: z.string().min(1).optional().describe('one line, shown when the lesson is done'),
    steps: z.record(z.string(), stepTextSchema),
  })
  .strict();
export type LessonText = z.infer<typeof lessonTextSchema>;

export const courseSchema = z
  .object({
    format: z.literal(FORMAT_VERSION),
    id: id.describe('names the course: progress is kept under it, across installs and moves'),
    title: z.record(z.string(), z.string()).describe('per language'),
    lessons: z.array(z.string().min(1)).min(1).describe('lesson directories in order'),
    flow: z
      .object({ from: z.string().min(1), to: z.string().min(1), on: z.string().min(1) })
      .strict()
      .optional()
      .describe('`tutor flow` without arguments: ping from this namespace to this address, captured on this device'),
  })
  .strict();
export type CourseDef = z.infer<typeof courseSchema>;
