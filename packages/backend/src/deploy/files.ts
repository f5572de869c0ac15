/*
 * Reads the deployment files at the repository root (Dockerfile, deploy/, azure-pipelines.yml) and
 * the figures they are sized from, for the tests beside this file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../testing/backendProcess';

/** The image's figures `yarn bench:image --record` writes; requests and limits derive from them. */
export interface MeasuredFigures {
  node: string;
  /** What ran: the built image's entry point (`yarn bench:image`). */
  measuredFrom: 'image';
  /** Resident memory of one replica once ready, before any load. */
  readyResidentMb: number;
  users: number;
  /** Per replica count ("1", "2"): figures per replica under load. */
  replicas: Record<
    string,
    {
      p50Ms: number;
      p95Ms: number;
      requestsPerSecond: number;
      errors: number;
      /** Highest resident memory of one replica under load. */
      residentMb: number;
      /** Mean CPU of one replica under load, in cores. */
      cpuCores: number;
      /** Time from process start to readiness. */
      readyMs: number;
    }
  >;
}

export const MANIFEST_DIR = path.join(REPO_ROOT, 'deploy/kubernetes');

export function readRepoFile(relative: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}

/** Every YAML document of a file, failing with the file name on a syntax error. */
export function readYamlDocuments(relative: string): any[] {
  const docs = parseAllDocuments(readRepoFile(relative));
  return docs.map(doc => {
    if (doc.errors.length > 0) {
      throw new Error(
        `${relative}: ${doc.errors.map(e => e.message).join('; ')}`,
      );
    }
    return doc.toJS();
  });
}

/** Every object of every manifest under deploy/kubernetes, with the file it came from. */
export function readManifests(): Array<{ file: string; object: any }> {
  return fs
    .readdirSync(MANIFEST_DIR)
    .filter(name => /\.ya?ml$/.test(name))
    .sort()
    .flatMap(name =>
      readYamlDocuments(`deploy/kubernetes/${name}`)
        .filter(Boolean)
        .map(object => ({ file: name, object })),
    );
}

/** The one object of a kind (and name, when given) in deploy/kubernetes. */
export function manifest(kind: string, name?: string): any {
  const found = readManifests().filter(
    ({ object }) =>
      object.kind === kind && (!name || object.metadata.name === name),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one ${kind}${
        name ? ` ${name}` : ''
      } in deploy/kubernetes, found ${found.length}`,
    );
  }
  return found[0].object;
}

export function readMeasuredFigures(): MeasuredFigures {
  return JSON.parse(readRepoFile('deploy/measured.json'));
}
