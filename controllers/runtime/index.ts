// controllers/runtime: what controller-runtime gives Go controllers, for ours.
export { Controller, errorMessage, isConflict, type ControllerOptions } from './controller.js';
export { getCondition, jsonEqual, removeCondition, setCondition, type ConditionInput } from './conditions.js';
export { ResourceInformer, type InformerOptions, type ListOf } from './informer.js';
export { LeaderElector, microTime, type LeaderElectionOptions, type LeaseObject, type LeaseRecord, type LeaseStore } from './leader-election.js';
export { Manager, type ManagerOptions, type RunOutcome } from './manager.js';
export { ControllerMetrics, startMetricsServer } from './metrics.js';
export { TerminalError, isTerminal, type Reconciler, type Request, type Result } from './reconciler.js';
export { ExponentialBackoff, WorkQueue, type Priority } from './workqueue.js';
export { Batcher, type BatcherOptions } from './batcher.js';
export { Limiter, type LimiterPriority } from './limiter.js';
export { withDefaults } from './options.js';
