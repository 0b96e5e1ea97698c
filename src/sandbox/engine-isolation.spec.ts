import { engineIsolationFromInfo, hostIds } from './engine-isolation';
import { cgroupDirs } from './cgroup-delegation';

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

describe('cgroupDirs', () => {
  it('maps cgroup v1 hierarchies (named and combined controllers) to their directories', () => {
    const text = [
      '12:pids:/docker/abc',
      '5:cpu,cpuacct:/docker/abc',
      '1:name=systemd:/docker/abc',
      '0::/docker/abc',
      '',
    ].join('\n');
    expect(cgroupDirs(text)).toEqual([
      { dir: '/sys/fs/cgroup/pids/docker/abc', unified: false },
      { dir: '/sys/fs/cgroup/cpu,cpuacct/docker/abc', unified: false },
      { dir: '/sys/fs/cgroup/systemd/docker/abc', unified: false },
      { dir: '/sys/fs/cgroup/docker/abc', unified: true },
    ]);
  });

  it('maps a cgroup v2 (unified) line', () => {
    expect(cgroupDirs('0::/system.slice/docker-abc.scope\n')).toEqual([
      { dir: '/sys/fs/cgroup/system.slice/docker-abc.scope', unified: true },
    ]);
  });
});
