import type { DockerSandboxDriver } from '../../src/sandbox/sandbox.driver';
import { hostileCase, makeDriver, run, statusOf } from './hostile-case';

/**
 * The prepared image store every sandbox starts from: no sandbox can change what another one
 * sees. It reaches them through a read-only volume (locked read-only in their user namespace).
 */

const ROOT_IN_SANDBOX =
  // Root of the sandbox itself (its user namespace, its mount namespace): an inner container with
  // every capability joins the sandbox's pid 1 namespaces — the strongest position a student reaches.
  'docker run --rm --pid=host --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined ' +
  '--security-opt apparmor=unconfined alpine nsenter -t 1 -m sh -c';

const NGINX_PAGE = '/usr/share/nginx/html/index.html';

let driver: DockerSandboxDriver;
let digest: string;
beforeAll(async () => {
  driver = makeDriver();
  await driver.golden.ensure();
  digest = await driver.golden.currentDigest();
});
afterAll(async () => {
  await driver.shutdown();
});
const d = () => driver;

/** What the next sandbox, another student's, serves from the course's nginx image. */
async function nextSandboxPage(): Promise<string> {
  const next = await driver.acquire();
  try {
    return (await next.exec(`docker run --rm nginx cat ${NGINX_PAGE}`, { timeoutMs: 60_000 })).output;
  } finally {
    await driver.release(next);
  }
}

describe('the prepared image store', () => {
  hostileCase(
    "writing a course image's layer file through the inner engine's data root",
    'read-only layer volume',
    d,
    async (sandbox) => {
      const attack = await run(
        sandbox,
        `docker run --rm -v /var/lib/docker:/d alpine sh -c 'for f in /d/overlay2/*/diff${NGINX_PAGE} /d/overlay2/*/diff/etc/passwd; do echo INTRUDER >> "$f"; done; grep -l INTRUDER /d/overlay2/*/diff${NGINX_PAGE}; echo rc=$?'`,
      );
      expect(attack.output).toMatch(/Read-only file system/);
      expect(attack.output).toMatch(/rc=1/);
      expect(await nextSandboxPage()).not.toContain('INTRUDER');
      expect(await driver.golden.currentDigest()).toBe(digest);
      return statusOf(attack);
    },
  );

  hostileCase('writing through the layer volume itself', 'read-only layer volume', d, async (sandbox) => {
    const attack = await run(
      sandbox,
      `docker run --rm -v /var/lib/dockgrader-golden:/g alpine sh -c 'for f in /g/*/diff${NGINX_PAGE}; do echo INTRUDER >> "$f"; done; touch /g/new; echo rc=$?'`,
    );
    expect(attack.output).toMatch(/Read-only file system/);
    expect(attack.output).toMatch(/rc=1/);
    return statusOf(attack);
  });

  hostileCase(
    'root of the sandbox remounts the layers read-write',
    'locked read-only mount (user namespace)',
    d,
    async (sandbox) => {
      const attack = await run(
        sandbox,
        `${ROOT_IN_SANDBOX} 'mount -o remount,bind,rw /var/lib/dockgrader-golden; echo remount=$?; for m in $(grep -o "/var/lib/docker/overlay2/[^ ]*/diff" /proc/self/mountinfo | head -3); do mount -o remount,bind,rw $m; echo layer=$?; done; echo INTRUDER >> $(ls /var/lib/dockgrader-golden/*/diff${NGINX_PAGE} | head -1); echo rc=$?'`,
      );
      expect(attack.output).toMatch(/remount=[1-9]/);
      expect(attack.output).not.toMatch(/layer=0/);
      expect(attack.output).toMatch(/rc=1/);
      expect(await nextSandboxPage()).not.toContain('INTRUDER');
      return statusOf(attack);
    },
  );

  hostileCase(
    "root of the sandbox unmounts a layer's binding and writes in its place",
    "the sandbox's own copy: the store is not behind it",
    d,
    async (sandbox) => {
      const attack = await run(
        sandbox,
        `${ROOT_IN_SANDBOX} 'for m in $(grep -o "/var/lib/docker/overlay2/[^ ]*/diff" /proc/self/mountinfo); do umount $m; done; f=$(ls /var/lib/docker/overlay2/*/diff${NGINX_PAGE} 2>/dev/null | head -1); echo "found=$f"; mkdir -p /var/lib/docker/overlay2/x/diff && echo INTRUDER > /var/lib/docker/overlay2/x/diff/f; echo rc=$?'`,
      );
      // The layers are gone from this sandbox only (its own copy had empty directories below them).
      expect(attack.output).toContain('found=\n');
      expect(await nextSandboxPage()).not.toContain('INTRUDER');
      expect(await driver.golden.currentDigest()).toBe(digest);
      return statusOf(attack);
    },
  );

  hostileCase(
    'a hard link from the working directory to a store file',
    'separate mounts (no cross-device link)',
    d,
    async (sandbox) => {
      const attack = await run(
        sandbox,
        `ln $(ls /var/lib/dockgrader-golden/*/diff${NGINX_PAGE} | head -1) /work/page; echo rc=$?; docker run --rm -v /var/lib/docker:/d -v /work:/w alpine sh -c 'ln $(ls /d/overlay2/*/diff${NGINX_PAGE} | head -1) /w/page2; echo rc=$?'`,
      );
      expect(attack.output).not.toMatch(/rc=0/);
      return statusOf(attack);
    },
  );

  hostileCase(
    'docker save of every image, then removing them all',
    'disk limit; own copy of the metadata',
    d,
    async (sandbox) => {
      const save = await run(
        sandbox,
        'docker save $(docker images -q) -o all.tar; echo rc=$?; docker rmi -f $(docker images -q) >/dev/null; docker images -q | wc -l',
        120_000,
      );
      expect(save.stoppedBy === 'disk-limit' || /\n0\n$/.test(save.output)).toBe(true);
      expect(await nextSandboxPage()).toContain('nginx');
      expect(await driver.golden.currentDigest()).toBe(digest);
      return statusOf(save);
    },
  );
});
