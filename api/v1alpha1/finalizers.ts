// Finalizer names of hil.io objects: shared by the API server (which puts some on new objects) and the controllers
// (which add and remove them). Hand-written; types.ts beside it is generated.

/** On a Network: its VLAN claim is released before the object goes. */
export const FINALIZER_VLAN = 'hil.io/vlan';
/** On a NetworkAttachment or a Port: its switch port is reverted (and, for a Port, read back) before the object goes. */
export const FINALIZER_PORT_REVERT = 'hil.io/port-revert';
/** On a Node or Network: it waits for the attachments that use it. */
export const FINALIZER_ATTACHMENTS = 'hil.io/attachments';
