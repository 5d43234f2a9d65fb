// Every migration, in order. New files are appended here; names never change
// once released because the database records them.
import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
};
