/**
 * Tools beyond the docker CLI that an exercise may allow (`allow:` in exercise.yaml) and that a
 * sandbox may or may not have.
 */
export const OPTIONAL_TOOLS = ['compose'] as const;
export type OptionalTool = (typeof OPTIONAL_TOOLS)[number];

/**
 * Which of them the sandbox image (images/sandbox/Dockerfile) has: none. Debian bookworm, the
 * only source the image is built from, packages compose v1 alone (`docker-compose` 1.29, in
 * Python): no `docker compose` subcommand, and containers named `dossier_web_1` where the v2
 * students run says `dossier-web-1`. Replaying a student's v2 session with it would grade another
 * program. Whoever installs compose v2 in the image adds it here, with a sandbox test
 * (docs/submission-format.md, "docker compose").
 */
export const SANDBOX_TOOLS: ReadonlySet<OptionalTool> = new Set<OptionalTool>();
