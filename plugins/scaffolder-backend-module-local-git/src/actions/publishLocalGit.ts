import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConflictError, InputError } from '@backstage/errors';
import {
  createTemplateAction,
  getRepoSourceDirectory,
  initRepoAndPush,
} from '@backstage/plugin-scaffolder-node';
import {
  LocalGitClient,
  localGitCloneUrl,
  localGitContentsUrl,
  repositoryNameProblem,
  type LocalGitConfig,
} from '@internal/plugin-local-git-node';
import { examples } from './publishLocalGit.examples';

const run = promisify(execFile);

/** The action's id. @public */
export const PUBLISH_LOCAL_GIT_ID = 'publish:local-git';

/**
 * `publish:local-git`: creates a repository on the local git server and pushes the workspace to
 * its `main` with git, then checks that `main` on the server is the pushed commit. A name that
 * exists is refused, nothing is overwritten.
 *
 * @public
 */
export function createPublishLocalGitAction(options: {
  local: LocalGitConfig;
  author?: { name?: string; email?: string };
  commitMessage?: string;
}) {
  const { local } = options;
  const client = new LocalGitClient({
    baseUrl: local.baseUrl,
    token: local.token,
  });
  return createTemplateAction({
    id: PUBLISH_LOCAL_GIT_ID,
    description:
      'Creates a repository on the local git server and pushes the workspace to its main branch; a name that exists is refused',
    examples,
    schema: {
      input: {
        repoUrl: z =>
          z
            .string()
            .describe(
              `The repository as the form's repository picker writes it: ${local.host}?repo=<name>`,
            ),
        description: z =>
          z.string().optional().describe('Description of the repository'),
        sourcePath: z =>
          z
            .string()
            .optional()
            .describe(
              'Path in the workspace to publish; the whole workspace when left out',
            ),
      },
      output: {
        remoteUrl: z =>
          z.string().describe('The URL git clones the repository from'),
        repoContentsUrl: z =>
          z
            .string()
            .describe(
              'The URL of the files on main, for portal:catalog:register',
            ),
        commitHash: z => z.string().describe('The pushed commit'),
      },
    },
    async handler(ctx) {
      let parsed: URL;
      try {
        parsed = new URL(`https://${ctx.input.repoUrl}`);
      } catch {
        throw new InputError(
          `'${ctx.input.repoUrl}' is not a repository location: expected ${local.host}?repo=<name>`,
        );
      }
      if (parsed.host !== local.host) {
        throw new InputError(
          `${ctx.input.repoUrl} is not on the local git server (${local.host}); publish it with the action of its host`,
        );
      }
      const name = parsed.searchParams.get('repo') ?? '';
      const problem = repositoryNameProblem(name);
      if (problem) {
        throw new InputError(problem);
      }
      const remoteUrl = localGitCloneUrl(local.baseUrl, name);
      const repoContentsUrl = localGitContentsUrl(local.baseUrl, name);

      // A retried task finds the repository it created before; any other existing one is refused.
      await ctx.checkpoint({
        key: `local-git create ${name}`,
        fn: async () => {
          try {
            await client.createRepository({
              name,
              description: ctx.input.description,
            });
          } catch (error) {
            if (error instanceof ConflictError) {
              throw new ConflictError(
                `${error.message} The service was not published; pick another repository name (or another service name) and run the template again.`,
              );
            }
            throw error;
          }
        },
      });
      ctx.logger.info(`Created ${remoteUrl}`);

      const { commitHash } = await ctx.checkpoint({
        key: `local-git push ${name}`,
        fn: async () =>
          initRepoAndPush({
            dir: getRepoSourceDirectory(
              ctx.workspacePath,
              ctx.input.sourcePath,
            ),
            remoteUrl,
            // The token is the password of HTTP basic auth; it never reaches the log or outputs.
            auth: { username: 'portal', password: local.token ?? '' },
            logger: ctx.logger,
            defaultBranch: 'main',
            commitMessage: options.commitMessage,
            gitAuthorInfo: options.author,
          }),
      });

      // What arrived: main on the server must be the commit just pushed.
      const { stdout } = await run('git', [
        'ls-remote',
        remoteUrl,
        'refs/heads/main',
      ]);
      const onServer = stdout.split(/\s/)[0];
      if (onServer !== commitHash) {
        throw new Error(
          `Pushed ${commitHash} to ${remoteUrl}, but its main is ${
            onServer || 'missing'
          }: the local git server did not keep the push`,
        );
      }
      ctx.logger.info(`Pushed ${commitHash} to main of ${remoteUrl}`);
      ctx.output('remoteUrl', remoteUrl);
      ctx.output('repoContentsUrl', repoContentsUrl);
      ctx.output('commitHash', commitHash);
    },
  });
}
