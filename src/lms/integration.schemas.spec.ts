import { createIntegrationSchema, updateIntegrationSchema } from './integration.schemas';

describe('integration schemas', () => {
  // Found by the fuzz suite: the credentials refinement ran `new URL` on a value the URL check had
  // already refused, threw a TypeError, and the API answered 500.
  it.each(['H', '__proto__', '', 'http://', 'javascript:alert(1)', '\0'])(
    'refuses webhookUrl %j with an issue naming the field, without throwing',
    (webhookUrl) => {
      for (const schema of [createIntegrationSchema, updateIntegrationSchema]) {
        const parsed = schema.safeParse({ name: 'L', webhookUrl });
        expect(parsed.success).toBe(false);
        expect(parsed.error!.issues.some((i) => i.path[0] === 'webhookUrl')).toBe(true);
      }
    },
  );

  it('still refuses credentials in a webhook URL and accepts a plain one', () => {
    expect(createIntegrationSchema.safeParse({ name: 'L', webhookUrl: 'https://u:p@lms.fr/h' }).success).toBe(false);
    expect(createIntegrationSchema.safeParse({ name: 'L', webhookUrl: 'https://lms.fr/h' }).success).toBe(true);
  });
});
