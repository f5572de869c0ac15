import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { PROXY_PATH } from '../api/AzurePipelinesClient';

/** The card's proxy endpoint as the repository's app-config file declares it. */
export interface ProxyEndpoint {
  target: string;
  allowedMethods?: string[];
  headers?: Record<string, string>;
}

/** The `/azure-devops` proxy endpoint of `file` (`app-config.yaml`, …) at the repository root. */
export function proxyEndpointIn(file: string): ProxyEndpoint {
  const config = parse(
    readFileSync(resolve(__dirname, '../../../..', file), 'utf8'),
  );
  return config.proxy.endpoints[PROXY_PATH];
}
