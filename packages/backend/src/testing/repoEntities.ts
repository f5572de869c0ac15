import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './backendProcess';

/**
 * Entity refs of everything the repository registers: the root catalog-info.yaml and the files its
 * Location targets (globs of one `*` per path segment, as the catalog's file reader expands them).
 */
export function repoEntityRefs(): string[] {
  const refs: string[] = [];
  const read = (file: string) => {
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const entity = doc.toJS();
      if (!entity?.kind) continue;
      refs.push(
        `${entity.kind}:${entity.metadata.namespace ?? 'default'}/${
          entity.metadata.name
        }`.toLowerCase(),
      );
      if (entity.kind === 'Location') {
        for (const target of entity.spec.targets ?? [entity.spec.target]) {
          expand(path.resolve(path.dirname(file), target)).forEach(read);
        }
      }
    }
  };
  read(path.join(REPO_ROOT, 'catalog-info.yaml'));
  return refs;
}

function expand(pattern: string): string[] {
  const segments = pattern.split(path.sep);
  let paths = [segments[0] || path.sep];
  for (const segment of segments.slice(1)) {
    paths = paths.flatMap(p => {
      if (!segment.includes('*')) return [path.join(p, segment)];
      const re = new RegExp(
        `^${segment.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`,
      );
      return fs.existsSync(p)
        ? fs
            .readdirSync(p)
            .filter(n => re.test(n))
            .map(n => path.join(p, n))
        : [];
    });
  }
  return paths.filter(p => fs.existsSync(p));
}
