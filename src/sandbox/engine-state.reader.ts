import type Docker from 'dockerode';
import type {
  ContainerState,
  EngineEvent,
  EngineSnapshot,
  ImageState,
  MountState,
  NetworkState,
  PortBinding,
  VolumeState,
} from './engine-state.types';

/**
 * Image details by id, shared by every replay in this process: an image id is the digest of the
 * image's configuration, which holds every field kept here, so an entry never goes stale (tags,
 * which can move, are read from the list each time). Bounded: cleared when full.
 */
const imageDetails = new Map<string, ImageState>();
const IMAGE_DETAILS_MAX = 2000;

/**
 * Reads the inner engine's state (containers, images, volumes, networks) and its event stream,
 * reduced to the fields checks look at.
 *
 * A snapshot after each command used to cost one list per kind plus one inspect per container and
 * per new image. The event stream says what changed, so (`events()` is called before each
 * `snapshot()`, as the replayer does):
 * - when no event at all happened since the previous snapshot began, that snapshot is still the
 *   state (every change of a container, image, volume or network emits an event), and is reused;
 * - otherwise the lists are read again, but a container is inspected again only if an event named
 *   it since it was last inspected or its listed state differs.
 * Both rules depend on the events window of call k covering [end of window k-1, now], which starts
 * before snapshot k-1 did: a change after that snapshot began is always in a later window.
 */
export class EngineStateReader {
  private readonly seenEvents = new Set<string>();
  private sinceMs: number;
  /** The previous snapshot, and whether an event was seen since it began (reuse rule above). */
  private last?: EngineSnapshot;
  private changed = true;
  /** Reuse also requires events() to have looked since the previous snapshot. */
  private eventsChecked = false;
  /** Container details by id, valid until an event names the container. */
  private readonly inspected = new Map<string, ContainerState>();

  constructor(
    private readonly docker: Docker,
    startMs = Date.now(),
  ) {
    this.sinceMs = startMs;
  }

  async snapshot(afterCommand: number): Promise<EngineSnapshot> {
    const reuse = this.last && this.eventsChecked && !this.changed;
    this.eventsChecked = false;
    if (reuse && this.last) return { ...this.last, afterCommand };
    // Cleared before reading: an event from now on is seen by a later events() call, after this one.
    this.changed = false;
    const [containers, images, volumes, networkList] = await Promise.all([
      this.containers(),
      this.images(),
      this.volumes(),
      this.docker.listNetworks(),
    ]);
    const networks = networksOf(networkList, containers);
    this.last = { afterCommand, containers, images, volumes, networks };
    return this.last;
  }

  /** Events since the previous call, attributed to `afterCommand`. */
  async events(afterCommand: number): Promise<EngineEvent[]> {
    const untilMs = Date.now();
    const stream = (await this.docker.getEvents({
      since: seconds(this.sinceMs),
      until: seconds(untilMs),
    } as never)) as unknown as NodeJS.ReadableStream;
    const raw = await readAll(stream);
    this.sinceMs = untilMs;
    this.eventsChecked = true;
    const events: EngineEvent[] = [];
    for (const line of raw.split('\n')) {
      if (line.trim() === '') continue;
      const e = toEvent(JSON.parse(line) as RawEvent, afterCommand);
      const key = `${e.timeNano}|${e.type}|${e.action}|${e.actorId}`;
      if (this.seenEvents.has(key)) continue;
      this.seenEvents.add(key);
      events.push(e);
      this.changed = true;
      this.inspected.delete(e.actorId);
      // Network events (connect, disconnect) name the network; the container is an attribute.
      if (e.attributes.container) this.inspected.delete(e.attributes.container);
    }
    return events.sort((a, b) => a.timeNano - b.timeNano);
  }

  private async containers(): Promise<ContainerState[]> {
    const list = await this.docker.listContainers({ all: true });
    const listed = new Set(list.map((c) => c.Id));
    for (const id of this.inspected.keys()) if (!listed.has(id)) this.inspected.delete(id);
    const states = await Promise.all(
      list.map(async (c) => {
        const known = this.inspected.get(c.Id);
        if (known && known.state === c.State) return known;
        try {
          const state = toContainer(await this.docker.getContainer(c.Id).inspect());
          this.inspected.set(c.Id, state);
          return state;
        } catch (error) {
          if (isNotFound(error)) return undefined; // removed between list and inspect (--rm)
          throw error;
        }
      }),
    );
    return states.filter((c): c is ContainerState => c !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  }

  private async images(): Promise<ImageState[]> {
    const list = await this.docker.listImages();
    const images = await Promise.all(
      list.map(async (i) => {
        const cached = imageDetails.get(i.Id);
        if (cached) return { ...cached, tags: tagsOf(i.RepoTags) };
        try {
          const state = toImage(await this.docker.getImage(i.Id).inspect());
          if (imageDetails.size >= IMAGE_DETAILS_MAX) imageDetails.clear();
          imageDetails.set(i.Id, state);
          return { ...state, tags: tagsOf(i.RepoTags) };
        } catch (error) {
          if (isNotFound(error)) return undefined;
          throw error;
        }
      }),
    );
    return images.filter((i): i is ImageState => i !== undefined);
  }

  private async volumes(): Promise<VolumeState[]> {
    const r = await this.docker.listVolumes();
    return (r.Volumes ?? [])
      .map((v) => ({ name: v.Name, driver: v.Driver }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** Members come from the containers' own network settings, so stopped containers count too. */
function networksOf(list: Docker.NetworkInspectInfo[], containers: ContainerState[]): NetworkState[] {
  return list
    .map((n) => ({
      name: n.Name,
      driver: n.Driver,
      members: containers.filter((c) => c.networks.includes(n.Name)).map((c) => c.name),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

interface RawEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  from?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

function toEvent(r: RawEvent, afterCommand: number): EngineEvent {
  const attributes = r.Actor?.Attributes ?? {};
  const type = r.Type ?? 'container';
  const actorId = r.Actor?.ID ?? r.id ?? '';
  const exit = attributes.exitCode;
  return {
    afterCommand,
    timeNano: r.timeNano ?? (r.time ?? 0) * 1e9,
    type,
    action: r.Action ?? r.status ?? '',
    actorId,
    // Volumes are named by their id; the others carry a name attribute.
    name: attributes.name ?? (type === 'volume' ? actorId : undefined),
    image: attributes.image ?? r.from,
    exitCode: exit !== undefined && exit !== '' ? Number(exit) : undefined,
    attributes,
  };
}

export function toContainer(i: Docker.ContainerInspectInfo): ContainerState {
  const ports = portsOf((i.NetworkSettings?.Ports as PortMap | undefined) ?? {});
  const requested = portsOf((i.HostConfig?.PortBindings as PortMap | undefined) ?? {});
  const hc = i.HostConfig as Docker.HostConfig;
  const nanoCpus = hc.NanoCpus || (hc.CpuQuota && hc.CpuPeriod ? Math.round((hc.CpuQuota / hc.CpuPeriod) * 1e9) : 0);
  return {
    id: i.Id,
    name: i.Name.replace(/^\//, ''),
    image: i.Config.Image,
    imageId: i.Image,
    state: i.State.Status,
    exitCode: i.State.ExitCode,
    env: envOf(i.Config.Env),
    // A running container shows the ports actually bound; a stopped one only what was asked for.
    ports: ports.length > 0 ? ports : requested,
    mounts: (i.Mounts ?? []).map((m): MountState => ({
      type: m.Type,
      source: m.Type === 'volume' ? (m.Name ?? m.Source) : m.Source,
      destination: m.Destination,
    })),
    networks: Object.keys(i.NetworkSettings?.Networks ?? {}).sort(),
    restartPolicy: hc.RestartPolicy?.Name || 'no',
    memoryBytes: hc.Memory ?? 0,
    nanoCpus: nanoCpus ?? 0,
    labels: i.Config.Labels ?? {},
  };
}

export function toImage(i: Docker.ImageInspectInfo): ImageState {
  const config = i.Config ?? ({} as Docker.ImageInspectInfo['Config']);
  return {
    id: i.Id,
    tags: tagsOf(i.RepoTags),
    cmd: asArray(config.Cmd),
    entrypoint: asArray(config.Entrypoint),
    env: envOf(config.Env),
    exposedPorts: Object.keys(config.ExposedPorts ?? {}).sort(),
    labels: config.Labels ?? {},
    workdir: config.WorkingDir ?? '',
    layers: i.RootFS?.Layers?.length ?? 0,
  };
}

type PortMap = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;

function portsOf(map: PortMap): PortBinding[] {
  const out: PortBinding[] = [];
  for (const [key, bindings] of Object.entries(map)) {
    const [port, protocol] = key.split('/');
    for (const b of bindings ?? []) {
      const host = b.HostPort ? Number(b.HostPort) : undefined;
      // IPv4 and IPv6 bindings of the same port are one publication for the student.
      if (!out.some((p) => p.container === Number(port) && p.protocol === protocol && p.host === host)) {
        out.push({ container: Number(port), protocol: protocol === 'udp' ? 'udp' : 'tcp', host });
      }
    }
  }
  return out;
}

function envOf(env: string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env ?? []) {
    const eq = e.indexOf('=');
    if (eq < 0) out[e] = '';
    else out[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return out;
}

function tagsOf(tags: string[] | null | undefined): string[] {
  return (tags ?? []).filter((t) => t !== '<none>:<none>');
}

function asArray(v: unknown): string[] | null {
  if (v === null || v === undefined) return null;
  return Array.isArray(v) ? (v as string[]) : [String(v)];
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}
