// A small HIL site as HIL's database holds it, written for these tests from HIL's schema description (model.py,
// its extensions and migrations) — not copied from HIL. Two variants of the node tables:
//   - 'last':      HIL's last release (0.4+): nodes carry obmd_uri / obmd_admin_token / obmd_node_token;
//   - 'pre-obmd':  HIL 0.3 (after the network ACL and the Flask move): node.obm_id → obm (type) → ipmi.
// The same SQL runs on PostgreSQL and SQLite (HIL ran on both).
import Database from 'better-sqlite3';
import pg from 'pg';

export type HilFixtureVariant = 'last' | 'pre-obmd';

const T = 'http://schema.massopencloud.org/haas/v0';

/** Passwords of the fixture's users (their hashes below are `openssl passwd -6` of these). */
export const HIL_PASSWORDS = { alice: 'alice-hil-pw', bob: 'bob-hil-password' };

function ddl(variant: HilFixtureVariant): string[] {
  const node =
    variant === 'last'
      ? 'CREATE TABLE node (id INTEGER PRIMARY KEY, label VARCHAR NOT NULL UNIQUE, project_id INTEGER REFERENCES project(id), obmd_uri VARCHAR NOT NULL, obmd_admin_token VARCHAR NOT NULL, obmd_node_token VARCHAR)'
      : 'CREATE TABLE node (id INTEGER PRIMARY KEY, label VARCHAR NOT NULL UNIQUE, project_id INTEGER REFERENCES project(id), obm_id INTEGER NOT NULL)';
  return [
    'CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)',
    'CREATE TABLE project (id INTEGER PRIMARY KEY, label VARCHAR NOT NULL UNIQUE)',
    'CREATE TABLE "user" (id INTEGER PRIMARY KEY, label VARCHAR NOT NULL, is_admin BOOLEAN NOT NULL, hashed_password VARCHAR)',
    'CREATE TABLE user_projects (user_id INTEGER REFERENCES "user"(id), project_id INTEGER REFERENCES project(id))',
    'CREATE TABLE switch (id INTEGER PRIMARY KEY, label VARCHAR NOT NULL UNIQUE, type VARCHAR NOT NULL)',
    'CREATE TABLE mock_switch (id INTEGER PRIMARY KEY, hostname VARCHAR NOT NULL, username VARCHAR NOT NULL, password VARCHAR NOT NULL)',
    'CREATE TABLE nexus (id INTEGER PRIMARY KEY, hostname VARCHAR NOT NULL, username VARCHAR NOT NULL, password VARCHAR NOT NULL, dummy_vlan VARCHAR NOT NULL)',
    'CREATE TABLE port (id INTEGER PRIMARY KEY, label VARCHAR NOT NULL, owner_id INTEGER NOT NULL REFERENCES switch(id))',
    ...(variant === 'pre-obmd'
      ? [
          'CREATE TABLE obm (id INTEGER PRIMARY KEY, type VARCHAR NOT NULL)',
          'CREATE TABLE ipmi (id INTEGER PRIMARY KEY, host VARCHAR NOT NULL, "user" VARCHAR NOT NULL, password VARCHAR NOT NULL)',
        ]
      : []),
    node,
    'CREATE TABLE nic (id INTEGER PRIMARY KEY, label VARCHAR NOT NULL, owner_id INTEGER NOT NULL REFERENCES node(id), mac_addr VARCHAR, port_id INTEGER REFERENCES port(id))',
    'CREATE TABLE metadata (id INTEGER PRIMARY KEY, label VARCHAR NOT NULL, value VARCHAR, owner_id INTEGER NOT NULL REFERENCES node(id))',
    'CREATE TABLE network (id INTEGER PRIMARY KEY, label VARCHAR NOT NULL UNIQUE, owner_id INTEGER REFERENCES project(id), allocated BOOLEAN, network_id VARCHAR NOT NULL)',
    'CREATE TABLE network_projects (project_id INTEGER REFERENCES project(id), network_id INTEGER REFERENCES network(id))',
    'CREATE TABLE network_attachment (id INTEGER PRIMARY KEY, nic_id INTEGER NOT NULL REFERENCES nic(id), network_id INTEGER NOT NULL REFERENCES network(id), channel VARCHAR NOT NULL)',
    'CREATE TABLE networking_action (id INTEGER PRIMARY KEY, uuid VARCHAR NOT NULL, status VARCHAR NOT NULL, type VARCHAR NOT NULL, nic_id INTEGER NOT NULL REFERENCES nic(id), new_network_id INTEGER REFERENCES network(id), channel VARCHAR NOT NULL)',
    'CREATE TABLE headnode (id INTEGER PRIMARY KEY, label VARCHAR NOT NULL, project_id INTEGER NOT NULL REFERENCES project(id), dirty BOOLEAN NOT NULL, base_img VARCHAR NOT NULL, uuid VARCHAR NOT NULL UNIQUE)',
    'CREATE TABLE hnic (id INTEGER PRIMARY KEY, label VARCHAR NOT NULL, owner_id INTEGER NOT NULL REFERENCES headnode(id), network_id INTEGER REFERENCES network(id))',
    'CREATE TABLE vlan (id INTEGER PRIMARY KEY, vlan_no INTEGER NOT NULL, available BOOLEAN NOT NULL)',
  ];
}

function rows(variant: HilFixtureVariant): string[] {
  const out = [
    `INSERT INTO alembic_version VALUES ('${variant === 'last' ? 'd65a9dc873d7' : '89ff8a6d72b2'}')`,
    `INSERT INTO project VALUES (1, 'runway'), (2, 'Manhattan Lab'), (3, 'empty')`,
    `INSERT INTO "user" VALUES (1, 'alice', TRUE, '$6$aLiCeSaLt$zJJMA06IdyTWCMplzm93ZA31aU.BK8cM5uMre2pJHwtPYMFJikrYpvYXb8y3rTmJ5NiG0iZ2lH2NxCTQ41VCA0'),
       (2, 'bob', FALSE, '$6$b0bsalt$7WM6F0gXgUTeIvbc8u3KZxx/NdbXB2fpKFf6kuFoJ.Re9EV77Xwkd/aVsFtj3M7KRgEAs5AAdE/B6sB5meVji1'),
       (3, 'carol', FALSE, NULL)`,
    `INSERT INTO user_projects VALUES (2, 1), (2, 2), (3, 3)`,
    `INSERT INTO switch VALUES (1, 'sw0', '${T}/switches/mock'), (2, 'Core Nexus', '${T}/switches/nexus'), (3, 'juniper1', '${T}/switches/juniper')`,
    `INSERT INTO mock_switch VALUES (1, 'sw0.example', 'admin', 'sw0-secret')`,
    `INSERT INTO nexus VALUES (2, 'nexus.example', 'netadmin', 'nexus-secret', '2')`,
    `INSERT INTO port VALUES (1, 'gi1/0/1', 1), (2, 'gi1/0/2', 1), (3, 'gi1/0/3', 1), (4, 'Ethernet1/1', 2), (5, 'bad port', 1)`,
    `INSERT INTO network VALUES (1, 'runway-pxe', 1, TRUE, '101'), (2, 'public net', NULL, FALSE, '300'),
       (3, 'shared', NULL, FALSE, '301'), (4, 'manhattan_pxe', 2, TRUE, '102'), (5, 'null-net', NULL, FALSE, 'a1b2c3')`,
    `INSERT INTO network_projects VALUES (1, 1), (1, 3), (2, 3), (2, 4)`,
    `INSERT INTO vlan VALUES (1, 100, TRUE), (2, 101, FALSE), (3, 102, FALSE), (4, 103, TRUE), (5, 104, TRUE)`,
  ];
  if (variant === 'last')
    out.push(
      `INSERT INTO node VALUES (1, 'node-01', 1, 'http://obmd.example:8080/node/node-01', 'tok-01', NULL),
         (2, 'Node 02', 2, 'http://obmd.example:8080/node/Node%2002', 'tok-02', 'node-token'),
         (3, 'node-03', NULL, 'http://obmd.example:8080/node/node-03', 'tok-03', NULL)`,
    );
  else
    out.push(
      `INSERT INTO obm VALUES (1, '${T}/obm/ipmi'), (2, '${T}/obm/ipmi'), (3, '${T}/obm/ipmi')`,
      `INSERT INTO ipmi VALUES (1, '10.0.0.1', 'ADMIN', 'ipmi-1'), (2, '10.0.0.2', 'ADMIN', 'ipmi-2'), (3, 'bmc3.example', 'root', 'ipmi-3')`,
      `INSERT INTO node VALUES (1, 'node-01', 1, 1), (2, 'Node 02', 2, 2), (3, 'node-03', NULL, 3)`,
    );
  out.push(
    `INSERT INTO nic VALUES (1, 'eth0', 1, 'AA:BB:CC:DD:EE:01', 1), (2, 'ipmi nic', 1, NULL, NULL),
       (3, 'eth0', 2, 'Unknown', 2), (4, 'eth0', 3, 'aa:bb:cc:dd:ee:03', 3)`,
    `INSERT INTO metadata VALUES (1, 'rack', '"A3"', 1)`,
    `INSERT INTO network_attachment VALUES (1, 1, 1, 'vlan/native'), (2, 1, 3, 'vlan/301'), (3, 3, 4, 'vlan/native')`,
    `INSERT INTO networking_action VALUES (1, 'u-1', 'DONE', 'modify_port', 1, 1, 'vlan/native'),
       (2, 'u-2', 'PENDING', 'modify_port', 4, 2, 'vlan/native')`,
    `INSERT INTO headnode VALUES (1, 'runway hn', 1, FALSE, 'base-img', 'e9c77c00-fa31-11e5-93f8-001e65327848')`,
    `INSERT INTO hnic VALUES (1, 'pxe', 1, 1), (2, 'ext nic', 1, 5)`,
  );
  return out;
}

/** Makes the fixture in a new SQLite file. */
export function buildSqliteFixture(file: string, variant: HilFixtureVariant): void {
  const db = new Database(file);
  try {
    // SQLite has no boolean literals before 3.23 in every build; HIL's SQLite databases hold 0/1.
    for (const s of [...ddl(variant), ...rows(variant)])
      db.exec(s.replace(/\bTRUE\b/g, '1').replace(/\bFALSE\b/g, '0'));
  } finally {
    db.close();
  }
}

/** Makes the fixture in an (empty) PostgreSQL database. */
export async function buildPostgresFixture(uri: string, variant: HilFixtureVariant): Promise<void> {
  const c = new pg.Client({ connectionString: uri });
  await c.connect();
  try {
    for (const s of [...ddl(variant), ...rows(variant)]) await c.query(s);
  } finally {
    await c.end();
  }
}
