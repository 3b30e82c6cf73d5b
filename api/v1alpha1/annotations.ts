// Annotations with a meaning to HIL, shared by the API server (authorization), the controllers and hilctl.
// Hand-written.

/** On a Switch, "true": the switch controller stops all writes to it (reads go on). */
export const PAUSED_ANNOTATION = 'hil.io/paused';
/** On a Node: each new value power-cycles it once (the `kubectl rollout restart` pattern). */
export const POWER_CYCLE_ANNOTATION = 'hil.io/power-cycle';
/**
 * On a Headnode: JSON map of hnic name → HIL hnic label, for hnics whose HIL label is not a valid hnic name (written
 * by the v0 API with the hnic; a project member may write it, as the hnics themselves).
 */
export const HIL_HNIC_NAMES_ANNOTATION = 'hil.io/hil-hnic-names';
