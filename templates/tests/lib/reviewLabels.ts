/*
 * What the create form's Review page shows, as plugin-scaffolder-react's ReviewState works it
 * out (dist/next/components/ReviewState/util.esm.js, findSchemaForKey, and
 * ReviewState.esm.js, processSchema): for each value, the first page whose schema has the
 * key, looked up with json-schema-library's Draft07 and, as data, only the values the page's
 * `dependencies` name; then, read with the whole form state:
 * - the name: its `ui:backstage.review.name`, else its `title`, else the key's parts in start
 *   case joined with " > " (formatKey);
 * - `ui:backstage.review.show: false` leaves it out, `ui:backstage.review.mask` shows the mask;
 * - with `enum` and `enumNames` (the schema's, not `ui:enumNames`) the value's name is shown;
 * - an object value is exploded into one row per property, each looked up as `key/property`,
 *   unless `ui:backstage.review.explode: false`.
 * A field inside an `if`/`then` branch is found only when its page lists the field the branch
 * depends on in `dependencies`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Draft07 } from 'json-schema-library';
import startCase from 'lodash/startCase';
import { parse as parseYaml } from 'yaml';

/** One row of the Review page: the value's pointer, the name shown and the value shown. */
export type ReviewRow = { key: string; name: string; value: unknown };

function pages(templateDir: string): any[] {
  const template = parseYaml(
    fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
  );
  return [template.spec.parameters].flat().map((step: any) => {
    const { title, ...schema } = step;
    return { type: 'object', ...schema };
  });
}

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const formatKey = (key: string) =>
  key
    .split('/')
    .filter(Boolean)
    .map(part => startCase(part))
    .join(' > ');

function rowsOf(
  key: string,
  value: unknown,
  page: any,
  values: Record<string, unknown>,
): ReviewRow[] {
  const definition = new Draft07(page).getSchema({
    pointer: `#/${key}`,
    data: values,
  }) as any;
  const review = definition?.['ui:backstage']?.review;
  const name = review?.name ?? definition?.title ?? formatKey(key);
  if (definition) {
    if (review?.mask) return [{ key, name, value: review.mask }];
    if (review?.show === false) return [];
    if (definition.enum && definition.enumNames) {
      const shown = definition.enumNames[definition.enum.indexOf(value)];
      return [{ key, name, value: shown || value }];
    }
    if (review?.explode !== false && isJsonObject(value)) {
      return Object.entries(value).flatMap(([nested, nestedValue]) =>
        rowsOf(`${key}/${nested}`, nestedValue, page, values),
      );
    }
  }
  return [{ key, name, value }];
}

/** The rows the Review page lists for these values, in order. */
export function reviewRows(
  templateDir: string,
  values: Record<string, unknown>,
): ReviewRow[] {
  const schemaPages = pages(templateDir);
  return Object.entries(values).flatMap(([key, value]) => {
    if (value === undefined) return [];
    const page = schemaPages.find(candidate => {
      const data: Record<string, unknown> = {};
      for (const dep of Object.keys(candidate.dependencies ?? {})) {
        if (dep in values) data[dep] = values[dep];
      }
      return !!new Draft07(candidate).getSchema({ pointer: `#/${key}`, data });
    });
    return page
      ? rowsOf(key, value, page, values)
      : [{ key, name: formatKey(key), value }];
  });
}

/** Each row the Review page lists, by the value's pointer, with the name it shows for it. */
export function reviewLabels(
  templateDir: string,
  values: Record<string, unknown>,
): Record<string, string> {
  return Object.fromEntries(
    reviewRows(templateDir, values).map(row => [row.key, row.name]),
  );
}
