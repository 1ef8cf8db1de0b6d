/**
 * Schema versions. Each participant (the core, a plugin that owns tables) records its version
 * under its own key in Trac's `system` table; `gatehouse-admin ENV upgrade` brings every
 * participant from its stored version to the one its code expects, in one transaction, so a
 * failed upgrade leaves the database as it was.
 *
 * A stored version of 0 (no key) means the participant was never installed here: a new plugin,
 * or a database Trac created. Its `create` runs, and creates only the tables that are missing.
 */
import { Errors, GatehouseError } from '../errors';
import type { EnvironmentSetupParticipant } from '../env/types';
import { CORE_VERSION_KEY, systemTable } from './core-schema';
import { DbErrors } from './db-errors';
import { createMissingTables, tableExists } from './schema-tables';
import type { Database, Queryable } from './types';

/** Core tables first: a plugin's tables may refer to them. Otherwise registration order. */
function inInstallOrder(participants: readonly EnvironmentSetupParticipant[]): EnvironmentSetupParticipant[] {
  return [...participants.filter((p) => p.versionKey === CORE_VERSION_KEY),
    ...participants.filter((p) => p.versionKey !== CORE_VERSION_KEY)];
}

export interface SchemaUpgrade {
  versionKey: string;
  /** The version stored in `system` (0 when none is). */
  from: number;
  /** The version the code expects. */
  to: number;
}

/** Stored versions by key; a database without a `system` table has none. */
export async function readSchemaVersions(db: Database,
  query: Queryable = db): Promise<Map<string, number>> {
  const versions = new Map<string, number>();
  if (!(await tableExists(db, query, systemTable.name))) return versions;

  const rows = await query.all<{ name: string; value: string | number | null }>(
    'SELECT name, value FROM "system"');
  for (const row of rows) {
    const text = String(row.value ?? '').trim();
    if (/^\d+$/.test(text)) versions.set(row.name, Number(text));
  }
  return versions;
}

/**
 * For a new environment (initenv): creates every participant's tables and records their
 * versions, in one transaction. A participant whose key is already recorded is left for
 * `upgradeSchema`; returns the keys created.
 */
export async function createSchema(db: Database,
  participants: readonly EnvironmentSetupParticipant[]): Promise<string[]> {
  return db.transaction(async (tx) => {
    await createMissingTables(db, tx, [systemTable]);
    const stored = await readSchemaVersions(db, tx);
    const created: string[] = [];

    for (const participant of inInstallOrder(participants)) {
      if (stored.has(participant.versionKey)) continue;
      await participant.create(db, tx);
      await writeVersion(tx, participant.versionKey, participant.version);
      stored.set(participant.versionKey, participant.version);
      created.push(participant.versionKey);
    }
    return created;
  });
}

/**
 * What `upgradeSchema` would do, without doing it.
 * @throws GH_ERR_DB_SCHEMA_NEWER when a stored version is newer than the code.
 */
export async function pendingUpgrades(db: Database,
  participants: readonly EnvironmentSetupParticipant[]): Promise<SchemaUpgrade[]> {
  return listUpgrades(await readSchemaVersions(db), participants);
}

/**
 * Upgrades every participant that is behind, in one transaction; returns what it upgraded
 * (empty when all were up to date).
 * @throws GH_ERR_DB_SCHEMA_NEWER when a stored version is newer than the code: nothing changes.
 */
export async function upgradeSchema(db: Database,
  participants: readonly EnvironmentSetupParticipant[]): Promise<SchemaUpgrade[]> {
  return db.transaction(async (tx) => {
    await createMissingTables(db, tx, [systemTable]);
    const upgrades = listUpgrades(await readSchemaVersions(db, tx), participants);

    for (const upgrade of upgrades) {
      const participant = participants.find((candidate) => candidate.versionKey === upgrade.versionKey);
      if (!participant) continue;
      if (upgrade.from === 0) await participant.create(db, tx);
      else await participant.upgrade(db, tx, upgrade.from);
      await writeVersion(tx, upgrade.versionKey, upgrade.to);
    }
    return upgrades;
  });
}

/**
 * For opening an environment: throws GH_ERR_DB_NEEDS_UPGRADE (naming `envPath` in the
 * command to run) when an upgrade is pending, GH_ERR_DB_SCHEMA_NEWER when the code is too old.
 */
export async function requireCurrentSchema(db: Database,
  participants: readonly EnvironmentSetupParticipant[], envPath: string): Promise<void> {
  const pending = await pendingUpgrades(db, participants);
  if (pending.length > 0) {
    throw new GatehouseError(Errors.DB_NEEDS_UPGRADE, { path: envPath, pending });
  }
}

function listUpgrades(stored: Map<string, number>,
  participants: readonly EnvironmentSetupParticipant[]): SchemaUpgrade[] {
  const upgrades: SchemaUpgrade[] = [];
  const seen = new Set<string>();
  for (const participant of inInstallOrder(participants)) {
    if (seen.has(participant.versionKey)) continue;
    seen.add(participant.versionKey);
    const from = stored.get(participant.versionKey) ?? 0;
    if (from > participant.version) {
      throw new GatehouseError(DbErrors.SCHEMA_NEWER,
        { versionKey: participant.versionKey, stored: from, known: participant.version });
    }
    if (from < participant.version) {
      upgrades.push({ versionKey: participant.versionKey, from, to: participant.version });
    }
  }
  return upgrades;
}

/** Trac keeps versions as text in `system.value`; so does Gatehouse. */
async function writeVersion(tx: Queryable, key: string, version: number): Promise<void> {
  const updated = await tx.run('UPDATE "system" SET value = ? WHERE name = ?', [String(version), key]);
  if (updated.changes === 0) {
    await tx.run('INSERT INTO "system" (name, value) VALUES (?, ?)', [key, String(version)]);
  }
}
