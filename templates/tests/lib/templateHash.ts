import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

function listFiles(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap(entry => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return listFiles(full, base);
      return entry.isFile() ? [path.relative(base, full)] : [];
    })
    .sort();
}

/**
 * The hash a template version is locked with: every file under `skeleton/` (path and bytes) and
 * the template's `spec` (parameters and steps) as parsed YAML, so comments and the version line
 * itself do not count.
 */
export function templateHash(templateDir: string): string {
  const hash = crypto.createHash('sha256');
  const skeleton = path.join(templateDir, 'skeleton');
  for (const file of listFiles(skeleton)) {
    hash.update(`${file.split(path.sep).join('/')}\0`);
    hash.update(fs.readFileSync(path.join(skeleton, file)));
    hash.update('\0');
  }
  const template = parseYaml(
    fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
  );
  hash.update(JSON.stringify(template.spec));
  return `sha256:${hash.digest('hex')}`;
}
