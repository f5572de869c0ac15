import express from 'express';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { UserEntity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { Config } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';
import { PRICES } from '@internal/image-worker/cost';
import {
  missingToken,
  normaliseGroupRef,
  readAccessConfig,
  resolveApiToken,
  userClaims,
} from '../lib/access';
import { createCloudflareClient } from '../lib/cloudflareClient';
import {
  AccountPlanReader,
  readConfiguredPlans,
  readPlanFacts,
} from '../lib/accountPlan';
import {
  checkEngineForPlacement,
  chooseEngine,
  type EngineRequest,
} from '../lib/engineChoice';
import { defaultRetryOptions } from '../lib/retry';
import {
  CLOUDFLARE_ID_PATTERN,
  HOST_PATTERN,
  ROUTE_PATTERN,
} from '../lib/validation';

/** Where the scaffolder serves the engine a deploy would get, below `/api/scaffolder`. */
export const ENGINE_PREVIEW_PATH = '/cloudflare/engine';

/**
 * The answer of `GET /api/scaffolder/cloudflare/engine?owner&accountId&placement[&zoneId]
 * [&routePattern]&engine&allowedOrigins[&imagesPerMonth]` (or `entity=<ref>` of a Worker in the
 * catalog instead of owner and accountId): what `cloudflare:worker:deploy` would
 * decide with the same input, from the same reads and the same cost model.
 */
export interface CloudflareEnginePreview {
  /** The engine the deploy would run with; undefined when it would refuse. */
  engine?: 'cloudflare' | 'wasm';
  /** Why the deploy would refuse, and what to change. */
  refused?: string;
  /** Why this engine, one line each. */
  reasons: string[];
  /** Facts the API would not give, and what was used instead. */
  notes: string[];
  /** A month of the expected volume on that engine. */
  cost?: { usd: number; failed: number; text: string };
  /** The pricing pages the cost is from, and the day they were read. */
  prices: { readOn: string; sources: string[] };
  /** When the portal has no token for the owner: one sentence on what to configure. */
  notConfigured?: string;
}

const prices = {
  readOn: PRICES.readOn,
  sources: [PRICES.workers.source, PRICES.images.source],
};

function param(req: express.Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The deploy's input, from the query string, checked as the action's schema checks it. */
function readRequest(
  req: express.Request,
  knownAccountId?: string,
): {
  accountId: string;
  request: EngineRequest;
  zoneId?: string;
} {
  const accountId = knownAccountId ?? param(req, 'accountId');
  if (!accountId || !CLOUDFLARE_ID_PATTERN.test(accountId)) {
    throw new InputError('accountId must be a Cloudflare account id');
  }
  const engine = param(req, 'engine') ?? 'auto';
  if (!['auto', 'cloudflare', 'wasm'].includes(engine)) {
    throw new InputError('engine must be auto, cloudflare or wasm');
  }
  const allowedOrigins = (param(req, 'allowedOrigins') ?? '')
    .split(',')
    .filter(Boolean);
  if (allowedOrigins.some(o => !HOST_PATTERN.test(o))) {
    throw new InputError(
      'allowedOrigins must be host names, comma-separated, such as assets.example.com',
    );
  }
  const volume = param(req, 'imagesPerMonth');
  const imagesPerMonth = volume === undefined ? undefined : Number(volume);
  if (
    imagesPerMonth !== undefined &&
    (!Number.isInteger(imagesPerMonth) || imagesPerMonth < 0)
  ) {
    throw new InputError('imagesPerMonth must be a whole number');
  }
  const placement = param(req, 'placement');
  if (placement === 'route') {
    const zoneId = param(req, 'zoneId');
    const pattern = param(req, 'routePattern') ?? '';
    if (!zoneId || !CLOUDFLARE_ID_PATTERN.test(zoneId)) {
      throw new InputError('zoneId must be a Cloudflare zone id');
    }
    if (pattern && !ROUTE_PATTERN.test(pattern)) {
      throw new InputError('routePattern must be like images.example.com/*');
    }
    return {
      accountId,
      zoneId,
      request: {
        engine: engine as EngineRequest['engine'],
        placement: { type: 'route', pattern },
        allowedOrigins,
        imagesPerMonth,
      },
    };
  }
  if (placement !== 'workersDev') {
    throw new InputError('placement must be route or workersDev');
  }
  return {
    accountId,
    request: {
      engine: engine as EngineRequest['engine'],
      placement: { type: 'workersDev' },
      allowedOrigins,
      imagesPerMonth,
    },
  };
}

/**
 * Tells the form which engine `cloudflare:worker:deploy` would pick for its input and what a
 * month of the expected volume costs there: the same reads of the account's plan and the zone's
 * Transformations settings (with the owner group's token, which never leaves the backend), the
 * same decision and the same cost model (`@internal/image-worker/cost`). Only members of the
 * owner group may ask, as only they may deploy.
 */
export function createEnginePreviewRouter(options: {
  config: Config;
  httpAuth: HttpAuthService;
  catalog: CatalogService;
}): express.Router {
  const router = express.Router();
  const access = readAccessConfig(options.config);
  const plans = readConfiguredPlans(options.config);

  const preview = async (req: express.Request, res: express.Response) => {
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user'],
    });
    // A Worker already in the catalog (the redeploy form) names its owner and account itself.
    let rawOwner = param(req, 'owner');
    let entityAccount: string | undefined;
    const workerRef = param(req, 'entity');
    if (workerRef) {
      const worker = await options.catalog.getEntityByRef(workerRef, {
        credentials,
      });
      entityAccount =
        worker?.metadata.annotations?.['cloudflare.com/account-id'];
      rawOwner = worker?.spec?.owner as string | undefined;
      if (!worker || !entityAccount || !rawOwner) {
        throw new InputError(
          `The catalog has no image Worker ${workerRef} with an owner and the annotation cloudflare.com/account-id that you may read`,
        );
      }
    }
    if (!rawOwner) {
      throw new InputError(
        'owner is required: the owner group picked on the first page, e.g. owner=group:default/web-team',
      );
    }
    const owner = normaliseGroupRef(rawOwner);
    const ref = credentials.principal.userEntityRef;
    const entity = (await options.catalog.getEntityByRef(ref, {
      credentials,
    })) as UserEntity | undefined;
    if (!userClaims({ entity, ref }).has(owner)) {
      throw new NotAllowedError(
        `Only members of ${owner} may ask what its Worker would run with; pick a team you are a member of`,
      );
    }
    const { accountId, request, zoneId } = readRequest(req, entityAccount);
    const missing = missingToken(access, owner);
    if (missing) {
      const body: CloudflareEnginePreview = {
        reasons: [],
        notes: [],
        prices,
        notConfigured: `The engine cannot be checked: ${missing.missing}; ${missing.connect}.`,
      };
      res.json(body);
      return;
    }
    const token = resolveApiToken(access, owner);
    let body: CloudflareEnginePreview;
    let notes: string[] = [];
    try {
      checkEngineForPlacement(request);
      const facts = await readPlanFacts({
        reader: new AccountPlanReader({
          client: createCloudflareClient(token.token),
          retry: defaultRetryOptions,
        }),
        accountId,
        configured: plans.get(accountId),
        placement:
          request.placement.type === 'route'
            ? { type: 'route', zoneId: zoneId! }
            : { type: 'workersDev' },
      });
      notes = facts.notes;
      const decision = chooseEngine(request, facts);
      body = {
        engine: decision.engine,
        reasons: decision.reasons,
        notes,
        cost: decision.cost,
        prices,
      };
    } catch (error) {
      if (!(error instanceof InputError)) {
        throw error;
      }
      // A refusal (or a zone the token cannot reach) is the answer, as the deploy would give it.
      body = { refused: error.message, reasons: [], notes, prices };
    }
    res.json(body);
  };
  router.get(ENGINE_PREVIEW_PATH, (req, res, next) => {
    preview(req, res).catch(next);
  });
  return router;
}
