/**
 * The record file at the root of every generated repository: which template, at which version,
 * with which answers of the form. Never a secret: fields that carry tokens are not recorded.
 *
 * @public
 */
export const RECORD_FILE = '.template-record.json';

/** @public */
export type TemplateRecord = {
  /** The Template entity's `metadata.name`. */
  template: string;
  /** Its version (`portal.golden-path/template-version`), `MAJOR.MINOR.PATCH`. */
  version: string;
  /** The form's answers by parameter name, as the template's steps received them. */
  answers: Record<string, unknown>;
};

const VERSION = /^\d+\.\d+\.\d+$/;

/**
 * Reads a record file's text; throws an error that names the file and what is wrong.
 *
 * @public
 */
export function parseTemplateRecord(text: string): TemplateRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${RECORD_FILE} is not JSON (${
        (error as Error).message
      }); restore it from the repository's history`,
    );
  }
  const record = data as Partial<TemplateRecord> | null;
  if (!record || typeof record !== 'object' || Array.isArray(record)) {
    throw new Error(`${RECORD_FILE} must hold a JSON object`);
  }
  if (typeof record.template !== 'string' || record.template === '') {
    throw new Error(`${RECORD_FILE} has no "template" (the template's name)`);
  }
  if (typeof record.version !== 'string' || !VERSION.test(record.version)) {
    throw new Error(
      `${RECORD_FILE} has no "version" of the form MAJOR.MINOR.PATCH (found ${JSON.stringify(
        record.version,
      )})`,
    );
  }
  if (
    !record.answers ||
    typeof record.answers !== 'object' ||
    Array.isArray(record.answers)
  ) {
    throw new Error(`${RECORD_FILE} has no "answers" object`);
  }
  return {
    template: record.template,
    version: record.version,
    answers: record.answers as Record<string, unknown>,
  };
}

/**
 * Orders `MAJOR.MINOR.PATCH` versions: negative when `a` is older than `b`.
 *
 * @public
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  }
  return 0;
}

/**
 * Whether a string is a `MAJOR.MINOR.PATCH` version.
 *
 * @public
 */
export function isTemplateVersion(value: unknown): value is string {
  return typeof value === 'string' && VERSION.test(value);
}
