import fs from 'node:fs';
import path from 'node:path';

/** Files of a folder by POSIX path, skipping `.git`. */
export function readFiles(dir: string, base = dir): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.git') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      for (const [p, c] of readFiles(full, base)) files.set(p, c);
    } else if (entry.isFile()) {
      files.set(
        path.relative(base, full).split(path.sep).join('/'),
        fs.readFileSync(full),
      );
    }
  }
  return files;
}

/** Writes files by POSIX path under `dir`, refusing paths that climb out of it. */
export function writeFiles(dir: string, files: Map<string, Buffer>): void {
  for (const [file, content] of files) {
    const target = path.resolve(dir, file);
    if (!target.startsWith(path.resolve(dir) + path.sep)) {
      throw new Error(`The rendered file ${file} lies outside the repository`);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}
