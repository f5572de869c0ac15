import { PAT } from './msw';

/**
 * Fails when a token, or its Basic-header form, shows up in what the task keeps: log lines,
 * outputs or checkpoints.
 */
export function expectNoToken(
  kept: {
    logLines: string[];
    outputs: unknown;
    checkpoints?: Map<string, unknown>;
  },
  tokens: string[] = [PAT],
) {
  const text = JSON.stringify({
    log: kept.logLines,
    outputs: kept.outputs,
    checkpoints: [...(kept.checkpoints ?? new Map()).entries()],
  });
  for (const token of tokens) {
    expect(text).not.toContain(token);
    expect(text).not.toContain(Buffer.from(`:${token}`).toString('base64'));
  }
}
