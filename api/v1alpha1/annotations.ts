// Annotations with a meaning to HIL, shared by the API server (authorization), the controllers and hilctl.
// Hand-written.

/** On a Switch, "true": the switch controller stops all writes to it (reads go on). */
export const PAUSED_ANNOTATION = 'hil.io/paused';
/** On a Node: each new value power-cycles it once (the `kubectl rollout restart` pattern). */
export const POWER_CYCLE_ANNOTATION = 'hil.io/power-cycle';
