import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SandboxInfrastructureError } from './sandbox.types';
import { imageSetHash } from './image-hash';

/** One image of images/catalog.tsv as built by scripts/build-images.sh. */
export interface CatalogImage {
  name: string;
  /** dockgrader/<name>:<content hash> on the host engine. */
  tag: string;
  hash: string;
  kind: 'base' | 'internal' | 'sandbox' | 'course';
  /** The names the course uses (hello-world:latest, postgres:latest …). */
  tags: string[];
  id: string;
}

/** The images a sandbox needs: its own image and the course images preloaded in every inner engine. */
export interface ImageCatalog {
  sandbox: CatalogImage;
  course: CatalogImage[];
  /** Keys the golden store: changes when the sandbox image or any course image changes. */
  setHash: string;
  /** `standin` (built here from Debian) or `real` (pulled through a registry or mirror). */
  mode: string;
}

interface Manifest {
  mode: string;
  images: Record<string, Omit<CatalogImage, 'name'>>;
}

/** Reads images/.built/manifest.json, written by scripts/build-images.sh. */
export function loadImageCatalog(manifestPath: string): ImageCatalog {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch (error) {
    throw new SandboxInfrastructureError(
      `No image manifest at ${resolve(manifestPath)}: run scripts/build-images.sh first`,
      { cause: error },
    );
  }
  const all = Object.entries(manifest.images).map(([name, image]) => ({ name, ...image }));
  const sandbox = all.find((i) => i.kind === 'sandbox');
  if (!sandbox) throw new SandboxInfrastructureError(`${manifestPath} lists no sandbox image`);
  const course = all.filter((i) => i.kind === 'course');
  return { sandbox, course, mode: manifest.mode, setHash: imageSetHash([sandbox.hash, ...course.map((i) => i.hash)]) };
}

/** Default manifest location relative to the repository (for scripts and tests run from elsewhere). */
export const repositoryManifestPath = resolve(dirname(__filename), '../../images/.built/manifest.json');
