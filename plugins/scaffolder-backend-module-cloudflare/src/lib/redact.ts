/**
 * Replaces every occurrence of each secret in `text` with `***`.
 * Secrets shorter than four characters are ignored: replacing them would garble ordinary text
 * without hiding anything worth hiding.
 */
export function redact(
  text: string,
  secrets: Iterable<string | undefined>,
): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) {
      out = out.split(secret).join('***');
    }
  }
  return out;
}
