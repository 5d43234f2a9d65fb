// Booleans as stored: 0/1 integers, so one schema serves SQLite and PostgreSQL.
export type Flag = 0 | 1;
