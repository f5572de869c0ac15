import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../testing/backendProcess';
import {
  startGitHubOAuthStandIn,
  type GitHubOAuthStandIn,
} from '../testing/githubOAuthStandIn';
import {
  createContainer,
  imageUsers,
  processIds,
  processTree,
  runCommand,
  runImage,
  type ImageContainer,
  type ImageProcess,
} from '../testing/image';
import { startPostgres, type PostgresServer } from '../testing/postgres';
import { productionEnv } from '../testing/production';
import { manifest, readYamlDocuments } from './files';

/*
 * The image scripts/image-build.sh built from the Dockerfile (PORTAL_IMAGE), checked against the
 * Deployment that runs it and started from its own entry point against a real PostgreSQL server on
 * loopback with the production config. scripts/test.sh builds the image and runs this file as its
 * own step, as root (buildah); without PORTAL_IMAGE the tests are skipped.
 */
jest.setTimeout(300_000);

const IMAGE = process.env.PORTAL_IMAGE;
const describeImage = IMAGE ? describe : describe.skip;

const deployment = manifest('Deployment', 'golden-path-portal');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const [production] = readYamlDocuments('app-config.production.yaml');

/** Mount paths of the Deployment's writable volumes (emptyDir), the only writable places. */
const writablePaths: string[] = container.volumeMounts
  .filter(
    (m: any) =>
      !m.readOnly &&
      pod.volumes.some((v: any) => v.name === m.name && v.emptyDir),
  )
  .map((m: any) => m.mountPath);

/**
 * The cookies a browser keeps from a series of responses, by name: a Set-Cookie with Max-Age=0
 * removes one (the auth backend clears a cookie of another path before it sets the new one).
 */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(res: Response): this {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map(p => p.trim());
      const [name, value] = [
        pair.slice(0, pair.indexOf('=')),
        pair.slice(pair.indexOf('=') + 1),
      ];
      if (attributes.some(a => /^max-age=0$/i.test(a)) || !value) {
        this.cookies.delete(name);
      } else {
        this.cookies.set(name, value);
      }
    }
    return this;
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

describeImage(`the portal image ${IMAGE}`, () => {
  let box: ImageContainer;

  beforeAll(() => {
    if (process.getuid?.() !== 0) {
      throw new Error(
        'the image tests run the image with buildah, which needs root here: run them as root (scripts/test.sh does)',
      );
    }
    box = createContainer(IMAGE!);
  });
  afterAll(() => box?.remove());

  describe('agrees with the Deployment that runs it', () => {
    it("runs as the image's non-root user, whose ids the Deployment's securityContext names", () => {
      const user = box.config.User;
      expect(user).toBeTruthy();
      const entry = imageUsers(box.rootfs).get(user!);
      expect(entry).toBeDefined();
      expect(entry!.uid).not.toBe(0);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(entry!.uid).toBe(pod.securityContext.runAsUser);
      expect(entry!.gid).toBe(pod.securityContext.runAsGroup);
    });

    it('exposes the container port, which is the port the production config listens on', () => {
      const port = container.ports.find((p: any) => p.name === 'http');
      expect(Object.keys(box.config.ExposedPorts ?? {})).toEqual([
        `${port.containerPort}/${port.protocol.toLowerCase()}`,
      ]);
      expect(port.containerPort).toBe(production.backend.listen.port);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        expect(container[probe].httpGet.port).toBe('http');
      }
    });

    it("starts with the image's own entry point and command: the Deployment overrides neither", () => {
      expect(container.command).toBeUndefined();
      expect(container.args).toBeUndefined();
      expect(box.config.Entrypoint).toEqual(['/usr/bin/tini', '--']);
      expect(box.config.Cmd?.slice(0, 2)).toEqual(['node', '.']);
      // The command's config files exist relative to its working directory.
      const workdir = path.join(box.rootfs, box.config.WorkingDir ?? '/');
      const configs = (box.config.Cmd ?? []).filter(
        (_arg, i, all) => all[i - 1] === '--config',
      );
      expect(configs.length).toBeGreaterThan(0);
      for (const file of configs) {
        expect(fs.existsSync(path.join(workdir, file))).toBe(true);
      }
      expect(fs.existsSync(path.join(box.rootfs, '/usr/bin/tini'))).toBe(true);
    });

    it('has every writable volume of the Deployment as a directory, and no file the process could change elsewhere', () => {
      expect(writablePaths.length).toBeGreaterThan(0);
      for (const target of writablePaths) {
        expect(fs.statSync(path.join(box.rootfs, target)).isDirectory()).toBe(
          true,
        );
      }
      const uid = imageUsers(box.rootfs).get(box.config.User!)!.uid;
      const writableByProcess: string[] = [];
      const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          const stat = fs.lstatSync(full);
          if (
            !entry.isSymbolicLink() &&
            (stat.uid === uid || (stat.mode & 0o002) !== 0)
          ) {
            writableByProcess.push(full.slice(box.rootfs.length));
          }
          if (entry.isDirectory()) walk(full);
        }
      };
      walk(path.join(box.rootfs, 'app'));
      expect(writableByProcess).toEqual([]);
    });
  });

  describe('started from its entry point on PostgreSQL with the production config', () => {
    let pg: PostgresServer;
    let github: GitHubOAuthStandIn;
    let running: ImageProcess;
    let baseUrl: string;
    let startedAt: number;
    let readyAfterMs: number;
    let runtimeBaseline: string[];

    beforeAll(async () => {
      // What the runtime itself writes into a container, measured with a command that writes
      // nothing: the backend's own writes are whatever comes on top.
      runCommand(box, ['/bin/true'], writablePaths);
      runtimeBaseline = box.changedPaths();

      pg = await startPostgres();
      // The production config listens on 7007 on every interface; the runtime here shares the
      // host's network, so the test moves it to a free loopback port with Backstage's
      // APP_CONFIG_ environment overrides, and the image, its command and its config stay as built.
      const port = await freePort();
      baseUrl = `http://127.0.0.1:${port}`;
      github = await startGitHubOAuthStandIn({
        callbackUrl: `${baseUrl}/api/auth/github/handler/frame`,
        users: [
          { login: 'alice', id: 1001, name: 'Alice Andersen' },
          { login: 'mallory', id: 1002, name: 'Not In The Catalog' },
        ],
      });
      startedAt = Date.now();
      running = await runImage(box, {
        env: {
          ...productionEnv(pg),
          PORTAL_BASE_URL: baseUrl,
          AUTH_GITHUB_CLIENT_ID: github.clientId,
          AUTH_GITHUB_CLIENT_SECRET: github.clientSecret,
          APP_CONFIG_backend_listen_port: String(port),
          APP_CONFIG_backend_listen_host: '127.0.0.1',
          // GitHub sign-in against the stand-in, as against a GitHub Enterprise Server.
          APP_CONFIG_auth_providers_github_production_enterpriseInstanceUrl:
            github.url,
        },
        writable: writablePaths,
      });
      const budgetMs =
        container.startupProbe.periodSeconds *
        container.startupProbe.failureThreshold *
        1000;
      for (;;) {
        const code = await Promise.race([
          running.exited,
          new Promise(r => setTimeout(r, 250, 'running')),
        ]);
        if (code !== 'running') {
          throw new Error(
            `the image's backend exited with ${code} before it was ready:\n${running.output()}`,
          );
        }
        const ready = await fetch(
          `${baseUrl}${container.startupProbe.httpGet.path}`,
        )
          .then(res => res.status === 200)
          .catch(() => false);
        if (ready) break;
        if (Date.now() - startedAt > budgetMs) {
          throw new Error(
            `not ready within the start-up probe's ${budgetMs} ms:\n${running.output()}`,
          );
        }
      }
      readyAfterMs = Date.now() - startedAt;
    });

    afterAll(async () => {
      if (running && processTree(running.entryPid).length > 0) {
        running.signal('SIGKILL');
        await running.exited;
      }
      await github?.stop();
      await pg?.stop();
    });

    it("answers the Deployment's readiness and liveness probes", async () => {
      expect(readyAfterMs).toBeGreaterThan(0);
      for (const probe of ['readinessProbe', 'livenessProbe']) {
        const res = await fetch(`${baseUrl}${container[probe].httpGet.path}`);
        expect(res.status).toBe(200);
      }
    });

    it("runs the backend as the image's user, under the entry point", () => {
      const user = imageUsers(box.rootfs).get(box.config.User!)!;
      const tree = processTree(running.entryPid);
      expect(tree[0].argv[0]).toBe('/usr/bin/tini');
      const node = tree.find(p => p.argv[0] === 'node');
      expect(node?.argv).toEqual(box.config.Cmd);
      for (const { pid } of tree) {
        expect(processIds(pid)).toEqual({ uid: user.uid, gid: user.gid });
      }
    });

    /**
     * GitHub's web flow through the portal, as the sign-in popup runs it: start, GitHub's page,
     * the callback. Resolves with the message the callback page posts to the app, and the
     * session cookies it sets.
     */
    async function signIn(login: string) {
      github.approveAs(login);
      const start = await fetch(
        `${baseUrl}/api/auth/github/start?env=production&scope=read:user`,
        { redirect: 'manual' },
      );
      expect(start.status).toBe(302);
      const jar = new CookieJar().take(start);
      const authorize = new URL(start.headers.get('location')!);
      expect(authorize.origin).toBe(github.url);
      const approved = await fetch(authorize, { redirect: 'manual' });
      expect(approved.status).toBe(302);
      const callback = await fetch(approved.headers.get('location')!, {
        redirect: 'manual',
        headers: { cookie: jar.header() },
      });
      expect(callback.status).toBe(200);
      jar.take(callback);
      const page = await callback.text();
      // sendWebMessageResponse (@backstage/plugin-auth-node): the page's first
      // decodeURIComponent('...') is the JSON it posts to the app.
      const encoded = /decodeURIComponent\('([^']*)'\)/.exec(page)?.[1];
      expect(encoded).toBeDefined();
      const message = JSON.parse(decodeURIComponent(encoded!));
      return { message, session: jar };
    }

    it('signs a GitHub user in as the catalog user of the same name and serves them the catalog', async () => {
      // The catalog reads the organisation's users after start-up; until then a sign-in finds no
      // user, as it would right after a deployment.
      const deadline = Date.now() + 90_000;
      let attempt = await signIn('alice');
      while (attempt.message.error && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 2000));
        attempt = await signIn('alice');
      }
      expect(attempt.message.error).toBeUndefined();
      expect(attempt.message.type).toBe('authorization_response');
      expect(
        attempt.message.response.backstageIdentity.identity.userEntityRef,
      ).toBe('user:default/alice');
      expect(github.requests.map(r => `${r.method} ${r.path}`)).toEqual(
        expect.arrayContaining([
          'GET /login/oauth/authorize',
          'POST /login/oauth/access_token',
          'GET /api/v3/user',
        ]),
      );

      // The app keeps the session through the refresh endpoint (the refresh cookie).
      const refresh = await fetch(
        `${baseUrl}/api/auth/github/refresh?env=production`,
        {
          headers: {
            cookie: attempt.session.header(),
            'x-requested-with': 'XMLHttpRequest',
          },
        },
      );
      expect(refresh.status).toBe(200);
      const { token } = (await refresh.json()).backstageIdentity;

      const res = await fetch(
        `${baseUrl}/api/catalog/entities/by-query?filter=kind=component&fields=metadata.name`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(res.status).toBe(200);
      const names = (await res.json()).items.map((e: any) => e.metadata.name);
      expect(names).toEqual(
        expect.arrayContaining(['sales-dashboard', 'golden-path-portal']),
      );
      const anonymous = await fetch(`${baseUrl}/api/catalog/entities`);
      expect(anonymous.status).toBe(401);
    });

    it('refuses a GitHub user who is not in the catalog', async () => {
      const { message, session } = await signIn('mallory');
      expect(message.response).toBeUndefined();
      expect(message.error.message).toMatch(
        /user.*not found|unable to resolve/i,
      );
      expect(session.has('github-refresh-token')).toBe(false);
    });

    it("serves the app's index page and its scripts", async () => {
      const res = await fetch(`${baseUrl}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      const html = await res.text();
      expect(html).toContain('<div id="root"></div>');
      const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const js = await fetch(new URL(script!, `${baseUrl}/`));
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
    });

    it("stops cleanly on SIGTERM within the Deployment's grace period, having written only to its writable volumes", async () => {
      const graceMs = pod.terminationGracePeriodSeconds * 1000;
      const stopping = Date.now();
      running.signal('SIGTERM');
      const code = await Promise.race([
        running.exited,
        new Promise(r => setTimeout(r, graceMs, 'still running')),
      ]);
      expect(code).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(graceMs);
      expect(running.output()).not.toMatch(/unhandled|uncaught/i);

      const written = box
        .changedPaths()
        .filter(p => !runtimeBaseline.includes(p));
      expect(written).toEqual([]);
    });
  });
});
