import { compareVersions, parseTemplateRecord } from './record';

describe('parseTemplateRecord', () => {
  it('reads the template, version and answers of a record', () => {
    expect(
      parseTemplateRecord(
        '{"template":"t","version":"1.2.0","answers":{"name":"a"}}',
      ),
    ).toEqual({ template: 't', version: '1.2.0', answers: { name: 'a' } });
  });

  it('names the field that is wrong', () => {
    expect(() => parseTemplateRecord('{"template":"t","answers":{}}')).toThrow(
      /no "version" of the form MAJOR.MINOR.PATCH/,
    );
    expect(() => parseTemplateRecord('{"version":"1.0.0"}')).toThrow(
      /no "template"/,
    );
    expect(() =>
      parseTemplateRecord('{"template":"t","version":"1.0.0"}'),
    ).toThrow(/no "answers"/);
    expect(() => parseTemplateRecord('nope')).toThrow(/is not JSON/);
  });
});

describe('compareVersions', () => {
  it('orders versions by number, not as text', () => {
    expect(compareVersions('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
    expect(compareVersions('0.9.9', '1.0.0')).toBeLessThan(0);
  });
});
