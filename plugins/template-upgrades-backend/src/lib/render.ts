import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { readFiles } from './files';
import type { TemplateAtVersion } from './templateSource';

/** Renders a template's files with a service's answers. */
export interface TemplateRenderer {
  render(
    template: TemplateAtVersion,
    answers: Record<string, unknown>,
  ): Promise<Map<string, Buffer>>;
}

function* parameterSchemas(template: any): Generator<Record<string, any>> {
  const pages = template?.spec?.parameters;
  const list = Array.isArray(pages) ? pages : [pages];
  for (const page of list.filter(Boolean)) {
    yield page;
    for (const branch of page.allOf ?? []) {
      if (branch?.then) yield branch.then;
    }
  }
}

/**
 * The answers a template at a version is rendered with: the recorded ones, and for a question
 * the service was never asked, its default (as Copier and cruft do). A new required question
 * without a default cannot be answered for the team: that is an error naming it.
 */
export function answersFor(
  template: any,
  recorded: Record<string, unknown>,
): Record<string, unknown> {
  const answers = { ...recorded };
  const missing: string[] = [];
  for (const schema of parameterSchemas(template)) {
    for (const [name, field] of Object.entries<any>(schema.properties ?? {})) {
      if (name in answers || !field || typeof field !== 'object') continue;
      if ('default' in field) {
        answers[name] = field.default;
      } else if ((schema.required ?? []).includes(name) && !schema.if) {
        missing.push(name);
      }
    }
  }
  if (missing.length > 0) {
    throw new InputError(
      `The current ${template?.metadata?.name} asks ${missing.join(
        ', ',
      )}, which the service's record has no answer for and the template gives no default; add a default to the template, or the answer to the service's .template-record.json`,
    );
  }
  return answers;
}

/**
 * Only the steps that write files: a render never publishes, registers or provisions anything.
 */
export function renderOnlyTemplate(template: any): any {
  return {
    ...template,
    spec: {
      ...template.spec,
      steps: (template.spec?.steps ?? []).filter(
        (step: { action?: string }) => step.action === 'fetch:template',
      ),
      output: {},
    },
  };
}

/**
 * Renders with the real scaffolder: its dry-run endpoint (`POST /api/scaffolder/v2/dry-run`, the
 * one the template editor uses) runs the template's `fetch:template` steps with the scaffolder's
 * own templating, filters (`parseRepoUrl`) and parameter validation, as the portal's service
 * principal.
 */
export class ScaffolderDryRunRenderer implements TemplateRenderer {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {}

  async render(
    template: TemplateAtVersion,
    answers: Record<string, unknown>,
  ): Promise<Map<string, Buffer>> {
    const { discovery, auth } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'scaffolder',
    });
    const directoryContents = [...readFiles(template.dir)].map(
      ([file, content]) => ({
        path: file,
        base64Content: content.toString('base64'),
      }),
    );
    const res = await fetch(
      `${await discovery.getBaseUrl('scaffolder')}/v2/dry-run`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({
          template: renderOnlyTemplate(template.template),
          values: answersFor(template.template, answers),
          secrets: {},
          directoryContents,
        }),
      },
    );
    const body: any = await res.json().catch(() => ({}));
    if (res.status === 400 && Array.isArray(body.errors)) {
      throw new InputError(
        `The recorded answers do not fit version ${template.version} of ${
          template.name
        }: ${body.errors
          .map((e: { property?: string; message?: string }) =>
            `${e.property ?? ''} ${e.message ?? ''}`.trim(),
          )
          .join('; ')}. Correct them in the service's .template-record.json`,
      );
    }
    if (!res.ok) {
      throw new Error(
        `Rendering version ${template.version} of ${
          template.name
        } failed: the scaffolder answered ${res.status} ${
          body?.error?.message ?? ''
        }`.trim(),
      );
    }
    const failed = (body.steps ?? []).find(
      (s: { status?: string }) => s.status === 'failed',
    );
    if (failed) {
      throw new Error(
        `Rendering version ${template.version} of ${template.name} failed in step ${failed.id}`,
      );
    }
    const files = new Map<string, Buffer>();
    for (const file of body.directoryContents ?? []) {
      files.set(file.path, Buffer.from(file.base64Content, 'base64'));
    }
    return files;
  }
}
