import { cgroupDirs } from './cgroup-delegation';

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
