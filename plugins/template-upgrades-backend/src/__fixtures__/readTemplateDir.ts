import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import fs from 'node:fs';
import { readFiles } from '../lib/files';

/** A template folder as the dry-run endpoint's `template` and `directoryContents`. */
export function readTemplateDir(dir: string) {
  return {
    template: parseYaml(
      fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8'),
    ),
    directoryContents: [...readFiles(dir)].map(([file, content]) => ({
      path: file,
      base64Content: content.toString('base64'),
    })),
  };
}
