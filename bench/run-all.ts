/**
 * Runs the benchmarks in sequence (all of them, or those named on the command line), each
 * printing one JSON line on stdout. BENCH_SCALE=0.1 runs every workload at a tenth of its size.
 */
import { benchList } from './cluster-list.js';
import { benchWatch } from './cluster-watch.js';
import { benchWrites } from './cluster-writes.js';
import { benchWritePath } from './write-path.js';
import { benchDeploymentReady, benchKubeletPods, benchSimulatedPodsRss } from './workloads.js';
import { progress } from './lib/report.js';
import { benchScale } from './lib/stats.js';

const BENCHES: Record<string, () => Promise<unknown>> = {
  'cluster-writes': benchWrites,
  'cluster-list': benchList,
  'cluster-watch': benchWatch,
  'write-path': benchWritePath,
  'kubelet-pods': benchKubeletPods,
  'deployment-ready': benchDeploymentReady,
  'simulated-pods-rss': benchSimulatedPodsRss,
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in BENCHES)) {
    process.stderr.write(`unknown benchmark "${name}"; choose from ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
}
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
progress(`running ${names.join(', ')} at BENCH_SCALE=${benchScale()}`);
let failed = 0;
for (const name of names) {
  const t0 = performance.now();
  try {
    await BENCHES[name]();
    progress(`${name} done in ${Math.round((performance.now() - t0) / 1000)} s`);
  } catch (err) {
    failed++;
    progress(`${name} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
