import {
  hostMatches,
  parsePattern,
  patternsOverlap,
  samePattern,
} from './routes';

describe('patternsOverlap', () => {
  it.each([
    ['images.example.com/*', 'images.example.com/*', true],
    ['images.example.com/*', 'images.example.com/img/*', true],
    ['*.example.com/*', 'shop.example.com/*', true],
    ['*example.com/*', 'example.com/img/a.png', true],
    ['Images.example.com/*', 'https://images.example.com/x', true],
    ['images.example.com/img/*', 'images.example.com/static/*', false],
    ['images.example.com/*', 'cdn.example.com/*', false],
    ['*.example.com/*', 'example.com/*', false],
    ['example.com/a', 'example.com/b', false],
  ])('%s and %s: %s', (a, b, overlap) => {
    expect(patternsOverlap(a, b)).toBe(overlap);
    expect(patternsOverlap(b, a)).toBe(overlap);
  });
});

describe('samePattern', () => {
  it('ignores the scheme and the case of the host, not the path', () => {
    expect(
      samePattern('https://Images.example.com/*', 'images.example.com/*'),
    ).toBe(true);
    expect(
      samePattern('images.example.com/Img/*', 'images.example.com/img/*'),
    ).toBe(false);
  });
});

describe('hostMatches', () => {
  it('matches a Custom Domain host against a wildcard or concrete route host', () => {
    expect(
      hostMatches(parsePattern('*.example.com/*'), 'Shop.example.com'),
    ).toBe(true);
    expect(
      hostMatches(parsePattern('images.example.com/*'), 'images.example.com'),
    ).toBe(true);
    expect(
      hostMatches(parsePattern('images.example.com/*'), 'cdn.example.com'),
    ).toBe(false);
  });
});
