// Measures the real switch drivers on a lab: session open, readPorts and apply for batches of several sizes, on OVS
// (waiting for vswitchd, and database commit only) and on Linux bridges. Prints a table (or JSON with --json).
//
//   node --import tsx hack/lab/measure.ts [--ports 500] [--rounds 5] [--json]
//
// Each figure is the median of `rounds` runs. One apply moves every port of the batch to VLANs it never had before
// (so every port really changes; on OVS half of them are trunks with native + tagged); ports/s = batch size / apply time.
import { parseArgs } from 'node:util';
import { LinuxBridgeSwitchDriver } from '../../drivers/switch/linuxbridge/linuxbridge-driver.js';
import { OvsSwitchDriver } from '../../drivers/switch/ovs/ovs-driver.js';
import type { PortChange, SwitchConfig, SwitchDriver } from '../../drivers/switch/switch-driver.js';
import { labUnavailable, startLab } from './lab.js';

const { values } = parseArgs({
  options: {
    ports: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const maxPorts = Number(values.ports);
const rounds = Number(values.rounds);
const sizes = [1, 10, 48, 100, 500, 1000].filter((n) => n <= maxPorts);

let step = 0; // every apply uses VLANs no earlier apply used, so every port of the batch really changes
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  driver: string;
  batch: number;
  openMs: number;
  readMs: number;
  applyMs: number;
  portsPerSecond: number;
}

async function measure(
  label: string,
  driver: SwitchDriver,
  config: SwitchConfig,
  ports: string[],
  trunk: boolean,
): Promise<Row[]> {
  const rows: Row[] = [];
  const opens: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const s = await driver.open(config);
    opens.push(performance.now() - t);
    await s.close();
  }
  const session = await driver.open({ ...config, timeoutMs: 120_000 });
  try {
    for (const size of sizes) {
      const batch = ports.slice(0, size);
      const reads: number[] = [];
      const applies: number[] = [];
      for (let r = 0; r < rounds; r++) {
        step++;
        const changes: PortChange[] = batch.map((p, i) => ({
          interface: p,
          native: 100 + (step % 3000),
          tagged: trunk && i % 2 === 0 ? [3500 + (step % 500)] : [],
        }));
        const t0 = performance.now();
        await session.readPorts(batch);
        reads.push(performance.now() - t0);
        const t1 = performance.now();
        const res = await session.apply(changes);
        applies.push(performance.now() - t1);
        const same = res.filter((x) => !x.changed);
        if (same.length)
          throw new Error(
            `measure: ${label} batch ${size}: ${same.length} ports did not change, e.g. ${JSON.stringify(same[0])}`,
          );
      }
      const applyMs = median(applies);
      rows.push({
        driver: label,
        batch: size,
        openMs: median(opens),
        readMs: median(reads),
        applyMs,
        portsPerSecond: Math.round((size / applyMs) * 1000),
      });
    }
  } finally {
    await session.close();
  }
  return rows;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const kind of ['ovs', 'linuxbridge'] as const) {
    const why = labUnavailable(kind);
    if (why) {
      console.error(`measure: skipping ${kind}: ${why}`);
      continue;
    }
    const lab = await startLab({ nodes: 0, extraPorts: maxPorts, switch: kind });
    try {
      if (kind === 'ovs') {
        rows.push(
          ...(await measure(
            'ovs (wait for vswitchd)',
            new OvsSwitchDriver(),
            lab.switchConfig({ remote: 'tcp' }),
            lab.extraPorts as string[],
            true,
          )),
        );
        rows.push(
          ...(await measure(
            'ovs (db commit only)',
            new OvsSwitchDriver(),
            lab.switchConfig({ remote: 'tcp', wait: false }),
            lab.extraPorts as string[],
            true,
          )),
        );
      } else {
        rows.push(
          ...(await measure(
            'linuxbridge',
            new LinuxBridgeSwitchDriver(),
            lab.switchConfig(),
            lab.extraPorts as string[],
            false,
          )),
        );
      }
    } finally {
      await lab.stop();
    }
  }
  if (values.json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(`median of ${rounds} rounds; apply = every port of the batch changes`);
  console.log('driver                     batch   open ms   read ms  apply ms   ports/s');
  for (const r of rows) {
    console.log(
      `${r.driver.padEnd(26)} ${String(r.batch).padStart(5)} ${r.openMs.toFixed(1).padStart(9)} ${r.readMs.toFixed(1).padStart(9)} ${r.applyMs.toFixed(1).padStart(9)} ${String(r.portsPerSecond).padStart(9)}`,
    );
  }
}

main().catch((err) => {
  console.error(`measure: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
