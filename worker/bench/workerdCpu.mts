// workerd's CPU time, read from Linux's /proc: what both benchmark scripts measure requests by.
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of this process's descendants whose command is `workerd` (Linux /proc). */
export function workerdPids(): number[] {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid ...; comm may hold spaces, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while the list was read.
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (names.get(child) === 'workerd') found.push(child);
      walk(child);
    }
  };
  walk(process.pid);
  return found;
}

/**
 * CPU time workerd has used so far, in ms: the first field of every thread's schedstat (ns on
 * the CPU). Unlike wall time, hardly changed by other work on the machine. NaN off Linux.
 */
export function workerdCpuMs(pids: number[]): number {
  let ns = 0;
  try {
    for (const pid of pids) {
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        ns += Number(
          readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(
            ' ',
          )[0],
        );
      }
    }
  } catch {
    return NaN;
  }
  return pids.length ? ns / 1e6 : NaN;
}
