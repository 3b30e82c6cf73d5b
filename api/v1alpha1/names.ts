// Name rules shared by the API's users: a headnode's libvirt domain and base image names (Headnode.metadata.name,
// spec.baseImage, hil.cfg [headnode] base_imgs). Hand-written.

/** What libvirt and our headnode driver accept as a domain (VM) or base image name. */
export const DOMAIN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
