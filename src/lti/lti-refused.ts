/**
 * A login or launch refused, with its HTTP status and a one-line reason in French: shown as is
 * to the user (inside the LMS frame) and logged. Never carries a token or a secret.
 */
export class LtiRefused extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'LtiRefused';
  }
}
