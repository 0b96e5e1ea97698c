/** The inner engine's state as checks see it: the fields exercises assert on, nothing more. */

export interface PortBinding {
  container: number;
  protocol: 'tcp' | 'udp';
  host?: number;
}

export interface MountState {
  type: string;
  /** Volume name for volumes, host path for binds. */
  source: string;
  destination: string;
}

export interface ContainerState {
  id: string;
  name: string;
  /** Image reference as given to `docker run` (Config.Image). */
  image: string;
  imageId: string;
  state: string;
  exitCode: number;
  env: Record<string, string>;
  ports: PortBinding[];
  mounts: MountState[];
  networks: string[];
  restartPolicy: string;
  memoryBytes: number;
  nanoCpus: number;
  labels: Record<string, string>;
}

export interface ImageState {
  id: string;
  /** `name:tag` references. */
  tags: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  env: Record<string, string>;
  exposedPorts: string[];
  labels: Record<string, string>;
  workdir: string;
  /** Filesystem layers (RootFS.Layers). */
  layers: number;
}

export interface VolumeState {
  name: string;
  driver: string;
}

export interface NetworkState {
  name: string;
  driver: string;
  /** Names of attached containers. */
  members: string[];
}

export interface EngineSnapshot {
  /** Index of the command after which it was taken. */
  afterCommand: number;
  containers: ContainerState[];
  images: ImageState[];
  volumes: VolumeState[];
  networks: NetworkState[];
}

export interface EngineEvent {
  /** Index of the command during (or right after) which the event was seen. */
  afterCommand: number;
  /** Engine time in nanoseconds since the epoch (orders events within one command). */
  timeNano: number;
  type: string;
  action: string;
  actorId: string;
  /** Container, volume or network name, or image reference. */
  name?: string;
  image?: string;
  exitCode?: number;
  attributes: Record<string, string>;
}
