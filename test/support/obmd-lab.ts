// An obmd node's whole stack, as the v0 OBM test and the `hil node obm|power|…` test both need it: one ipmi_sim BMC,
// the obmd emulator in front of it with a node registered for that BMC, an in-process API server (database auth)
// whose console hub uses the real obmd driver, and — once the test has made its admin — the node controller.
import { createToken } from '../../apiserver/admin-tasks.js';
import { createLogger } from '../../common/logging.js';
import { kubeConfigFor, startControllers, type RunningControllers } from '../../controllers/daemon.js';
import { ConsoleHub, createObmRegistry, ObmdObmDriver } from '../../drivers/obm/index.js';
import { startIpmiSims, type IpmiSims, type SimBmc } from './ipmi-sim.js';
import { registerObmdNode, startObmdEmulator, type ObmdEmulator } from './obmd-emulator.js';
import { startInProcessServer, type InProcessServer } from './server.js';

export interface ObmdLab {
  srv: InProcessServer;
  obmd: ObmdEmulator;
  bmc: SimBmc;
  /** The node's URL on obmd (what node_register's `obmd.uri` names). */
  uri: string;
  /** Starts the controllers (fast resync and backoff) with a token of `adminUser`, who must exist. */
  startControllers(adminUser: string): Promise<void>;
  stop(): Promise<void>;
}

/** `prefix` names the ipmi_sim run folder; `node` the node's label on obmd. */
export async function startObmdLab(prefix: string, node: string): Promise<ObmdLab> {
  const registry = createObmRegistry({ obmd: new ObmdObmDriver({ callTimeoutMs: 15_000 }) });
  const hub = new ConsoleHub(registry);
  let sims: IpmiSims | undefined;
  let obmd: ObmdEmulator | undefined;
  let srv: InProcessServer | undefined;
  let running: RunningControllers | undefined;
  const stop = async () => {
    await running?.stop();
    await hub.close();
    await srv?.stop();
    await obmd?.stop();
    await sims?.stop();
  };
  try {
    [sims, obmd, srv] = await Promise.all([
      startIpmiSims(1, { prefix }),
      startObmdEmulator(),
      startInProcessServer({ auth: 'database', console: hub }),
    ]);
    const bmc = sims.bmcs[0];
    const uri = await registerObmdNode(obmd, node, bmc);
    const server = srv;
    return {
      srv: server,
      obmd,
      bmc,
      uri,
      async startControllers(adminUser) {
        const { token } = await createToken(server.store, adminUser, 3600);
        running = startControllers({
          kubeConfig: kubeConfigFor(server.url, token),
          resyncMs: 1_000,
          logger: createLogger(process.env.HIL_TEST_LOG_LEVEL ?? 'error', 'controllers'),
          nodes: { obmRegistry: registry, backoffBaseMs: 300, backoffMaxMs: 1_000, cycleGraceMs: 2_000 },
        });
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
