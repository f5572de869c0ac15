/*
 * The names the create form's Review page gives the values, as plugin-scaffolder-react's
 * ReviewState works them out (dist/next/components/ReviewState/util.esm.js, findSchemaForKey,
 * and ReviewState.esm.js, processSchema): for each value, the first page whose schema has the
 * key, looked up with json-schema-library's Draft07 and, as data, only the values the page's
 * `dependencies` name; its `ui:backstage.review.name`, else its `title`, else the key in start
 * case. A field inside an `if`/`then` branch is found only when its page lists the field the
 * branch depends on in `dependencies`. Pages hidden with `ui:backstage.review.show: false` are
 * left out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Draft07 } from 'json-schema-library';
import startCase from 'lodash/startCase';
import { parse as parseYaml } from 'yaml';

/** Each value the Review page lists, with the name it shows for it. */
export function reviewLabels(
  templateDir: string,
  values: Record<string, unknown>,
): Record<string, string> {
  const template = parseYaml(
    fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
  );
  const pages = [template.spec.parameters].flat().map((step: any) => {
    const { title, ...schema } = step;
    return { type: 'object', ...schema };
  });
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    let found: any;
    for (const page of pages) {
      const data: Record<string, unknown> = {};
      for (const dep of Object.keys(page.dependencies ?? {})) {
        if (dep in values) data[dep] = values[dep];
      }
      const definition = new Draft07(page).getSchema({
        pointer: `#/${key}`,
        data,
      });
      if (definition) {
        // ReviewState then reads the definition with the whole form state.
        found = new Draft07(page).getSchema({
          pointer: `#/${key}`,
          data: values,
        });
        break;
      }
    }
    if (found?.['ui:backstage']?.review?.show === false) continue;
    labels[key] =
      found?.['ui:backstage']?.review?.name ?? found?.title ?? startCase(key);
  }
  return labels;
}
