import { z } from 'zod';
import { OPTIONAL_TOOLS } from '../sandbox/sandbox-tools';

/**
 * The format of `exercises/<slug>/exercise.yaml`. Exercises are data, validated like input:
 * loading refuses a broken file with the file and the field named.
 *
 * A check is an assertion over the sandbox's recorded history, evaluated at a moment (`when`):
 * - `final`: the state after the last command;
 * - `eventually`: some snapshot (taken after each command) satisfies it;
 * - `always`: every snapshot satisfies it.
 * Assertions compose with `all`, `any` and `not`; `all` inside one snapshot expresses "at the
 * same time" (mongo, redis and postgres running together). A `sequence` check orders steps in
 * time (postgres died with an error, then later ran with POSTGRES_PASSWORD set).
 */

const text = z.string().min(1);

/** Known-wrong solutions an exercise ships at least (the empty submission is checked for every exercise anyway). */
export const MIN_WRONG_SOLUTIONS = 3;

/** Matches a string: exact value, or an object with one operator. */
export const stringMatcher = z.union([
  z.string(),
  z.strictObject({ equals: z.string() }),
  z.strictObject({ contains: z.string() }),
  // Compiled when the definition loads: a broken regex is the author's error, named with its field,
  // never a failure in the middle of grading a student.
  z.strictObject({
    matches: z.string().refine(compiles, { error: (issue) => `regex that does not compile: ${compileError(String(issue.input))}` }),
  }),
  z.strictObject({ exists: z.boolean() }),
]);

function compiles(source: string): boolean {
  return compileError(source) === undefined;
}

function compileError(source: string): string | undefined {
  try {
    new RegExp(source);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
export type StringMatcher = z.infer<typeof stringMatcher>;

/** Matches a number: exact value or a comparison. */
export const numberMatcher = z.union([
  z.number(),
  z
    .strictObject({ not: z.number().optional(), min: z.number().optional(), max: z.number().optional() })
    .refine((o) => Object.keys(o).length > 0, 'give at least one of not, min, max'),
]);
export type NumberMatcher = z.infer<typeof numberMatcher>;

export const containerState = z.enum(['created', 'running', 'paused', 'restarting', 'exited', 'dead', 'absent']);

export const containerAssertion = z.strictObject({
  container: z.strictObject({
    /** Container name (without the leading slash). Omit to match any container by the other fields. */
    name: stringMatcher.optional(),
    /** Image reference as the student wrote it, e.g. `redis` or `redis:latest`. */
    image: stringMatcher.optional(),
    state: z.union([containerState, z.array(containerState).min(1)]).optional(),
    exitCode: numberMatcher.optional(),
    /** Environment variables: KEY → matcher (`{ exists: true }` for presence). */
    env: z.record(z.string(), stringMatcher).optional(),
    ports: z
      .array(z.strictObject({ container: z.number().int(), protocol: z.enum(['tcp', 'udp']).default('tcp'), host: z.number().int().optional() }))
      .optional(),
    mounts: z
      .array(
        z.strictObject({
          type: z.enum(['volume', 'bind', 'tmpfs']).optional(),
          /** Volume name or host path. */
          source: stringMatcher.optional(),
          destination: z.string(),
        }),
      )
      .optional(),
    networks: z.array(z.string()).optional(),
    restartPolicy: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).optional(),
    memoryBytes: numberMatcher.optional(),
    nanoCpus: numberMatcher.optional(),
    labels: z.record(z.string(), stringMatcher).optional(),
    /** How many containers must match (default: at least one). */
    count: numberMatcher.optional(),
  }),
});

export const imageAssertion = z.strictObject({
  image: z.strictObject({
    /** Reference, e.g. `monimage:v1`; a bare name means `:latest`. */
    ref: z.string().min(1),
    present: z.boolean().default(true),
    cmd: z.array(z.string()).optional(),
    entrypoint: z.array(z.string()).optional(),
    env: z.record(z.string(), stringMatcher).optional(),
    exposedPorts: z.array(z.string()).optional(),
    labels: z.record(z.string(), stringMatcher).optional(),
    workdir: z.string().optional(),
    /** Number of filesystem layers (RootFS.Layers), base image layers included. */
    layers: numberMatcher.optional(),
  }),
});

export const volumeAssertion = z.strictObject({
  volume: z.strictObject({
    name: stringMatcher,
    present: z.boolean().default(true),
    driver: z.string().optional(),
  }),
});

export const networkAssertion = z.strictObject({
  network: z.strictObject({
    name: stringMatcher,
    present: z.boolean().default(true),
    driver: z.string().optional(),
    /** Container names attached to the network. */
    members: z.array(z.string()).optional(),
  }),
});

/** A command run inside a container at check time (final state only). */
export const probeAssertion = z.strictObject({
  probe: z.strictObject({
    container: z.string().min(1),
    command: z.array(z.string()).min(1),
    exitCode: numberMatcher.default(0),
    output: stringMatcher.optional(),
    timeoutSeconds: z.number().positive().max(60).default(10),
  }),
});

/** An HTTP request from inside the sandbox at check time (final state only). */
export const httpAssertion = z.strictObject({
  http: z.strictObject({
    url: z.string().url(),
    status: numberMatcher.default(200),
    body: stringMatcher.optional(),
    timeoutSeconds: z.number().positive().max(30).default(5),
  }),
});

/** What the student ran: some command of the transcript matches. */
export const transcriptAssertion = z.strictObject({
  transcript: z.strictObject({
    command: stringMatcher,
    exitCode: numberMatcher.optional(),
    output: stringMatcher.optional(),
  }),
});

/** An event of the inner engine's event stream (docker events). */
export const eventAssertion = z.strictObject({
  event: z.strictObject({
    type: z.enum(['container', 'image', 'volume', 'network']).default('container'),
    /** e.g. create, start, die, stop, kill, pause, unpause, rename, destroy, pull, tag, delete. */
    action: stringMatcher,
    /** Actor name (container name, image ref, volume or network name). */
    name: stringMatcher.optional(),
    image: stringMatcher.optional(),
    exitCode: numberMatcher.optional(),
  }),
});

export type Assertion =
  | z.infer<typeof containerAssertion>
  | z.infer<typeof imageAssertion>
  | z.infer<typeof volumeAssertion>
  | z.infer<typeof networkAssertion>
  | z.infer<typeof probeAssertion>
  | z.infer<typeof httpAssertion>
  | z.infer<typeof transcriptAssertion>
  | z.infer<typeof eventAssertion>
  | { all: Assertion[] }
  | { any: Assertion[] }
  | { not: Assertion };

export const assertion: z.ZodType<Assertion> = z.lazy(() =>
  z.union([
    containerAssertion,
    imageAssertion,
    volumeAssertion,
    networkAssertion,
    probeAssertion,
    httpAssertion,
    transcriptAssertion,
    eventAssertion,
    z.strictObject({ all: z.array(assertion).min(1) }),
    z.strictObject({ any: z.array(assertion).min(1) }),
    z.strictObject({ not: assertion }),
  ]),
) as z.ZodType<Assertion>;

export const checkSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'kebab-case id'),
    title: text,
    points: z.number().positive(),
    /** Hidden checks count in the score but their title and message are not shown to students. */
    hidden: z.boolean().default(false),
    when: z.enum(['final', 'eventually', 'always']).default('final'),
    /** One assertion, or a `sequence` of assertions satisfied in this order over time. */
    assert: assertion.optional(),
    sequence: z.array(assertion).min(2).optional(),
    feedback: z.strictObject({ pass: text, fail: text }),
  })
  .refine((c) => (c.assert === undefined) !== (c.sequence === undefined), {
    message: 'give exactly one of assert or sequence',
  });
export type CheckDefinition = z.infer<typeof checkSchema>;

export const exerciseSchema = z
  .strictObject({
    slug: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'kebab-case slug'),
    title: text,
    /**
     * Course chapter file this exercise comes from, relative to the course folder
     * (../shared/course): `npm run exercises:check` refuses one that is not there.
     */
    chapter: z
      .string()
      .regex(/^(?!.*(^|\/)\.\.?(\/|$))[\w.-]+(\/[\w.-]+)*\.md$/, 'a chapter file of the course folder, e.g. 2-decouvrir-les-bases-de-docker.md'),
    /** Markdown file beside exercise.yaml with the instructions shown to students (French). */
    instructions: z.string().default('instructions.md'),
    sandbox: z
      .strictObject({
        egress: z.boolean().default(false),
        commandTimeoutSeconds: z.number().positive().max(300).default(60),
        maxCommands: z.number().int().positive().max(500).default(100),
      })
      .prefault({}),
    /**
     * What the exercise allows beyond the docker CLI: `compose` lets `docker compose` lines run
     * (where the sandboxes have it: src/sandbox/sandbox-tools.ts); otherwise they are refused with
     * the reason as feedback.
     */
    allow: z
      .array(z.enum(OPTIONAL_TOOLS))
      .default([])
      .refine((a) => new Set(a).size === a.length, 'each tool once'),
    checks: z.array(checkSchema).min(1),
    solutions: z.strictObject({
      /** Path (relative to the exercise folder) of a submission scoring full marks. */
      reference: text,
      /** Optional folder of files attached to the reference and wrong solutions. */
      files: z.string().optional(),
      /** Known-wrong solutions, each with the score it must get and why: at least three that run commands. */
      wrong: z
        .array(z.strictObject({ file: text, expectedScore: z.number().min(0), files: z.string().optional(), why: text }))
        .min(MIN_WRONG_SOLUTIONS, `at least ${MIN_WRONG_SOLUTIONS} known-wrong solutions, each with its expectedScore and why`),
    }),
  })
  .superRefine((e, ctx) => {
    const seen = new Set<string>();
    e.checks.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['checks', i, 'id'], message: `duplicate check id "${c.id}"` });
      seen.add(c.id);
    });
  });
export type ExerciseDefinition = z.infer<typeof exerciseSchema>;
