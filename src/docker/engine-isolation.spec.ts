import { engineIsolationFromInfo, hostIds } from './engine-isolation';

describe('engineIsolationFromInfo', () => {
  it('reads the remapped root ids from a --userns-remap engine', () => {
    const isolation = engineIsolationFromInfo({
      SecurityOptions: ['name=seccomp,profile=default', 'name=userns'],
      DockerRootDir: '/var/lib/docker/165536.165536',
    });
    expect(isolation).toEqual({ userns: true, rootUid: 165536, rootGid: 165536 });
    expect(hostIds(isolation, 1000)).toEqual({ uid: 166536, gid: 166536 });
  });

  it('reports an engine without a user namespace as such (root maps to the host root)', () => {
    expect(
      engineIsolationFromInfo({ SecurityOptions: ['name=seccomp,profile=default'], DockerRootDir: '/var/lib/docker' }),
    ).toEqual({
      userns: false,
      rootUid: 0,
      rootGid: 0,
    });
    expect(engineIsolationFromInfo({})).toMatchObject({ userns: false });
  });

  it('refuses a user-namespace engine whose data root does not name the ids', () => {
    expect(() => engineIsolationFromInfo({ SecurityOptions: ['name=userns'], DockerRootDir: '/srv/docker' })).toThrow(
      /does not name the remapped ids/,
    );
  });
});
