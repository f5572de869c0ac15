/*
 * What `docker build` would see: the build context a `.dockerignore` leaves of a set of files, and
 * the sources every COPY/ADD of a Dockerfile takes from it. The matching is Docker's own
 * (`@balena/dockerignore`, the npm port of moby's `patternmatcher`), the parsing is
 * `dockerfile-ast`'s, so neither is re-implemented here.
 */
import dockerignore from '@balena/dockerignore';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

/** One source of a COPY or ADD that reads from the build context. */
export interface ContextCopy {
  /** 1-based line of the instruction in the Dockerfile. */
  line: number;
  /** The stage it belongs to: its `AS` name, or its index when it has none. */
  stage: string;
  instruction: 'COPY' | 'ADD';
  /** The source as written, relative to the context root. */
  source: string;
  /** Where it goes in the image, as written. */
  destination: string;
}

/**
 * The files of `files` (POSIX paths relative to the context root) that a build with this
 * `.dockerignore` content sends as its context. Docker still reads the Dockerfile and
 * `.dockerignore` when they are excluded, but COPY cannot use them, so they count as excluded.
 */
export function buildContextFiles(
  files: Iterable<string>,
  dockerignoreContent: string | undefined,
): string[] {
  // Docker on Linux matches case-sensitively (Go's filepath.Match); the library's default is not.
  const matcher = dockerignore({ ignorecase: false }).add(
    (dockerignoreContent ?? '').split(/\r?\n/),
  );
  return [...files].filter(file => !matcher.ignores(file)).sort();
}

function argumentsOf(instruction: Instruction): string[] {
  const json = (instruction as any).getJSONStrings?.() as
    | Array<{ getJSONValue(): string }>
    | undefined;
  if (json && json.length > 0) {
    return json.map(s => s.getJSONValue());
  }
  return instruction.getArguments().map(a => a.getValue());
}

/**
 * Every source of every COPY/ADD that reads from the build context, in every stage; copies
 * `--from` another stage or image are left out (they read no context files). URLs of ADD are
 * left out too.
 */
export function contextCopies(dockerfileContent: string): ContextCopy[] {
  const dockerfile = DockerfileParser.parse(dockerfileContent);
  const copies: ContextCopy[] = [];
  let stageIndex = -1;
  let stage = '';
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    if (keyword === 'FROM') {
      stageIndex += 1;
      const args = instruction.getArguments().map(a => a.getValue());
      const as = args.findIndex(a => a.toUpperCase() === 'AS');
      stage = as >= 0 && args[as + 1] ? args[as + 1] : String(stageIndex);
      continue;
    }
    if (keyword !== 'COPY' && keyword !== 'ADD') {
      continue;
    }
    const flags = (
      instruction as unknown as { getFlags(): Array<{ getName(): string }> }
    )
      .getFlags()
      .map(f => f.getName().toLowerCase());
    if (flags.includes('from')) {
      continue;
    }
    const args = argumentsOf(instruction);
    const destination = args[args.length - 1];
    for (const source of args.slice(0, -1)) {
      if (keyword === 'ADD' && /^[a-z]+:\/\//i.test(source)) {
        continue;
      }
      copies.push({
        line: instruction.getRange().start.line + 1,
        stage,
        instruction: keyword,
        source,
        destination,
      });
    }
  }
  return copies;
}

/** The last ENTRYPOINT of the final stage, in exec form (`["python", "main.py"]`). */
export function entrypointOf(dockerfileContent: string): string[] {
  const entrypoints =
    DockerfileParser.parse(dockerfileContent).getENTRYPOINTs();
  const last = entrypoints[entrypoints.length - 1];
  const args = last?.getJSONStrings().map(s => s.getJSONValue()) ?? [];
  if (args.length === 0) {
    throw new Error('The Dockerfile has no ENTRYPOINT in exec (JSON) form');
  }
  return args;
}

/** A COPY source as a path relative to the context root: no leading `/` or `./`, no trailing `/`. */
function normalise(source: string): string {
  const cleaned = source
    .replace(/^(\.?\/)+/, '')
    .replace(/\/+$/, '')
    .replace(/\/\.\//g, '/');
  return cleaned === '.' ? '' : cleaned;
}

/** Go's `filepath.Match` for one path: `*` and `?` never cross `/`, `[...]` classes. */
function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) throw new Error(`Unclosed [ in COPY source ${pattern}`);
      out += `[${pattern.slice(i + 1, end)}]`;
      i = end;
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}(/.*)?$`);
}

/**
 * The context files one COPY source takes: the file itself, everything under a directory, or
 * what a wildcard matches (a directory it matches brings its files).
 */
export function filesCopiedBy(
  source: string,
  contextFiles: readonly string[],
): string[] {
  const path = normalise(source);
  if (path === '') {
    return [...contextFiles];
  }
  if (/[*?[]/.test(path)) {
    const re = globToRegExp(path);
    return contextFiles.filter(file => re.test(file));
  }
  return contextFiles.filter(
    file => file === path || file.startsWith(`${path}/`),
  );
}

/**
 * The COPY/ADD sources that take nothing from the context, each as
 * `line N (stage S): COPY source`; `docker build` fails on each of them
 * ("failed to compute cache key: ... not found").
 */
export function missingCopySources(
  copies: readonly ContextCopy[],
  contextFiles: readonly string[],
): string[] {
  return copies
    .filter(copy => filesCopiedBy(copy.source, contextFiles).length === 0)
    .map(
      copy =>
        `line ${copy.line} (stage ${copy.stage}): ${copy.instruction} ${copy.source}`,
    );
}
