/**
 * Summarises V8 .cpuprofile files (from `BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=DIR"`):
 * the top functions and files by self time, and the top functions by inclusive (total) time. Usage:
 *   node --import tsx bench/profile-summary.ts DIR_OR_FILE... [--top N]
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function files(args: string[]): string[] {
  return args.flatMap((a) => (fs.statSync(a).isDirectory() ? fs.readdirSync(a).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(a, f)) : [a]));
}

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const i = url.indexOf('/node_modules/');
  if (i >= 0) return url.slice(i + 1);
  const s = url.indexOf('/src/');
  return s >= 0 ? url.slice(s + 1) : url.replace(/^file:\/\//, '');
}

function top(map: Map<string, number>, total: number, n: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
}

const args = process.argv.slice(2);
const topIdx = args.indexOf('--top');
const n = topIdx >= 0 ? Number(args.splice(topIdx, 2)[1]) : 30;
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let busy = 0;
const label = (node: ProfileNode): string => {
  const frame = node.callFrame;
  return `${frame.functionName || '(anonymous)'}  ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
};
for (const file of files(args)) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const node = nodes.get(id)!;
    const fn = label(node);
    const where = shortUrl(node.callFrame.url);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byFile.set(where, (byFile.get(where) ?? 0) + us);
    total += us;
    if (node.callFrame.functionName === '(idle)') return;
    busy += us;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(label(nodes.get(at)!));
    for (const key of seen) inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  });
}
process.stdout.write(
  `total sampled: ${(total / 1000).toFixed(0)} ms, busy (not idle): ${(busy / 1000).toFixed(0)} ms\n\n` +
    `self time by function (% of all samples):\n${top(byFunction, total, n).join('\n')}\n\n` +
    `self time by file:\n${top(byFile, total, n).join('\n')}\n\n` +
    `inclusive time by function (% of busy samples):\n${top(inclusive, busy, n).join('\n')}\n`,
);
