import {
  checkScriptName,
  HOST_PATTERN,
  ROUTE_PATTERN,
  routeUrl,
  workersDevUrl,
} from './validation';

describe('checkScriptName', () => {
  it.each(['a', 'image-optimizer', 'img2', 'a'.repeat(63)])(
    'accepts %s',
    name => {
      expect(checkScriptName(name)).toBeUndefined();
    },
  );

  it.each([
    ['Image', 'lower-case'],
    ['-img', 'dash'],
    ['img-', 'dash'],
    ['img_opt', 'lower-case'],
    ['', 'lower-case'],
    ['a'.repeat(64), 'at most 63'],
  ])('refuses %j with a message mentioning %s', (name, fragment) => {
    expect(checkScriptName(name)).toContain(fragment);
  });
});

describe('ROUTE_PATTERN', () => {
  it.each(['images.example.com/*', 'example.com/img/*', 'cdn.example.co.uk/'])(
    'accepts %s',
    pattern => expect(ROUTE_PATTERN.test(pattern)).toBe(true),
  );

  it.each([
    '*.example.com/*',
    'example.com',
    'https://example.com/*',
    'localhost/*',
    'example.com/a b',
  ])('refuses %s', pattern => expect(ROUTE_PATTERN.test(pattern)).toBe(false));
});

describe('HOST_PATTERN', () => {
  it.each(['images.example.com', 'localhost:8080', 'a.b'])('accepts %s', host =>
    expect(HOST_PATTERN.test(host)).toBe(true),
  );
  it.each(['https://a.com', 'a.com/path', 'A.com', '*.a.com', ''])(
    'refuses %s',
    host => expect(HOST_PATTERN.test(host)).toBe(false),
  );
});

describe('worker URLs', () => {
  it('derives the URL of a route from its pattern', () => {
    expect(routeUrl('images.example.com/*')).toBe(
      'https://images.example.com/',
    );
    expect(routeUrl('example.com/img/*')).toBe('https://example.com/img/');
  });

  it('derives the workers.dev URL from the script and account subdomain', () => {
    expect(workersDevUrl('img', 'acme')).toBe('https://img.acme.workers.dev/');
  });
});
