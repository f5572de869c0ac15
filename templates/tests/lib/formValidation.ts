/*
 * Validates values the way the scaffolder's create form does (plugin-scaffolder-react's
 * Stepper): @rjsf/validator-ajv8 with ajv-errors, one form page (one parameter step)
 * at a time, on the step's schema without its `ui:` keys; and renders the messages
 * as the form's error list does (`'<field title>' <message>`, or the bare message for
 * a rule on the whole page). The field itself shows `message` under it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { retrieveSchema } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import ajvErrors from 'ajv-errors';
import startCase from 'lodash/startCase';
import { parse as parseYaml } from 'yaml';

const validator = customizeValidator();
ajvErrors(validator.ajv as any);

function withoutUiKeys(value: unknown): any {
  if (Array.isArray(value)) {
    return value.map(withoutUiKeys);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !key.startsWith('ui:'))
        .map(([key, item]) => [key, withoutUiKeys(item)]),
    );
  }
  return value;
}

/** The template's parameter steps as the form validates them. */
export function formSteps(templateDir: string): Array<{
  title: string;
  schema: any;
}> {
  const template = parseYaml(
    fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
  );
  return [template.spec.parameters].flat().map((step: any) => {
    const { title, ...schema } = withoutUiKeys(step);
    return { title, schema: { type: 'object', ...schema } };
  });
}

export interface FormError {
  /** rjsf's property path, e.g. `.cpuLimit`; empty for a rule on the whole page. */
  property: string;
  /** The text under the field. */
  message: string;
  /** The text in the list above the form. */
  listed: string;
}

/** The errors the form shows for the given values, page by page. */
export function formErrors(
  templateDir: string,
  values: Record<string, unknown>,
): FormError[] {
  return formSteps(templateDir).flatMap(({ schema }) =>
    validator.validateFormData(values, schema).errors.map(error => {
      const property = error.property ?? '';
      const name = property.replace(/^\./, '');
      // As the scaffolder's ErrorListTemplate: the title of a top-level property of
      // the page's schema, else the property name in start case (fields inside
      // `if`/`then` have no top-level title).
      const title = schema.properties?.[name]?.title ?? startCase(name);
      return {
        property,
        message: error.message ?? '',
        listed:
          property && error.message
            ? `'${title}' ${error.message}`
            : error.stack,
      };
    }),
  );
}

/**
 * The fields the form lays out on each page for the given values, as rjsf resolves
 * the page's schema (`if`/`then` branches merged in). rjsf only warns on the console
 * when it cannot merge a page's `allOf` branches and then leaves their fields out, so
 * that warning is turned into an error here.
 */
export function formFields(
  templateDir: string,
  values: Record<string, unknown>,
): string[][] {
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
  };
  try {
    const fields = formSteps(templateDir).map(({ schema }) =>
      Object.keys(
        retrieveSchema(validator, schema, schema, values).properties ?? {},
      ),
    );
    if (warnings.length > 0) {
      throw new Error(`The form could not lay out a page: ${warnings[0]}`);
    }
    return fields;
  } finally {
    console.warn = warn;
  }
}
