import { imageDigestNotice } from './image-digest-notice';

describe('imageDigestNotice', () => {
  it('says nothing when the images are the same', () => {
    expect(imageDigestNotice({ 'redis:latest': 'sha256:aa' }, { 'redis:latest': 'sha256:aa' })).toBeUndefined();
  });

  it('names each image rebuilt, added or gone, in French', () => {
    const notice = imageDigestNotice(
      { 'redis:latest': 'sha256:111111111111111', 'nginx:latest': 'sha256:2222' },
      { 'redis:latest': 'sha256:333333333333333', 'mongo:latest': 'sha256:4444' },
    );
    expect(notice).toContain('redis:latest (111111111111 → 333333333333)');
    expect(notice).toContain('nginx:latest (2222 → absente)');
    expect(notice).toContain('mongo:latest (absente → 4444)');
    expect(notice).toMatch(/^Les images du bac à sable ont changé/);
  });
});
