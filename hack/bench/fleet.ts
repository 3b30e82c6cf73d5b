// A site-sized convergence: 10,000 nodes on 250 simulated switches × 48 ports (40 nodes per switch), in 100
// projects, every node attached to its project's own network, through the real API server and the controllers (as
// the switches module, on the same mock switches). `fleet-converge` runs from the first of the 10,000
// NetworkAttachment POSTs to the last Attached; `fleet-bound` is the switches' own lower bound (every switch works
// in parallel: login, one read, 40 port writes, one save), which the API server's write rate stretches.
import type { BenchModule } from './env.js';
import { log } from './report.js';
import { converge, lowerBound } from './switches.js';

const FULL = { switches: 250, ports: 48, nodesPerSwitch: 40, projects: 100 };
const QUICK = { switches: 4, ports: 12, nodesPerSwitch: 10, projects: 4 };

export const fleetBench: BenchModule = {
  name: 'fleet',
  description: 'a 10,000-node site: 250 switches × 48 ports, every node attached to its project network',
  async run(ctx) {
    // As the switches module: the controllers are measured, SQLite is enough.
    if (ctx.store !== 'sqlite') {
      log(`  fleet: measured on sqlite only`);
      return;
    }
    const shape = ctx.quick ? QUICK : FULL;
    const bound = lowerBound(shape.nodesPerSwitch);
    const nodes = shape.switches * shape.nodesPerSwitch;
    const { ms: took, writesPerAttachment, writes } = await converge(ctx, { ...shape, timeoutMs: 900_000 });
    ctx.report.record('fleet-converge', took, 'ms', {
      ...shape,
      nodes,
      boundMs: bound,
      aim: { op: '<=', value: 2 * bound },
      writesPerAttachment,
      writes,
    });
    ctx.report.record('fleet-bound', bound, 'ms', { ...shape, nodes });
  },
};
