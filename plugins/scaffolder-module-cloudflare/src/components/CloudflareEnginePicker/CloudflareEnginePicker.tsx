import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { ResponseError } from '@backstage/errors';

/** `ui:options` of the field: which form fields hold the rest of the deploy's input. @public */
export interface CloudflareEnginePickerOptions {
  /** Default `owner`. */
  ownerField?: string;
  /** Default `accountId`. */
  accountField?: string;
  /** Default `placement` (`route` or `workersDev`). */
  placementField?: string;
  /** Default `zoneId`. */
  zoneField?: string;
  /** Default `routePattern`. */
  routeField?: string;
  /** Default `allowedOrigins` (a list of hosts). */
  originsField?: string;
  /** Default `imagesPerMonth`. */
  volumeField?: string;
  /**
   * A field holding the catalog entity of a Worker already deployed (the redeploy form): its
   * owner and account are then the entity's, and the owner and account fields are not read.
   */
  entityField?: string;
}

/**
 * What the scaffolder backend's `GET cloudflare/engine` answers
 * (`@internal/plugin-scaffolder-backend-module-cloudflare`, `CloudflareEnginePreview`).
 */
export interface CloudflareEnginePreview {
  engine?: 'cloudflare' | 'wasm';
  refused?: string;
  reasons: string[];
  notes: string[];
  cost?: { usd: number; failed: number; text: string };
  prices: { readOn: string; sources: string[] };
  notConfigured?: string;
}

const ENGINE_NAMES: Record<string, string> = {
  auto: 'Automatic (what works on this account)',
  cloudflare: 'Cloudflare Images (Image Transformations)',
  wasm: 'WebAssembly in the Worker (needs Workers Paid)',
};

/** The query the backend takes, from the form's other fields; undefined until they are given. */
export function previewQuery(
  engine: string,
  data: Record<string, unknown>,
  options: CloudflareEnginePickerOptions,
): URLSearchParams | undefined {
  const get = (key: string | undefined, fallback: string) =>
    data[key ?? fallback];
  const entity = options.entityField ? data[options.entityField] : undefined;
  const owner = get(options.ownerField, 'owner');
  const accountId = get(options.accountField, 'accountId');
  const placement = get(options.placementField, 'placement');
  const origins = get(options.originsField, 'allowedOrigins');
  const volume = get(options.volumeField, 'imagesPerMonth');
  let who: Record<string, string> | undefined;
  if (typeof entity === 'string') {
    who = { entity };
  } else if (typeof owner === 'string' && typeof accountId === 'string') {
    who = { owner, accountId };
  }
  if (
    !who ||
    (placement !== 'route' && placement !== 'workersDev') ||
    !Array.isArray(origins) ||
    origins.length === 0
  ) {
    return undefined;
  }
  const query = new URLSearchParams({ ...who, placement, engine });
  if (placement === 'route') {
    const zoneId = get(options.zoneField, 'zoneId');
    if (typeof zoneId !== 'string') {
      return undefined;
    }
    query.set('zoneId', zoneId);
    const pattern = get(options.routeField, 'routePattern');
    if (typeof pattern === 'string') {
      query.set('routePattern', pattern);
    }
  }
  query.set(
    'allowedOrigins',
    origins.filter(o => typeof o === 'string' && o).join(','),
  );
  if (typeof volume === 'number') {
    query.set('imagesPerMonth', String(volume));
  }
  return query;
}

function errorText(error: Error): string {
  return error instanceof ResponseError
    ? error.body.error.message
    : error.message;
}

/**
 * The engine select of the Cloudflare templates (`auto`, `cloudflare`, `wasm`), with what the
 * deploy will get underneath: the engine, or the refusal and what to change, and the cost of the
 * expected images a month, as the scaffolder backend works it out with the owner group's token
 * from the account's plan, the zone's Transformations settings and the benchmark's cost model.
 */
export function CloudflareEnginePicker(
  props: FieldExtensionComponentProps<string, CloudflareEnginePickerOptions>,
) {
  const {
    schema,
    uiSchema,
    formData,
    onChange,
    required,
    rawErrors,
    formContext,
    idSchema,
  } = props;
  const options = uiSchema?.['ui:options'] ?? {};
  const engine = formData ?? 'auto';
  const data = (formContext?.formData ?? {}) as Record<string, unknown>;
  const query = previewQuery(engine, data, options);
  const key = query?.toString();
  const discovery = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const answer = useAsync(async (): Promise<
    CloudflareEnginePreview | undefined
  > => {
    if (!key) {
      return undefined;
    }
    const base = await discovery.getBaseUrl('scaffolder');
    const res = await fetchApi.fetch(`${base}/cloudflare/engine?${key}`);
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return (await res.json()) as CloudflareEnginePreview;
  }, [key, discovery, fetchApi]);

  const enumValues = ((schema.enum as string[] | undefined) ?? [
    'auto',
    'cloudflare',
    'wasm',
  ]) as string[];
  const preview = answer.value;
  let verdict: string;
  let bad = false;
  if (!query) {
    verdict =
      'Choose the owner, the account, the image origins and where the Worker answers to see the engine it gets and its cost.';
  } else if (answer.loading) {
    verdict = 'Asking Cloudflare what this account and zone allow…';
  } else if (answer.error) {
    verdict = errorText(answer.error);
    bad = true;
  } else if (preview?.notConfigured) {
    verdict = preview.notConfigured;
  } else if (preview?.refused) {
    verdict = `The deploy would be refused: ${preview.refused}`;
    bad = true;
  } else if (preview?.engine) {
    verdict = `You get the ${preview.engine} engine. ${
      preview.cost?.text ?? 'Give the images a month to see what it costs.'
    }`;
  } else {
    verdict = '';
  }

  return (
    <>
      <TextField
        id={idSchema?.$id}
        select
        fullWidth
        margin="normal"
        label={schema.title}
        required={required}
        value={engine}
        onChange={e => onChange(e.target.value)}
        error={(rawErrors?.length ?? 0) > 0}
        helperText={schema.description}
      >
        {enumValues.map(v => (
          <MenuItem key={v} value={v}>
            {ENGINE_NAMES[v] ?? v}
          </MenuItem>
        ))}
      </TextField>
      <Typography
        variant="body2"
        color={bad ? 'error' : 'textPrimary'}
        data-testid="cloudflare-engine-verdict"
      >
        {verdict}
      </Typography>
      {preview?.engine && (
        <Typography variant="caption" color="textSecondary" component="div">
          {[...preview.reasons, ...preview.notes].map(line => (
            <div key={line}>{line}</div>
          ))}
          <div>
            Prices read {preview.prices.readOn}:{' '}
            {preview.prices.sources.join(', ')}
          </div>
        </Typography>
      )}
    </>
  );
}
