// manifests/: what a real cluster installs. The ClusterRole grants exactly controllers/rbac.ts (which a test in
// test/integration records against the controllers' real API calls), the CRDs are crds/ unchanged, and the
// Deployment only passes flags the daemon has.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import yaml from 'js-yaml';
import { packageRoot } from '../../common/paths.js';
import { CONTROLLER_RULES } from '../../controllers/rbac.js';
import { TSX_LOADER } from '../support/server.js';

const root = packageRoot();
const docs = (file: string) => yaml.loadAll(readFileSync(join(root, 'manifests', file), 'utf8')) as any[];
const normalize = (rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[]) =>
  rules
    .flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${g}/${res}`))))
    .sort();

test("the ClusterRole grants exactly the calls in controllers/rbac.ts, bound to the daemon's ServiceAccount", () => {
  const all = docs('rbac.yaml');
  const role = all.find((d) => d.kind === 'ClusterRole');
  assert.deepEqual(normalize(role.rules), normalize([...CONTROLLER_RULES].map((r) => ({ ...r }))));
  const binding = all.find((d) => d.kind === 'ClusterRoleBinding');
  const sa = all.find((d) => d.kind === 'ServiceAccount');
  assert.equal(binding.roleRef.name, role.metadata.name);
  assert.deepEqual(binding.subjects, [
    { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
  ]);
  const deploy = docs('deployment.yaml')[0];
  assert.equal(deploy.spec.template.spec.serviceAccountName, sa.metadata.name);
});

test('the Deployment passes only flags that hil-admin serve-networks has', () => {
  const deploy = docs('deployment.yaml')[0];
  const args: string[] = deploy.spec.template.spec.containers[0].args;
  assert.equal(args[0], 'serve-networks');
  const help = execFileSync(
    process.execPath,
    ['--import', TSX_LOADER, join(root, 'cmd', 'hil-admin.ts'), 'serve-networks', '--help'],
    { encoding: 'utf8' },
  );
  for (const a of args.slice(1)) {
    const flag = a.split('=')[0];
    assert.ok(help.includes(flag), `${flag} is not an option of serve-networks`);
  }
  // The mounted hil.cfg must be private, or hil-admin refuses it.
  assert.equal(deploy.spec.template.spec.volumes[0].secret.defaultMode, 0o600);
});

test(
  'kubectl kustomize manifests/ renders the CRDs unchanged and every part',
  {
    skip:
      spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0
        ? false
        : 'kubectl is not installed',
  },
  () => {
    const out = execFileSync('kubectl', ['kustomize', join(root, 'manifests')], {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: '/dev/null' },
    });
    const rendered = yaml.loadAll(out) as any[];
    const kinds = rendered.map((d) => d.kind).sort();
    assert.deepEqual(
      kinds,
      [
        'ClusterRole',
        'ClusterRoleBinding',
        ...Array(8).fill('CustomResourceDefinition'),
        'Deployment',
        'Namespace',
        'Secret',
        'ServiceAccount',
      ].sort(),
    );
    for (const crd of rendered.filter((d) => d.kind === 'CustomResourceDefinition')) {
      const file = yaml.load(readFileSync(join(root, 'crds', `hil.io_${crd.spec.names.plural}.yaml`), 'utf8'));
      assert.deepEqual(crd, file, crd.metadata.name);
    }
  },
);
