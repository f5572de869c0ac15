import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback origin for the task-recovery test: it serves a Template whose first step downloads
 * `/gate` (`fetch:plain:file`), and holds the first download open forever, so the test knows the
 * task is running and where (the only replica up), and can kill that replica mid-step. Later
 * downloads answer at once, so the task finishes on whichever replica recovers it.
 */
export async function startRecoveryOrigin() {
  const open = new Set<http.ServerResponse>();
  let gateRequests = 0;
  let onGate: (() => void) | undefined;
  let host = ''; // set once the server listens
  const server = http.createServer((req, res) => {
    if (req.url === '/template.yaml') {
      res
        .writeHead(200, { 'content-type': 'text/yaml' })
        .end(templateYaml(`http://${host}/gate`));
    } else if (req.url === '/gate') {
      gateRequests++;
      onGate?.();
      if (gateRequests === 1) {
        open.add(res); // never answered
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('open\n');
      }
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    templateRef: 'template:default/recovery-probe',
    templateUrl: `http://${host}/template.yaml`,
    readingConfig: { reading: { allow: [{ host }] } },
    gateRequests: () => gateRequests,
    /** Resolves once the gate has been requested `count` times in all. */
    gateReached(count: number, timeoutMs = 60_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`gate requested ${gateRequests} times, not ${count}`),
            ),
          timeoutMs,
        );
        const check = () => {
          if (gateRequests >= count) {
            clearTimeout(timer);
            resolve();
          }
        };
        onGate = check;
        check();
      });
    },
    stop() {
      open.forEach(res => res.destroy());
      return new Promise(resolve => server.close(resolve));
    },
  };
}

function templateYaml(gateUrl: string) {
  return [
    'apiVersion: scaffolder.backstage.io/v1beta3',
    'kind: Template',
    'metadata:',
    '  name: recovery-probe',
    'spec:',
    '  owner: group:platform-team',
    '  type: service',
    '  steps:',
    '    - id: gate',
    '      name: Wait at the gate',
    '      action: fetch:plain:file',
    '      input:',
    `        url: ${gateUrl}`,
    '        targetPath: gate.txt',
    '    - id: done',
    '      name: Log',
    '      action: debug:log',
    '      input:',
    '        message: passed the gate',
    '',
  ].join('\n');
}
