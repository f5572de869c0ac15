import { parseAllowedOrigins, type PlanFacts } from './accountPlan';
import { chooseEngine, sourceAccepted } from './engineChoice';

const zone = (over: Partial<NonNullable<PlanFacts['zone']>> = {}) => ({
  zoneId: 'f'.repeat(32),
  zoneName: 'example.com',
  transformations: 'on' as const,
  allowedOrigins: [] as string[],
  ...over,
});

const facts = (over: Partial<PlanFacts> = {}): PlanFacts => ({
  workersPlan: 'paid',
  workersPlanSource: "the account's subscriptions",
  imagesPlanSource: 'unknown',
  zone: zone(),
  notes: [],
  ...over,
});

describe('sourceAccepted', () => {
  it("accepts the zone's own hosts and those on the Sources list, and nothing else", () => {
    const z = zone({ allowedOrigins: ['cdn.other.net', '*.media.org'] });
    expect(sourceAccepted('example.com', z)).toBe(true);
    expect(sourceAccepted('assets.example.com', z)).toBe(true);
    expect(sourceAccepted('badexample.com', z)).toBe(false);
    expect(sourceAccepted('cdn.other.net', z)).toBe(true);
    expect(sourceAccepted('img.cdn.other.net', z)).toBe(false);
    expect(sourceAccepted('eu.media.org', z)).toBe(true);
    expect(sourceAccepted('media.org', z)).toBe(false);
  });

  it('accepts any host when the zone is open or lists *', () => {
    expect(sourceAccepted('x.net', zone({ transformations: 'open' }))).toBe(
      true,
    );
    expect(sourceAccepted('x.net', zone({ allowedOrigins: '*' }))).toBe(true);
    expect(parseAllowedOrigins(' A.com, *,b.com')).toBe('*');
    expect(parseAllowedOrigins('A.com, b.com')).toEqual(['a.com', 'b.com']);
  });

  it('does not know when the Sources list could not be read', () => {
    expect(
      sourceAccepted('x.net', zone({ allowedOrigins: undefined })),
    ).toBeUndefined();
  });
});

describe('chooseEngine', () => {
  const route = {
    engine: 'auto' as const,
    placement: { type: 'route' as const, pattern: 'images.example.com/*' },
    allowedOrigins: ['assets.example.com:8443'],
  };

  it('compares hosts without their port', () => {
    expect(chooseEngine(route, facts()).engine).toBe('cloudflare');
  });

  it('prices the wasm engine at the costliest benchmark setting, an upper bound', () => {
    const decision = chooseEngine(
      { ...route, engine: 'wasm', imagesPerMonth: 100_000 },
      facts(),
    );
    expect(decision.cost?.text).toMatch(/at 2788 ms of CPU each/);
  });

  it('refuses wasm on an unknown Workers plan rather than guessing', () => {
    expect(() =>
      chooseEngine(
        { ...route, engine: 'wasm' },
        facts({ workersPlan: undefined, workersPlanSource: 'unknown: 403' }),
      ),
    ).toThrow(/The Workers plan is not known \(unknown: 403\)/);
  });
});
